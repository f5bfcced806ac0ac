#!/usr/bin/env node
/**
 * `npm run fleet -- <command> --targets <file>`: this project's stacks on many accounts and
 * Regions (docs/organization.md).
 *   plan                    every target's offline plan and API contract (no CLI, no credentials)
 *   preview | up | destroy  through Pulumi's Automation API, --parallel at a time
 *   matrix                  the targets as a GitHub Actions matrix
 *   accounts                the accounts and Regions for the reporting stack's config
 *   coverage                every target's EC2 instances: managed by Systems Manager or not (coverageCli.ts)
 */
import "../runtimeCheck"; // first: a runtime too old to load what follows gets a message, not a crash
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import * as path from "path";
import { MAX_REPORTING_ACCOUNTS } from "../../config";
import { readYamlFile, StackFileError } from "../../config/stackFiles";
import { EXIT, UsageError } from "../common/exit";
import { outputFileProblem, outputFolderProblem } from "../common/outputPaths";
import { refuseUnknownCommand, unknownOptionsFirst } from "../common/usage";
import { automationWorkspace, UnavailableError } from "./automation";
import { DEFAULT_SILENT_HOURS } from "../ops/coverage";
import { DEFAULT_TARGETS_AT_ONCE } from "./coverage";
import { runCoverage } from "./coverageCli";
import { githubMatrix, reportingScope } from "./matrix";
import { allSucceeded, FleetWorkspace, Operation, OPERATIONS, runFleet } from "./orchestrator";
import { planFleet, renderPlanSummary } from "./plan";
import * as fs from "fs";
import { collectRows, LiveProgress, runRows, summarize, summaryMarkdown, summaryTable } from "./progress";
import {
    fileSections,
    HEADINGS,
    inspectTargets,
    onlyTargets,
    ROLE_NAME,
    roleArnIn,
    Targets,
    TargetsError,
    unmatchedOnly,
} from "./targets";

const collect = (value: string, previous: string[]) => [...previous, ...value.split(",").filter(Boolean)];

const wholeNumber = (min: number, max: number) => (text: string) => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max)
        throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
    return n;
};

/** An output path's problem, found before any work, ends the command with exit 2. */
function usable(problem: string | undefined): void {
    if (problem !== undefined) throw new UsageError(problem);
}

interface Common {
    targets: string;
    only: string[];
}

/** Protected stacks follow the day-2 rules: destroy refuses them unless each is named. */
export function protectedProblems(targets: Targets, allowed: readonly string[]): string[] {
    return targets.targets
        .filter((t) => targets.configs.get(t.stack)?.protect === true && !allowed.includes(t.stack))
        .map(
            (t) =>
                `${t.stack}: its config sets protect (base ${t.base}); destroy it only on purpose with --destroy-protected ${t.stack}`,
        );
}

/** What a later stage could not see: the entries earlier problems left out, if any. */
function notChecked(entries: readonly string[], what: string): string | undefined {
    return entries.length === 0 ? undefined : `checked only against ${what}, not ${entries.join(", ")}`;
}

/**
 * The targets file and every later stage in one run: the file's problems, its duplicates, an
 * unmatched --only (against the entries whose account and Region are valid) and, for destroy, the
 * protected stacks (among the valid targets selected). Any problem throws one TargetsError with all.
 */
function load(options: Common, destroyProtected?: readonly string[]): Targets {
    const all = inspectTargets(readYamlFile(options.targets), options.targets);
    const sections = fileSections(all);
    // No entry at all (not a map, no targets list): there is nothing a later stage could be held against.
    if (all.located.length + all.unlocated.length === 0) throw new TargetsError(options.targets, sections);
    sections.push({
        heading: HEADINGS.only,
        problems: unmatchedOnly(all.located, options.only),
        note: notChecked(all.unlocated, "the targets whose account and Region are valid"),
    });
    const targets = { ...all, targets: onlyTargets(all.targets, options.only) };
    if (destroyProtected)
        sections.push({
            heading: HEADINGS.protect,
            problems: protectedProblems(targets, destroyProtected),
            note: notChecked(all.invalid, "the valid targets"),
        });
    const found = sections.filter((s) => s.problems.length > 0);
    if (found.length > 0) throw new TargetsError(options.targets, found);
    return { file: all.file, targets: targets.targets, configs: all.configs };
}

interface RunOptions extends Common {
    parallel: number;
    resume?: boolean;
    dir?: string;
    destroyProtected: string[];
    retries: number;
    assumeRole: boolean;
}

