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
            if (!hasDefault) fallback = schema._def.defaultValue();
            hasDefault = true;
            required = false;
            schema = schema._def.innerType;
        } else if (schema instanceof z.ZodOptional) {
            required = false;
            schema = schema._def.innerType;
        } else if (schema instanceof z.ZodEffects) {
            schema = schema._def.schema;
        } else {
            return hasDefault ? { schema, required, default: fallback } : { schema, required };
        }
    }
}

function limits(checks: readonly { kind: string; value?: number }[] | undefined, minKind: string, maxKind: string) {
    const min = checks?.find((c) => c.kind === minKind)?.value;
    const max = checks?.find((c) => c.kind === maxKind)?.value;
    return { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
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
        const bounds = {
            ...(schema._def.minLength ? { min: schema._def.minLength.value } : {}),
            ...(schema._def.maxLength ? { max: schema._def.maxLength.value } : {}),
        };
        const item = unwrap(schema._def.type).schema;
        // A list of objects: its items' fields are keys of their own (`fleet.groups[].count`).
        const fields = item instanceof z.ZodObject ? describe(`${key}[]`, item).slice(1) : [];
        return [entry("list", bounds), ...fields];
    }
    if (schema instanceof z.ZodRecord) return [entry("map")];
    if (schema instanceof z.ZodBoolean) return [entry("boolean")];
    if (schema instanceof z.ZodString || schema instanceof z.ZodEnum) return [entry("string")];
    if (schema instanceof z.ZodNumber) {
        const whole = schema._def.checks.some((c) => c.kind === "int");
        return [
            entry(
                whole ? "integer" : "number",
                limits(schema._def.checks as { kind: string; value?: number }[], "min", "max"),
            ),
        ];
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
