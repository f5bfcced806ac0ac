/**
 * The plan of a stack: what an offline evaluation registered, in a stable shape. The JSON form is
 * sorted everywhere and carries no timestamps, so two plans of the same sources are byte-identical
 * and two plans of different sources can be diffed.
 */
import { RecordedResource, StackRun } from "./evaluate";

export interface PlanResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** False for component resources. */
    readonly custom: boolean;
    readonly parent?: string;
    readonly dependencies: readonly string[];
    readonly inputs: Record<string, any>;
}

export interface Plan {
    readonly stack: string;
    readonly region: string;
    /** Sorted by URN. */
    readonly resources: readonly PlanResource[];
    /** Resources to create per type, sorted by type (this project's own components are not counted). */
    readonly counts: Readonly<Record<string, number>>;
    readonly outputs: Readonly<Record<string, unknown>>;
}

/** The package of this project's components (`oelab:fleet:ManagedFleet`). */
export const COMPONENT_PACKAGE = "oelab";

export function buildPlan(run: StackRun): Plan {
    const resources = [...run.resources].map(toPlanResource).sort((a, b) => compare(a.urn, b.urn));
    const counts: Record<string, number> = {};
    // A remote component (awsx's Vpc) counts as one: what it expands into is decided by its provider at deployment.
    for (const r of resources.filter((r) => r.custom || !r.type.startsWith(`${COMPONENT_PACKAGE}:`))) {
        counts[r.type] = (counts[r.type] ?? 0) + 1;
    }
    return { stack: run.stack, region: run.region, resources, counts: sortKeys(counts), outputs: run.outputs };
}

function toPlanResource(r: RecordedResource): PlanResource {
    return { urn: r.urn, type: r.type, name: r.name, custom: r.custom, parent: r.parent, dependencies: [...r.dependencies].sort(compare), inputs: r.inputs };
}

/** Code-point order: the same everywhere, whatever the locale. */
export function compare(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
    return Object.fromEntries(Object.entries(record).sort(([a], [b]) => compare(a, b)));
}

/** JSON with every object's keys sorted (arrays keep their order), two-space indented, newline-terminated. */
export function stableJson(value: unknown): string {
    return `${JSON.stringify(value, (_key, v) => (v !== null && typeof v === "object" && !Array.isArray(v) ? sortKeys(v as Record<string, unknown>) : v), 2)}\n`;
}

/** The type's last segment: `aws:ec2/instance:Instance` -> `Instance`. */
export function shortType(type: string): string {
    return type.split(":").pop()!;
}