/** The workspace the commands use; specs replace it. */
export const runtime: { workspace: (options: { assumeRole: boolean }) => FleetWorkspace; now: () => Date } = {
    workspace: (options) => automationWorkspace(options),
    now: () => new Date(),
};

async function runOperation(operation: Operation, options: RunOptions): Promise<number> {
    const dir = options.dir ?? path.join(".fleet", operation);
    usable(outputFolderProblem(options.dir === undefined ? "the state folder" : "--dir", dir));
    const targets = load(options, operation === "destroy" ? options.destroyProtected : undefined);
    const workspace = runtime.workspace({ assumeRole: options.assumeRole });
    await workspace.preflight?.();
    const controller = new AbortController();
    const progress = new LiveProgress(operation, targets.targets);
    const interrupt = () => {
        if (controller.signal.aborted) process.exit(EXIT.interrupted);
        process.stderr.write(
            "\nCancelling the running targets (Ctrl-C again to quit at once; the state file then misses their end)...\n",
        );
        controller.abort();
    };
    process.on("SIGINT", interrupt);
    progress.start();
    try {
        const state = await runFleet({
            operation,
            targets: targets.targets,
            targetsFile: options.targets,
            workspace,
            parallel: options.parallel,
            dir,
            resume: options.resume,
            signal: controller.signal,
            retry: { attempts: options.retries + 1 },
            onEvent: (e) => progress.onEvent(e),
        });
        progress.stop();
        process.stdout.write(summarize(runRows(targets.targets, state, dir), dir));
        if (controller.signal.aborted) return EXIT.interrupted;
        return allSucceeded(state) ? 0 : EXIT.failed;
    } finally {
        process.off("SIGINT", interrupt);
    }
}

export function program(): Command {
    const cli = new Command("fleet")
        .description(
            "This project's stacks on many accounts and Regions, from one targets file (docs/organization.md).",
        )
        .showHelpAfterError()
        .exitOverride();
    const targets = (c: Command) =>
        c
            .requiredOption("-t, --targets <file>", "the targets file (see targets.example.yaml)")
            .option("--only <stack|account|region>", "only these targets (repeatable or comma-separated)", collect, []);
    targets(
        cli
            .command("plan")
            .description("Every target's offline plan and API contract: <out>/<stack>.json, <out>/summary.json"),
    )
        .requiredOption(
            "-o, --out <dir>",
            "the folder (created if missing) where the plans and summary.json go, replacing them",
        )
        .option("--no-check", "skip holding the requests against AWS's API models")
        .action(async (o: Common & { out: string; check: boolean }) => {
            usable(outputFolderProblem("--out", o.out));
            const rows = await planFleet(load(o).targets, o.out, { check: o.check });
            process.stdout.write(renderPlanSummary(rows));
            process.exitCode = rows.every((r) => r.status === "planned") ? 0 : EXIT.failed;
        });
    for (const operation of OPERATIONS) {
        targets(cli.command(operation).description(`pulumi ${operation} of every target through the Automation API`))
            .addOption(new Option("-p, --parallel <n>", "targets at once").argParser(wholeNumber(1, 256)).default(8))
            .option("--resume", "rerun only the targets the state file records as not succeeded")
            .option("--dir <dir>", `the folder for the state file, logs and summary.json (default .fleet/${operation})`)
            .addOption(
                new Option("--retries <n>", "retries of a throttled target, with backoff")
                    .argParser(wholeNumber(0, 10))
                    .default(3),
            )
            .option("--destroy-protected <stack>", "destroy this protected stack too (repeatable)", collect, [])
            .option(
                "--no-assume-role",
                "use the ambient credentials, already in the target's account (a GitHub Actions job per target)",
            )
            .action(async (o: RunOptions) => {
                process.exitCode = await runOperation(operation, o);
            });
    }
    targets(
        cli
            .command("matrix")
            .description("The targets as a GitHub Actions matrix (JSON): strategy.matrix: ${{ fromJSON(...) }}"),
    ).action((o: Common) => {
        const t = load(o);
        process.stdout.write(`${JSON.stringify(githubMatrix(t.targets, t.configs))}\n`);
    });
    targets(
        cli
            .command("accounts")
            .description(
                "The accounts and Regions of the targets, for the reporting stack's reporting.accounts and regions",
            ),
    ).action((o: Common) => {
        const scope = reportingScope(load(o).targets);
        if (scope.accounts.length > MAX_REPORTING_ACCOUNTS) {
            process.stderr.write(
                `${scope.accounts.length} accounts: a reporting stack lists at most ${MAX_REPORTING_ACCOUNTS}; set reporting.organizationId instead (docs/reporting.md)\n`,
            );
        }
        process.stdout.write(
            `  oe-lab-ipm:reporting:\n    accounts: ${JSON.stringify(scope.accounts)}\n    regions: ${JSON.stringify(scope.regions)}\n`,
        );
    });
    targets(
        cli
            .command("summary")
            .description(
                "One table of the runs whose summary.json files are under --from (the workflow's jobs); exit 1 unless all succeeded",
            ),
    )
        .requiredOption("--from <dir>", "a folder of runs: <dir>/summary.json or <dir>/*/summary.json")
        .option("--markdown <file>", "also append the table as Markdown to this file (e.g. $GITHUB_STEP_SUMMARY)")
        .action((o: Common & { from: string; markdown?: string }) => {
            if (o.markdown !== undefined) usable(outputFileProblem("--markdown", o.markdown, "summary.md"));
            const rows = collectRows(load(o).targets, o.from);
            process.stdout.write(summaryTable(rows));
            if (o.markdown) fs.appendFileSync(o.markdown, summaryMarkdown(rows));
            process.exitCode = rows.every((r) => r.status === "succeeded") ? 0 : EXIT.failed;
        });
    coverageCommand(cli, targets);
    return unknownOptionsFirst(cli);
}

