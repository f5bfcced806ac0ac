/**
 * Building blocks of the stack config schema: each carries its own "what is allowed" message.
 */
import * as aws from "@pulumi/aws";
import { z } from "zod";
import { instanceTypeProblem } from "../../components/operatingSystems";
import { MAX_TAGS_PER_RESOURCE } from "../../components/validation";
import { parseIpv4Cidr } from "../../components/cidr";
import { regionProblem } from "../../components/complianceReporting";
import { STACK_TAGS, TAG } from "../lab";

// ---------------------------------------------------------------------------------------------
// Building blocks. Each one carries its own "what is allowed" message.

/** What a missing key is told: the allowed value, as a requirement. */
export const required = (allowed: string) => `is required: ${allowed.replace(/^must /, "it must ")}`;

/**
 * Every schema states what is allowed, for a missing value as for a value of the wrong type (zod 4's `error`
 * option: a missing key is an issue whose input is undefined).
 */
export const says = (allowed: string) => ({
    error: (issue: { readonly input?: unknown }) => (issue.input === undefined ? required(allowed) : allowed),
});

/** An area object: unknown keys (typos) are errors that list the allowed keys. */
export function area<T extends z.ZodRawShape>(shape: T) {
    const keys = Object.keys(shape).join(", ");
    const allowed = says(`must be an object of: ${keys}`);
    return z.strictObject(shape, {
        error: (issue) =>
            issue.code === "unrecognized_keys" ? `unknown key; allowed keys: ${keys}` : allowed.error(issue),
    });
}

export function wholeNumber(min: number, max: number) {
    const allowed = `must be a whole number from ${min} to ${max}`;
    // A number written in quotes arrives as a string. (Unquoted 010 is octal 8 to the CLI's yaml.v3, a number:
    // docs/stack-files.md.)
    // `abort`: a number that is no whole number (or past 2^53) gets one message, not the limits' too.
    return z
        .number(says(`${allowed} (written without quotes)`))
        .int({ error: allowed, abort: true })
        .min(min, allowed)
        .max(max, allowed);
}

export function text(allowed: string, pattern: RegExp) {
    return z.string(says(allowed)).regex(pattern, allowed);
}

export function flag() {
    return z.boolean(says("must be true or false"));
}

export function list<T extends z.ZodType>(item: T, allowed: string) {
    return z.array(item, says(allowed));
}

const isList = (payload: z.core.ParsePayload) => Array.isArray(payload.value);

/**
 * A list's length limit, with its message, for `.min()`: checked on a list only (zod 4 runs a length check on any
 * value with a length, after the type's own issue: a string given for a list would get both messages).
 */
export const ofList = (error: string) => ({ error, when: isList });

/**
 * A list's most items, with its message: beside its items' problems, not instead of them. zod 4's `.max()` stops
 * before the items of a longer list (zod src/v4/core/schemas.ts, capSize) and would hide their problems, so the
 * limit is a refinement, stated as JSON Schema's `maxItems` for the reference (config/reference.ts arrayBounds).
 */
export function atMost<T extends z.ZodArray>(list: T, max: number, error: string): T {
    return list
        .refine((items) => items.length <= max, { error, when: isList, params: { listLength: max } })
        .meta({ maxItems: max });
}

/** What a map of keys checked one by one may also refuse: a key by name, and the map as a whole. */
export interface MapRules {
    /** A key refused by name, and why. */
    readonly refusedKey?: { readonly key: string; readonly message: string };
    /** The map as a whole: a problem, or undefined. Not asked while a value is of the wrong type. */
    readonly whole?: (entries: Readonly<Record<string, unknown>>) => string | undefined;
}

/**
 * A map whose keys must each pass `key`, checked entry by entry in the order written (a key, then its value), then
 * as a whole. zod 4's record would leave a refused key's value unread, stop the map's own refinements at a refused
 * key, and skip an own `__proto__` key without a word (zod src/v4/core/schemas.ts, $ZodRecord); so the entries are
 * checked before the record, which then only types the result (a pipe stops at the first side's issues).
 */
