/**
 * What every long-running command shares: one signal for Ctrl-C and `--timeout` (whichever comes
 * first), waiting with backoff that wakes up at once when stopped, every page of a list call with
 * the signal on each request, and bounded concurrency for per-instance reads.
 */
import { AwsCallError, EXIT } from "./aws";

export type StopReason = "interrupted" | "timeout";

/** One command's run: stopped by Ctrl-C (the operator's signal) or at its deadline. */
export class Run {
    private readonly controller = new AbortController();
    private why?: StopReason;
    private readonly timer: NodeJS.Timeout;
    constructor(
        interrupt: AbortSignal | undefined,
        readonly timeoutSeconds: number,
    ) {
        this.timer = setTimeout(() => this.stop("timeout"), timeoutSeconds * 1000);
        this.timer.unref();
        if (interrupt?.aborted) this.stop("interrupted");
        interrupt?.addEventListener("abort", () => this.stop("interrupted"), { once: true });
    }
    get signal(): AbortSignal {
        return this.controller.signal;
    }
    /** Why the run was stopped, if it was. */
    get stopped(): StopReason | undefined {
        return this.why;
    }
    stop(why: StopReason): void {
        if (this.why) return;
        this.why = why;
        this.controller.abort();
    }
    /** The run is over (the timer would keep nothing alive, but a finished run has no deadline). */
    end(): void {
        clearTimeout(this.timer);
    }
    /** Waits `ms`, or less when the run is stopped meanwhile. */
    sleep(ms: number): Promise<void> {
        return new Promise((resolve) => {
            if (this.signal.aborted) return resolve();
            const done = () => {
                clearTimeout(timer);
                this.signal.removeEventListener("abort", done);
                resolve();
            };
            const timer = setTimeout(done, ms);
            this.signal.addEventListener("abort", done, { once: true });
        });
    }
    /** In words, for messages: what stopped the run. */
    describe(): string {
        return this.why === "timeout" ? `--timeout ${this.timeoutSeconds} s reached` : "interrupted (Ctrl-C)";
    }
    /** The documented exit code of a stopped run. */
    exitCode(): number {
        return this.why === "timeout" ? EXIT.timeout : EXIT.interrupted;
    }
}

/** How often to look at something AWS runs: exponential backoff between these bounds, in seconds. */
export interface PollDelays {
    readonly minDelay: number;
    readonly maxDelay: number;
}

/** The n-th wait (from 0): doubling from minDelay up to maxDelay, with up to 20% jitter, in ms. */
export function backoff(delays: PollDelays, attempt: number): number {
    const base = Math.min(delays.maxDelay, delays.minDelay * 2 ** attempt);
    return base * 1000 * (0.8 + Math.random() * 0.2);
}

/**
 * Every item of every page: `send(token)` asks for one page (with the run's signal on the request).
 * A failure becomes an AwsCallError naming the IAM action.
 */
export async function allPages<Page extends { NextToken?: string }, Item>(
    action: string,
    send: (token: string | undefined) => Promise<Page>,
    items: (page: Page) => Item[] | undefined,
): Promise<Item[]> {
    const all: Item[] = [];
    let token: string | undefined;
    try {
        do {
            const page = await send(token);
            all.push(...(items(page) ?? []));
            token = page.NextToken;
        } while (token);
    } catch (error) {
        throw new AwsCallError(action, error as Error);
    }
    return all;
}

/** Per-instance reads in flight at once: enough to hide latency, few enough to stay under SSM's request rate. */
export const READ_CONCURRENCY = 8;

/**
 * `work` for every item, at most `limit` at a time, in order of the items; stops starting new
 * ones when the run is stopped (their results are undefined).
 */
export async function mapLimit<T, R>(
    items: readonly T[],
    limit: number,
    run: Run,
    work: (item: T, index: number) => Promise<R>,
): Promise<(R | undefined)[]> {
    const results: (R | undefined)[] = new Array(items.length).fill(undefined);
    let next = 0;
    const worker = async () => {
        while (next < items.length && !run.stopped) {
            const index = next++;
            results[index] = await work(items[index], index);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return results;
}

/** A progress line on stderr at most every `everyMs` (and always the last), for long reads. */
export function progress(
    io: { err(t: string): void },
    total: number,
    label: string,
    everyMs = 2000,
): (done: number) => void {
    let last = 0;
    return (done) => {
        const now = Date.now();
        if (done === total || now - last >= everyMs) {
            last = now;
            io.err(`  ${done} of ${total} ${label}\n`);
        }
    };
}
