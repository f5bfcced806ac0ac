#!/usr/bin/env node
/**
 * `npm run ops -- <command> --stack <name>`: the lab's console operations as commands, for the
 * people who operate a deployed stack. Region, workload and tags come from the stack file; AWS
 * credentials from the standard AWS SDK chain (`--profile` and `--region` override).
 */
import "../runtimeCheck"; // first: a runtime too old to load what follows gets a message, not a crash
import { AthenaClient } from "@aws-sdk/client-athena";
import { SNSClient } from "@aws-sdk/client-sns";
import { SSMClient } from "@aws-sdk/client-ssm";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import * as fs from "fs";
import { createInterface } from "readline/promises";
import { rateControlProblem, REBOOT_OPTIONS, RebootOption } from "../../components/patchMaintenanceWindow";
import { ConfigError, LAB_NAMES } from "../../config";
import { readStackConfig, StackFileError } from "../../config/stackFiles";
import { AwsCallError, describeAwsError, EXIT, OpsError } from "./aws";
import { compliance } from "./compliance";
import { DEFAULT_SILENT_HOURS, readCoverage } from "./coverage";
import { coverageClients, printCoverage, reportCoverageOf } from "./coverageCli";
import { StackContext } from "./fleet";
import { inventory } from "./inventory";
import { notifyTest } from "./notify";
import { Io } from "./output";
import { staleBuildWarning } from "../plan/staleBuild";
import { outputFileProblem } from "../common/outputPaths";
import { refuseUnknownCommand } from "../common/usage";
import { readSummary } from "./perInstance";
import { athenaReport, demoReport, ReportData, ssmReport } from "./report";
import { headline } from "./reportCoverage";
import { renderReport } from "./reportHtml";
import { withUnread } from "./reportUnread";
import { PollDelays, Run } from "./run";
import { runPatchBaseline } from "./runPatchBaseline";
import { restorePointsCommand, runbookInstallPlan } from "./runbookCli";

/** What the commands need from their surroundings; the specs pass their own. */
export interface Environment {
    readonly io: Io;
    /** Whether a person is at a terminal to answer the install prompt. */
    readonly interactive: boolean;
    ask(question: string): Promise<string>;
    readonly delays: PollDelays;
    /** Aborted when the operator presses Ctrl-C: what the command started is stopped, like at --timeout. */
    readonly signal?: AbortSignal;
    /** The clock the report's date comes from. */
    now(): Date;
}

interface GlobalOptions {
    stack?: string;
    region?: string;
    profile?: string;
    projectDir?: string;
}

function rateControl(minimum: 0 | 1) {
    return (value: string) => {
        const problem = rateControlProblem(value, minimum);
        if (problem) throw new InvalidArgumentError(problem);
        return value;
    };
}

function seconds(value: string): number {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a whole number of seconds");
    return n;
}

function hours(value: string): number {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a whole number of hours");
    return n;
}

/** SDK retry settings for every read: up to 5 attempts, adaptive (slows down after throttling). */
const READ_RETRIES = { retryMode: "adaptive", maxAttempts: 5 } as const;

function context(options: GlobalOptions): StackContext {
    if (options.stack === undefined)
        throw new OpsError(
            "Which stack? Pass --stack <name> (its Pulumi.<name>.yaml gives region, workload and tags).",
            EXIT.usage,
        );
    const { config, region } = readStackConfig(options.stack, { projectDir: options.projectDir });
    const chosen = options.region ?? region;
    const client = { region: chosen, profile: options.profile };
    // Reads retry with the SDK's adaptive mode (backoff, and a client-side rate after throttling);
    // SendCommand is never retried by the SDK (sendCommand.ts).
    return {
        stack: options.stack,
        region: chosen,
        config,
        ssm: new SSMClient({ ...client, ...READ_RETRIES }),
        sender: new SSMClient({ ...client, maxAttempts: 1 }),
    };
}

/** The fleet commands act on a lab stack's instances; a reporting stack has none. */
function fleetContext(options: GlobalOptions): StackContext {
    const ctx = context(options);
    if (ctx.config.reporting)
        throw new OpsError(
            `Stack "${ctx.stack}" is a reporting stack: it has no fleet. Use report --stack ${ctx.stack}, or a lab stack.`,
            EXIT.usage,
        );
    return ctx;
}

/**
 * Runs a long command under one Run: Ctrl-C (env.signal) and --timeout stop it the same way. A read
 * cut short by the stop, before anything was started in AWS, ends with the stop's exit code.
 */
async function underRun(
    env: Environment,
    timeoutSeconds: number,
    body: (run: Run) => Promise<number>,
): Promise<number> {
    const run = new Run(env.signal, timeoutSeconds);
    try {
        return await body(run);
    } catch (error) {
        if (run.stopped && !(error instanceof OpsError))
            throw new OpsError(
                `${run.describe()} while reading: nothing was started or changed in AWS.`,
                run.exitCode(),
            );
        throw error;
    } finally {
        run.end();
    }
}

