/**
 * Runs one operation (preview, up, destroy) on many targets: at most `parallel` at a time, each
 * target's output in its own log file, throttling retried with backoff, a state file rewritten at
 * every change (so `--resume` reruns only what did not succeed, and Ctrl-C leaves a record of where
 * each target stood), progress events for a live display. The Pulumi side is a `FleetWorkspace`:
 * the Automation API (automation.ts) for real, a fake in the specs.
 */
import * as fs from "fs";
import * as path from "path";
import { Target } from "./targets";

export const OPERATIONS = ["preview", "up", "destroy"] as const;
export type Operation = (typeof OPERATIONS)[number];

/** What an operation changed, per kind of step (`create`, `update`, `delete`, `same`, ...), as Pulumi counts them. */
export type Changes = Readonly<Record<string, number>>;

/** The Pulumi side of one target: select or create its stack, set its config, run the operation. */
export interface FleetWorkspace {
    /** Checked once, before any target: what every target needs (the CLI, credentials); throws UnavailableError. */
    preflight?(): Promise<void>;
    run(
        target: Target,
        operation: Operation,
        io: { onOutput: (text: string) => void; signal: AbortSignal },
    ): Promise<Changes>;
}

export type TargetStatus = "pending" | "running" | "retrying" | "succeeded" | "failed" | "cancelled";

export interface TargetState {
    status: TargetStatus;
    attempts: number;
    /** Seconds the last attempt took (or has taken so far). */
    seconds?: number;
    changes?: Changes;
    error?: string;
}

/** The state file: which operation, and where each target stands. */
export interface FleetState {
    readonly operation: Operation;
    readonly targetsFile: string;
    readonly targets: Record<string, TargetState>;
}

export type FleetEvent = { readonly stack: string; readonly state: Readonly<TargetState> };

export interface RetryPolicy {
    /** Attempts per target in all (default 4). */
    readonly attempts: number;
    /** The wait before the second attempt; it doubles each time, with up to 50% random jitter added (default 30 s). */
    readonly baseDelayMs: number;
}

export interface FleetRunOptions {
    readonly operation: Operation;
    readonly targets: readonly Target[];
    readonly targetsFile: string;
    readonly workspace: FleetWorkspace;
    /** At most this many targets run at once. */
    readonly parallel: number;
    /** The state file and one `<stack>.log` per target go here. */
    readonly dir: string;
    /** Continue the state file there: run only targets that have not succeeded. */
    readonly resume?: boolean;
    /** Aborting it (Ctrl-C) cancels running targets and starts no more. */
    readonly signal?: AbortSignal;
    readonly retry?: Partial<RetryPolicy>;
    readonly onEvent?: (event: FleetEvent) => void;
    /** Injected by specs: waiting between attempts, and the jitter's randomness. */
    readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
    readonly random?: () => number;
    readonly now?: () => number;
}

export const STATE_FILE = "state.json";
const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 30_000 };

/**
 * Errors AWS returns when a caller exceeds an API's rate: the AWS provider retries them itself
 * (its max_retries) and fails the update when they persist. Error codes from botocore's models
 * and the AWS SDK's retry logic (Throttling, ThrottlingException, RequestLimitExceeded,
 * TooManyRequestsException, SlowDown, "Rate exceeded").
 */
const THROTTLING =
    /\b(Throttling(Exception)?|RequestLimitExceeded|TooManyRequestsException|SlowDown|Rate exceeded|RequestThrottled(Exception)?)\b/;

export function isThrottling(error: unknown): boolean {
    return THROTTLING.test(String((error as Error)?.message ?? error));
}

export function statePath(dir: string): string {
    return path.join(dir, STATE_FILE);
}

export function logPath(dir: string, stack: string): string {
    return path.join(dir, `${stack}.log`);
}

/** Reads a state file to resume; its operation and targets file must be this run's. */
export function readState(dir: string, operation: Operation, targetsFile: string): FleetState {
    const file = statePath(dir);
    if (!fs.existsSync(file)) throw new Error(`--resume: no state file ${file}; run without --resume first`);
    const state = JSON.parse(fs.readFileSync(file, "utf8")) as FleetState;
    if (state.operation !== operation)
        throw new Error(`--resume: ${file} records a ${state.operation}, not a ${operation}`);
    if (path.resolve(state.targetsFile) !== path.resolve(targetsFile))
        throw new Error(`--resume: ${file} records targets from ${state.targetsFile}, not ${targetsFile}`);
    return state;
}

