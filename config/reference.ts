/**
 * The config reference as the schema defines it: every key a stack file may set, its type, its
 * default and its numeric limits, read from the zod schema itself. docs/configuration.md is
 * checked against it (tests/configReference.spec.ts), so the documented reference cannot drift
 * from the defaults and limits the program applies.
 */
import { z } from "zod";
import { PATCH_OPERATING_SYSTEM_SPECS, PATCH_OPERATING_SYSTEMS } from "../components/operatingSystems";
import { labSchema } from "./schema";

export type ReferenceType = "string" | "integer" | "number" | "boolean" | "list" | "map" | "object";

export interface ReferenceKey {
    /** Below the namespace: `fleet.groups[].count`, `patching.baselines.WINDOWS.name`. */
    readonly key: string;
    readonly type: ReferenceType;
    readonly required: boolean;
    /** The schema's default, when it has one. */
    readonly default?: unknown;
    /** A whole number's or a list's inclusive limits, when the schema sets them. */
    readonly min?: number;
    readonly max?: number;
}

interface Unwrapped {
    readonly schema: z.ZodType;
    readonly required: boolean;
    readonly default?: unknown;
}

/** Strips defaults, optionals and preprocessing, remembering the default and whether the key may be left out. */
function unwrap(schema: z.ZodType): Unwrapped {
    let required = true;
    let fallback: unknown;
    let hasDefault = false;
    for (;;) {
        if (schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault) {
            if (!hasDefault) fallback = rawDefault(schema);
            hasDefault = true;
            required = false;
            schema = schema.unwrap() as z.ZodType;
        } else if (schema instanceof z.ZodOptional) {
            required = false;
            schema = schema.unwrap() as z.ZodType;
        } else if (schema instanceof z.ZodPipe) {
            // A map checked entry by entry before the record (blocks.ts keyedMap): what it accepts is the record.
            schema = schema.out as z.ZodType;
        } else {
            return hasDefault ? { schema, required, default: fallback } : { schema, required };
        }
    }
}

function limits(min: number | null | undefined, max: number | null | undefined): { min?: number; max?: number } {
    return { ...(typeof min === "number" ? { min } : {}), ...(typeof max === "number" ? { max } : {}) };
}

/*
 * Both read through zod 4's public API. A default as written comes from the schema's `def` (parsing `undefined`
 * would apply the defaults inside it too: `{}` would become a whole area); a list's length limits from its JSON
 * Schema (`minItems`/`maxItems`), as zod has no getter for them. tests/configReference.spec.ts calls both.
 */

/**
 * The default as the schema states it (`{}` for an area): `.default()`'s value, or `.prefault()`'s, which is parsed
 * like a value the user wrote.
 */
export function rawDefault(schema: z.ZodDefault | z.ZodPrefault): unknown {
    return schema.def.defaultValue;
}

/** A list's length limits (`.min()`, blocks.ts atMost), from its JSON Schema (`z.toJSONSchema`). */
export function arrayBounds(schema: z.ZodArray): { min?: number; max?: number } {
    // What JSON Schema cannot state of the items (their refinements) is left out: only the list's limits are read.
    const json = z.toJSONSchema(schema, { unrepresentable: "any" });
    return limits(json.minItems, json.maxItems);
}

function describe(key: string, wrapped: z.ZodType): ReferenceKey[] {
    const { schema, required, ...rest } = unwrap(wrapped);
    const entry = (type: ReferenceType, extra: object = {}): ReferenceKey => ({
        key,
        type,
        required,
        ...rest,
        ...extra,
    });
    if (schema instanceof z.ZodObject) {
        const children = Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([name, child]) =>
            describe(key ? `${key}.${name}` : name, child),
        );
        return key ? [entry("object"), ...children] : children;
    }
    if (schema instanceof z.ZodArray) {
        const bounds = arrayBounds(schema);
        const item = unwrap(schema.element as z.ZodType).schema;
        // A list of objects: its items' fields are keys of their own (`fleet.groups[].count`).
        const fields = item instanceof z.ZodObject ? describe(`${key}[]`, item).slice(1) : [];
        return [entry("list", bounds), ...fields];
    }
    if (schema instanceof z.ZodRecord) return [entry("map")];
    if (schema instanceof z.ZodBoolean) return [entry("boolean")];
    if (schema instanceof z.ZodString || schema instanceof z.ZodEnum) return [entry("string")];
    if (schema instanceof z.ZodNumber) {
        const finite = (v: number | null) => (v === null || Number.isFinite(v) ? v : null);
        return [entry(schema.isInt ? "integer" : "number", limits(finite(schema.minValue), finite(schema.maxValue)))];
    }
    throw new Error(`config/reference.ts does not know how to describe ${key} (${schema.constructor.name})`);
}

let reference: readonly ReferenceKey[] | undefined;

/** Every key of the config schema, areas first, in the schema's order (read from the schema once). */
export function configReference(): readonly ReferenceKey[] {
    return (reference ??= describe("", labSchema));
}

/** The rows of docs/configuration.md's per-OS table: filter keys and values, default rule and rejections. */
export function patchOperatingSystemRows(): string[] {
    const code = (v: string) => `\`${v}\``;
    return PATCH_OPERATING_SYSTEMS.map((os) => {
        const spec = PATCH_OPERATING_SYSTEM_SPECS[os];
        const filters = Object.entries(spec.patchFilters)
            .map(([key, values]) => `${code(key)}: ${values === undefined ? "any name" : values.map(code).join(", ")}`)
            .join("; ");
        const rules = spec.approvalRules
            .map(
                (r) =>
                    `${Object.entries(r.patchFilters)
                        .map(([k, v]) => `${k} ${v.join(", ")}`)
                        .join("; ")}; ${r.complianceLevel}; non-security ${r.enableNonSecurity ? "yes" : "no"}`,
            )
            .join(" / ");
        const delays = spec.approvalDelays ? "" : " (no approval delay)";
        return `| ${code(os)} | ${code(`${spec.baselineName}-<Workload>`)} | ${filters} | ${rules}${delays} | ${spec.rejectedPatches.length ? spec.rejectedPatches.map(code).join(", ") : "none"} |`;
    });
}