type Done = (code: number) => void;
const TIMEOUT_HELP = "stop after this many seconds, as Ctrl-C does: what the command started in AWS is stopped";

function patchCommands(root: Command, env: Environment, done: Done): void {
    const globals = (command: Command) => command.optsWithGlobals<GlobalOptions>();
    const patchCommand = (
        name: "scan" | "install",
        operation: "Scan" | "Install",
        defaults: { concurrency: string; errors: string },
    ) =>
        root
            .command(name)
            .description(
                `Run Command ${operation === "Scan" ? "AWS-RunPatchBaseline Operation=Scan (lab 5.4)" : "AWS-RunPatchBaseline Operation=Install with rate control (lab 5.6), or the stack's patch runbook (installMode Runbook),"} on the stack's fleet`,
            )
            .option("--role <role>", "only instances with this InstanceRole tag (WebServer, AppServer)")
            .option(
                "--concurrency <n>",
                "instances at a time: a count or a percentage",
                rateControl(1),
                defaults.concurrency,
            )
            .option(
                "--max-errors <n>",
                "errors allowed: Run Command stops sending when one more fails (a count or a percentage)",
                rateControl(0),
                defaults.errors,
            )
            .option("--timeout <seconds>", `${TIMEOUT_HELP} (CancelCommand)`, seconds, 3600)
            .exitOverride()
            .configureOutput({ writeOut: (t) => env.io.out(t), writeErr: (t) => env.io.err(t) });

    patchCommand("scan", "Scan", { concurrency: "100%", errors: "100%" }).action(async (options, command: Command) => {
        const ctx = fleetContext(globals(command));
        const run = {
            operation: "Scan" as const,
            role: options.role,
            maxConcurrency: options.concurrency,
            maxErrors: options.maxErrors,
            rebootOption: "NoReboot" as const,
        };
        done(await underRun(env, options.timeout, (r) => runPatchBaseline(ctx, run, r, env.delays, env.io)));
    });

    patchCommand("install", "Install", { concurrency: "1", errors: "1" })
        .addOption(
            new Option("--reboot-option <option>", "reboot when a patch needs it, or never")
                .choices([...REBOOT_OPTIONS])
                .default("RebootIfNeeded"),
        )
        .option("-y, --yes", "do not ask for confirmation (required when no terminal is attached)")
        .option("--json", "print JSON instead of a table (installMode Runbook)")
        .action(async (options, command: Command) => {
            const ctx = fleetContext(globals(command));
            // installMode Runbook: the stack's own runbook, with the stack's rate controls unless given here.
            const runbook = runbookInstallPlan(ctx, options, (key) => command.getOptionValueSource(key));
            const who = options.role ? `the ${options.role} instances` : "every instance";
            if (!options.yes && !env.interactive) {
                // No script or CI job reboots a fleet unasked; the words are the Pulumi CLI's for `up` and `new`
                // without a terminal (pulumi/pulumi pkg/cmd/pulumi: "--yes must be passed in to proceed ...").
                throw new OpsError(
                    `Nothing installed: --yes must be passed in to proceed when running in non-interactive mode (no terminal to confirm at). Run again with --yes to install patches on ${who} of stack "${ctx.stack}", which may reboot them.`,
                    EXIT.usage,
                );
            }
            if (!options.yes) {
                // SendCommand's MaxErrors: "When the command fails one more time beyond the value of MaxErrors,
                // the systems stops sending the command to additional targets" (botocore ssm model).
                const answer = await env.ask(
                    runbook
                        ? runbook.question(who)
                        : `Install patches on ${who} of stack "${ctx.stack}" (${ctx.region}), ${options.concurrency} at a time, stopping when more than ${options.maxErrors} fail, ${options.rebootOption}? [y/N] `,
                );
                if (env.signal?.aborted) {
                    env.io.err("\nNothing installed (interrupted (Ctrl-C)).\n");
                    return done(EXIT.interrupted);
                }
                if (!/^y(es)?$/i.test(answer.trim())) {
                    env.io.err("Nothing installed.\n");
                    return done(EXIT.failed);
                }
            }
            if (runbook) return done(await underRun(env, options.timeout, (r) => runbook.start(r, env.delays, env.io)));
            const run = {
                operation: "Install" as const,
                role: options.role,
                maxConcurrency: options.concurrency,
                maxErrors: options.maxErrors,
                rebootOption: options.rebootOption as RebootOption,
            };
            done(await underRun(env, options.timeout, (r) => runPatchBaseline(ctx, run, r, env.delays, env.io)));
        });
}

