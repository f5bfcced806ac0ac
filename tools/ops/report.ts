/**
 * `report`: patch compliance and inventory as one self-contained HTML file, from the Systems
 * Manager APIs for one stack, from Athena for every account and stack in the reporting stack,
 * or from built-in sample data (`--demo`). The data is gathered here; reportHtml.ts draws it.
 */
import { DescribeInstancePatchStatesCommand, InstancePatchState } from "@aws-sdk/client-ssm";
import { REPORT_QUERIES } from "../../components/reportingQueries";
import { AthenaTarget, QueryOptions, Row, runQuery } from "./athena";
import { instancePatches } from "./compliance";
import { fleetInstances, StackContext } from "./fleet";
import { applications } from "./inventory";
import { Io } from "./output";
import { Outcome, readEach } from "./perInstance";
import { demoCoverage, ReportCoverage } from "./reportCoverage";
import { allPages, mapLimit, READ_CONCURRENCY, Run } from "./run";

/** One instance's patch compliance, as the report charts it. */
export interface ReportInstance {
    readonly account: string;
    readonly region: string;
    readonly id: string;
    readonly name: string;
    readonly os: string;
    /** The stack, by its patch group (one per stack). */
    readonly stack: string;
    readonly compliant: boolean;
    readonly missing: number;
    readonly failed: number;
    readonly pendingReboot: number;
    readonly installed: number;
    /** Non-compliant patches: missing, failed, installed pending reboot, rejected but installed. */
    readonly noncompliant: number;
    /**
     * Of those, AWS's counts (InstancePatchState): at the baseline's compliance level Critical; classed
     * Security by their advisory (the two overlap); other is neither.
     */
    readonly critical: number;
    readonly security: number;
    readonly other: number;
}

/** One stack's compliance on one day, from the daily snapshots (compliance_history). */
export interface HistoryPoint {
    /** `yyyy-MM-dd` (UTC). */
    readonly day: string;
    /** The stack: account and patch group, as the per-stack chart labels it. */
    readonly stack: string;
    readonly instances: number;
    readonly compliant: number;
}

export interface ReportData {
    readonly title: string;
    /** Where the data came from, in words. */
    readonly source: string;
    readonly generatedAt: string;
    readonly instances: readonly ReportInstance[];
    /** Missing (and failed) patches by the vendor's severity. */
    readonly missingBySeverity: readonly { severity: string; missing: number }[];
    /** The packages on the most instances. */
    readonly packages: readonly { name: string; instances: number }[];
    /** Compliance per stack and day, the last 30 days (only the reporting stack keeps a history). */
    readonly history: readonly HistoryPoint[];
    /** Instances AWS could not answer for (a terminated node's InvalidInstanceId), with the reason: reportUnread.ts. */
    readonly unread?: readonly UnreadInstance[];
    /** Every in-scope instance, managed or not (read for one lab stack, and in the demo). */
    readonly coverage?: ReportCoverage;
}

/** An instance of the stack whose patches or inventory could not be read, and why. */
export type UnreadInstance = Pick<ReportInstance, "account" | "region" | "id" | "name" | "os" | "stack"> & {
    /** AWS's error and message, and the call: `InvalidInstanceId: ... (ssm:DescribeInstancePatches)`. */
    readonly reason: string;
};

/** The per-stack label the report uses: `<account> <patch group>`, or the patch group alone. */
export const stackLabel = (account: string, stack: string) => (account ? `${account} ${stack}` : stack);

const int = (text: string | undefined) => {
    const n = Number.parseInt(text ?? "", 10);
    return Number.isFinite(n) ? n : 0;
};

/** Everything in the reporting stack's tables, through its workgroup. */
export async function athenaReport(
    target: AthenaTarget,
    options: QueryOptions,
    io: Io,
    now: Date,
): Promise<ReportData> {
    const run = (key: keyof typeof REPORT_QUERIES): Promise<Row[]> =>
        runQuery(target, REPORT_QUERIES[key].name, REPORT_QUERIES[key].sql, options, io);
    // One after another: each prints its own progress, and a failure stops before the next.
    const perInstance = await run("compliancePerInstance");
    const severities = await run("missingBySeverity");
    const packages = await run("topPackages");
    const trend = await run("complianceTrend");
    return {
        title: "Patch compliance across accounts",
        source: `Athena workgroup ${target.workgroup}, database ${target.database}`,
        generatedAt: now.toISOString(),
        instances: perInstance.map((r) => ({
            account: r.accountid,
            region: r.region,
            id: r.instance,
            name: r.computername,
            os: r.platformname || "unknown",
            stack: r.patchgroup || "no patch group",
            compliant: r.compliant === "true",
            missing: int(r.missing),
            failed: int(r.failed),
            pendingReboot: int(r.pending_reboot),
            installed: int(r.installed),
            noncompliant: int(r.noncompliant),
            critical: int(r.critical_level),
            security: int(r.security),
            other: int(r.other),
        })),
        missingBySeverity: severities.map((r) => ({ severity: r.severity, missing: int(r.missing) })),
        packages: packages.map((r) => ({ name: r.package, instances: int(r.instances) })),
        history: mergeRegions(
            trend.map((r) => ({
                day: r.day,
                stack: stackLabel(r.accountid, r.patchgroup || "no patch group"),
                instances: int(r.instances),
                compliant: int(r.compliant),
            })),
        ),
    };
}

