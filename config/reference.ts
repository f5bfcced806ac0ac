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
    readonly schema: z.ZodTypeAny;
    readonly required: boolean;
    readonly default?: unknown;
}

/** Strips defaults, optionals and refinements, remembering the default and whether the key may be left out. */
function unwrap(schema: z.ZodTypeAny): Unwrapped {
    let required = true;
    let fallback: unknown;
    let hasDefault = false;
    for (;;) {
        if (schema instanceof z.ZodDefault) {
            if (!hasDefault) fallback = rawDefault(schema);
            hasDefault = true;
            required = false;
            schema = schema.removeDefault();
        } else if (schema instanceof z.ZodOptional) {
            required = false;
            schema = schema.unwrap();
        } else if (schema instanceof z.ZodEffects) {
            schema = schema.innerType();
        } else {
            return hasDefault ? { schema, required, default: fallback } : { schema, required };
        }
    }
}

function limits(min: number | null | undefined, max: number | null | undefined): { min?: number; max?: number } {
    return { ...(typeof min === "number" ? { min } : {}), ...(typeof max === "number" ? { max } : {}) };
}

/*
 * zod 3 has no public getter for a default as written (parsing `undefined` applies the defaults
 * inside it too: `{}` would become a whole area) nor for a list's length limits. These two
 * functions are the only places that read zod's internals; each fails naming the internal if an
 * upgrade removes it, and tests/configReference.spec.ts calls both.
 */

/** The default as the schema states it (`{}` for an area), from `ZodDefault._def.defaultValue`. */
export function rawDefault(schema: z.ZodDefault<z.ZodTypeAny>): unknown {
    const def = schema._def as { defaultValue?: unknown };
    if (typeof def.defaultValue !== "function") {
        throw new Error(
            "zod internal ZodDefault._def.defaultValue is gone: config/reference.ts rawDefault must be adapted",
        );
    }
    return (def.defaultValue as () => unknown)();
}

/** A list's length limits, from `ZodArray._def.minLength` / `maxLength`. */
export function arrayBounds(schema: z.ZodArray<z.ZodTypeAny>): { min?: number; max?: number } {
    const def = schema._def as { minLength?: { value: number } | null; maxLength?: { value: number } | null };
    if (!("minLength" in def) || !("maxLength" in def)) {
        throw new Error(
            "zod internal ZodArray._def.minLength/maxLength is gone: config/reference.ts arrayBounds must be adapted",
        );
    }
    return limits(def.minLength?.value, def.maxLength?.value);
}

function describe(key: string, wrapped: z.ZodTypeAny): ReferenceKey[] {
    const { schema, required, ...rest } = unwrap(wrapped);
    const entry = (type: ReferenceType, extra: object = {}): ReferenceKey => ({
        key,
        type,
        required,
        ...rest,
        ...extra,
    });
    if (schema instanceof z.ZodObject) {
        const children = Object.entries(schema.shape as z.ZodRawShape).flatMap(([name, child]) =>
            describe(key ? `${key}.${name}` : name, child),
        );
        return key ? [entry("object"), ...children] : children;
    }
    if (schema instanceof z.ZodArray) {
        const bounds = arrayBounds(schema);
        const item = unwrap(schema.element).schema;
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
