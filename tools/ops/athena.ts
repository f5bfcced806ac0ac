/**
 * Athena queries for the report: start one in the reporting stack's workgroup, wait with backoff
 * (printing its state and the bytes scanned so far), stop it (StopQueryExecution) on Ctrl-C,
 * --timeout or a failed poll, and read every page of its rows.
 */
import {
    AthenaClient,
    GetQueryExecutionCommand,
    GetQueryResultsCommand,
    QueryExecution,
    StartQueryExecutionCommand,
    StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { AwsCallError, call, describeCause, EXIT, OpsError } from "./aws";
import { Io } from "./output";
import { allPages, backoff, PollDelays, Run } from "./run";

/** Where the queries run: the reporting stack's workgroup (it enforces the results location) and database. */
export interface AthenaTarget {
    readonly athena: AthenaClient;
    readonly workgroup: string;
    readonly database: string;
}

export interface QueryOptions {
    /** Ctrl-C or --timeout: the running query is stopped (StopQueryExecution). */
    readonly run: Run;
    readonly delays: PollDelays;
}

/** A query's rows as objects by column name (Athena returns every value as text). */
export type Row = Record<string, string>;

/** Query states after which nothing changes (GetQueryExecution's QueryExecutionState). */
const DONE = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);

export async function runQuery(
    target: AthenaTarget,
    label: string,
    sql: string,
    options: QueryOptions,
    io: Io,
    parameters?: string[],
): Promise<Row[]> {
    const { run, delays } = options;
    if (run.stopped) throw new OpsError(`${label}: ${run.describe()} before the query was started.`, run.exitCode());
    const started = await call("athena:StartQueryExecution", () =>
        target.athena.send(
            new StartQueryExecutionCommand({
                QueryString: sql,
                WorkGroup: target.workgroup,
                QueryExecutionContext: { Database: target.database },
                ExecutionParameters: parameters,
            }),
        ),
    );
    const id = started.QueryExecutionId;
    if (!id) throw new OpsError("athena:StartQueryExecution returned no query id", EXIT.aws);
    const stop = async (why: string, code: number): Promise<never> => {
        try {
            await call("athena:StopQueryExecution", () =>
                target.athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id })),
            );
        } catch (error) {
            const cause = describeCause(error as AwsCallError);
            throw new OpsError(
                `${label}: ${why}; stopping query ${id} failed too (${cause}): it may still run. Stop it: aws athena stop-query-execution --query-execution-id ${id}`,
                code,
            );
        }
        throw new OpsError(`${label}: ${why}; query ${id} stopped (athena:StopQueryExecution).`, code);
    };
    const begun = Date.now();
    let last = "";
    let execution: QueryExecution | undefined;
    for (let attempt = 0; !run.stopped; attempt++) {
        try {
            execution = (
                await target.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }), {
                    abortSignal: run.signal,
                })
            ).QueryExecution;
        } catch (error) {
            if (run.stopped) break;
            return stop(describeCause(new AwsCallError("athena:GetQueryExecution", error as Error)), EXIT.aws);
        }
        const state = execution?.Status?.State ?? "UNKNOWN";
        const progress = `  ${label}: ${state}, ${formatBytes(execution?.Statistics?.DataScannedInBytes ?? 0)} scanned, ${((Date.now() - begun) / 1000).toFixed(0)} s\n`;
        if (progress !== last) io.err(progress);
        last = progress;
        if (DONE.has(state)) break;
        await run.sleep(backoff(delays, attempt));
    }
    if (run.stopped) return stop(run.describe(), run.exitCode());
    const state = execution?.Status?.State;
    if (state !== "SUCCEEDED") {
        const reason =
            execution?.Status?.StateChangeReason ?? execution?.Status?.AthenaError?.ErrorMessage ?? "no reason given";
        throw new OpsError(
            `${label}: the query ${state === "CANCELLED" ? "was cancelled" : "failed"}: ${reason} (query ${id})`,
            EXIT.aws,
        );
    }
    const rows = await allPages(
        "athena:GetQueryResults",
        (token) => target.athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token })),
        (page) => page.ResultSet?.Rows,
    );
    const header = rows.shift()?.Data?.map((d) => d.VarCharValue ?? "") ?? [];
    return rows.map((row) =>
        Object.fromEntries(header.map((column, i) => [column, row.Data?.[i]?.VarCharValue ?? ""])),
    );
}

export function formatBytes(bytes: number): string {
    const units = ["B", "KB", "MB", "GB", "TB"];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit++;
    }
    return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
