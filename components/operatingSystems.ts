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
}

export const OPERATING_SYSTEM_SPECS = {
    AMAZON_LINUX_2023: {
        displayName: "Amazon Linux 2023",
        amiParameter: {
            x86_64: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
            arm64: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
        },
        packageManager: "dnf",
    },
    // Amazon Linux 2 reached the end of standard support on 2026-06-30; kept for users who still run it.
    AMAZON_LINUX_2: {
        displayName: "Amazon Linux 2",
        amiParameter: {
            x86_64: "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2",
            arm64: "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-arm64-gp2",
        },
        packageManager: "yum",
    },
} as const satisfies Record<string, OperatingSystemSpec>;

export type OperatingSystem = keyof typeof OPERATING_SYSTEM_SPECS;

export const OPERATING_SYSTEMS = Object.keys(OPERATING_SYSTEM_SPECS) as [OperatingSystem, ...OperatingSystem[]];

/**
 * The CPU architecture of an instance type: AWS Graviton families carry a `g` after the
 * generation digit (`t4g`, `m7g`, `c7gn`, `r8gd`); everything else the fleet may use is x86_64.
 */
export function architectureOf(instanceType: string): Architecture {
    return /^[a-z]+\d+g[a-z]*\./.test(instanceType) ? "arm64" : "x86_64";
}
