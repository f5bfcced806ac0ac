/**
 * Reads per instance (compliance, inventory, the lab report): a bounded number at a time, with
 * progress on long work; an instance AWS cannot answer for (a terminated node's InvalidInstanceId,
 * "Invalid states are: Shutting-down and Terminated" in botocore's ssm model) becomes a row with
 * its reason instead of ending the command; refused credentials still end it (no other instance
 * would do better); Ctrl-C or --timeout stops starting reads and the rows read so far are printed.
 */
import { AwsCallError, EXIT, isAccessProblem } from "./aws";
import { Io } from "./output";
import { mapLimit, progress, READ_CONCURRENCY, Run } from "./run";

/** What one instance's read gave: its value or why there is none; undefined if it was not read. */
export type Outcome<R> =
    | { readonly value: R; readonly error?: undefined }
    | { readonly value?: undefined; readonly error: string; readonly reason: string };

/** A table cell for an instance's outcome: `show` of its value, or why there is none. */
export function outcomeCell<R>(outcome: Outcome<R> | undefined, show: (value: R) => string | number): string | number {
    return outcome === undefined
        ? "not read (stopped)"
        : outcome.error !== undefined
          ? `not read (${outcome.error})`
          : show(outcome.value);
}

export async function readEach<R>(
    ids: readonly string[],
    run: Run,
    io: Io,
    read: (id: string) => Promise<R>,
): Promise<(Outcome<R> | undefined)[]> {
    let done = 0;
    const tick = progress(io, ids.length, "instances read");
    return mapLimit(ids, READ_CONCURRENCY, run, async (id): Promise<Outcome<R> | undefined> => {
        try {
            const value = await read(id);
            tick(++done);
            return { value };
        } catch (error) {
            if (run.stopped) return undefined;
            const cause = error instanceof AwsCallError ? error.cause : (error as Error);
            if (!(error instanceof AwsCallError) || isAccessProblem(cause)) throw error;
            tick(++done);
            return { error: cause.name, reason: `${cause.name}: ${cause.message} (${error.action})` };
        }
    });
}

/**
 * After the rows: which instances could not be read and why, and what a stop left unread (on
 * stderr); the exit code: the stop's, 1 if an instance could not be read, else 0.
 */
export function readSummary<R>(
    ids: readonly string[],
    outcomes: readonly (Outcome<R> | undefined)[],
    run: Run,
    io: Io,
): number {
    const failed = ids.filter((_, i) => outcomes[i]?.error !== undefined);
    for (const [i, outcome] of outcomes.entries())
        if (outcome?.error !== undefined) io.err(`  ${ids[i]}: ${outcome.reason}\n`);
    if (failed.length > 0)
        io.err(
            `${failed.length} of ${ids.length} instance(s) could not be read (above); every other instance is in the output.\n`,
        );
    if (run.stopped) {
        const read = outcomes.filter((o) => o !== undefined).length;
        io.err(
            `${run.describe()}: ${read} of ${ids.length} instances read, ${ids.length - read} not read. Nothing was changed in AWS.\n`,
        );
        return run.exitCode();
    }
    return failed.length > 0 ? EXIT.failed : 0;
}
