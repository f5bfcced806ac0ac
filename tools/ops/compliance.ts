/**
 * `compliance`: each instance's patch compliance (lab 5.5): its status, and the number of
 * missing, failed, installed-pending-reboot and installed patches by severity.
 */
import {
    DescribeInstancePatchesCommand,
    ListResourceComplianceSummariesCommand,
    PatchComplianceData,
    SSMClient,
} from "@aws-sdk/client-ssm";
import { fleetInstances, StackContext } from "./fleet";
import { Io, renderTable } from "./output";
import { outcomeCell, readEach, readSummary } from "./perInstance";
import { allPages, Run } from "./run";

/** Patch states, grouped as the lab's compliance view reads them. */
const STATE_GROUPS: Record<string, PatchCounts> = {
    MISSING: "missing",
    FAILED: "failed",
    INSTALLED_PENDING_REBOOT: "installedPendingReboot",
    INSTALLED: "installed",
    INSTALLED_OTHER: "installed",
    INSTALLED_REJECTED: "installed",
};
type PatchCounts = "missing" | "failed" | "installedPendingReboot" | "installed";
const COLUMNS: [PatchCounts, string][] = [
    ["missing", "Missing"],
    ["failed", "Failed"],
    ["installedPendingReboot", "Pending reboot"],
    ["installed", "Installed"],
];

/** Counts per severity (as Patch Manager names them: Critical, Important, Medium, Low, None, ...). */
export type BySeverity = Record<string, number>;

export interface InstanceCompliance {
    instanceId: string;
    computerName: string;
    status: string;
    counts: Record<PatchCounts, { total: number; bySeverity: BySeverity }>;
}

/** An instance whose patches AWS did not return, and why (e.g. InvalidInstanceId: terminated). */
export interface UnreadInstance {
    instanceId: string;
    computerName: string;
    error: string;
}

/** Every patch of an instance, 100 a page (DescribeInstancePatches' MaxResults is 10 to 100). */
export function instancePatches(ssm: SSMClient, instanceId: string, run: Run): Promise<PatchComplianceData[]> {
    return allPages(
        "ssm:DescribeInstancePatches",
        (token) =>
            ssm.send(
                new DescribeInstancePatchesCommand({ InstanceId: instanceId, MaxResults: 100, NextToken: token }),
                { abortSignal: run.signal },
            ),
        (p) => p.Patches,
    );
}

export async function compliance(context: StackContext, json: boolean, run: Run, io: Io): Promise<number> {
    const instances = await fleetInstances(context, undefined, run);
    const summaries = await allPages(
        "ssm:ListResourceComplianceSummaries",
        (token) =>
            context.ssm.send(
                new ListResourceComplianceSummariesCommand({
                    Filters: [{ Key: "ComplianceType", Values: ["Patch"], Type: "EQUAL" }],
                    MaxResults: 50,
                    NextToken: token,
                }),
                { abortSignal: run.signal },
            ),
        (p) => p.ResourceComplianceSummaryItems,
    );
    const statusOf = new Map(summaries.map((s) => [s.ResourceId, s.Status ?? "UNKNOWN"]));
    const ids = instances.map((i) => i.InstanceId!);
    const outcomes = await readEach(ids, run, io, (id) => instancePatches(context.ssm, id, run));
    const report: InstanceCompliance[] = [];
    const unread: UnreadInstance[] = [];
    const rows: string[][] = [];
    const cell = (c: { total: number; bySeverity: BySeverity }) =>
        c.total === 0
            ? "0"
            : `${c.total} (${Object.entries(c.bySeverity)
                  .map(([s, n]) => `${s} ${n}`)
                  .join(", ")})`;
    instances.forEach((instance, i) => {
        const [instanceId, computerName, outcome] = [ids[i], instance.ComputerName ?? "", outcomes[i]];
        if (outcome?.value) {
            const r = {
                instanceId,
                computerName,
                status: statusOf.get(instanceId) ?? "NOT_SCANNED",
                counts: countPatches(outcome.value),
            };
            report.push(r);
            rows.push([r.instanceId, r.computerName, r.status, ...COLUMNS.map(([key]) => cell(r.counts[key]))]);
        } else if (outcome) {
            unread.push({ instanceId, computerName, error: outcome.reason });
            rows.push([instanceId, computerName, String(outcomeCell(outcome, String)), ...COLUMNS.map(() => "")]);
        }
    });
    if (json) {
        const notRead = ids.filter((_, i) => outcomes[i] === undefined);
        io.out(
            `${JSON.stringify({ stack: context.stack, region: context.region, instances: report, unread, notRead, total: totals(report) }, null, 2)}\n`,
        );
    } else {
        const total = totals(report);
        const nonCompliant = report.filter((r) => r.status !== "COMPLIANT").length;
        io.out(
            renderTable(["Instance", "Computer name", "Compliance", ...COLUMNS.map(([, title]) => title)], rows, [
                `Total (${report.length})`,
                "",
                `${nonCompliant} not compliant`,
                ...COLUMNS.map(([key]) => cell(total[key])),
            ]),
        );
    }
    return readSummary(ids, outcomes, run, io);
}

export function countPatches(patches: PatchComplianceData[]): InstanceCompliance["counts"] {
    const counts = Object.fromEntries(
        COLUMNS.map(([key]) => [key, { total: 0, bySeverity: {} as BySeverity }]),
    ) as InstanceCompliance["counts"];
    for (const patch of patches) {
        const group = STATE_GROUPS[patch.State ?? ""];
        if (!group) continue; // NOT_APPLICABLE, AVAILABLE_SECURITY_UPDATE: not the lab's columns
        const severity = patch.Severity || "None";
        counts[group].total += 1;
        counts[group].bySeverity[severity] = (counts[group].bySeverity[severity] ?? 0) + 1;
    }
    return counts;
}

function totals(report: InstanceCompliance[]): InstanceCompliance["counts"] {
    const sum = countPatches([]);
    for (const r of report) {
        for (const [key] of COLUMNS) {
            sum[key].total += r.counts[key].total;
            for (const [severity, n] of Object.entries(r.counts[key].bySeverity)) {
                sum[key].bySeverity[severity] = (sum[key].bySeverity[severity] ?? 0) + n;
            }
        }
    }
    return sum;
}
