/**
 * The report as one HTML file with every asset inlined (Chart.js, the data, the styles): it opens
 * offline, from a file share or an e-mail attachment. The charts are drawn by Chart.js (MIT,
 * https://www.chartjs.org) from the embedded data; the tables below them carry the same facts for
 * readers without JavaScript.
 */
import { unreadFigure, unreadSection } from "./reportUnread";
import * as fs from "fs";
import * as path from "path";
import { ReportData, ReportInstance, stackLabel } from "./report";
import { coverageChartData, coverageSection, DRAW_COVERAGE, headline } from "./reportCoverage";

/** The charts, by canvas id: what the browser spec looks for. */
export const CHART_IDS = [
    "chart-stacks",
    "chart-history",
    "chart-instances",
    "chart-severity",
    "chart-os",
    "chart-packages",
] as const;

/** At most this many instances get a bar of their own (the most behind first). */
export const MAX_INSTANCE_BARS = 40;

let chartJs: string | undefined;
/** Chart.js's UMD build, read once from the installed package (package.json pins its version). */
export function chartLibrary(): string {
    // The package exports only its modules; the UMD build sits beside its CommonJS entry in dist/.
    chartJs ??= fs.readFileSync(path.join(path.dirname(require.resolve("chart.js")), "chart.umd.min.js"), "utf8");
    return chartJs;
}

export const escapeHtml = (text: string) =>
    text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
/** JSON safe inside a <script> element: no `</script>`, no HTML comment openers. */
export const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c");

/** The numbers the charts draw, computed once here (the page's script only draws them). */
export function chartData(data: ReportData) {
    const stackKey = (i: ReportInstance) => stackLabel(i.account, i.stack);
    const stacks = [...new Set(data.instances.map(stackKey))].sort();
    const behind = [...data.instances]
        .filter((i) => !i.compliant)
        .sort((a, b) => b.noncompliant - a.noncompliant || a.id.localeCompare(b.id));
    const shown = [...behind, ...data.instances.filter((i) => i.compliant)].slice(0, MAX_INSTANCE_BARS);
    const os = new Map<string, number>();
    for (const i of data.instances) os.set(i.os, (os.get(i.os) ?? 0) + 1);
    return {
        stacks: {
            labels: stacks,
            compliant: stacks.map((s) => data.instances.filter((i) => stackKey(i) === s && i.compliant).length),
            nonCompliant: stacks.map((s) => data.instances.filter((i) => stackKey(i) === s && !i.compliant).length),
        },
        // AWS counts critical and security independently (they overlap): the bars stack disjoint parts
        // that add up to the instance's non-compliant patches.
        instances: {
            labels: shown.map((i) => i.name || i.id),
            security: shown.map((i) => i.security),
            criticalOnly: shown.map((i) => Math.max(0, i.noncompliant - i.other - i.security)),
            other: shown.map((i) => i.other),
        },
        history: historyData(data),
        severity: {
            labels: data.missingBySeverity.map((s) => s.severity),
            values: data.missingBySeverity.map((s) => s.missing),
        },
        os: { labels: [...os.keys()], values: [...os.values()] },
        packages: { labels: data.packages.map((p) => p.name), values: data.packages.map((p) => p.instances) },
    };
}

/** Per stack, the share of its instances compliant on each day of the history (null: no snapshot that day). */
function historyData(data: ReportData) {
    const days = [...new Set(data.history.map((p) => p.day))].sort();
    const stacks = [...new Set(data.history.map((p) => p.stack))].sort();
    const at = new Map(data.history.map((p) => [`${p.day} ${p.stack}`, p]));
    return {
        labels: days,
        stacks: stacks.map((stack) => ({
            label: stack,
            data: days.map((day) => {
                const p = at.get(`${day} ${stack}`);
                return p && p.instances > 0 ? Math.round((1000 * p.compliant) / p.instances) / 10 : null;
            }),
        })),
    };
}

