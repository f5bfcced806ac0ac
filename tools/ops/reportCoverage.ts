/**
 * The report's coverage: which in-scope instances Systems Manager manages, which are silent, which
 * are unmanaged (and why) and which are stopped (ops coverage, coverage.ts), as a chart and a table,
 * and the headline's counts over every in-scope instance: a fleet is never called compliant while
 * an instance of it is unmanaged or silent past the threshold.
 */
import { COVERAGE, Coverage, CoverageReport } from "./coverage";

/** One in-scope instance's coverage, as the report shows it. */
export interface CoverageRow {
    readonly account: string;
    /** The stack, by its patch group (as the compliance charts label it). */
    readonly stack: string;
    readonly id: string;
    readonly name: string;
    readonly coverage: Coverage;
    readonly state: string;
    readonly since?: string;
    readonly lastSeen?: string;
    readonly agentVersion?: string;
    readonly reasons: readonly string[];
}

export interface ReportCoverage {
    readonly silentAfterHours: number;
    readonly rows: readonly CoverageRow[];
    /** Why coverage could not be read (e.g. ec2:DescribeInstances denied): then only managed nodes count. */
    readonly notRead?: string;
}

export const COVERAGE_CHART_ID = "chart-coverage";
/** The coverage classes the report draws, in order (terminated instances left scope while read). */
const SHOWN: readonly Coverage[] = [COVERAGE.managed, COVERAGE.silent, COVERAGE.unmanaged, COVERAGE.stopped];

/** A coverage read as the report keeps it: the stack's rows, labelled with its patch group. */
export function reportCoverage(report: CoverageReport, patchGroup: string): ReportCoverage {
    return {
        silentAfterHours: report.silentAfterHours,
        rows: report.instances
            .filter((i) => i.coverage !== COVERAGE.terminated)
            .map((i) => ({
                account: "",
                stack: i.patchGroup || patchGroup,
                id: i.instanceId,
                name: i.name,
                coverage: i.coverage,
                state: i.state,
                since: i.since,
                lastSeen: i.lastSeen,
                agentVersion: i.agentVersion,
                reasons: i.reasons,
            })),
    };
}

/** The headline's counts: every in-scope instance, compliant only if managed, reporting and compliant. */
export function headline(
    instances: readonly { id: string; compliant: boolean }[],
    read: ReportCoverage | undefined,
    unread: readonly { id: string }[] = [],
): { inScope: number; compliant: number; notCompliant: number; uncovered: number; stopped: number; notRead: number } {
    const coverage = read?.notRead ? undefined : read;
    const byId = new Map((coverage?.rows ?? []).map((r) => [r.id, r.coverage]));
    const ids = new Set([...instances.map((i) => i.id), ...unread.map((i) => i.id), ...byId.keys()]);
    const compliant = instances.filter((i) => i.compliant && (byId.get(i.id) ?? COVERAGE.managed) === COVERAGE.managed);
    const count = (c: Coverage) => [...byId.values()].filter((v) => v === c).length;
    const uncovered = count(COVERAGE.unmanaged) + count(COVERAGE.silent);
    const stopped = count(COVERAGE.stopped);
    // An instance Systems Manager could not answer for (issue 34) counts once, as not read, unless
    // coverage already counts it as unmanaged, silent or stopped.
    const notRead = unread.filter((i) => (byId.get(i.id) ?? COVERAGE.managed) === COVERAGE.managed).length;
    return {
        inScope: ids.size,
        compliant: compliant.length,
        notCompliant: ids.size - compliant.length - uncovered - stopped - notRead,
        uncovered,
        stopped,
        notRead,
    };
}

/** Per stack, how many instances are in each coverage class. */
export function coverageChartData(coverage: ReportCoverage | undefined) {
    const rows = coverage?.rows ?? [];
    const key = (r: CoverageRow) => (r.account ? `${r.account} ${r.stack}` : r.stack);
    const labels = [...new Set(rows.map(key))].sort();
    return {
        labels,
        datasets: SHOWN.map((c) => ({
            label: c,
            data: labels.map((l) => rows.filter((r) => key(r) === l && r.coverage === c).length),
        })),
    };
}

/** Draws the coverage chart when the page has one (a report from Athena has no coverage read). */
export const DRAW_COVERAGE = `
(function () {
  var canvas = document.getElementById("${COVERAGE_CHART_ID}");
  if (!canvas) return;
  var d = JSON.parse(document.getElementById("coverage-data").textContent);
  var colors = { managed: "#1b7f3b", silent: "#e67e22", unmanaged: "#c0392b", stopped: "#7f8c8d" };
  new Chart(canvas, { type: "bar", data: { labels: d.labels, datasets: d.datasets.map(function (s) {
    return { label: s.label, data: s.data, backgroundColor: colors[s.label] }; }) },
    options: { indexAxis: "y", scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } } } });
})();
`;

