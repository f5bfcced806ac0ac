#!/usr/bin/env node
/**
 * `npm run plan -- --stack test`: what a stack will create, offline. Evaluates the real program
 * with the stack's real config under the mocks the specs use (tools/plan/evaluate.ts), with marked
 * placeholders for what only exists after deployment, and prints the plan; optionally writes it
 * as stable JSON and as a Mermaid diagram, and (`--check`) holds every request it would send
 * against AWS's API models (contract/).
 */
import "../runtimeCheck"; // first: a runtime too old to load what follows gets a message, not a crash
import { Command, CommanderError, InvalidArgumentError } from "commander";
import * as fs from "fs";
import { ConfigError } from "../../config";
import { renderDiagram } from "./diagram";
import { StackFileError } from "../../config/stackFiles";
import { checkContract, formatViolation } from "../contract";
import { MODELS_SOURCE } from "../contract/models";
import { evaluateStack, mockAmiArchitecture, RecordedResource } from "./evaluate";
import { buildPlan, stableJson } from "./model";
import { renderPlan } from "./render";
import { staleBuildWarning } from "./staleBuild";
import { parsePulumiYaml } from "../../config/stackYaml";
import { EXIT } from "../common/exit";
import { outputFileProblem } from "../common/outputPaths";
import { unknownOptionsFirst } from "../common/usage";

interface Options {
    stack: string;
    json?: string;
    diagram?: string;
    quiet?: boolean;
    check?: boolean;
    config: Record<string, unknown>;
    projectDir?: string;
}

/** `--config fleet.groups.0.count=20`: a path as `pulumi config set --path` takes it, and a YAML value. */
function configOption(text: string, previous: Record<string, unknown>): Record<string, unknown> {
    const eq = text.indexOf("=");
    if (eq <= 0) {
        throw new InvalidArgumentError(
            `expected <key>=<value>, e.g. fleet.groups.0.count=20, got ${JSON.stringify(text)}`,
        );
    }
    // The value as a stack file would hold it (YAML as the Pulumi CLI reads it).
    let value: unknown;
    try {
        value = parsePulumiYaml(text.slice(eq + 1));
    } catch (error) {
        throw new InvalidArgumentError(
            `${text}: the value is not YAML the Pulumi CLI reads: ${(error as Error).message.split("\n")[0]}`,
        );
    }
    return { ...previous, [text.slice(0, eq)]: value };
}

export function program(): Command {
    const cli = new Command("plan")
        .description("Show what a stack will create, offline: no Pulumi CLI, no AWS credentials, no network.")
        .requiredOption("-s, --stack <name>", "the stack whose Pulumi.<name>.yaml to plan (test, prod, ...)")
        .option("--json <file>", "write the whole desired state as stable, sorted JSON (an existing file is replaced)")
        .option("--diagram <file>", "write a Mermaid diagram of the stack (an existing file is replaced)")
        .option(
            "-c, --config <key=value>",
            "override a config value, e.g. fleet.groups.0.count=20 (repeatable)",
            configOption,
            {},
        )
        .option("--project-dir <dir>", "the folder with Pulumi.yaml and the stack files (default: this project)")
        .option(
            "--check",
            "also hold every request the stack would send against AWS's API models; exit 1 on a violation",
        )
        .option("-q, --quiet", "print nothing but errors (for scripts)")
        .allowExcessArguments(false)
        .showHelpAfterError()
        .exitOverride()
        .action(() => undefined); // the work is main's; the action lets the preAction hook check --stack
    return unknownOptionsFirst(cli);
}

/** A progress line on a terminal, only once evaluation has taken long enough to need one. */
function progress(recorded: RecordedResource[], stack: string, enabled: boolean): () => void {
    if (!enabled || !process.stderr.isTTY) return () => undefined;
    const started = Date.now();
    const timer = setInterval(() => {
        if (Date.now() - started >= 1000) {
            process.stderr.write(`\rEvaluating stack "${stack}" offline: ${recorded.length} resources registered...`);
        }
    }, 250);
    return () => {
        clearInterval(timer);
        if (Date.now() - started >= 1000) process.stderr.write("\r\x1b[K");
    };
}

/**
 * The API contract needs realistic values (ids and ARNs of the right shape, not placeholders):
 * a second, realistic evaluation of the same config.
 */
async function checkRequests(options: Options): Promise<number> {
    const run = await evaluateStack(options.stack, [], {
        overrides: options.config,
        projectDir: options.projectDir,
        values: "realistic",
    });
    const violations = checkContract(run, { amiArchitecture: mockAmiArchitecture });
    if (violations.length === 0) {
        if (!options.quiet)
            process.stdout.write(
                `\nAPI contract: every request of the ${buildPlan(run).toCreate} resources to create passes AWS's API models (${MODELS_SOURCE}).\n`,
            );
        return 0;
    }
    process.stderr.write(
        `\nAPI contract (${MODELS_SOURCE}): ${violations.length} violation${violations.length === 1 ? "" : "s"}:\n${violations.map((v) => `  - ${formatViolation(v)}`).join("\n")}\n`,
    );
    return EXIT.failed;
}

/** The problems with --json and --diagram, before any work. */
function outputProblems(options: Options): string[] {
    return [
        options.json === undefined ? undefined : outputFileProblem("--json", options.json, `${options.stack}.json`),
        options.diagram === undefined
            ? undefined
            : outputFileProblem("--diagram", options.diagram, `${options.stack}.mmd`),
    ].filter((p): p is string => p !== undefined);
}

export async function main(argv: string[]): Promise<number> {
    let options: Options;
    try {
        options = program().parse(argv).opts<Options>();
    } catch (error) {
        // commander printed the usage problem (or the help) itself.
        if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT.usage;
        throw error;
    }
    const problems = outputProblems(options);
    if (problems.length > 0) {
        process.stderr.write(`${problems.join("\n")}\n`);
        return EXIT.usage;
    }
    const recorded: RecordedResource[] = [];
    const done = progress(recorded, options.stack, !options.quiet);
    try {
        const run = await evaluateStack(options.stack, recorded, {
            overrides: options.config,
            projectDir: options.projectDir,
            values: "placeholder",
        });
        done();
        const plan = buildPlan(run);
        if (options.json) fs.writeFileSync(options.json, stableJson(plan));
        if (options.diagram) fs.writeFileSync(options.diagram, renderDiagram(plan));
        if (!options.quiet) process.stdout.write(renderPlan(plan));
        return options.check ? await checkRequests(options) : 0;
    } catch (error) {
        done();
        if (error instanceof ConfigError || error instanceof StackFileError) {
            process.stderr.write(`${error.message}\n`);
            return EXIT.usage;
        }
        throw error;
    }
}

if (require.main === module) {
    const stale = staleBuildWarning();
    if (stale) process.stderr.write(stale);
    main(process.argv).then(
        (code) => (process.exitCode = code),
        (error) => {
            process.stderr.write(`plan failed unexpectedly: ${(error as Error).stack}\n`);
            process.exitCode = EXIT.internal;
        },
    );
}
