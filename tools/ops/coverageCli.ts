/**
 * `npm run ops -- coverage --stack S [--all] [--json]`: the coverage table (or JSON), the reasons of
 * every instance not covered, and a summary line. Exit 1 when an in-scope instance is unmanaged or
 * silent, so a script can alert on it.
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { IAMClient } from "@aws-sdk/client-iam";
import { AwsCallError, describeCause, EXIT } from "./aws";
import { COVERAGE, CoverageReport, readCoverage, uncovered } from "./coverage";
import { CoverageClients } from "./coverageRead";
import { StackContext } from "./fleet";
import { Io, renderTable } from "./output";
import { ReportCoverage, reportCoverage } from "./reportCoverage";
import { Run } from "./run";

/** The AWS SDK client settings of the ops commands' reads: profile and retries. */
export interface ReadSettings {
    readonly profile?: string;
    readonly retryMode: "adaptive";
    readonly maxAttempts: number;
}

/** The clients coverage reads with: EC2, Systems Manager, IAM (global: one endpoint from every Region). */
export function coverageClients(ctx: StackContext, settings: ReadSettings): CoverageClients {
    return {
        ssm: ctx.ssm,
        ec2: new EC2Client({ region: ctx.region, ...settings }),
        iam: new IAMClient({ region: ctx.region, ...settings }),
    };
}

/** The stack's coverage for its report; a read AWS refuses leaves the report without it, saying why. */
export async function reportCoverageOf(
    ctx: StackContext,
    settings: ReadSettings,
    run: Run,
    env: { io: Io; now(): Date },
): Promise<ReportCoverage> {
    const silentAfterHours = ctx.config.alerts.silentAfterHours;
    const options = { all: false, silentAfterHours, now: env.now() };
    try {
        const read = await readCoverage(coverageClients(ctx, settings), ctx, options, run);
        return reportCoverage(read, ctx.config.patching.patchGroup);
    } catch (error) {
        if (run.stopped || !(error instanceof AwsCallError)) throw error;
        const notRead = describeCause(error, settings.profile);
        env.io.err(`Coverage not read (the report counts managed nodes only): ${notRead}\n`);
        return { silentAfterHours, rows: [], notRead };
    }
}

/** Instances named in the closing line on stderr, at most (the table has them all). */
const MAX_NAMED = 20;

const day = (iso: string | undefined) => (iso ? iso.slice(0, 16).replace("T", " ") : "");

export function coverageRows(report: CoverageReport): string[][] {
    return report.instances.map((i) => [
        i.instanceId,
        i.name,
        i.since ? `${i.state} since ${day(i.since)}` : i.state,
        i.coverage,
        i.pingStatus ?? "",
        i.agentVersion ?? "",
        day(i.lastSeen),
        i.platform,
        i.patchGroup ?? "",
        i.lastOperation ? `${i.lastOperation.operation} ${day(i.lastOperation.endedAt)}` : "",
        i.compliance,
    ]);
}

export const COVERAGE_HEADERS = [
    "Instance",
    "Name",
    "State",
    "Coverage",
    "Ping",
    "Agent",
    "Last seen (UTC)",
    "Platform",
    "Patch group",
    "Last operation (UTC)",
    "Compliance",
];

/** One line: how many are in scope and where they stand. */
export function coverageSummary(report: CoverageReport): string {
    const c = report.counts;
    const inScope = report.instances.length - c.terminated;
    const expected = report.expected !== undefined ? ` (its config creates ${report.expected})` : "";
    const gone = c.terminated > 0 ? `; ${c.terminated} terminated while read` : "";
    return `${inScope} in scope${expected}: ${c.managed} managed, ${c.silent} silent (over ${report.silentAfterHours} h), ${c.unmanaged} unmanaged, ${c.stopped} stopped${gone}.`;
}

export function printCoverage(report: CoverageReport, json: boolean, io: Io): number {
    const behind = uncovered(report);
    if (json) {
        io.out(`${JSON.stringify(report, null, 2)}\n`);
    } else {
        io.out(`Coverage of stack ${report.stack} in ${report.region}: ${report.scope}\n`);
        io.out(renderTable(COVERAGE_HEADERS, coverageRows(report)));
        const explained = report.instances.filter((i) => i.reasons.length > 0);
        if (explained.length > 0) io.out("\nWhy:\n");
        for (const i of explained) io.out(`  ${i.instanceId} (${i.coverage}): ${i.reasons.join("; ")}\n`);
        if (report.otherManagedNodes.length > 0)
            io.out(
                `\nManaged nodes in scope that are no listed EC2 instance: ${report.otherManagedNodes.join(", ")}\n`,
            );
        io.out(`\n${coverageSummary(report)}\n`);
    }
    if (behind.length > 0) {
        const named = behind.slice(0, MAX_NAMED).map((i) => `${i.instanceId} (${i.coverage})`);
        const more = behind.length > MAX_NAMED ? ` and ${behind.length - MAX_NAMED} more (above)` : "";
        const names = `${named.join(", ")}${more}`;
        io.err(`${behind.length} in-scope instance(s) not covered by Systems Manager: ${names}.\n`);
        return EXIT.failed;
    }
    if (report.instances.length === report.counts[COVERAGE.terminated])
        io.err(`No instance in scope (${report.scope}) in ${report.region}.\n`);
    return 0;
}
