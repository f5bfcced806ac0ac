/**
 * The targets file: which accounts and Regions run this project's stacks, each following a base
 * stack file (`Pulumi.<base>.yaml`) with its own overrides, deployed through a role assumed in the
 * target's account. Read with the stack files' reader (config/stackFiles.ts) and validated like
 * stack config: every problem at once, each naming the target and the key; each target's own
 * config (its base stack file plus overrides) is parsed by config/ exactly as `pulumi up` would.
 */
import { ACCOUNT_ID_PATTERN } from "../../components/complianceReporting";
import { ConfigError, LabConfig, regionProblem } from "../../config";
import { ConfigOverrides, readStackConfig, readYamlFile, StackFileError } from "../../config/stackFiles";

/** The role assumed in each target's account when the targets file names none (docs/organization.md creates it). */
export const DEFAULT_ROLE = "OeLabIpmDeployment";
/** The first part of every target's stack name: `<prefix>-<account>-<region>`. */
export const DEFAULT_STACK_PREFIX = "fleet";

/** One account and Region, resolved: what the plan and the orchestrator run. */
export interface Target {
    /** `<prefix>-<account>-<region>`, e.g. `fleet-111111111111-us-east-1`: the Pulumi stack's name. */
    readonly stack: string;
    readonly account: string;
    readonly region: string;
    /** The stack file this target follows: `Pulumi.<base>.yaml`. */
    readonly base: string;
    /** The ARN of the role the AWS provider assumes in the target's account. */
    readonly roleArn: string;
    /** Config overrides on top of the base stack file (paths as `--config` takes them), `aws:region` included. */
    readonly overrides: ConfigOverrides;
}

/** A targets file's valid targets, with the validated config of each. */
export interface Targets {
    readonly file: string;
    readonly targets: readonly Target[];
    /** Per stack name, the target's validated config (its protection, its workload). */
    readonly configs: ReadonlyMap<string, LabConfig>;
}

/** One stage's problems under a heading that says what happened, e.g. "No target matches --only". */
export interface TargetsSection {
    readonly heading: string;
    readonly problems: readonly string[];
    /** How far the stage could look, when earlier problems hid some targets from it. */
    readonly note?: string;
}

