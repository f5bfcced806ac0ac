/**
 * `compliance`: each instance's patch compliance (lab 5.5): its status, and the number of
 * missing, failed, installed-pending-reboot and installed patches by severity.
 */
import {
    paginateDescribeInstancePatches,
    paginateListResourceComplianceSummaries,
    PatchComplianceData,
} from "@aws-sdk/client-ssm";
import { collect } from "./aws";
import { fleetInstances, StackContext } from "./fleet";
import { Io, renderTable } from "./output";

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

export async function compliance(context: StackContext, json: boolean, io: Io): Promise<number> {
    const instances = await fleetInstances(context);
    const summaries = await collect(
        "ssm:ListResourceComplianceSummaries",
        paginateListResourceComplianceSummaries(
            { client: context.ssm },
            { Filters: [{ Key: "ComplianceType", Values: ["Patch"], Type: "EQUAL" }] },
        ),
        (p) => p.ResourceComplianceSummaryItems,
    );
    const statusOf = new Map(summaries.map((s) => [s.ResourceId, s.Status ?? "UNKNOWN"]));
    const report: InstanceCompliance[] = [];
    for (const instance of instances) {
        const id = instance.InstanceId!;
        const patches = await collect(
            "ssm:DescribeInstancePatches",
            paginateDescribeInstancePatches({ client: context.ssm }, { InstanceId: id }),
            (p) => p.Patches,
        );
        report.push({
            instanceId: id,
            computerName: instance.ComputerName ?? "",
            status: statusOf.get(id) ?? "NOT_SCANNED",
            counts: countPatches(patches),
        });
    }
    if (json) {
        io.out(
            `${JSON.stringify({ stack: context.stack, region: context.region, instances: report, total: totals(report) }, null, 2)}\n`,
        );
    } else {
        const cell = (c: { total: number; bySeverity: BySeverity }) =>
            c.total === 0
                ? "0"
                : `${c.total} (${Object.entries(c.bySeverity)
                      .map(([s, n]) => `${s} ${n}`)
                      .join(", ")})`;
        const rows = report.map((r) => [
            r.instanceId,
            r.computerName,
            r.status,
            ...COLUMNS.map(([key]) => cell(r.counts[key])),
        ]);
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
    return 0;
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