/** The page's own script: one chart per canvas, no animation (a printed or screenshot report is complete). */
const DRAW = `
(function () {
  var d = JSON.parse(document.getElementById("report-data").textContent);
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  var colors = ["#1b7f3b", "#c0392b", "#e67e22", "#f1c40f", "#2e86c1", "#8e44ad", "#16a085", "#7f8c8d", "#d35400", "#2c3e50"];
  function chart(id, config) { new Chart(document.getElementById(id), config); }
  var stacked = { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } };
  chart("chart-stacks", { type: "bar", data: { labels: d.stacks.labels, datasets: [
    { label: "Compliant", data: d.stacks.compliant, backgroundColor: colors[0] },
    { label: "Not compliant", data: d.stacks.nonCompliant, backgroundColor: colors[1] } ] }, options: { scales: stacked } });
  if (document.getElementById("chart-history")) chart("chart-history", { type: "line", data: { labels: d.history.labels,
    datasets: d.history.stacks.map(function (s, i) { return { label: s.label, data: s.data, spanGaps: true,
      borderColor: colors[(i + 4) % colors.length], backgroundColor: colors[(i + 4) % colors.length] }; }) },
    options: { scales: { y: { min: 0, max: 100, title: { display: true, text: "% of instances compliant" } } } } });
  chart("chart-instances", { type: "bar", data: { labels: d.instances.labels, datasets: [
    { label: "Security updates", data: d.instances.security, backgroundColor: colors[1] },
    { label: "Compliance level Critical, not security", data: d.instances.criticalOnly, backgroundColor: colors[2] },
    { label: "Other", data: d.instances.other, backgroundColor: colors[3] } ] },
    options: { indexAxis: "y", scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } } } });
  chart("chart-severity", { type: "doughnut", data: { labels: d.severity.labels, datasets: [{ data: d.severity.values, backgroundColor: colors.slice(1) }] } });
  chart("chart-os", { type: "pie", data: { labels: d.os.labels, datasets: [{ data: d.os.values, backgroundColor: colors.slice(4).concat(colors) }] } });
  chart("chart-packages", { type: "bar", data: { labels: d.packages.labels, datasets: [{ label: "Instances", data: d.packages.values, backgroundColor: colors[4] }] },
    options: { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } } });
  document.body.setAttribute("data-charts", "drawn");
})();
`;

