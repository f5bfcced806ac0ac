/**
 * What a fleet run shows while it runs and when it ends: on a terminal, a block redrawn every
 * second (each running target with its state and elapsed time, then the counts); elsewhere (CI,
 * a pipe), one line per change of state. At the end, a table and summary.json.
 */
import * as fs from "fs";
import * as path from "path";
import { FleetEvent, FleetState, logPath, TargetState, TargetStatus } from "./orchestrator";
import { Target } from "./targets";
import { table } from "./table";

const STATUSES: readonly TargetStatus[] = ["running", "retrying", "succeeded", "failed", "cancelled", "pending"];

export function formatSeconds(seconds: number): string {
    const s = Math.round(seconds);
    return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/** `create 3, update 1, same 40`: Pulumi's step counts, in a fixed order. */
export function formatChanges(changes: TargetState["changes"]): string {
    if (!changes) return "";
    return Object.entries(changes)
        .filter(([, n]) => n > 0)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([op, n]) => `${op} ${n}`)
        .join(", ");
}

/** `2 running, 10 succeeded, 1 failed, 9 pending`: the counts of the states present. */
export function counts(states: readonly { status: string }[]): string {
    return [...STATUSES, "missing"]
        .map((s) => [s, states.filter((t) => t.status === s).length] as const)
        .filter(([, n]) => n > 0)
        .map(([s, n]) => `${n} ${s}`)
        .join(", ");
}

export class LiveProgress {
    private readonly states = new Map<string, TargetState>();
    private readonly since = new Map<string, number>();
    private timer?: NodeJS.Timeout;
    private drawn = 0;
    private readonly started = Date.now();

    constructor(
        private readonly operation: string,
        targets: readonly Target[],
        private readonly out: NodeJS.WriteStream = process.stderr,
    ) {
        for (const t of targets) this.states.set(t.stack, { status: "pending", attempts: 0 });
    }

    private get live(): boolean {
        return this.out.isTTY === true;
    }

    start(): void {
        if (this.live) this.timer = setInterval(() => this.draw(), 1000);
    }

    onEvent(event: FleetEvent): void {
        const before = this.states.get(event.stack)?.status;
        this.states.set(event.stack, event.state);
        if (event.state.status !== before) this.since.set(event.stack, Date.now());
        if (this.live) return this.draw();
        const detail =
            event.state.status === "succeeded"
                ? ` in ${formatSeconds(event.state.seconds ?? 0)} (${formatChanges(event.state.changes) || "no changes"})`
                : event.state.error
                  ? `: ${event.state.error}`
                  : "";
        this.out.write(
            `[${formatSeconds((Date.now() - this.started) / 1000)}] ${event.stack} ${event.state.status}${event.state.attempts > 1 ? ` (attempt ${event.state.attempts})` : ""}${detail}\n`,
        );
    }

    private draw(): void {
        const now = Date.now();
        const active = [...this.states].filter(([, s]) => s.status === "running" || s.status === "retrying");
        const lines = [
            ...active.map(
                ([stack, s]) =>
                    `  ${stack}  ${s.status}${s.attempts > 1 ? ` (attempt ${s.attempts})` : ""}  ${formatSeconds((now - (this.since.get(stack) ?? now)) / 1000)}`,
            ),
            `${this.operation}: ${counts([...this.states.values()])}  ${formatSeconds((now - this.started) / 1000)}`,
        ];
        this.out.write(`${this.drawn > 0 ? `\x1b[${this.drawn}A` : ""}\x1b[J${lines.join("\n")}\n`);
        this.drawn = lines.length;
    }

    stop(): void {
        if (this.timer) clearInterval(this.timer);
        if (this.live) this.draw();
    }
}

/** One row of summary.json after preview, up or destroy. */
export interface RunRow {
    readonly stack: string;
    readonly account: string;
    readonly region: string;
    readonly base: string;
    /** `missing`: no run reported the target (a job that died before its summary). */
    readonly status: TargetStatus | "missing";
    readonly attempts: number;
    readonly seconds: number | null;
    readonly changes: Readonly<Record<string, number>>;
    readonly error: string | null;
    readonly log: string;
}

export function runRows(targets: readonly Target[], state: FleetState, dir: string): RunRow[] {
    return targets.map((t) => {
        const s = state.targets[t.stack];
        return {
            stack: t.stack,
            account: t.account,
            region: t.region,
            base: t.base,
            status: s.status,
            attempts: s.attempts,
            seconds: s.seconds ?? null,
            changes: s.changes ?? {},
            error: s.error ?? null,
            log: logPath(dir, t.stack),
        };
    });
}

const COLUMNS = ["stack", "account", "region", "status", "attempts", "time", "changes", "error"];

function cells(r: RunRow): string[] {
    return [
        r.stack,
        r.account,
        r.region,
        r.status,
        String(r.attempts),
        r.seconds === null ? "" : formatSeconds(r.seconds),
        formatChanges(r.changes),
        r.error ?? "",
    ];
}

/** The table of a run for the terminal, with the counts under it. */
export function summaryTable(rows: readonly RunRow[]): string {
    return `${table(COLUMNS, rows.map(cells))}\n${counts(rows.map((r) => ({ status: r.status, attempts: r.attempts })))}\n`;
}

/** The same as a Markdown table (GitHub's job summary). */
export function summaryMarkdown(rows: readonly RunRow[]): string {
    const escape = (text: string) => text.replace(/\|/g, "\\|");
    const lines = [
        `| ${COLUMNS.join(" | ")} |`,
        `|${COLUMNS.map(() => "---").join("|")}|`,
        ...rows.map((r) => `| ${cells(r).map(escape).join(" | ")} |`),
    ];
    return `${lines.join("\n")}\n\n${counts(rows.map((r) => ({ status: r.status, attempts: r.attempts })))}\n`;
}

/** Writes `<dir>/summary.json` and returns the table for the terminal. */
export function summarize(rows: readonly RunRow[], dir: string): string {
    fs.writeFileSync(path.join(dir, "summary.json"), `${JSON.stringify(rows, null, 2)}\n`);
    return `${summaryTable(rows)}State, logs and summary.json in ${dir}\n`;
}

/**
 * The rows of many runs (one summary.json per folder under `from`, as the workflow's jobs upload
 * them), one per target in the targets file's order; a target no run reported is `missing`.
 */
export function collectRows(targets: readonly Target[], from: string): RunRow[] {
    const files = [
        path.join(from, "summary.json"),
        ...fs.readdirSync(from).map((d) => path.join(from, d, "summary.json")),
    ].filter((f) => fs.existsSync(f));
    const reported = new Map<string, RunRow>(
        files.flatMap((f) => (JSON.parse(fs.readFileSync(f, "utf8")) as RunRow[]).map((r) => [r.stack, r] as const)),
    );
    return targets.map(
        (t) =>
            reported.get(t.stack) ?? {
                stack: t.stack,
                account: t.account,
                region: t.region,
                base: t.base,
                status: "missing",
                attempts: 0,
                seconds: null,
                changes: {},
                error: "no summary.json reported this target",
                log: "",
            },
    );
}
