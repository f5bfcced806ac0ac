/**
 * Athena queries for the report: start one in the reporting stack's workgroup, wait with the SDK
 * waiter's backoff (printing its state and the bytes scanned so far), stop it on a timeout or a
 * cancellation (Ctrl-C), and read every page of its rows.
 */
import {
    AthenaClient,
    GetQueryExecutionCommand,
    paginateGetQueryResults,
    QueryExecution,
    StartQueryExecutionCommand,
    StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { createWaiter, WaiterState } from "@smithy/core/client";
import { call, collect, EXIT, OpsError } from "./aws";
import { Io } from "./output";
import { PollDelays } from "./runPatchBaseline";

/** Where the queries run: the reporting stack's workgroup (it enforces the results location) and database. */
export interface AthenaTarget {
    readonly athena: AthenaClient;
    readonly workgroup: string;
    readonly database: string;
}

export interface QueryOptions {
    /** The longest a query may run, in seconds, before it is stopped. */
    readonly timeoutSeconds: number;
    readonly delays: PollDelays;
    /** Aborted (Ctrl-C): the query is stopped. */
    readonly signal?: AbortSignal;
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
    const begun = Date.now();
    let last = "";
    const stop = async (why: string, code: number): Promise<never> => {
        await call("athena:StopQueryExecution", () =>
            target.athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id })),
        );
        throw new OpsError(`${label}: ${why}; query ${id} stopped.`, code);
    };
    let result;
    try {
        result = await createWaiter<AthenaClient, string, QueryExecution>(
            {
                client: target.athena,
                maxWaitTime: options.timeoutSeconds,
                minDelay: options.delays.minDelay,
                maxDelay: options.delays.maxDelay,
                abortSignal: options.signal,
            },
            id,
            async (client, queryId) => {
                const { QueryExecution: execution } = await call("athena:GetQueryExecution", () =>
                    client.send(new GetQueryExecutionCommand({ QueryExecutionId: queryId })),
                );
                const state = execution?.Status?.State ?? "UNKNOWN";
                const scanned = execution?.Statistics?.DataScannedInBytes ?? 0;
                const progress = `  ${label}: ${state}, ${formatBytes(scanned)} scanned, ${((Date.now() - begun) / 1000).toFixed(0)} s\n`;
                if (progress !== last) io.err(progress);
                last = progress;
                return DONE.has(state)
                    ? { state: WaiterState.SUCCESS, reason: execution }
                    : { state: WaiterState.RETRY };
            },
        );
    } catch (error) {
        if (error instanceof OpsError) throw error;
        // The waiter rejects with its own error on abort in some SDK versions.
        if (options.signal?.aborted) return stop("cancelled", EXIT.failed);
        throw error;
    }
    if (result.state === WaiterState.ABORTED || options.signal?.aborted) return stop("cancelled", EXIT.failed);
    if (result.state !== WaiterState.SUCCESS)
        return stop(`still running after ${options.timeoutSeconds} s (--timeout)`, EXIT.failed);
    const execution = result.reason as QueryExecution;
    const state = execution.Status?.State;
    if (state !== "SUCCEEDED") {
        const reason =
            execution.Status?.StateChangeReason ?? execution.Status?.AthenaError?.ErrorMessage ?? "no reason given";
        throw new OpsError(
            `${label}: the query ${state === "CANCELLED" ? "was cancelled" : "failed"}: ${reason} (query ${id})`,
            EXIT.aws,
        );
    }
    const rows = await collect(
        "athena:GetQueryResults",
        paginateGetQueryResults({ client: target.athena }, { QueryExecutionId: id }),
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
