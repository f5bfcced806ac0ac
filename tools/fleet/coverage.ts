/**
 * `fleet coverage`: the same coverage read as `ops coverage` (tools/ops/coverage.ts), in every
 * target's account and Region through a role assumed there (assumeRole.ts), a bounded number of
 * targets at once. A target whose role is refused or whose reads fail is a row with its error;
 * the others go on. Each target's scope is its own config: a created fleet by its Environment and
 * Workload tags, an existing fleet by its targetTags (the base stack file with the target's overrides).
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { IAMClient } from "@aws-sdk/client-iam";
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import { LabConfig } from "../../config";
import { AwsCallError } from "../ops/aws";
import { Coverage, COVERAGE, CoverageReport, readCoverage, uncovered } from "../ops/coverage";
import { CoverageClients } from "../ops/coverageRead";
import { mapLimit, Run } from "../ops/run";
import { assumedRole, AssumeRoleError, CredentialsProvider } from "./assumeRole";
import { Target } from "./targets";

/** Targets read at once by default (each with coverage's own bound of 8 requests in flight). */
export const DEFAULT_TARGETS_AT_ONCE = 8;
/** SDK retries of every read: up to 5 attempts, adaptive (as the ops commands read). */
const READ_RETRIES = { retryMode: "adaptive", maxAttempts: 5 } as const;

/** How one target's read ended. */
export const TARGET_STATUS = {
    read: "read",
    /** AssumeRole refused, or a read failed: the row says which call, as which role, and AWS's error code. */
    failed: "failed",
    /** Ctrl-C or --timeout came first. */
    notRead: "not read",
} as const;
export type TargetStatus = (typeof TARGET_STATUS)[keyof typeof TARGET_STATUS];

export interface TargetCoverage {
    readonly stack: string;
    readonly account: string;
    readonly region: string;
    readonly base: string;
    /** The role assumed: the targets file's, or --role's in the target's account. */
    readonly roleArn: string;
    readonly status: TargetStatus;
    /** The call that failed, by its IAM action (sts:AssumeRole, ec2:DescribeInstances, ...). */
    readonly failedCall: string | null;
    /** AWS's error code when it failed (AccessDenied, UnauthorizedOperation, ...). */
    readonly errorCode: string | null;
    readonly error: string | null;
    /** The coverage read (as `ops coverage --json` prints it), when read. */
    readonly coverage: CoverageReport | null;
}

export interface FleetCoverageOptions {
    readonly targets: readonly Target[];
    readonly configs: ReadonlyMap<string, LabConfig>;
    /** The role to assume in each target, per target (the targets file's role, or --role's). */
    readonly roleArn: (target: Target) => string;
    readonly silentAfterHours: number;
    /** Targets at once. */
    readonly parallel: number;
    readonly now: Date;
    /** Each target's start and end, for progress on stderr. */
    readonly onTarget?: (target: Target, row?: TargetCoverage) => void;
}

/** The clients of one target: its Region, the assumed role's credentials (shared, refreshed before expiry). */
export function targetClients(region: string, credentials: CredentialsProvider): CoverageClients {
    const settings = { region, credentials, ...READ_RETRIES };
    return { ec2: new EC2Client(settings), ssm: new SSMClient(settings), iam: new IAMClient(settings) };
}