interface CoverageOptions extends Common {
    parallel: number;
    role?: string;
    silentHours: number;
    json?: boolean;
    report?: string;
    timeout: number;
}

const roleName = (text: string) => {
    if (!ROLE_NAME.test(text))
        throw new InvalidArgumentError(
            `must be an IAM role name (1-64 of letters, digits and +=,.@_-), the same in every target's account, got ${JSON.stringify(text)}`,
        );
    return text;
};

function coverageCommand(cli: Command, targets: (c: Command) => Command): void {
    targets(
        cli
            .command("coverage")
            .description(
                "Every target's in-scope EC2 instances: managed by Systems Manager, silent, unmanaged (and why) or stopped, through a role assumed in each target's account",
            ),
    )
        .addOption(
            new Option("-p, --parallel <n>", "targets at once")
                .argParser(wholeNumber(1, 256))
                .default(DEFAULT_TARGETS_AT_ONCE),
        )
        .option(
            "--role <name>",
            "assume this role (e.g. a read-only one) in each target's account instead of the targets file's",
            roleName,
        )
        .addOption(
            new Option("--silent-hours <hours>", "a running managed instance not heard from for longer is silent")
                .argParser(wholeNumber(1, 8760))
                .default(DEFAULT_SILENT_HOURS),
        )
        .option("--json", "print JSON instead of a table")
        .option("--report <file>", "also write the HTML report of every target's coverage to this file")
        .addOption(
            new Option("--timeout <seconds>", "stop reading after this many seconds, as Ctrl-C does")
                .argParser(wholeNumber(1, 86400))
                .default(900),
        )
        .action(async (o: CoverageOptions) => {
            if (o.report !== undefined) usable(outputFileProblem("--report", o.report, "coverage.html"));
            const selected = load(o);
            process.exitCode = await runCoverage(selected, {
                targetsFile: o.targets,
                roleArn: (t) => (o.role ? roleArnIn(o.role, t.account, t.region) : t.roleArn),
                silentHours: o.silentHours,
                parallel: o.parallel,
                timeout: o.timeout,
                json: o.json === true,
                report: o.report,
                now: runtime.now(),
            });
        });
}

export async function main(argv: string[]): Promise<number> {
    const cli = program();
    try {
        refuseUnknownCommand(cli, argv);
        await cli.parseAsync(argv);
        return Number(process.exitCode ?? 0);
    } catch (error) {
        // commander printed the usage problem (or the help) itself.
        if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT.usage;
        if (error instanceof UnavailableError) {
            process.stderr.write(`${error.message}\n`);
            return EXIT.unavailable;
        }
        if (error instanceof UsageError) {
            process.stderr.write(`${error.message}\n`);
            return EXIT.usage;
        }
        if (error instanceof TargetsError || error instanceof StackFileError) {
            process.stderr.write(`${error.message}\n`);
            return EXIT.usage;
        }
        throw error;
    }
}

if (require.main === module) {
    main(process.argv).then(
        (code) => (process.exitCode = code),
        (error) => {
            process.stderr.write(`fleet failed unexpectedly: ${(error as Error).stack}\n`);
            process.exitCode = EXIT.internal;
        },
    );
}
