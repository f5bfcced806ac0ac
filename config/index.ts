/**
 * Stack config: the only module that reads `pulumi.Config`.
 *
 * `readLabConfig()` collects this project's keys from the running stack and hands them to
 * `parseLabConfig()`, a pure function that validates everything at once and returns the
 * fully-defaulted `LabConfig`. Any problem throws a `ConfigError` listing every bad key, its
 * value and what is allowed, before a single resource is registered.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { LAB_NAMES, TAG } from "./lab";
import { CROSS_CHECKS, PartialLabConfig, ParsedLabConfig, TOP_LEVEL, valueAt } from "./schema";

export * from "./lab";
export * from "./schema";

export { PROJECT } from "./project";
import { PROJECT } from "./project";

/** The fully-defaulted config of one stack. */
export interface LabConfig extends Omit<ParsedLabConfig, "patching" | "inventory" | "maintenanceWindow" | "alerts"> {
    /** The Pulumi stack name (`test`, `prod`). */
    readonly stack: string;
    readonly patching: ParsedLabConfig["patching"] & { readonly patchGroup: string };
    readonly inventory: ParsedLabConfig["inventory"] & { readonly associationName: string };
    readonly maintenanceWindow: ParsedLabConfig["maintenanceWindow"] & { readonly windowName: string };
    readonly alerts: ParsedLabConfig["alerts"] & { readonly topicName: string };
}

/** Where the config comes from: the stack whose config it is. */
export interface ConfigContext {
    readonly stack: string;
}