async function readTarget(target: Target, options: FleetCoverageOptions, run: Run): Promise<TargetCoverage> {
    const roleArn = options.roleArn(target);
    const row = { stack: target.stack, account: target.account, region: target.region, base: target.base, roleArn };
    const failed = (failedCall: string, errorCode: string, error: string): TargetCoverage => ({
        ...row,
        status: TARGET_STATUS.failed,
        failedCall,
        errorCode,
        error,
        coverage: null,
    });
    const stopped = (): TargetCoverage => ({
        ...row,
        status: TARGET_STATUS.notRead,
        failedCall: null,
        errorCode: null,
        error: run.describe(),
        coverage: null,
    });
    const sts = new STSClient({ region: target.region, ...READ_RETRIES });
    let clients: CoverageClients | undefined;
    try {
        const credentials = assumedRole({ sts, roleArn, signal: run.signal });
        await credentials(); // a refused role is this target's row, before any read
        clients = targetClients(target.region, credentials);
        const config = options.configs.get(target.stack)!;
        const coverage = await readCoverage(
            clients,
            { stack: target.stack, region: target.region, config },
            { all: false, silentAfterHours: options.silentAfterHours, now: options.now },
            run,
        );
        if (run.stopped) return stopped();
        return { ...row, status: TARGET_STATUS.read, failedCall: null, errorCode: null, error: null, coverage };
    } catch (error) {
        if (run.stopped) return stopped();
        // The role refused when the SDK renews its credentials during a read reaches here as that read's error.
        const refused = error instanceof AwsCallError ? error.cause : error;
        if (refused instanceof AssumeRoleError) return failed("sts:AssumeRole", refused.code, refused.message);
        if (error instanceof AwsCallError)
            return failed(
                error.action,
                error.cause.name,
                `${error.action} as ${roleArn} failed: ${error.cause.name}: ${error.cause.message.split("\n")[0]}`,
            );
        throw error;
    } finally {
        sts.destroy();
        for (const client of Object.values(clients ?? {})) (client as { destroy(): void }).destroy();
    }
}

/** Every target's coverage, `parallel` at a time, in the targets' order; stopped targets are `not read`. */
export async function fleetCoverage(options: FleetCoverageOptions, run: Run): Promise<TargetCoverage[]> {
    const rows = await mapLimit(options.targets, options.parallel, run, async (target) => {
        options.onTarget?.(target);
        const row = await readTarget(target, options, run);
        options.onTarget?.(target, row);
        return row;
    });
    return options.targets.map(
        (t, i) =>
            rows[i] ?? {
                stack: t.stack,
                account: t.account,
                region: t.region,
                base: t.base,
                roleArn: options.roleArn(t),
                status: TARGET_STATUS.notRead,
                failedCall: null,
                errorCode: null,
                error: `${run.describe()} before it started`,
                coverage: null,
            },
    );
}

/** The in-scope counts of one read (terminated-while-read instances left scope). */
export interface ScopeCounts {
    readonly inScope: number;
    readonly managed: number;
    readonly silent: number;
    readonly unmanaged: number;
    readonly stopped: number;
}

export function scopeCounts(report: CoverageReport): ScopeCounts {
    const c = report.counts;
    return {
        inScope: report.instances.length - c.terminated,
        managed: c.managed,
        silent: c.silent,
        unmanaged: c.unmanaged,
        stopped: c.stopped,
    };
}

export interface FleetTotals extends ScopeCounts {
    readonly targets: number;
    readonly read: number;
    readonly failed: number;
    readonly notRead: number;
}

export function totals(rows: readonly TargetCoverage[]): FleetTotals {
    const read = rows.filter((r) => r.coverage !== null).map((r) => scopeCounts(r.coverage!));
    const sum = (key: keyof ScopeCounts) => read.reduce((n, c) => n + c[key], 0);
    return {
        targets: rows.length,
        read: read.length,
        failed: rows.filter((r) => r.status === TARGET_STATUS.failed).length,
        notRead: rows.filter((r) => r.status === TARGET_STATUS.notRead).length,
        inScope: sum("inScope"),
        managed: sum("managed"),
        silent: sum("silent"),
        unmanaged: sum("unmanaged"),
        stopped: sum("stopped"),
    };
}

/** Every instance not covered (unmanaged or silent), with its target. */
export function uncoveredOf(rows: readonly TargetCoverage[]): { stack: string; id: string; coverage: Coverage }[] {
    return rows.flatMap((r) =>
        r.coverage
            ? uncovered(r.coverage).map((i) => ({ stack: r.stack, id: i.instanceId, coverage: i.coverage }))
            : [],
    );
}

/** The classes a table shows, in order. */
export const SHOWN_CLASSES = [COVERAGE.managed, COVERAGE.silent, COVERAGE.unmanaged, COVERAGE.stopped] as const;
