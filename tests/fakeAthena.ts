/**
 * The Athena half of the fake endpoint (fakeAws.ts): queries go QUEUED, RUNNING, then SUCCEEDED
 * after the configured time unless stopped (CANCELLED); GetQueryResults pages of at most 1,000 rows,
 * the first row the column names (shapes from botocore's athena/2017-05-18/service-2.json).
 */
import { randomUUID } from "crypto";
import { ServiceError } from "./fakeAws";

interface FakeQuery {
    readonly id: string;
    readonly sql: string;
    readonly started: number;
    stopped?: boolean;
}

export class AthenaState {
    readonly queries: FakeQuery[] = [];
    constructor(readonly queryMs: number) {}
    state(q: FakeQuery): string {
        if (q.stopped) return "CANCELLED";
        const elapsed = Date.now() - q.started;
        return elapsed >= this.queryMs ? "SUCCEEDED" : elapsed >= this.queryMs / 2 ? "RUNNING" : "QUEUED";
    }
}

/** One instance of the per-instance query, by column (the report reads columns by name). */
const INSTANCE_ROW: Record<string, string> = {
    accountid: "111122223333",
    region: "ap-northeast-1",
    instance: "i-0aaaaaaaaaaaaaaa1",
    computername: "web1",
    platformname: "Amazon Linux",
    patchgroup: "Critical",
    compliant: "false",
    missing: "2",
    pending_reboot: "0",
    critical: "1",
};

function rows(sql: string): string[][] {
    if (/pending_reboot/.test(sql)) return [Object.keys(INSTANCE_ROW), Object.values(INSTANCE_ROW)];
    return [["severity", "missing"]];
}

export function athenaHandler(state: AthenaState, operation: string, input: Record<string, any>): object {
    const query = () => {
        const q = state.queries.find((x) => x.id === input.QueryExecutionId);
        if (!q)
            throw new ServiceError("InvalidRequestException", `QueryExecution ${input.QueryExecutionId} was not found`);
        return q;
    };
    switch (operation) {
        case "StartQueryExecution": {
            const q = { id: randomUUID(), sql: input.QueryString, started: Date.now() };
            state.queries.push(q);
            return { QueryExecutionId: q.id };
        }
        case "GetQueryExecution": {
            const q = query();
            return {
                QueryExecution: {
                    QueryExecutionId: q.id,
                    Query: q.sql,
                    Status: { State: state.state(q) },
                    Statistics: { DataScannedInBytes: 1024 },
                },
            };
        }
        case "StopQueryExecution":
            query().stopped = true;
            return {};
        case "GetQueryResults": {
            const all = rows(query().sql);
            return {
                ResultSet: {
                    Rows: all.map((r) => ({ Data: r.map((v) => ({ VarCharValue: v })) })),
                    ResultSetMetadata: { ColumnInfo: [] },
                },
            };
        }
        default:
            throw new ServiceError("UnknownOperationException", `${operation} is not implemented by the fake`);
    }
}