/** One point per stack and day: a stack's Regions added together. */
function mergeRegions(points: HistoryPoint[]): HistoryPoint[] {
    const merged = new Map<string, HistoryPoint>();
    for (const p of points) {
        const key = `${p.day} ${p.stack}`;
        const before = merged.get(key);
        merged.set(
            key,
            before ? { ...p, instances: before.instances + p.instances, compliant: before.compliant + p.compliant } : p,
        );
    }
    return [...merged.values()];
}

/** DescribeInstancePatchStates takes at most 50 instance ids per request. */
const PATCH_STATES_PER_REQUEST = 50;
/** Patch states that make an instance non-compliant and count as missing for the severity chart. */
const MISSING_STATES = new Set(["MISSING", "FAILED"]);

/** One stack's instances, from Systems Manager: patch states, missing patches by severity, applications. */
export async function ssmReport(
    context: StackContext,
    run: Run,
    io: Io,
    now: Date,
): Promise<ReportData & { outcomes: (Outcome<unknown> | undefined)[] }> {
    const instances = await fleetInstances(context, undefined, run);
    const ids = instances.map((i) => i.InstanceId!);
    const states = new Map<string, InstancePatchState>();
    const batches = Array.from({ length: Math.ceil(ids.length / PATCH_STATES_PER_REQUEST) }, (_, b) =>
        ids.slice(b * PATCH_STATES_PER_REQUEST, (b + 1) * PATCH_STATES_PER_REQUEST),
    );
    await mapLimit(batches, READ_CONCURRENCY, run, async (batch) => {
        const found = await allPages(
            "ssm:DescribeInstancePatchStates",
            (token) =>
                context.ssm.send(
                    new DescribeInstancePatchStatesCommand({ InstanceIds: batch, MaxResults: 50, NextToken: token }),
                    { abortSignal: run.signal },
                ),
            (page) => page.InstancePatchStates,
        );
        for (const state of found) states.set(state.InstanceId!, state);
    });
    const bySeverity = new Map<string, number>();
    const packageCounts = new Map<string, number>();
    const outcomes = await readEach(ids, run, io, async (id) => {
        const [patches, apps] = await Promise.all([
            instancePatches(context.ssm, id, run),
            applications(context.ssm, id, run),
        ]);
        for (const patch of patches.filter((p) => MISSING_STATES.has(p.State ?? ""))) {
            const severity = patch.Severity || "Unspecified";
            bySeverity.set(severity, (bySeverity.get(severity) ?? 0) + 1);
        }
        for (const name of new Set(apps.map((e) => e.Name ?? ""))) {
            packageCounts.set(name, (packageCounts.get(name) ?? 0) + 1);
        }
    });
    return {
        title: `Patch compliance of stack ${context.stack}`,
        source: `Systems Manager in ${context.region}, instances tagged for stack ${context.stack}`,
        generatedAt: now.toISOString(),
        instances: instances.map((instance) => {
            const s = states.get(instance.InstanceId!);
            const n = (v: number | undefined) => v ?? 0;
            const nonCompliant =
                n(s?.MissingCount) +
                n(s?.FailedCount) +
                n(s?.InstalledPendingRebootCount) +
                n(s?.InstalledRejectedCount);
            return {
                account: "",
                region: context.region,
                id: instance.InstanceId!,
                name: instance.ComputerName ?? "",
                os: `${instance.PlatformName ?? "unknown"} ${instance.PlatformVersion ?? ""}`.trim(),
                stack: s?.PatchGroup || context.config.patching.patchGroup,
                compliant: s !== undefined && nonCompliant === 0,
                missing: n(s?.MissingCount),
                failed: n(s?.FailedCount),
                pendingReboot: n(s?.InstalledPendingRebootCount),
                installed: n(s?.InstalledCount),
                noncompliant: nonCompliant,
                critical: n(s?.CriticalNonCompliantCount),
                security: n(s?.SecurityNonCompliantCount),
                other: n(s?.OtherNonCompliantCount),
            };
        }),
        missingBySeverity: [...bySeverity]
            .map(([severity, missing]) => ({ severity, missing }))
            .sort((a, b) => b.missing - a.missing || a.severity.localeCompare(b.severity)),
        packages: [...packageCounts]
            .map(([name, count]) => ({ name, instances: count }))
            .sort((a, b) => b.instances - a.instances || a.name.localeCompare(b.name))
            .slice(0, 20),
        outcomes,
        // Systems Manager keeps only the current state; the reporting stack keeps the history.
        history: [],
    };
}