export const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem; color: #1d2733; }
h1 { margin-bottom: 0.2rem; } .meta { color: #5d6d7e; margin-top: 0; }
.figures { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1rem 0; }
.figure { border: 1px solid #d5dbdb; border-radius: 6px; padding: 0.6rem 1rem; min-width: 9rem; }
.figure b { display: block; font-size: 1.6rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(26rem, 1fr)); gap: 1.5rem; }
section { border: 1px solid #d5dbdb; border-radius: 6px; padding: 1rem; }
.chart { position: relative; height: 20rem; } .chart.tall { height: 32rem; }
table { border-collapse: collapse; width: 100%; margin-top: 1rem; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #e5e8e8; padding: 0.3rem 0.5rem; text-align: left; } td.n { text-align: right; }
`;

/** The headline in words: "compliant" only when every in-scope instance is managed, reporting and compliant. */
export function headlineText(data: ReportData): string {
    const h = headline(data.instances, data.coverage, data.unread);
    const notRead = h.notRead ? `, ${h.notRead} not read` : "";
    if (!data.coverage || data.coverage.notRead)
        return h.compliant === h.inScope && h.inScope > 0
            ? `Every one of the ${h.inScope} managed instances is compliant. Coverage was not read: instances Systems Manager does not manage are not counted.`
            : `${h.compliant} of ${h.inScope} managed instances compliant${notRead}. Coverage was not read: instances Systems Manager does not manage are not counted.`;
    if (h.compliant === h.inScope && h.inScope > 0)
        return `Every one of the ${h.inScope} in-scope instances is managed, reporting and compliant.`;
    return `${h.compliant} of ${h.inScope} in-scope instances compliant: ${h.notCompliant} not compliant, ${h.uncovered} unmanaged or silent (over ${data.coverage.silentAfterHours} h), ${h.stopped} stopped${notRead}.`;
}

export function renderReport(data: ReportData): string {
    const counts = headline(data.instances, data.coverage, data.unread);
    const total = counts.inScope;
    const compliant = counts.compliant;
    const accounts = new Set(data.instances.map((i) => i.account).filter((a) => a !== "")).size;
    const figure = (value: string | number, label: string) =>
        `<div class="figure"><b>${escapeHtml(String(value))}</b>${escapeHtml(label)}</div>`;
    const behind = data.instances.filter((i) => !i.compliant);
    const rows = behind
        .map(
            (i) =>
                `<tr><td>${escapeHtml(i.account)}</td><td>${escapeHtml(i.stack)}</td><td>${escapeHtml(i.id)}</td><td>${escapeHtml(i.name)}</td><td>${escapeHtml(i.os)}</td>` +
                [i.noncompliant, i.security, i.critical, i.other, i.failed]
                    .map((n) => `<td class="n">${n}</td>`)
                    .join("") +
                "</tr>",
        )
        .join("\n");
    const section = (id: string, title: string, tall = false) =>
        `<section><h2>${escapeHtml(title)}</h2><div class="chart${tall ? " tall" : ""}"><canvas id="${id}" role="img" aria-label="${escapeHtml(title)}"></canvas></div></section>`;
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(data.title)}</h1>
<p class="meta">Generated ${escapeHtml(data.generatedAt)} from ${escapeHtml(data.source)} by oe-lab-ipm (npm run ops -- report).</p>
<p class="headline" id="headline">${escapeHtml(headlineText(data))}</p>
<div class="figures">
${figure(total, "instances")}
${unreadFigure(data)}
${figure(total === 0 ? "–" : `${Math.round((100 * compliant) / total)}%`, "compliant")}
${figure(counts.notCompliant, "not compliant")}
${data.coverage ? figure(counts.uncovered, "unmanaged or silent") + figure(counts.stopped, "stopped") : ""}
${figure(
    data.instances.reduce((n, i) => n + i.noncompliant, 0),
    "non-compliant patches",
)}
${figure(
    data.instances.reduce((n, i) => n + i.security, 0),
    "security updates not installed",
)}
${accounts > 0 ? figure(accounts, accounts === 1 ? "account" : "accounts") : ""}
</div>
${coverageSection(data.coverage, escapeHtml)}
<div class="grid">
${section("chart-stacks", "Compliance per stack (patch group)")}
${
    data.history.length > 0
        ? section("chart-history", "Compliance over time (last 30 days, per stack)")
        : "<section><h2>Compliance over time</h2><p>No history here: the reporting stack keeps a daily snapshot.</p></section>"
}
${section("chart-severity", "Missing patches by vendor severity (the table counts by compliance level)")}
${section("chart-instances", `Non-compliant patches per instance (the ${MAX_INSTANCE_BARS} most behind)`, true)}
${section("chart-packages", "Most installed packages", true)}
${section("chart-os", "Operating systems")}
</div>
<section>
<h2>Instances that are not compliant (${behind.length})</h2>
<table>
<thead><tr><th>Account</th><th>Patch group</th><th>Instance</th><th>Name</th><th>OS</th><th>Non-compliant patches</th>
<th>Security updates</th><th>Compliance level Critical</th><th>Other levels</th><th>Failed</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="10">None: every instance is compliant.</td></tr>'}
</tbody>
</table>
</section>
${unreadSection(data)}
<script id="report-data" type="application/json">${scriptJson(chartData(data))}</script>
<script>${chartLibrary()}</script>
<script>${DRAW}</script>
<script id="coverage-data" type="application/json">${scriptJson(coverageChartData(data.coverage))}</script>
<script>${DRAW_COVERAGE}</script>
</body>
</html>
`;
}