/** A targets file with problems: every stage's, at once (file, duplicates, --only, destroy's refusal). */
export class TargetsError extends Error {
    /** Every problem of every section, in order. */
    public readonly problems: readonly string[];
    constructor(
        public readonly file: string,
        public readonly sections: readonly TargetsSection[],
    ) {
        super(
            sections
                .map(
                    ({ heading, problems, note }) =>
                        `${heading} (${problems.length} problem${problems.length === 1 ? "" : "s"}${note ? `; ${note}` : ""}):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
                )
                .join("\n"),
        );
        this.name = "TargetsError";
        this.problems = sections.flatMap((s) => s.problems);
    }
}

/** The headings of the stages, in the order they are reported. */
export const HEADINGS = {
    file: (file: string) => `Invalid targets file ${file}`,
    duplicates: "Duplicate targets",
    only: "No target matches --only",
    protect: "Destroy refused: protected stacks, nothing destroyed",
} as const;

const TOP_KEYS = ["defaults", "targets"];
const DEFAULT_KEYS = ["base", "role", "config", "stackPrefix"];
const TARGET_KEYS = ["account", "region", "base", "role", "config"];
/** A stack file's name part: what `pulumi stack init` accepts (letters, digits, `-`, `_`, `.`). */
const STACK_PART = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;
/** IAM role names: 1-64 of letters, digits and `+=,.@_-` (IAM API reference, CreateRole RoleName). */
export const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

function isObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

const shown = (value: unknown) => (value === undefined ? "(unset)" : JSON.stringify(value));

/** The partition a Region belongs to: the role ARN's first field. */
export function partitionOf(region: string): string {
    return region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}

/** The stack name of an account and Region: predictable, so the state of a target is found again. */
export function stackName(account: string, region: string, prefix = DEFAULT_STACK_PREFIX): string {
    return `${prefix}-${account}-${region}`;
}

/** A role name's ARN in an account, in the partition of the Region (`fleet coverage --role`). */
export function roleArnIn(name: string, account: string, region: string): string {
    return `arn:${partitionOf(region)}:iam::${account}:role/${name}`;
}

/**
 * The role's ARN in the target's account: a role name, or an ARN that must be in that account (and
 * in the Region's partition, when the Region is known).
 */
function roleArnOf(role: string, account: string, region: string | undefined): { arn?: string; problem?: string } {
    const arn = ROLE_ARN.exec(role);
    if (arn) {
        if (arn[2] !== account)
            return { problem: `is a role in account ${arn[2]}, not in the target's account ${account}` };
        if (region && arn[1] !== partitionOf(region))
            return { problem: `is in partition ${arn[1]}, but ${region} is in ${partitionOf(region)}` };
        return { arn: role };
    }
    if (!ROLE_NAME.test(role))
        return {
            problem:
                "must be an IAM role name (1-64 of letters, digits and +=,.@_-) or a role ARN in the target's account",
        };
    return { arn: `arn:${partitionOf(region ?? "")}:iam::${account}:role/${role}` };
}

/** Problems of a `config:` map: path keys as `--config` takes them. */
function overrideProblems(where: string, config: unknown): string[] {
    if (config === undefined) return [];
    if (!isObject(config))
        return [
            `${where}.config = ${shown(config)}: must be a map of config keys (paths such as fleet.existing.targetTags.Team) to values`,
        ];
    return Object.keys(config)
        .filter((key) => key === "aws:region" || !/^([A-Za-z][\w-]*:)?[A-Za-z][\w]*(\.[\w.-]+)?$/.test(key))
        .map((key) =>
            key === "aws:region"
                ? `${where}.config.aws:region: the target's region is its own key (region), not an override`
                : `${where}.config.${key}: must be a config key or path such as patching.approveAfterDays`,
        );
}

function unknownKeys(where: string, value: Record<string, unknown>, allowed: readonly string[]): string[] {
    return Object.keys(value)
        .filter((key) => !allowed.includes(key))
        .map((key) => `${where}.${key} = ${shown(value[key])}: unknown key; allowed keys: ${allowed.join(", ")}`);
}

interface Defaults {
    base?: string;
    role: string;
    config: Record<string, unknown>;
    stackPrefix: string;
}

function readDefaults(raw: unknown, problems: string[]): Defaults {
    const defaults: Defaults = { role: DEFAULT_ROLE, config: {}, stackPrefix: DEFAULT_STACK_PREFIX };
    if (raw === undefined) return defaults;
    if (!isObject(raw)) {
        problems.push(`defaults = ${shown(raw)}: must be a map with ${DEFAULT_KEYS.join(", ")}`);
        return defaults;
    }
    problems.push(...unknownKeys("defaults", raw, DEFAULT_KEYS), ...overrideProblems("defaults", raw.config));
    if (raw.base !== undefined && (typeof raw.base !== "string" || !STACK_PART.test(raw.base))) {
        problems.push(
            `defaults.base = ${shown(raw.base)}: must name a stack file, e.g. existing for Pulumi.existing.yaml`,
        );
    } else defaults.base = raw.base as string | undefined;
    if (
        raw.role !== undefined &&
        (typeof raw.role !== "string" || !(ROLE_NAME.test(raw.role) || raw.role.startsWith("arn:")))
    ) {
        problems.push(
            `defaults.role = ${shown(raw.role)}: must be an IAM role name (1-64 of letters, digits and +=,.@_-)`,
        );
    } else if (raw.role !== undefined) defaults.role = raw.role as string;
    if (
        raw.stackPrefix !== undefined &&
        (typeof raw.stackPrefix !== "string" || !/^[A-Za-z][A-Za-z0-9_-]{0,19}$/.test(raw.stackPrefix))
    ) {
        problems.push(
            `defaults.stackPrefix = ${shown(raw.stackPrefix)}: must be 1-20 letters, digits, - and _, starting with a letter`,
        );
    } else if (raw.stackPrefix !== undefined) defaults.stackPrefix = raw.stackPrefix as string;
    if (isObject(raw.config)) defaults.config = raw.config;
    return defaults;
}

/** One entry of `targets:`, or undefined when it has problems (pushed). */
function readTarget(raw: unknown, index: number, defaults: Defaults, problems: string[]): Target | undefined {
    const label =
        isObject(raw) && typeof raw.account === "string" && typeof raw.region === "string"
            ? ` (${raw.account} ${raw.region})`
            : "";
    const where = `targets[${index}]${label}`;
    if (!isObject(raw)) {
        problems.push(
            `${where} = ${shown(raw)}: must be a map with account, region and optionally ${TARGET_KEYS.slice(2).join(", ")}`,
        );
        return undefined;
    }
    const before = problems.length;
    problems.push(...unknownKeys(where, raw, TARGET_KEYS), ...overrideProblems(where, raw.config));
    const account = typeof raw.account === "string" && ACCOUNT_ID_PATTERN.test(raw.account) ? raw.account : undefined;
    if (!account) {
        const hint =
            typeof raw.account === "number"
                ? " (quote it: YAML reads an unquoted account id as a number and drops leading zeros)"
                : "";
        problems.push(`${where}.account = ${shown(raw.account)}: must be a 12-digit AWS account id in quotes${hint}`);
    }
    const regionIssue =
        raw.region === undefined ? "is required: the target's AWS Region, e.g. us-east-1" : regionProblem(raw.region);
    if (regionIssue) problems.push(`${where}.region = ${shown(raw.region)}: ${regionIssue}`);
    const region = regionIssue ? undefined : (raw.region as string);
    const base = raw.base ?? defaults.base;
    if (typeof base !== "string" || !STACK_PART.test(base)) {
        problems.push(
            `${where}.base = ${shown(base)}: must name a stack file (e.g. existing for Pulumi.existing.yaml); set it here or in defaults.base`,
        );
    }
    const role = raw.role ?? defaults.role;
    const arn =
        typeof role !== "string"
            ? { problem: "must be an IAM role name or a role ARN in the target's account" }
            : account
              ? roleArnOf(role, account, region)
              : {};
    if (arn.problem) problems.push(`${where}.role = ${shown(role)}: ${arn.problem}`);
    if (problems.length > before || !account || !region) return undefined;
    const config = { ...defaults.config, ...((raw.config as Record<string, unknown> | undefined) ?? {}) };
    return {
        stack: stackName(account, region, defaults.stackPrefix),
        account,
        region,
        base: base as string,
        roleArn: arn.arn!,
        overrides: { ...config, "aws:region": region },
    };
}

/** An entry whose account and Region are valid: what `--only` can be checked against. */
export interface Located {
    readonly index: number;
    readonly stack: string;
    readonly account: string;
    readonly region: string;
}

/** A targets file as far as it is valid, with the problems of each stage so far. */
export interface TargetsInspection extends Targets {
    /** Problems of the file itself: keys, values, each target's config. */
    readonly problems: readonly string[];
    /** A second target in the same account and Region. */
    readonly duplicates: readonly string[];
    /** The entries (first of duplicates) whose account and Region are valid, invalid or not otherwise. */
    readonly located: readonly Located[];
    /** `targets[i]` of each entry whose account or Region is invalid: `--only` cannot be checked against it. */
    readonly unlocated: readonly string[];
    /** `targets[i]` of each entry that is not a valid target (a problem above, or a duplicate). */
    readonly invalid: readonly string[];
}

/** Duplicates from what the file says, valid or not: every problem at once, not after the first is fixed. */
function duplicatesOf(list: readonly unknown[]): { duplicates: string[]; first: Map<string, number> } {
    const first = new Map<string, number>();
    const duplicates: string[] = [];
    list.forEach((entry, i) => {
        if (!isObject(entry) || typeof entry.account !== "string" || typeof entry.region !== "string") return;
        const key = `${entry.account} ${entry.region}`;
        if (first.has(key))
            duplicates.push(
                `targets[${i}] (${key}): the same account and Region as targets[${first.get(key)}]: one stack per account and Region`,
            );
        else first.set(key, i);
    });
    return { duplicates, first };
}

/**
 * Validates a targets file's content without stopping at its problems: the file's own keys, then
 * every target's config through config/ (its base stack file, its overrides, its Region) as
 * `pulumi up` would see it. The valid targets are returned with the problems, so that the later
 * stages (`--only`, destroy's refusal) are checked in the same run.
 */
export function inspectTargets(raw: unknown, file: string, projectDir?: string): TargetsInspection {
    const problems: string[] = [];
    const empty = { file, targets: [], configs: new Map(), duplicates: [], located: [], unlocated: [], invalid: [] };
    if (!isObject(raw)) return { ...empty, problems: [`the file must be a map with ${TOP_KEYS.join(" and ")}`] };
    problems.push(...unknownKeys("(top level)", raw, TOP_KEYS));
    const defaults = readDefaults(raw.defaults, problems);
    if (!Array.isArray(raw.targets) || raw.targets.length === 0) {
        problems.push(`targets = ${shown(raw.targets)}: must be a list of at least one target (account, region, ...)`);
    }
    const list: unknown[] = Array.isArray(raw.targets) ? raw.targets : [];
    const targets = list.map((entry, i) => readTarget(entry, i, defaults, problems));
    const { duplicates, first } = duplicatesOf(list);
    const located: Located[] = [];
    const unlocated: string[] = [];
    list.forEach((entry, index) => {
        const { account, region } = isObject(entry) ? entry : {};
        if (typeof account !== "string" || !ACCOUNT_ID_PATTERN.test(account) || regionProblem(region)) {
            unlocated.push(`targets[${index}]`);
            return;
        }
        if (first.get(`${account} ${region as string}`) !== index) return;
        located.push({
            index,
            stack: stackName(account, region as string, defaults.stackPrefix),
            account,
            region: region as string,
        });
    });
    const configs = new Map<string, LabConfig>();
    const valid: Target[] = [];
    for (const [i, target] of targets.entries()) {
        if (!target || first.get(`${target.account} ${target.region}`) !== i) continue;
        try {
            configs.set(target.stack, readStackConfig(target.base, { overrides: target.overrides, projectDir }).config);
            valid.push(target);
        } catch (error) {
            if (error instanceof ConfigError)
                problems.push(
                    ...error.problems.map(
                        (p) => `targets[${i}] (${target.account} ${target.region}, base ${target.base}): ${p}`,
                    ),
                );
            else if (error instanceof StackFileError)
                problems.push(`targets[${i}] (${target.account} ${target.region}): ${error.message}`);
            else throw error;
        }
    }
    const invalid = list.map((_, i) => `targets[${i}]`).filter((_, i) => !valid.includes(targets[i]!));
    return { file, targets: valid, configs, problems, duplicates, located, unlocated, invalid };
}

/** The file's own sections: its problems, its duplicates. */
export function fileSections(inspection: TargetsInspection): TargetsSection[] {
    return [
        { heading: HEADINGS.file(inspection.file), problems: inspection.problems },
        { heading: HEADINGS.duplicates, problems: inspection.duplicates },
    ].filter((s) => s.problems.length > 0);
}

/** Parses and validates a targets file's content; any problem throws TargetsError with all of them. */
export function parseTargets(raw: unknown, file: string, projectDir?: string): Targets {
    const inspection = inspectTargets(raw, file, projectDir);
    const sections = fileSections(inspection);
    if (sections.length > 0) throw new TargetsError(file, sections);
    return { file, targets: inspection.targets, configs: inspection.configs };
}

/** Reads and validates a targets file (throws TargetsError or StackFileError). */
export function readTargets(file: string, projectDir?: string): Targets {
    return parseTargets(readYamlFile(file), file, projectDir);
}

type Selectable = Pick<Target, "stack" | "account" | "region">;
const matches = (t: Selectable, value: string) => t.stack === value || t.account === value || t.region === value;

/** The `--only` values that select none of these targets. */
export function unmatchedOnly(targets: readonly Selectable[], only: readonly string[]): string[] {
    return only
        .filter((value) => !targets.some((t) => matches(t, value)))
        .map((v) => `--only ${v}: names no target's stack, account or Region`);
}

/** The targets `--only` selects (all of them without it). */
export function onlyTargets(targets: readonly Target[], only: readonly string[]): Target[] {
    return only.length === 0 ? [...targets] : targets.filter((t) => only.some((value) => matches(t, value)));
}

/**
 * The targets `--only` selects: each value names a stack, an account or a Region. A value that
 * selects nothing is an error (a typo would otherwise run nothing and report success).
 */
export function selectTargets(targets: readonly Target[], only: readonly string[]): Target[] {
    const unmatched = unmatchedOnly(targets, only);
    if (unmatched.length > 0) throw new TargetsError("--only", [{ heading: HEADINGS.only, problems: unmatched }]);
    return onlyTargets(targets, only);
}
