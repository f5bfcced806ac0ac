/**
 * Stack config: the only module that reads `pulumi.Config`.
 *
 * `readLabConfig()` collects this project's keys from the running stack and hands them to
 * `parseLabConfig()`, a pure function that validates everything at once and returns the
 * fully-defaulted `LabConfig`. Any problem throws a `ConfigError` listing every bad key, its
 * value and what is allowed, before a single resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { labSchema, ParsedLabConfig } from "./schema";

export * from "./schema";

/** The project name: the namespace of every config key (`oe-lab-ipm:network`). */
export const PROJECT = "oe-lab-ipm";

/** The fully-defaulted config of one stack. */
export interface LabConfig extends Omit<ParsedLabConfig, "patching" | "inventory" | "maintenanceWindow" | "alerts"> {
    /** The Pulumi stack name (`test`, `prod`). */
    readonly stack: string;
    readonly patching: ParsedLabConfig["patching"] & { readonly patchGroup: string; readonly baselineName: string };
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

/** Validates raw config (keys without the project namespace) and fills every default. */
export function parseLabConfig(raw: Record<string, unknown>, context: ConfigContext): LabConfig {
    const result = labSchema.safeParse(raw);
    if (!result.success) {
        throw new ConfigError(context.stack, result.error.issues.flatMap((issue) => describeIssue(issue, raw)));
    }
    const parsed = result.data;
    return {
        ...parsed,
        stack: context.stack,
        patching: {
            ...parsed.patching,
            patchGroup: parsed.patching.patchGroup ?? `Critical-${parsed.workload}`,
            baselineName: parsed.patching.baselineName ?? `AmazonLinuxSecAndNonSecBaseline-${parsed.workload}`,
        },
        inventory: { ...parsed.inventory, associationName: parsed.inventory.associationName ?? `InventoryAllInstances-${parsed.workload}` },
        maintenanceWindow: { ...parsed.maintenanceWindow, windowName: parsed.maintenanceWindow.windowName ?? `Patch${parsed.workload}WorkloadWebServers` },
        alerts: { ...parsed.alerts, topicName: parsed.alerts.topicName ?? `AdminAlert-${parsed.workload}` },
    };
}

/** Keys whose value is a structured object (JSON-encoded by the Pulumi CLI). */
const STRUCTURED_KEYS = new Set(Object.keys(labSchema.innerType().shape).filter((key) => key !== "workload"));

/** Reads this project's keys from the running stack's config and parses them. */
export function readLabConfig(): LabConfig {
    const raw: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
        const [namespace, key] = splitKey(fullKey);
        if (namespace !== PROJECT) {
            continue; // provider config such as aws:region is the provider's business
        }
        if (!STRUCTURED_KEYS.has(key)) {
            raw[key] = value;
            continue;
        }
        try {
            raw[key] = JSON.parse(value);
        } catch {
            problems.push(`${PROJECT}:${key} = ${JSON.stringify(value)}: must be an object (set it with 'pulumi config set --path ${key}.<field> <value>')`);
        }
    }
    const stack = pulumi.getStack();
    if (problems.length > 0) {
        throw new ConfigError(stack, problems);
    }
    return parseLabConfig(raw, { stack });
}

function splitKey(fullKey: string): [string, string] {
    const colon = fullKey.indexOf(":");
    return [fullKey.slice(0, colon), fullKey.slice(colon + 1)];
}

// ---------------------------------------------------------------------------------------------
// Error messages: `oe-lab-ipm:network.sourceCidr = "0.0.0.0/0": <what is allowed>`.

function describeIssue(issue: z.ZodIssue, input: unknown): string[] {
    if (issue.code === z.ZodIssueCode.unrecognized_keys) {
        const container = valueAt(input, issue.path);
        return issue.keys.map((key) => line([...issue.path, key], (container as Record<string, unknown>)[key], issue.message));
    }
    return [line(issue.path, valueAt(input, issue.path), issue.message)];
}

function line(path: (string | number)[], value: unknown, message: string): string {
    const key = `${PROJECT}:${path.join(".")}`;
    const shown = value === undefined ? "(unset)" : JSON.stringify(value);
    return `${key} = ${shown}: ${message}`;
}

function valueAt(root: unknown, path: (string | number)[]): unknown {
    return path.reduce<unknown>((node, key) => (node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined), root);
}