export function keyedMap<V extends z.ZodType>(key: z.ZodType<string>, value: V, allowed: string, rules: MapRules = {}) {
    return z.preprocess(
        (input, ctx) => {
            // Anything but a map is the record's to refuse, with `allowed`.
            if (input === null || typeof input !== "object" || Array.isArray(input)) return input;
            const entries = input as Record<string, unknown>;
            const report = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path, message });
            let wrongType = false;
            for (const name of Object.keys(entries)) {
                if (name === rules.refusedKey?.key) {
                    report([name], rules.refusedKey.message);
                    continue;
                }
                for (const issue of key.safeParse(name).error?.issues ?? []) report([name], issue.message);
                for (const issue of value.safeParse(entries[name]).error?.issues ?? []) {
                    wrongType ||= issue.code === "invalid_type";
                    report([name, ...issue.path], issue.message);
                }
            }
            const problem = wrongType ? undefined : rules.whole?.(entries);
            if (problem) report([], problem);
            return input;
        },
        z.record(z.string(), value, says(allowed)),
    );
}

/** A string that must pass a component's own check (which returns a problem or undefined). */
export function checked(problem: (value: string) => string | undefined, typeMessage: string) {
    return z.string(says(typeMessage)).superRefine((value, ctx) => {
        const found = problem(value);
        if (found) ctx.addIssue({ code: "custom", message: found });
    });
}

export function oneOf<T extends readonly [string, ...string[]]>(values: T) {
    const allowed = `must be one of ${values.join(", ")}`;
    return z.enum(values as unknown as [T[number], ...T[number][]], says(allowed));
}

/** An IPv4 CIDR; `allowWorld` decides whether a /0 block is acceptable. */
export function ipv4Cidr(options: { minPrefix: number; maxPrefix: number; worldMessage?: string }) {
    return z.string(says("must be an IPv4 CIDR block such as 203.0.113.10/32")).superRefine((value, ctx) => {
        const parsed = parseIpv4Cidr(value);
        if (typeof parsed === "string") {
            ctx.addIssue({ code: "custom", message: parsed });
        } else if (parsed.prefix === 0 && options.worldMessage) {
            ctx.addIssue({ code: "custom", message: options.worldMessage });
        } else if (parsed.prefix < options.minPrefix || parsed.prefix > options.maxPrefix) {
            ctx.addIssue({
                code: "custom",
                message: `prefix length must be from /${options.minPrefix} to /${options.maxPrefix}`,
            });
        }
    });
}

/**
 * EC2 instance types: the AWS provider's own `InstanceType` enum (public API, already loaded by the
 * program), so `pulumi up` reads no API-model file of the tooling; a new type is known when the
 * provider is upgraded. It holds every type of botocore's `InstanceType` enum that the API contract
 * checks (tests/contract.spec.ts proves it).
 */
const INSTANCE_TYPES: ReadonlySet<string> = new Set(Object.values(aws.types.enums.ec2.InstanceType));
const INSTANCE_TYPE_MESSAGE = "must be an EC2 instance type that RunInstances accepts, such as t3.micro";
export const instanceType = checked(
    (value) => (INSTANCE_TYPES.has(value) ? instanceTypeProblem(value) : INSTANCE_TYPE_MESSAGE),
    INSTANCE_TYPE_MESSAGE,
);

/** A Region AWS has (the AWS provider's Region enum, as for aws:region: config/index.ts). */
export const awsRegion = checked(regionProblem, "must be a Region name such as ap-northeast-1");

/** AWS tag keys and values: up to 128/256 characters of letters, digits, spaces and `_.:/=+-@`. */
export const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
export const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
export const NON_EMPTY_TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u;

/**
 * The tags the program sets itself: on the stack (index.ts) and on every instance (ManagedFleet's
 * lab tags, `Name`, `InstanceRole`). A user tag of the same key would be silently overwritten, so
 * it is refused; and so is `PatchGroup`, which Patch Manager reads like `Patch Group`.
 */
export const PROGRAM_TAG_KEYS: readonly string[] = [...new Set([...Object.values(STACK_TAGS), ...Object.values(TAG)])];
export const RESERVED_TAG_KEYS = [...PROGRAM_TAG_KEYS, "PatchGroup"];
/** An instance carries every program tag besides the user's: AWS allows 50 in all. */
export const MAX_USER_TAGS = MAX_TAGS_PER_RESOURCE - PROGRAM_TAG_KEYS.length;