function readCommands(root: Command, env: Environment, done: Done): void {
    const globals = (command: Command) => command.optsWithGlobals<GlobalOptions>();
    root.command("compliance")
        .description(
            "Patch compliance per instance: status, and missing, failed, pending-reboot and installed patches by severity (lab 5.5)",
        )
        .option("--json", "print JSON instead of a table")
        .option("--timeout <seconds>", TIMEOUT_HELP, seconds, 900)
        .action(async (options, command: Command) => {
            const ctx = fleetContext(globals(command));
            done(await underRun(env, options.timeout, (run) => compliance(ctx, options.json === true, run, env.io)));
        });

    root.command("coverage")
        .description(
            "Every EC2 instance in the stack's scope (--all: the account and Region): managed by Systems Manager, silent, unmanaged (and why) or stopped",
        )
        .option("--all", "every instance in the account and Region, not only the stack's")
        .option(
            "--silent-hours <hours>",
            `a running managed instance not heard from for longer is silent (default: the stack's alerts.silentAfterHours, ${DEFAULT_SILENT_HOURS} unless set)`,
            hours,
        )
        .option("--json", "print JSON instead of a table")
        .option("--timeout <seconds>", TIMEOUT_HELP, seconds, 900)
        .action(async (options, command: Command) => {
            const g = globals(command);
            const ctx = fleetContext(g);
            const clients = coverageClients(ctx, { profile: g.profile, ...READ_RETRIES });
            const silentAfterHours = options.silentHours ?? ctx.config.alerts.silentAfterHours;
            const opts = { all: options.all === true, silentAfterHours, now: env.now() };
            done(
                await underRun(env, options.timeout, async (run) => {
                    const report = await readCoverage(clients, ctx, opts, run);
                    if (run.stopped) throw new Error("stopped"); // partial reads: underRun says what stopped it
                    return printCoverage(report, options.json === true, env.io);
                }),
            );
        });

    root.command("inventory")
        .description("Inventory per instance: OS, agent version, number of applications; --app lists who has a package")
        .option("--app <name>", "which instances have this package installed, and its version")
        .option("--timeout <seconds>", TIMEOUT_HELP, seconds, 900)
        .action(async (options, command: Command) => {
            const ctx = fleetContext(globals(command));
            done(await underRun(env, options.timeout, (run) => inventory(ctx, options.app, run, env.io)));
        });

    root.command("notify-test")
        .description(
            "Publish the lab's test message (subject Test, body Hello World!) to the stack's alert topic (lab 7)",
        )
        .action(async (_options, command: Command) => {
            const g = globals(command);
            const ctx = fleetContext(g);
            done(
                await notifyTest(
                    ctx,
                    new SNSClient({ region: ctx.region, profile: g.profile, ...READ_RETRIES }),
                    env.io,
                ),
            );
        });
    restorePointsCommand(root, {
        fleetContext: (command) => fleetContext(globals(command)),
        profile: (command) => globals(command).profile,
        retries: READ_RETRIES,
        seconds,
        timeoutHelp: TIMEOUT_HELP,
        run: async (timeout, body) => done(await underRun(env, timeout, body)),
        io: env.io,
    });
    root.command("report")
        .description(
            "A self-contained HTML report with charts: a lab stack's compliance from Systems Manager, or every account's from a reporting stack's Athena tables",
        )
        .option("--demo", "from built-in sample data, without AWS (no --stack needed)")
        .option("-o, --out <file>", "where to write the report (an existing file is replaced)", "report.html")
        .option("--timeout <seconds>", `${TIMEOUT_HELP} (StopQueryExecution)`, seconds, 900)
        .action(async (options, command: Command) => {
            const problem = outputFileProblem("--out", options.out, "report.html");
            if (problem) throw new OpsError(problem, EXIT.usage);
            done(
                await underRun(env, options.timeout, (run) =>
                    report(globals(command), options.demo === true, options.out, run, env),
                ),
            );
        });
}

