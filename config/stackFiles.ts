/**
 * The stack files, read as the Pulumi CLI assembles a stack's config: the values declared in
 * Pulumi.yaml, overridden key by key by Pulumi.<stack>.yaml, then by explicit overrides. Used
 * wherever the program's config is needed without the Pulumi CLI: the offline plan, the specs and
 * the operations commands.
 */
import * as fs from "fs";
import * as path from "path";
import { LabConfig, labConfigFromCli, PROJECT } from "./index";
import { configReference } from "./reference";
import { cliConfigString, parsePulumiYaml, YamlError } from "./stackYaml";
import { didYouMean } from "./suggest";

/**
 * The config namespaces a stack file may use: the project's and the providers the program uses
 * (the Pulumi CLI passes `aws:*` to the AWS provider and `awsx:*` to awsx; `pulumi:*` is the
 * engine's own, e.g. pulumi:tags). Any other namespace is read by nobody: a typo.
 */
export const CONFIG_NAMESPACES = [PROJECT, "aws", "awsx", "pulumi"] as const;

/** The stacks with a Pulumi.<stack>.yaml in the folder. */
export function stackNames(projectDir = PROJECT_ROOT): string[] {
    return fs
        .readdirSync(projectDir)
        .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/** The folder of Pulumi.yaml, whether this runs from config/ (ts-node) or bin/config/ (compiled). */
export const PROJECT_ROOT = findProjectRoot(__dirname);

function findProjectRoot(from: string): string {
    for (let dir = from; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
        if (path.dirname(dir) === dir) throw new Error(`no Pulumi.yaml above ${from}`);
    }
}

/**
 * Config overrides: a top-level key (`workload`) or a path into an object key (`network.sourceCidr`). Undefined
 * deletes.
 */
export type ConfigOverrides = Record<string, unknown>;

interface ProjectConfigDeclaration {
    type?: string;
    default?: unknown;
    value?: unknown;
}

/** A stack or project file that is missing or unreadable: a user error, reported without a stack trace. */
export class StackFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackFileError";
    }
}

/** A Pulumi project or stack file: only its `config` map matters here. */
interface ConfigFile {
    config?: Record<string, unknown>;
}

/** Pulumi.yaml or a stack file, read as the Pulumi CLI reads it (config/stackYaml.ts). */
function readYaml(file: string): ConfigFile {
    try {
        const document = parsePulumiYaml(fs.readFileSync(file, "utf8"));
        return (document ?? {}) as ConfigFile;
    } catch (error) {
        if (!(error instanceof YamlError)) throw error;
        throw new StackFileError(yamlProblem(file, error));
    }
}

/**
 * Where and what, as an editor jumps to it (`file:line:column`, where our parser found it: yaml.v3's
 * own "yaml: line N" can name the line a construct started on instead), and the problem in the
 * Pulumi CLI's words where it has them (config/stackYaml.ts `YAML_V3_WORDS`).
 */
export function yamlProblem(file: string, error: YamlError): string {
    const what = error.message.split("\n")[0];
    return error.line === undefined
        ? `${file} is not valid YAML: ${what}`
        : `${file}:${error.line}:${error.column}: not valid YAML: ${what}`;
}

/** Any YAML file read exactly as the stack files are (the fleet's targets file, say). */
export function readYamlFile(file: string): unknown {
    if (!fs.existsSync(file)) throw new StackFileError(`No file ${file}`);
    return readYaml(file);
}

function qualify(key: string): string {
    return key.includes(":") ? key : `${PROJECT}:${key}`;
}

/**
 * The stack's config as fully-qualified keys and plain values: Pulumi.yaml, then Pulumi.<stack>.yaml, then overrides.
 */