/** Invalid stack config. Printed by Pulumi without a stack trace (it is a `RunError`). */
export class ConfigError extends pulumi.RunError {
    constructor(
        public readonly stack: string,
        public readonly problems: readonly string[],
    ) {
        super(
            `Invalid config for stack "${stack}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/**
 * Validates raw config (keys without the project namespace) and fills every default. Problems
 * found earlier (in reading the config) are reported with the schema's, in one error.
 */
export function parseLabConfig(
    raw: Record<string, unknown>,
    context: ConfigContext,
    earlier: readonly string[] = [],
): LabConfig {
    const { config, problems } = validateLabConfig(raw);
    if (earlier.length + problems.length > 0) {
        throw new ConfigError(context.stack, [...earlier, ...problems]);
    }
    const parsed = config as ParsedLabConfig;
    return {
        ...parsed,
        stack: context.stack,
        patching: {
            ...parsed.patching,
            patchGroup: parsed.patching.patchGroup ?? LAB_NAMES.patchGroup(parsed.workload),
        },
        inventory: {
            ...parsed.inventory,
            associationName: parsed.inventory.associationName ?? LAB_NAMES.associationName(parsed.workload),
        },
        maintenanceWindow: {
            ...parsed.maintenanceWindow,
            windowName:
                parsed.maintenanceWindow.windowName ??
                (parsed.fleet.mode === "existing" ? LAB_NAMES.existingWindowName : LAB_NAMES.windowName)(
                    parsed.workload,
                ),
        },
        alerts: { ...parsed.alerts, topicName: parsed.alerts.topicName ?? LAB_NAMES.topicName(parsed.workload) },
    };
}

/**
 * The tags that pick the stack's instances: the lab's Environment and Workload (the workload keeps
 * test and prod from both inventorying one instance: AWS then collects nothing on it), or, for an
 * existing fleet, its configured target tags. index.ts targets them; the operations commands too.
 */
export function fleetTargetTags(config: LabConfig): Record<string, string> {
    if (config.fleet.mode === "existing") return { ...config.fleet.existing!.targetTags };
    return { [TAG.environment]: config.fleet.environment, [TAG.workload]: config.workload };
}

function isObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Every problem of a raw config at once: each top-level key is parsed on its own, so one broken
 * area (or a number given as a string) hides nothing in the others; the fields of a broken area
 * that are valid still feed the cross checks.
 */
export function validateLabConfig(raw: unknown): { config: PartialLabConfig; problems: string[] } {
    if (!isObject(raw)) {
        return {
            config: {},
            problems: [
                line([], raw, `must be a map of config keys; allowed keys: ${Object.keys(TOP_LEVEL).join(", ")}`),
            ],
        };
    }
    const problems: string[] = [];
    for (const key of Object.keys(raw)) {
        if (!Object.hasOwn(TOP_LEVEL, key)) {
            problems.push(line([key], raw[key], `unknown key; allowed keys: ${Object.keys(TOP_LEVEL).join(", ")}`));
        }
    }
    const config: Record<string, unknown> = {};
    /** `area.field` of the fields that are present but broken (a cross check must not call them missing). */
    const broken = new Set<string>();
    for (const [key, schema] of Object.entries(TOP_LEVEL) as [string, z.ZodType][]) {
        const value = Object.hasOwn(raw, key) ? raw[key] : undefined;
        const result = schema.safeParse(value);
        if (result.success) {
            config[key] = result.data;
            continue;
        }
        // Issue paths start below the key parsed (zod 4's parse takes no path).
        const issues = listLengthsFirst(result.error.issues.map((issue) => ({ ...issue, path: [key, ...issue.path] })));
        problems.push(...issues.flatMap((issue) => describeIssue(issue, raw)));
        for (const issue of issues) broken.add(issue.path.slice(0, 2).join("."));
        const partial = validFields(schema, value);
        if (partial !== undefined) config[key] = partial;
    }
    for (const check of CROSS_CHECKS) {
        for (const issue of check(config as PartialLabConfig, broken, raw)) {
            problems.push(line(issue.path, valueAt(raw, issue.path), issue.message));
        }
    }
    return { config: config as PartialLabConfig, problems };
}

/** The fields of an area object that parse on their own (with their defaults), for the cross checks. */
function validFields(schema: z.ZodType, value: unknown): Record<string, unknown> | undefined {
    const inner = unwrap(schema);
    if (!(inner instanceof z.ZodObject)) return undefined;
    const area = isObject(value) ? value : {};
    const fields: Record<string, unknown> = {};
    for (const [field, fieldSchema] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
        const given = Object.hasOwn(area, field) ? area[field] : undefined;
        const result = fieldSchema.safeParse(given);
        if (result.success && result.data !== undefined) fields[field] = result.data;
        // A list of objects (fleet.groups) keeps each item's valid fields: a broken group hides nothing else.
        const list = unwrap(fieldSchema);
        if (!result.success && list instanceof z.ZodArray && Array.isArray(given)) {
            const items = given.map((item) => validFields(list.element as z.ZodType, item));
            if (items.every((item) => item !== undefined)) fields[field] = items;
        }
    }
    return fields;
}

/** A schema without its default or optional wrapper (refinements are part of the schema itself in zod 4). */
function unwrap(schema: z.ZodType): z.ZodType {
    if (schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault || schema instanceof z.ZodOptional) {
        return unwrap(schema.unwrap() as z.ZodType);
    }
    return schema;
}

/** Keys whose value is not a string: the Pulumi CLI passes them JSON-encoded (`true`, `{"vpcCidr": ...}`). */
const STRUCTURED_KEYS = new Set(Object.keys(TOP_LEVEL).filter((key) => key !== "workload"));
/** Of those, the objects: set field by field with `--path`. */
const OBJECT_KEYS = new Set([...STRUCTURED_KEYS].filter((key) => key !== "protect"));

/**
 * The AWS provider's config keys (`aws:region`, `aws:profile`, …), as @pulumi/aws declares them:
 * any other `aws:` key is a typo the provider would ignore.
 */
// aws.config is the provider's config module: its variables, and the helper requireRegion.
const AWS_CONFIG_KEYS = Object.getOwnPropertyNames(aws.config).filter(
    (k) => k !== "__esModule" && k !== "requireRegion",
);

/** The Regions AWS has: ComplianceReporting's rule, for aws:region too. */
export { regionProblem } from "../components/complianceReporting";
import { regionProblem } from "../components/complianceReporting";

/** Problems of the provider's keys in a stack's config: unknown `aws:` keys, a region AWS does not have. */
export function providerConfigProblems(values: Record<string, unknown>): string[] {
    const problems: string[] = [];
    for (const [fullKey, value] of Object.entries(values)) {
        const [namespace, key] = splitKey(fullKey);
        if (namespace !== "aws") continue;
        const root = key.split(".")[0];
        const problem = !AWS_CONFIG_KEYS.includes(root)
            ? `unknown key of the AWS provider; allowed keys: ${AWS_CONFIG_KEYS.join(", ")}`
            : root === "region"
              ? regionProblem(value)
              : undefined;
        if (problem) problems.push(`${fullKey} = ${JSON.stringify(value)}: ${problem}`);
    }
    return problems;
}

/** Reads this project's keys from the running stack's config and parses them. */
export function readLabConfig(): LabConfig {
    return labConfigFromCli(pulumi.runtime.allConfig(), pulumi.getStack());
}

/**
 * Parses a stack's config as the program gets it from the CLI: every value a string, objects and
 * non-string scalars JSON-encoded. The offline plan and the operations commands call it with the
 * strings the CLI would make (config/stackFiles.ts), so they see what `pulumi up` sees.
 */
export function labConfigFromCli(all: Readonly<Record<string, string>>, stack: string): LabConfig {
    const raw: Record<string, unknown> = {};
    // Without aws:region the provider takes the region from the environment (AWS_REGION, the profile).
    const problems: string[] = providerConfigProblems(all);
    for (const [fullKey, value] of Object.entries(all)) {
        const [namespace, key] = splitKey(fullKey);
        if (namespace !== PROJECT) {
            continue; // other providers' config is theirs
        }
        if (!STRUCTURED_KEYS.has(key)) {
            // A list or object where one string is expected arrives JSON-encoded: show it as written.
            raw[key] = /^[[{]/.test(value) ? parsedOr(value) : value;
            continue;
        }
        try {
            raw[key] = JSON.parse(value);
        } catch {
            if (OBJECT_KEYS.has(key)) {
                problems.push(
                    `${PROJECT}:${key} = ${JSON.stringify(value)}: must be an object (set it with 'pulumi config set --path ${key}.<field> <value>')`,
                );
            } else {
                raw[key] = value; // the schema says what is allowed
            }
        }
    }
    return parseLabConfig(raw, { stack }, problems);
}

function parsedOr(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

function splitKey(fullKey: string): [string, string] {
    const colon = fullKey.indexOf(":");
    return [fullKey.slice(0, colon), fullKey.slice(colon + 1)];
}

// ---------------------------------------------------------------------------------------------
// Error messages: `oe-lab-ipm:network.sourceCidr = "0.0.0.0/0": <what is allowed>`.

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string[] {
    const path = issue.path as (string | number)[];
    if (issue.code === "unrecognized_keys") {
        const container = valueAt(input, path);
        return issue.keys.map((key) =>
            line([...path, key], (container as Record<string, unknown>)[key], issue.message),
        );
    }
    return [line(path, valueAt(input, path), issue.message)];
}

/** A list's length problem: `.min()`'s, or blocks.ts atMost's. */
function isListLength(issue: z.core.$ZodIssue): boolean {
    return (
        ((issue.code === "too_small" || issue.code === "too_big") && issue.origin === "array") ||
        (issue.code === "custom" && issue.params?.listLength !== undefined)
    );
}

/**
 * A list's length problem before its items' problems, as a reader goes (zod 4 checks a list's length after its items).
 */
function listLengthsFirst(issues: z.core.$ZodIssue[]): z.core.$ZodIssue[] {
    const ordered: z.core.$ZodIssue[] = [];
    for (const issue of issues) {
        const within = (other: z.core.$ZodIssue) =>
            other.path.length > issue.path.length && issue.path.every((part, i) => other.path[i] === part);
        const first = isListLength(issue) ? ordered.findIndex(within) : -1;
        if (first >= 0) ordered.splice(first, 0, issue);
        else ordered.push(issue);
    }
    return ordered;
}

function line(path: readonly (string | number)[], value: unknown, message: string): string {
    const key = path.length === 0 ? `${PROJECT} config` : `${PROJECT}:${path.join(".")}`;
    const shown = value === undefined ? "(unset)" : JSON.stringify(value);
    return `${key} = ${shown}: ${message}`;
}