const day = (iso: string | undefined) => (iso ? iso.slice(0, 16).replace("T", " ") : "");

/** The coverage section: the chart, and a table of every instance not managed and reporting. */
export function coverageSection(coverage: ReportCoverage | undefined, escape: (t: string) => string): string {
    if (!coverage)
        return `<section id="coverage"><h2>Coverage</h2><p>Not read: this report comes from the reporting stack's tables, which hold managed nodes only. Run <code>npm run ops -- coverage --stack S</code> or <code>report --stack S</code> per lab stack.</p></section>`;
    if (coverage.notRead)
        return `<section id="coverage"><h2>Coverage</h2><p>Not read: ${escape(coverage.notRead)}. The figures count managed nodes only.</p></section>`;
    const counts = SHOWN.map((c) => `${coverage.rows.filter((r) => r.coverage === c).length} ${c}`).join(", ");
    const open = coverage.rows.filter((r) => r.coverage !== COVERAGE.managed || r.reasons.length > 0);
    const rows = open
        .map(
            (r) =>
                `<tr data-coverage="${r.coverage}"><td>${escape(r.account)}</td><td>${escape(r.stack)}</td><td>${escape(r.id)}</td><td>${escape(r.name)}</td>` +
                `<td>${escape(r.coverage)}</td><td>${escape(r.since ? `${r.state} since ${day(r.since)}` : r.state)}</td>` +
                `<td>${escape(day(r.lastSeen))}</td><td>${escape(r.agentVersion ?? "")}</td><td>${escape(r.reasons.join("; "))}</td></tr>`,
        )
        .join("\n");
    return `<section id="coverage">
<h2>Coverage: every in-scope instance (${coverage.rows.length}: ${counts})</h2>
<p>Managed: a Systems Manager managed node that reported within ${coverage.silentAfterHours} h. Silent: managed, but not heard from within ${coverage.silentAfterHours} h while running. Unmanaged: running, but no managed node. Stopped: nothing runs on it until it is started.</p>
<div class="chart"><canvas id="${COVERAGE_CHART_ID}" role="img" aria-label="Coverage per stack"></canvas></div>
<table>
<thead><tr><th>Account</th><th>Patch group</th><th>Instance</th><th>Name</th><th>Coverage</th><th>State</th><th>Last seen (UTC)</th><th>Agent</th><th>Why</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="9">None: every in-scope instance is managed and reporting.</td></tr>'}
</tbody>
</table>
</section>`;
}

/** Sample coverage for `--demo`: the demo's instances, with one of each case besides. */
export function demoCoverage(
    instances: readonly { account: string; stack: string; id: string; name: string }[],
): ReportCoverage {
    const at = (iso: string) => new Date(iso).toISOString();
    const managed = instances.map((i, k): CoverageRow => {
        const silent = k === 3;
        return {
            account: i.account,
            stack: i.stack,
            id: i.id,
            name: i.name,
            coverage: silent ? COVERAGE.silent : COVERAGE.managed,
            state: "running",
            lastSeen: silent ? at("2026-11-25T07:30:00Z") : undefined,
            agentVersion: k === 8 ? "2.3.1319.0" : "3.3.987.0",
            reasons: silent
                ? ["ping ConnectionLost, last seen 2026-11-25T07:30:00.000Z (threshold 24 h)"]
                : k === 8
                  ? ["agent 2.3.1319.0 is below 3.0.502 (AWS-RunPatchBaselineWithHooks needs it)"]
                  : [],
        };
    });
    const extra = (
        account: string,
        stack: string,
        id: string,
        name: string,
        rest: Partial<CoverageRow>,
    ): CoverageRow => ({
        account,
        stack,
        id,
        name,
        coverage: COVERAGE.unmanaged,
        state: "running",
        reasons: [],
        ...rest,
    });
    return {
        silentAfterHours: 24,
        rows: [
            ...managed,
            extra("111111111111", "Critical", "i-0d00000000000000a", "Test-Handmade", {
                reasons: ["no instance profile"],
            }),
            extra("222222222222", "Critical-Mixed", "i-0d00000000000000b", "Mixed-Web9", {
                reasons: [
                    "role WebOnlyRole has no AmazonSSMManagedInstanceCore attached (attached: AmazonS3ReadOnlyAccess; inline policies not read)",
                ],
            }),
            extra("333333333333", "Critical-Fleet", "i-0d00000000000000c", "Fleet-Batch", {
                coverage: COVERAGE.stopped,
                state: "stopped",
                since: at("2026-10-01T08:00:00Z"),
            }),
        ],
    };
}
