/**
 * The command-line side of the runbook's operations: `ops restore-points`, and how `ops install`
 * chooses between the lab's SendCommand and the stack's runbook: the stack file's
 * maintenanceWindow.installMode decides, and the runbook takes the stack's own rate controls
 * (maintenanceWindow.maxConcurrency and maxErrors: prod stops at the first failed instance) unless the
 * command line names others. Its RebootOption is the runbook's own (maintenanceWindow.rebootOption).
 */
import { BackupClient } from "@aws-sdk/client-backup";
import { EC2Client } from "@aws-sdk/client-ec2";
import { Command, InvalidArgumentError } from "commander";
import { EXIT, OpsError } from "./aws";
import { StackContext } from "./fleet";
import { INSTANCE_ID_PATTERN, restorePoints } from "./restorePoints";
import { Io } from "./output";
import { PollDelays, Run } from "./run";
import { runbookInstall, RunbookNames, runbookNames, RunbookRunOptions } from "./runbookInstall";

interface InstallFlags {
    readonly role?: string;
    readonly concurrency: string;
    readonly maxErrors: string;
    readonly rebootOption: string;
    readonly json?: boolean;
}

/** Where a flag's value came from (commander's getOptionValueSource: "default", "cli", ...). */
type Source = (key: string) => string | undefined;

export interface RunbookInstallPlan {
    readonly names: RunbookNames;
    readonly options: RunbookRunOptions;
    /** The confirmation question, for `who` ("every instance", "the WebServer instances"). */
    question(who: string): string;
    /** Runs it (runbookInstall.ts). */
    start(run: Run, delays: PollDelays, io: Io): Promise<number>;
}

/** The runbook run `ops install` makes on a Runbook stack; undefined on a plain one. */
export function runbookInstallPlan(
    ctx: StackContext,
    flags: InstallFlags,
    source: Source,
): RunbookInstallPlan | undefined {
    const names = runbookNames(ctx);
    const mode = `maintenanceWindow.installMode = ${ctx.config.maintenanceWindow.installMode}`;
    if (!names) {
        if (flags.json)
            throw new OpsError(
                `--json is for a stack whose runbook installs (installMode Runbook); stack "${ctx.stack}" has ${mode}.`,
                EXIT.usage,
            );
        return undefined;
    }
    if (source("rebootOption") === "cli")
        throw new OpsError(
            `--reboot-option does not apply to stack "${ctx.stack}" (${mode}): its runbook reboots as maintenanceWindow.rebootOption = ${ctx.config.maintenanceWindow.rebootOption} says. Nothing installed.`,
            EXIT.usage,
        );
    const w = ctx.config.maintenanceWindow;
    const options: RunbookRunOptions = {
        role: flags.role,
        maxConcurrency: source("concurrency") === "cli" ? flags.concurrency : w.maxConcurrency,
        maxErrors: source("maxErrors") === "cli" ? flags.maxErrors : w.maxErrors,
        json: flags.json === true,
    };
    const gate = names.gate ? `after its gate ${names.gate} passes, ` : "";
    return {
        names,
        options,
        start: (run, delays, io) => runbookInstall(ctx, names, options, run, delays, io),
        question: (who) =>
            `Run ${names.instance} (restore point, install, health check) on ${who} of stack "${ctx.stack}" (${ctx.region}), ${gate}${options.maxConcurrency} at a time, stopping when more than ${options.maxErrors} fail, ${w.rebootOption}? [y/N] `,
    };
}

/** What `restore-points` takes from the CLI: its stack context, profile, retries and run (cli.ts). */
export interface CommandDeps {
    fleetContext(command: Command): StackContext;
    profile(command: Command): string | undefined;
    readonly retries: { readonly retryMode: "adaptive"; readonly maxAttempts: number };
    seconds(value: string): number;
    readonly timeoutHelp: string;
    run(timeoutSeconds: number, body: (run: Run) => Promise<number>): Promise<void>;
    readonly io: Io;
}

function instanceId(value: string): string {
    if (!INSTANCE_ID_PATTERN.test(value))
        throw new InvalidArgumentError("must be an EC2 instance id such as i-0123456789abcdef0");
    return value;
}

export function restorePointsCommand(root: Command, deps: CommandDeps): void {
    root.command("restore-points")
        .description(
            "The restore points the stack's patch runbook took (installMode Runbook), newest first: instance, window execution, created, status, delete-at, size",
        )
        .option("--instance <id>", "only this instance's restore points", instanceId)
        .option("--json", "print JSON instead of a table")
        .option("--timeout <seconds>", deps.timeoutHelp, deps.seconds, 900)
        .action(async (options, command: Command) => {
            const ctx = deps.fleetContext(command);
            const settings = { region: ctx.region, profile: deps.profile(command), ...deps.retries };
            const clients = { backup: new BackupClient(settings), ec2: new EC2Client(settings) };
            const opts = { instance: options.instance as string | undefined, json: options.json === true };
            await deps.run(options.timeout, (run) => restorePoints(ctx, clients, opts, run, deps.io));
        });
}