/**
 * Sample data for `--demo`: three accounts' stacks of several OSes, some instances behind on
 * patches. Fixed (no randomness), so the demo report is the same every time.
 */
export function demoReport(now: Date): ReportData {
    const fleets = [
        {
            account: "111111111111",
            stack: "Critical",
            os: "Amazon Linux 2023",
            prefix: "Test",
            count: 4,
            behind: [0, 2],
        },
        {
            account: "111111111111",
            stack: "Critical-Prod",
            os: "Amazon Linux 2023",
            prefix: "Prod",
            count: 6,
            behind: [5],
        },
        {
            account: "222222222222",
            stack: "Critical-Mixed",
            os: "Ubuntu 24.04",
            prefix: "Mixed-Web",
            count: 3,
            behind: [1],
        },
        {
            account: "222222222222",
            stack: "Critical-Mixed",
            os: "Microsoft Windows Server 2022 Datacenter",
            prefix: "Mixed-Win",
            count: 2,
            behind: [0, 1],
        },
        {
            account: "333333333333",
            stack: "Critical-Fleet",
            os: "Amazon Linux 2",
            prefix: "Fleet",
            count: 5,
            behind: [3],
        },
    ];
    const instances: ReportInstance[] = fleets.flatMap((fleet, f) =>
        Array.from({ length: fleet.count }, (_, i) => {
            const behind = fleet.behind.includes(i);
            // Disjoint parts: security updates, Critical-level patches that are no security update, other.
            const security = behind ? ((f * 2 + i) % 4) + 1 : 0;
            const criticalOnly = behind ? (f + i) % 3 : 0;
            const other = behind ? (f + 2 * i) % 5 : 0;
            const failed = behind && i % 2 === 1 ? 1 : 0;
            // Some security updates are at level Critical too: AWS counts them in both.
            const critical = criticalOnly + Math.ceil(security / 2);
            return {
                account: fleet.account,
                region: "ap-northeast-1",
                id: `i-0${(0xa1b2c3d4e5f6 + f * 97 + i * 13).toString(16).padStart(16, "0")}`,
                name: `${fleet.prefix}${i + 1}`,
                os: fleet.os,
                stack: fleet.stack,
                compliant: !behind,
                missing: security + criticalOnly + other - failed,
                failed,
                pendingReboot: 0,
                installed: 180 + f * 23 + i * 7,
                noncompliant: security + criticalOnly + other,
                critical,
                security,
                other,
            };
        }),
    );
    return {
        title: "Patch compliance across accounts (sample data)",
        source: "built-in sample data (--demo): no AWS account was read",
        generatedAt: now.toISOString(),
        instances,
        // The same patches by the vendor's severity as the instances count them (each patch once).
        missingBySeverity: [
            { severity: "Important", missing: instances.reduce((n, i) => n + i.security, 0) },
            { severity: "Medium", missing: instances.reduce((n, i) => n + i.noncompliant - i.security - i.other, 0) },
            { severity: "Low", missing: instances.reduce((n, i) => n + i.other, 0) },
        ],
        packages: [
            ["amazon-ssm-agent", 20],
            ["openssl", 20],
            ["curl", 18],
            ["glibc", 15],
            ["python3", 15],
            ["kernel", 15],
            ["httpd", 9],
            ["apache2", 3],
            ["Amazon SSM Agent", 2],
            ["Microsoft .NET Framework 4.8", 2],
        ].map(([name, count]) => ({ name: name as string, instances: count as number })),
        history: demoHistory(instances, now),
        unread: [DEMO_UNREAD],
        coverage: demoCoverage(instances),
    };
}

/** The demo's one instance AWS cannot answer for: terminated since its last scan (fakeSsm's InvalidInstanceId). */
const DEMO_UNREAD: UnreadInstance = {
    account: "111111111111",
    region: "ap-northeast-1",
    id: "i-0dead000000000099",
    name: "Test-Web9",
    os: "Amazon Linux 2023",
    stack: "Critical",
    reason: "InvalidInstanceId: Instance Id i-0dead000000000099 is not valid: the managed node isn't in a valid state (Shutting-down, Terminated). (ssm:DescribeInstancePatches)",
};

/** 30 days per stack, ending today: each stack a little less compliant the further back (fixed, no randomness). */
function demoHistory(instances: readonly ReportInstance[], now: Date): HistoryPoint[] {
    const stacks = [...new Set(instances.map((i) => stackLabel(i.account, i.stack)))].sort();
    return Array.from({ length: 30 }, (_, d) => 29 - d).flatMap((ago) =>
        stacks.map((stack, k) => {
            const members = instances.filter((i) => stackLabel(i.account, i.stack) === stack);
            const today = members.filter((i) => i.compliant).length;
            return {
                day: new Date(now.getTime() - ago * 86_400_000).toISOString().slice(0, 10),
                stack,
                instances: members.length,
                compliant: Math.max(0, today - Math.floor((ago * (k + 2)) / 12)),
            };
        }),
    );
}
