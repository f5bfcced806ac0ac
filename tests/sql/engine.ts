/**
 * The saved Athena queries run by a real SQL engine: DuckDB (@duckdb/node-api, pinned) over the
 * sync's files, as the reporting stack's Glue tables present them to Athena.
 *
 * The translation is the smallest that makes DuckDB read what Athena reads, and the query text is
 * run unchanged:
 * - each Glue table is a view over its type's files (`read_json`, NDJSON), every column as text
 *   (the tables declare `string`), column names matched without case (the Hive JSON SerDe's
 *   HCatSchema lowercases key and column alike, as the OpenX one's `case.insensitive` did; DuckDB's
 *   identifiers are case-insensitive), a column absent from every file
 *   NULL (a key that is text in some files and a number in others is read as its text), and
 *   `accountid`/`region` taken from the key (what partition projection does);
 * - `from_iso8601_timestamp` (Trino's) is a DuckDB macro: `CAST(s AS TIMESTAMPTZ)`;
 * - `compliance_history` is a DuckDB table with the Glue table's columns (Parquet is Athena's
 *   storage, not the query's concern); `INSERT INTO` appends to it.
 * Everything else the queries use (`try_cast`, `count_if`, `nullif`, `interval '29' day`, `?`
 * parameters, `CAST(current_date AS varchar)`) means the same in both.
 */
import { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import * as path from "path";
import { HISTORY_COLUMNS, HISTORY_TABLE, SYNC_TABLES } from "../../components/reportingQueries";

const SQL_TYPES: Record<string, string> = { string: "VARCHAR", int: "INTEGER", boolean: "BOOLEAN" };

/** One row as Athena returns it: every value as text, NULL as "". */
export type TextRow = Record<string, string>;

export class SyncEngine {
    private constructor(
        private readonly instance: DuckDBInstance,
        private readonly connection: DuckDBConnection,
    ) {}

    /** The tables over `bucket/prefix` (a folder laid out as the sync writes it). */
    static async open(bucket: string, prefix: string): Promise<SyncEngine> {
        const instance = await DuckDBInstance.create(":memory:");
        const connection = await instance.connect();
        await connection.run("CREATE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)");
        for (const table of SYNC_TABLES) {
            const files = path.join(
                bucket,
                prefix,
                table.type,
                "accountid=*",
                "region=*",
                "resourcetype=ManagedInstanceInventory",
                "*.json",
            );
            const source = `read_json('${files}', format = 'newline_delimited', union_by_name = true, filename = true)`;
            // Column name to DuckDB's inferred type; a key that is text in some files and a number in
            // others is inferred as JSON, whose text form keeps the quotes: read it as a JSON string.
            const present = new Map(
                (await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`))
                    .getRowObjects()
                    .map((r) => [String(r.column_name).toLowerCase(), String(r.column_type)]),
            );
            const text = (c: string) =>
                present.get(c) === "JSON" ? `json_extract_string(${c}, '$')` : `CAST(${c} AS VARCHAR)`;
            const columns = table.columns.map((c) => `${present.has(c) ? text(c) : "CAST(NULL AS VARCHAR)"} AS ${c}`);
            const partitions = ["accountid", "region"].map(
                (key) => `regexp_extract(filename, '/${key}=([^/]+)/', 1) AS ${key}`,
            );
            await connection.run(
                `CREATE VIEW ${table.table} AS SELECT ${[...columns, ...partitions].join(", ")} FROM ${source}`,
            );
        }
        const history = [...HISTORY_COLUMNS.map((c) => `${c.name} ${SQL_TYPES[c.type]}`), "day VARCHAR"];
        await connection.run(`CREATE TABLE ${HISTORY_TABLE} (${history.join(", ")})`);
        return new SyncEngine(instance, connection);
    }

    /** Runs one query as written for Athena; rows as Athena's text values. */
    async query(sql: string, parameters: string[] = []): Promise<TextRow[]> {
        const reader = await this.connection.runAndReadAll(sql, parameters.length > 0 ? parameters : undefined);
        return reader
            .getRowObjects()
            .map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? "" : String(v)])));
    }

    /**
     * Runs `sql` in `copies` transactions that overlap: each begins before any of them writes, and all
     * commit after all have run (two schedule invocations, or a manual run during the nightly one).
     */
    async concurrently(sql: string, copies: number): Promise<void> {
        const connections = await Promise.all(Array.from({ length: copies }, () => this.instance.connect()));
        for (const c of connections) await c.run("BEGIN TRANSACTION");
        await Promise.all(connections.map((c) => c.run(sql)));
        for (const c of connections) await c.run("COMMIT");
        for (const c of connections) c.closeSync();
    }

    close(): void {
        this.connection.closeSync();
    }
}
