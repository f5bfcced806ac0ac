/**
 * The exit codes of the three CLIs (`plan`, `ops`, `fleet`): one table, in docs/operations.md
 * ("Exit codes"), checked against these constants by tests/cliUsage.spec.ts.
 */
export const EXIT = {
    /** The command ran and reported failures (a failed target, an API contract violation, an unconfirmed install). */
    failed: 1,
    /** Bad input, before any work: flags, subcommands, stack file, config, targets file, output paths. */
    usage: 2,
    /** AWS said no: credentials, permissions, missing resources, or an error AWS kept returning. */
    aws: 3,
    /** `--timeout` reached: what the command started in AWS was stopped. */
    timeout: 4,
    /**
     * Missing before any work: a Node.js that can load the commands (any CLI); or, before any target
     * (fleet preview, up, destroy), the Pulumi CLI or AWS credentials.
     */
    unavailable: 5,
    /** A bug in the CLI (an unexpected error): the message asks for a report. */
    internal: 70,
    /** Ctrl-C: what the command started was stopped (128 + SIGINT, as shells report it). */
    interrupted: 130,
} as const;

/** Bad input found before any work: printed as its message alone, exit 2. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}