/** The report's data from its source, then the file; a stopped run writes no file. */
async function report(g: GlobalOptions, demo: boolean, out: string, run: Run, env: Environment): Promise<number> {
    let data: ReportData;
    let code = 0;
    if (demo) {
        data = demoReport(env.now());
    } else {
        const ctx = context(g);
        if (ctx.config.reporting) {
            const target = {
                athena: new AthenaClient({ region: ctx.region, profile: g.profile, ...READ_RETRIES }),
                workgroup: LAB_NAMES.reportingWorkgroup(ctx.config.workload),
                database: LAB_NAMES.reportingDatabase(ctx.config.workload),
            };
            data = await athenaReport(target, { run, delays: env.delays }, env.io, env.now());
        } else {
            const read = await ssmReport(ctx, run, env.io, env.now());
            const ids = read.instances.map((i) => i.id);
            code = readSummary(ids, read.outcomes, run, env.io);
            if (run.stopped)
                throw new OpsError(`No report written to ${out}: it would leave out the instances not read.`, code);
            data = {
                ...withUnread(read),
                coverage: await reportCoverageOf(ctx, { profile: g.profile, ...READ_RETRIES }, run, env),
            };
            if (run.stopped)
                throw new OpsError(`No report written to ${out}: coverage was not read whole.`, run.exitCode());
        }
    }
    try {
        fs.writeFileSync(out, renderReport(data));
    } catch (error) {
        throw new OpsError(`Could not write ${out}: ${(error as Error).message}`, EXIT.usage);
    }
    const h = headline(data.instances, data.coverage, data.unread);
    const uncovered = data.coverage ? `, ${h.uncovered} unmanaged or silent, ${h.stopped} stopped` : "";
    const unread = h.notRead ? `, ${h.notRead} not read` : "";
    env.io.out(
        `Wrote ${out}: ${h.inScope} instances, ${h.notCompliant} not compliant${uncovered}${unread} (${data.source}).\n`,
    );
    return code;
}

export function program(env: Environment, done: Done): Command {
    const root = new Command("ops")
        .description("Operate a deployed stack's fleet: patching, restore points, compliance, inventory, a test alert.")
        .option("-s, --stack <name>", "the stack (its Pulumi.<name>.yaml gives region, workload and tags)")
        .option("--region <region>", "override the stack file's aws:region")
        .option("--profile <profile>", "an AWS CLI profile (default: the standard credential chain)")
        .option("--project-dir <dir>", "the folder with Pulumi.yaml and the stack files (default: this project)")
        .showHelpAfterError()
        .configureHelp({ showGlobalOptions: true }) // `ops scan --help` shows --stack, --region, --profile
        .exitOverride()
        .configureOutput({ writeOut: (t) => env.io.out(t), writeErr: (t) => env.io.err(t) });
    patchCommands(root, env, done);
    readCommands(root, env, done);
    return root;
}

/** The --profile the command line names, for messages about its credentials. */
function profileOf(argv: string[]): string | undefined {
    const i = argv.findIndex((a) => a === "--profile" || a.startsWith("--profile="));
    return i < 0 ? undefined : argv[i].includes("=") ? argv[i].slice("--profile=".length) : argv[i + 1];
}

/** Runs a command; returns its exit code. Problems are printed as messages, never stack traces. */
export async function main(argv: string[], env: Environment): Promise<number> {
    let code = 0;
    try {
        const cli = program(env, (c) => (code = c));
        refuseUnknownCommand(cli, argv);
        await cli.parseAsync(argv);
        return code;
    } catch (error) {
        if (error instanceof CommanderError) {
            return error.exitCode === 0 ? 0 : EXIT.usage; // commander printed the usage problem itself
        }
        const problem =
            error instanceof AwsCallError
                ? describeAwsError(error, profileOf(argv))
                : error instanceof ConfigError || error instanceof StackFileError
                  ? new OpsError(error.message, EXIT.usage)
                  : error instanceof OpsError
                    ? error
                    : undefined;
        if (!problem) throw error;
        env.io.err(`${problem.message}\n`);
        return problem.exitCode;
    }
}

if (require.main === module) {
    const stale = staleBuildWarning();
    if (stale) process.stderr.write(stale);
    const cancel = new AbortController();
    const terminal: Environment = {
        io: { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) },
        interactive: process.stdin.isTTY === true && process.stdout.isTTY === true,
        async ask(question) {
            const prompt = createInterface({ input: process.stdin, output: process.stdout });
            // Ctrl-C at the prompt (readline reads it as a key on a terminal) cancels like anywhere else.
            prompt.on("SIGINT", () => cancel.abort());
            try {
                return await prompt.question(question, { signal: cancel.signal });
            } catch {
                return "";
            } finally {
                prompt.close();
            }
        },
        delays: { minDelay: 2, maxDelay: 30 },
        signal: cancel.signal,
        now: () => new Date(),
    };
    // Ctrl-C stops what the command started in AWS (CancelCommand, StopQueryExecution), like
    // --timeout; a second Ctrl-C ends the process at once (Node's default, the listener is gone).
    process.once("SIGINT", () => {
        process.stderr.write("Stopping (Ctrl-C again to quit at once)...\n");
        cancel.abort();
    });
    main(process.argv, terminal).then(
        (code) => (process.exitCode = code),
        (error) => {
            process.stderr.write(
                `ops failed unexpectedly (a bug: please report it with this trace): ${(error as Error).stack}\n`,
            );
            process.exitCode = EXIT.internal;
        },
    );
}
