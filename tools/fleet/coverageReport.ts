/**
 * `fleet coverage --report F`: one self-contained HTML page of the organization's coverage. The
 * report's coverage section (tools/ops/reportCoverage.ts: chart per stack, table of what is not
 * managed and reporting) over every target's instances, labelled `<account>` and `<patch group>
 * (<region>)`, under a table of the targets with their counts and errors. The headline counts
 * every in-scope instance of the targets read, and says how many targets were not read.
 */
import { COVERAGE } from "../ops/coverage";
import {
    coverageChartData,
    coverageSection,
    DRAW_COVERAGE,
    headline,
    ReportCoverage,
    reportCoverage,
} from "../ops/reportCoverage";
import { chartLibrary, escapeHtml, scriptJson, STYLE } from "../ops/reportHtml";
import { scopeCounts, TargetCoverage, totals } from "./coverage";

/** Every read target's rows, each labelled with its account and its patch group in its Region. */
export function organizationCoverage(rows: readonly TargetCoverage[], silentAfterHours: number): ReportCoverage {
    return {
        silentAfterHours,
        rows: rows.flatMap((r) =>
            r.coverage
                ? reportCoverage(r.coverage, "no patch group").rows.map((row) => ({
                      ...row,
                      account: r.account,
                      stack: `${row.stack} (${r.region})`,
                  }))
                : [],
        ),
    };
}

/** The headline in words: never "compliant" while an instance is not covered or a target was not read. */
export function fleetHeadline(rows: readonly TargetCoverage[], coverage: ReportCoverage): string {
    const instances = rows.flatMap((r) =>
        (r.coverage?.instances ?? [])
            .filter((i) => i.coverage !== COVERAGE.terminated)
            .map((i) => ({ id: i.instanceId, compliant: i.compliance === "COMPLIANT" })),
    );
    const h = headline(instances, coverage);
    const t = totals(rows);
    const notRead =
        t.read < t.targets
            ? ` ${t.targets - t.read} of ${t.targets} targets not read: their instances are not counted.`
            : "";
    if (h.compliant === h.inScope && h.inScope > 0 && notRead === "")
        return `Every one of the ${h.inScope} in-scope instances of ${t.targets} targets is managed, reporting and compliant.`;
    return `${h.compliant} of ${h.inScope} in-scope instances compliant: ${h.notCompliant} not compliant or without patch data, ${h.uncovered} unmanaged or silent (over ${coverage.silentAfterHours} h), ${h.stopped} stopped.${notRead}`;
}

function targetRows(rows: readonly TargetCoverage[]): string {
    return rows
        .map((r) => {
            const c = r.coverage ? scopeCounts(r.coverage) : undefined;
            const n = (v: number | undefined) => `<td class="n">${v ?? ""}</td>`;
            return (
                `<tr data-target="${escapeHtml(r.stack)}" data-status="${escapeHtml(r.status)}"><td>${escapeHtml(r.stack)}</td><td>${escapeHtml(r.account)}</td><td>${escapeHtml(r.region)}</td>` +
                [c?.inScope, c?.managed, c?.silent, c?.unmanaged, c?.stopped].map(n).join("") +
                `<td>${escapeHtml(r.error ?? "")}</td></tr>`
            );
        })
        .join("\n");
}

export function renderFleetCoverage(
    rows: readonly TargetCoverage[],
    options: { now: Date; silentHours: number; targetsFile: string },
): string {
    const coverage = organizationCoverage(rows, options.silentHours);
    const t = totals(rows);
    const title = "Coverage across the organization";
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${title}</h1>
<p class="meta">Generated ${escapeHtml(options.now.toISOString())} from ${t.targets} targets of ${escapeHtml(options.targetsFile)} by oe-lab-ipm (npm run fleet -- coverage).</p>
<p class="headline" id="headline">${escapeHtml(fleetHeadline(rows, coverage))}</p>
<section id="targets">
<h2>Targets (${t.read} of ${t.targets} read)</h2>
<table>
<thead><tr><th>Stack</th><th>Account</th><th>Region</th><th>In scope</th><th>Managed</th><th>Silent</th><th>Unmanaged</th><th>Stopped</th><th>Error</th></tr></thead>
<tbody>
${targetRows(rows)}
<tr data-target="total"><td>Total</td><td></td><td></td>${[t.inScope, t.managed, t.silent, t.unmanaged, t.stopped].map((v) => `<td class="n">${v}</td>`).join("")}<td></td></tr>
</tbody>
</table>
</section>
${coverageSection(coverage, escapeHtml)}
<script>${chartLibrary()}</script>
<script id="coverage-data" type="application/json">${scriptJson(coverageChartData(coverage))}</script>
<script>${DRAW_COVERAGE}</script>
</body>
</html>
`;
}