export function loadStackConfig(
    stack: string,
    overrides: ConfigOverrides = {},
    projectDir = PROJECT_ROOT,
): Record<string, unknown> {
    const stackFile = path.join(projectDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) {
        const stacks = stackNames(projectDir);
        throw new StackFileError(
            `No stack file ${stackFile}: a stack named "${stack}" needs a Pulumi.${stack}.yaml beside Pulumi.yaml. ` +
                (stacks.length === 0
                    ? "There is no stack file here."
                    : `The stacks here: ${stacks.join(", ")}.${didYouMean(stack, stacks)}`),
        );
    }
    const values: Record<string, unknown> = {};
    const required: string[] = [];
    const declared = readYaml(path.join(projectDir, "Pulumi.yaml")).config ?? {};
    for (const [key, declaration] of Object.entries(declared)) {
        const d = declaration as ProjectConfigDeclaration;
        if (d !== null && typeof d === "object" && ("value" in d || "type" in d)) {
            // The CLI takes default over value when both are set (pkg/workspace/config.go mergeConfig).
            if ("default" in d) values[qualify(key)] = d.default;
            else if ("value" in d) values[qualify(key)] = d.value;
            else required.push(qualify(key));
        } else {
            values[qualify(key)] = declaration;
        }
    }
    const stackValues = readYaml(stackFile).config ?? {};
    // A stack file's keys carry their namespace (oe-lab-ipm:workload, aws:region); the Pulumi CLI refuses any without.
    const bare = Object.keys(stackValues).filter((key) => !/^[^:]+:[^:]/.test(key));
    if (bare.length > 0) {
        throw new StackFileError(
            `Pulumi.${stack}.yaml: config key${bare.length === 1 ? "" : "s"} without a namespace: ${bare.map((k) => `"${k}" (write ${qualify(k)})`).join(", ")}; the Pulumi CLI refuses such a stack file.`,
        );
    }
    const strangers = Object.keys(stackValues).filter(
        (key) => !(CONFIG_NAMESPACES as readonly string[]).includes(key.split(":")[0]),
    );
    if (strangers.length > 0) {
        const why = (key: string) => {
            const namespace = key.split(":")[0];
            return `  - ${key}: namespace "${namespace}" is neither this project's nor a provider's it uses (${CONFIG_NAMESPACES.join(", ")}).${didYouMean(namespace, CONFIG_NAMESPACES)}`;
        };
        throw new StackFileError(
            `Pulumi.${stack}.yaml: config ${strangers.length === 1 ? "key" : "keys"} nothing would read (a typo?):\n${strangers.map(why).join("\n")}`,
        );
    }
    Object.assign(values, stackValues);
    for (const key of required.filter((k) => !(k in values))) {
        throw new StackFileError(
            `Stack '${stack}' is missing configuration value '${key}' (Pulumi.yaml declares it without a default).`,
        );
    }
    for (const [dotted, value] of Object.entries(overrides)) {
        setPath(values, dotted, value);
    }
    return values;
}

function setPath(values: Record<string, unknown>, dotted: string, value: unknown): void {
    const [top, ...rest] = dotted.split(".");
    const key = qualify(top);
    if (rest.length === 0) {
        if (value === undefined) delete values[key];
        else values[key] = value;
        return;
    }
    // A path into a key the stack file leaves out starts from that key's default, as `fleet.groups.0.count=60` means
    // the lab's groups with 60 web servers.
    const root = structuredClone((values[key] ?? schemaDefault(top) ?? {}) as Record<string, unknown>);
    let node = root;
    rest.slice(0, -1).forEach((part, i) => {
        node = (node[part] ??= structuredClone(
            schemaDefault([top, ...rest.slice(0, i + 1)].join(".")) ?? {},
        )) as Record<string, unknown>;
    });
    const last = rest[rest.length - 1];
    if (value === undefined) delete node[last];
    else node[last] = value;
    values[key] = root;
}

/** The schema's default of a key below the namespace (`fleet.groups`), if it has one. */
function schemaDefault(dotted: string): unknown {
    return configReference().find((k) => k.key === dotted)?.default;
}

/**
 * The strings the program gets for a stack's config (PULUMI_CONFIG), as the CLI makes them from
 * the values of its files: strings as they are, anything else as JSON (config/stackYaml.ts).
 */
export function cliConfigStrings(stack: string, values: Record<string, unknown>): Record<string, string> {
    try {
        return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, cliConfigString(value)]));
    } catch (error) {
        if (!(error instanceof YamlError)) throw error;
        throw new StackFileError(
            `Pulumi.${stack}.yaml: ${error.message}; the Pulumi CLI cannot pass such a value to the program.`,
        );
    }
}

/** A stack's validated config and region, straight from its stack file (throws ConfigError or StackFileError). */
export function readStackConfig(
    stack: string,
    options: { overrides?: ConfigOverrides; projectDir?: string } = {},
): { config: LabConfig; region: string } {
    const values = loadStackConfig(stack, options.overrides, options.projectDir);
    // The same strings and the same parsing as under `pulumi up` (config/index.ts readLabConfig).
    return { config: labConfigFromCli(cliConfigStrings(stack, values), stack), region: stackRegion(stack, values) };
}

/** The stack file's aws:region: the plan and the operations need it (pulumi up could take it from the environment). */
export function stackRegion(stack: string, values: Record<string, unknown>): string {
    const region = values["aws:region"];
    if (region === undefined) {
        throw new StackFileError(
            `Pulumi.${stack}.yaml sets no aws:region: the stack's region is needed to plan it and reach its resources (pulumi config set aws:region ap-northeast-1).`,
        );
    }
    // A region AWS does not have is reported with the rest of the config's problems.
    return String(region);
}
