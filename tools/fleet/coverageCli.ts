/**
 * `npm run fleet -- coverage --targets F`: one table of every target's coverage (account, Region,
 * stack, in scope, managed, silent, unmanaged, stopped, error) with totals, or `--json`, and with
 * `--report` one HTML page of the organization (coverageReport.ts). docs/organization.md, "Coverage".
 *
 * Exit: 0 when every target was read and every in-scope instance is managed and reporting; 1 when
 * an instance is unmanaged or silent, or a target could not be read; 3 when no target could be
 * read (each failed on AWS: its role refused, or a read denied); 5 without AWS credentials (before
 * any target); 130 on Ctrl-C and 4 at --timeout (the targets read so far are shown, no report is written).
 */
import * as fs from "fs";
import { EXIT, UsageError } from "../common/exit";
import { Run } from "../ops/run";
import { COVERAGE_SESSION_NAME, SESSION_SECONDS } from "./assumeRole";
import { awsCredentials } from "./automation";
import {
    fleetCoverage,
    scopeCounts,
    TARGET_STATUS,
    TargetCoverage,
    totals,
    uncoveredOf,
    FleetTotals,
} from "./coverage";
import { renderFleetCoverage } from "./coverageReport";
import { table } from "./table";
import { Target, Targets } from "./targets";

export interface CoverageCommandOptions {
    readonly targetsFile: string;
    /** Per target, the role to assume. */
    readonly roleArn: (target: Target) => string;
    readonly silentHours: number;
    readonly parallel: number;
    readonly timeout: number;
    readonly json: boolean;
    readonly report?: string;
    readonly now: Date;
}

const HEADERS = ["stack", "account", "region", "in scope", "managed", "silent", "unmanaged", "stopped", "error"];

function cells(row: TargetCoverage): string[] {
    const c = row.coverage ? scopeCounts(row.coverage) : undefined;
    const n = (v: number | undefined) => (v === undefined ? "" : String(v));
    return [
        row.stack,
        row.account,
        row.region,
        n(c?.inScope),
        n(c?.managed),
        n(c?.silent),
        n(c?.unmanaged),
        n(c?.stopped),
        row.failedCall ? `${row.failedCall}: ${row.errorCode}` : (row.error ?? ""),
    ];
}

/** The table, a total row, the reasons of every instance not covered, and one summary line. */
export function coverageTable(rows: readonly TargetCoverage[], silentAfterHours: number): string {
    const t = totals(rows);
    const total = ["total", "", "", ...[t.inScope, t.managed, t.silent, t.unmanaged, t.stopped].map(String), ""];
    const lines = [table(HEADERS, [...rows.map(cells), total])];
    const why = rows.flatMap((r) =>
        (r.coverage?.instances ?? [])
            .filter((i) => i.reasons.length > 0)
            .map((i) => `  ${r.stack} ${i.instanceId} (${i.coverage}): ${i.reasons.join("; ")}\n`),
    );
    if (why.length > 0) lines.push(`\nWhy:\n${why.join("")}`);
    const failed = rows.filter((r) => r.status === TARGET_STATUS.failed);
    if (failed.length > 0) lines.push(`\nNot read:\n${failed.map((r) => `  ${r.stack}: ${r.error}\n`).join("")}`);
    lines.push(`\n${summaryLine(t, silentAfterHours)}\n`);
    return lines.join("");
}

export function summaryLine(t: FleetTotals, silentAfterHours: number): string {
    const notRead = t.targets - t.read;
    return `${t.targets} target(s), ${t.read} read${notRead > 0 ? `, ${notRead} not read` : ""}: ${t.inScope} in scope, ${t.managed} managed, ${t.silent} silent (over ${silentAfterHours} h), ${t.unmanaged} unmanaged, ${t.stopped} stopped.`;
}

/** `--json`: every target's row (its coverage as `ops coverage --json` prints it) and the totals. */
export function coverageJson(rows: readonly TargetCoverage[], options: { now: Date; silentHours: number }) {
    return {
        generatedAt: options.now.toISOString(),
        silentAfterHours: options.silentHours,
        session: { roleSessionName: COVERAGE_SESSION_NAME, durationSeconds: SESSION_SECONDS },
        targets: rows,
        totals: totals(rows),
    };
}

/** The exit code of a finished read (docs/organization.md). */
export function coverageExit(rows: readonly TargetCoverage[]): number {
    const failed = rows.filter((r) => r.status === TARGET_STATUS.failed).length;
    if (rows.length > 0 && failed === rows.length) return EXIT.aws;
    if (failed > 0 || uncoveredOf(rows).length > 0) return EXIT.failed;
    return 0;
}

/** Runs the command on the selected targets: credentials checked once, then every target's read. */
export async function runCoverage(targets: Targets, options: CoverageCommandOptions): Promise<number> {
    await awsCredentials("to assume the targets' roles with");
    const controller = new AbortController();
    const interrupt = () => {
        if (controller.signal.aborted) process.exit(EXIT.interrupted);
        process.stderr.write("\nStopping the reads (Ctrl-C again to quit at once)...\n");
        controller.abort();
    };
    process.on("SIGINT", interrupt);
    const run = new Run(controller.signal, options.timeout);
    try {
        const rows = await fleetCoverage(
            {
                targets: targets.targets,
                configs: targets.configs,
                roleArn: options.roleArn,
                silentAfterHours: options.silentHours,
                parallel: options.parallel,
                now: options.now,
                onTarget: (t, row) =>
                    process.stderr.write(
                        row
                            ? `  ${t.stack}: ${row.status}${row.errorCode ? ` (${row.failedCall}: ${row.errorCode})` : ""}\n`
                            : `  ${t.stack}: reading as ${options.roleArn(t)}\n`,
                    ),
            },
            run,
        );
        process.stdout.write(
            options.json
                ? `${JSON.stringify(coverageJson(rows, options), null, 2)}\n`
                : coverageTable(rows, options.silentHours),
        );
        if (run.stopped) {
            if (options.report) process.stderr.write(`No report written to ${options.report}: ${run.describe()}.\n`);
            return run.exitCode();
        }
        if (options.report) writeReport(options.report, rows, options);
        return closing(rows);
    } finally {
        run.end();
        process.off("SIGINT", interrupt);
    }
}

function writeReport(file: string, rows: readonly TargetCoverage[], options: CoverageCommandOptions): void {
    try {
        fs.writeFileSync(file, renderFleetCoverage(rows, options));
    } catch (error) {
        throw new UsageError(`Could not write ${file}: ${(error as Error).message}`);
    }
    process.stderr.write(`Wrote ${file}.\n`);
}

/** What is wrong, on stderr, and the exit code. */
function closing(rows: readonly TargetCoverage[]): number {
    const behind = uncoveredOf(rows);
    const failed = rows.filter((r) => r.status === TARGET_STATUS.failed);
    if (behind.length > 0)
        process.stderr.write(
            `${behind.length} in-scope instance(s) not covered by Systems Manager in ${new Set(behind.map((b) => b.stack)).size} target(s).\n`,
        );
    if (failed.length > 0)
        process.stderr.write(
            `${failed.length} of ${rows.length} target(s) not read: ${failed.map((r) => `${r.stack} (${r.errorCode})`).join(", ")}.\n`,
        );
    return coverageExit(rows);
}
