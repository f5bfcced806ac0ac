/**
 * The operating systems the fleet can run, keyed by Patch Manager's `OperatingSystem` enum value.
 *
 * One setting picks an entry here; the fleet takes its AMI from the entry and the patch baseline
 * takes the key as its `operatingSystem`. A baseline for another OS than the instances run is a
 * silent no-op in AWS, so the two are derived from the same value and cannot disagree.
 */

export type Architecture = "x86_64" | "arm64";

export interface OperatingSystemSpec {
    /** The name people know it by. */
    readonly displayName: string;
    /** The public SSM parameter that holds the latest AMI id, per CPU architecture. */
    readonly amiParameter: Readonly<Record<Architecture, string>>;
    /** The package manager the web servers' user data installs httpd with. */
    readonly packageManager: "dnf" | "yum";
    /**
     * The approval-rule patch filter keys Patch Manager accepts for this OS, with their allowed
     * values (`*` is "All"); `undefined` values are open-ended (product names change over time).
     */
    readonly patchFilters: Readonly<Record<string, readonly string[] | undefined>>;
}

/** Amazon Linux 2 and 2023 share Patch Manager's filter keys and classification/severity values. */
const AMAZON_LINUX_PATCH_FILTERS = {
    PRODUCT: undefined,
    CLASSIFICATION: ["*", "Security", "Bugfix", "Enhancement", "Recommended", "Newpackage"],
    SEVERITY: ["*", "Critical", "Important", "Medium", "Low", "None"],
} as const;

export const OPERATING_SYSTEM_SPECS = {
    AMAZON_LINUX_2023: {
        displayName: "Amazon Linux 2023",
        amiParameter: {
            x86_64: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
            arm64: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
        },
        packageManager: "dnf",
        patchFilters: AMAZON_LINUX_PATCH_FILTERS,
    },
    // Amazon Linux 2 reached the end of standard support on 2026-06-30; kept for users who still run it.
    AMAZON_LINUX_2: {
        displayName: "Amazon Linux 2",
        amiParameter: {
            x86_64: "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2",
            arm64: "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-arm64-gp2",
        },
        packageManager: "yum",
        patchFilters: AMAZON_LINUX_PATCH_FILTERS,
    },
} as const satisfies Record<string, OperatingSystemSpec>;

export type OperatingSystem = keyof typeof OPERATING_SYSTEM_SPECS;

export const OPERATING_SYSTEMS = Object.keys(OPERATING_SYSTEM_SPECS) as [OperatingSystem, ...OperatingSystem[]];

/**
 * The CPU architecture of an instance type: AWS Graviton families carry a `g` after the
 * generation digit (`t4g`, `m7g`, `c7gn`, `r8gd`, `im4gn`, `is4gen`, `x2gd`, `g5g`); `a1` (the
 * first Graviton) and `p6e-gb200` (NVIDIA Grace) are arm64 without it; everything else is x86_64
 * (`g4dn` and `g5` are GPU families). tests/fleet.spec.ts lists every arm64 family of the EC2 API
 * model, so a family added by a newer model is reviewed here.
 */
const ARM64_FAMILIES = ["a1", "p6e-gb200"];
export function architectureOf(instanceType: string): Architecture {
    const family = instanceType.split(".")[0];
    return ARM64_FAMILIES.includes(family) || /^[a-z]+\d+g[a-z]*$/.test(family) ? "arm64" : "x86_64";
}

/** Why the fleet cannot run an instance type that EC2 has, or undefined. */
export function instanceTypeProblem(instanceType: string): string | undefined {
    return instanceType.startsWith("mac")
        ? "is a Mac instance type: those run only on EC2 Dedicated Hosts, which this fleet does not allocate"
        : undefined;
}

/** CreatePatchBaseline: a patch filter has 1 to 20 values of 1 to 64 characters (PatchFilterValueList). */
export const MAX_PATCH_FILTER_VALUES = 20;
export const MAX_PATCH_FILTER_VALUE_LENGTH = 64;

/** What is wrong with an approval rule's patch filters for an OS, one line per problem. */
export function patchFilterProblems(operatingSystem: OperatingSystem, filters: Record<string, readonly string[]>): string[] {
    const allowed = OPERATING_SYSTEM_SPECS[operatingSystem].patchFilters as Record<string, readonly string[] | undefined>;
    const problems: string[] = [];
    for (const [key, values] of Object.entries(filters)) {
        // Own keys only: `toString` or `__proto__` is no filter key, whatever Object.prototype holds.
        if (!Object.hasOwn(allowed, key)) {
            problems.push(`filter key ${key} is not valid for ${operatingSystem}; allowed: ${Object.keys(allowed).join(", ")}`);
            continue;
        }
        const known = allowed[key];
        const bad = values.filter((v) => known !== undefined && !known.includes(v));
        if (bad.length > 0) {
            problems.push(`${key} values ${bad.join(", ")} are not valid for ${operatingSystem}; allowed: ${known!.join(", ")}`);
        }
        if (values.length === 0 || values.length > MAX_PATCH_FILTER_VALUES) {
            problems.push(`${key} takes 1 to ${MAX_PATCH_FILTER_VALUES} values ("*" for all); it has ${values.length}`);
        }
        const badLength = values.filter((v) => v.length === 0 || v.length > MAX_PATCH_FILTER_VALUE_LENGTH);
        if (badLength.length > 0) {
            problems.push(`${key} values must be 1 to ${MAX_PATCH_FILTER_VALUE_LENGTH} characters: ${badLength.map((v) => JSON.stringify(v)).join(", ")}`);
        }
    }
    return problems;
}