function writeState(dir: string, state: FleetState): void {
    const file = statePath(dir);
    fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
    fs.renameSync(`${file}.tmp`, file);
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
        const timer = setTimeout(resolve, ms);
        signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
    });
}

/** The first line of an error's message: Pulumi's command errors carry the whole stderr. */
function errorText(error: unknown): string {
    const message = String((error as Error)?.message ?? error);
    const lines = message
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean);
    return lines.find((l) => /error/i.test(l)) ?? lines[0] ?? "failed";
}

/**
 * Runs the operation on every target (or, resuming, on every target that has not succeeded) and
 * returns the final state. Never throws for a target's failure: it is recorded.
 */
export async function runFleet(options: FleetRunOptions): Promise<FleetState> {
    const retry = { ...DEFAULT_RETRY, ...options.retry };
    const sleep = options.sleep ?? defaultSleep;
    const random = options.random ?? Math.random;
    const now = options.now ?? Date.now;
    const signal = options.signal ?? new AbortController().signal;
    fs.mkdirSync(options.dir, { recursive: true });
    const previous = options.resume ? readState(options.dir, options.operation, options.targetsFile).targets : {};
    const targets: Record<string, TargetState> = {};
    for (const t of options.targets) {
        const before = previous[t.stack];
        targets[t.stack] =
            before?.status === "succeeded" ? before : { status: "pending", attempts: before?.attempts ?? 0 };
    }
    const state: FleetState = { operation: options.operation, targetsFile: options.targetsFile, targets };
    const update = (stack: string, change: Partial<TargetState>) => {
        Object.assign(targets[stack], change);
        writeState(options.dir, state);
        options.onEvent?.({ stack, state: { ...targets[stack] } });
    };
    writeState(options.dir, state);
    const queue = options.targets.filter((t) => targets[t.stack].status !== "succeeded");

    const runTarget = async (target: Target) => {
        const log = fs.createWriteStream(logPath(options.dir, target.stack), { flags: options.resume ? "a" : "w" });
        try {
            for (let attempt = 1; ; attempt++) {
                const started = now();
                log.write(
                    `--- ${options.operation} ${target.stack} (${target.account} ${target.region}), attempt ${attempt}, ${new Date(started).toISOString()}\n`,
                );
                update(target.stack, {
                    status: "running",
                    attempts: targets[target.stack].attempts + 1,
                    error: undefined,
                });
                // An operation started on an aborted signal would never hear of the abort (its listener is too late).
                if (signal.aborted)
                    return update(target.stack, {
                        status: "cancelled",
                        seconds: 0,
                        error: "cancelled (Ctrl-C) before it started",
                    });
                try {
                    const changes = await options.workspace.run(target, options.operation, {
                        onOutput: (text) => log.write(text),
                        signal,
                    });
                    update(target.stack, { status: "succeeded", seconds: (now() - started) / 1000, changes });
                    return;
                } catch (error) {
                    const seconds = (now() - started) / 1000;
                    log.write(`\n${String((error as Error)?.message ?? error)}\n`);
                    if (signal.aborted)
                        return update(target.stack, { status: "cancelled", seconds, error: "cancelled (Ctrl-C)" });
                    if (!isThrottling(error) || attempt >= retry.attempts)
                        return update(target.stack, { status: "failed", seconds, error: errorText(error) });
                    const delay = Math.round(retry.baseDelayMs * 2 ** (attempt - 1) * (1 + random() / 2));
                    log.write(`throttled: attempt ${attempt + 1} in ${(delay / 1000).toFixed(1)} s\n`);
                    update(target.stack, { status: "retrying", seconds, error: errorText(error) });
                    await sleep(delay, signal);
                    if (signal.aborted)
                        return update(target.stack, {
                            status: "cancelled",
                            error: "cancelled (Ctrl-C) while waiting to retry",
                        });
                }
            }
        } finally {
            await new Promise((resolve) => log.end(resolve));
        }
    };

    const worker = async () => {
        for (let next = queue.shift(); next && !signal.aborted; next = queue.shift()) await runTarget(next);
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.parallel, queue.length)) }, worker));
    return state;
}

/** True when every target succeeded: the exit status. */
export function allSucceeded(state: FleetState): boolean {
    return Object.values(state.targets).every((t) => t.status === "succeeded");
}
