/**
 * The operating systems a fleet can run, and what Patch Manager makes of each. Plain data and pure
 * functions, shared by ManagedFleet (AMI, user data, instance types) and PatchingPolicy (one
 * baseline per OS, with the approval rules that OS supports), without either importing the other.
 *
 * Patch Manager (API reference, PatchRule and PatchFilter): `ApproveAfterDays` and
 * `ApproveUntilDate` are "not supported for Debian Server or Ubuntu Server" (and one of them is
 * required for every other OS); `EnableNonSecurity` "applies to Linux managed nodes only"; each OS
 * has its own filter keys and values.
 */

export type Architecture = "x86_64" | "arm64";

/*
 * The enumerations are `as const` objects with a type of the same name: the form Pulumi's schema
 * inference turns into an enum for other languages (with each member's description).
 */

/** Patch Manager's `OperatingSystem` values this project makes baselines for. */
export const PatchOperatingSystem = {
    /** Amazon Linux 2023. */
    AMAZON_LINUX_2023: "AMAZON_LINUX_2023",
    /** Amazon Linux 2. */
    AMAZON_LINUX_2: "AMAZON_LINUX_2",
    /** Ubuntu Server. */
    UBUNTU: "UBUNTU",
    /** Windows Server. */
    WINDOWS: "WINDOWS",
} as const;
export type PatchOperatingSystem = (typeof PatchOperatingSystem)[keyof typeof PatchOperatingSystem];
export const PATCH_OPERATING_SYSTEMS = Object.values(PatchOperatingSystem) as [
    PatchOperatingSystem,
    ...PatchOperatingSystem[],
];

/** The compliance level Patch Manager reports for a missing patch an approval rule approves. */
export const ComplianceLevel = {
    CRITICAL: "CRITICAL",
    HIGH: "HIGH",
    MEDIUM: "MEDIUM",
    LOW: "LOW",
    INFORMATIONAL: "INFORMATIONAL",
    UNSPECIFIED: "UNSPECIFIED",
} as const;
export type ComplianceLevel = (typeof ComplianceLevel)[keyof typeof ComplianceLevel];
export const COMPLIANCE_LEVELS = Object.values(ComplianceLevel) as [ComplianceLevel, ...ComplianceLevel[]];

export interface ApprovalRule {
    /** Patch filter key to values (`*` is "All"); the keys and values the OS supports. */
    patchFilters: Record<string, string[]>;
    /** Days after release before a patch is approved, 0 to 360. Default: the policy's. Not for Ubuntu. */
    approveAfterDays?: number;
    /** The compliance level of missing patches approved by this rule. */
    complianceLevel: ComplianceLevel;
    /** Also approve non-security updates (Linux only). */
    enableNonSecurity: boolean;
}

export interface PatchOperatingSystemSpec {
    readonly displayName: string;
    /** Filter keys to their allowed values (`*` is "All"); `undefined`: open-ended (product names change over time). */
    readonly patchFilters: Readonly<Record<string, readonly string[] | undefined>>;
    /** Whether approval rules may delay approval (`ApproveAfterDays`). */
    readonly approvalDelays: boolean;
    /** Whether approval rules may approve non-security updates (`EnableNonSecurity`). */
    readonly nonSecurity: boolean;
    /** The default baseline: name (the workload is appended), description, rules, rejected patches. */
    readonly baselineName: string;
    readonly description: string;
    readonly approvalRules: readonly ApprovalRule[];
    readonly rejectedPatches: readonly string[];
}

const AMAZON_LINUX_FILTERS = {
    PRODUCT: undefined,
    CLASSIFICATION: ["*", "Security", "Bugfix", "Enhancement", "Recommended", "Newpackage"],
    SEVERITY: ["*", "Critical", "Important", "Medium", "Low", "None"],
} as const;

/** The lab's single rule: all products, classifications and severities; Critical; non-security too. */
const LAB_RULE: ApprovalRule = {
    patchFilters: { PRODUCT: ["*"], CLASSIFICATION: ["*"], SEVERITY: ["*"] },
    complianceLevel: "CRITICAL",
    enableNonSecurity: true,
};

export const PATCH_OPERATING_SYSTEM_SPECS: Readonly<Record<PatchOperatingSystem, PatchOperatingSystemSpec>> = {
    AMAZON_LINUX_2023: {
        displayName: "Amazon Linux 2023",
        patchFilters: AMAZON_LINUX_FILTERS,
        approvalDelays: true,
        nonSecurity: true,
        baselineName: "AmazonLinuxSecAndNonSecBaseline",
        description: "Amazon Linux patch baseline including security and non-security patches",
        approvalRules: [LAB_RULE],
        // Keeps an OS release upgrade (a new system-release package) from being installed.
        rejectedPatches: ["system-release.*"],
    },
    AMAZON_LINUX_2: {
        displayName: "Amazon Linux 2",
        patchFilters: AMAZON_LINUX_FILTERS,
        approvalDelays: true,
        nonSecurity: true,
        baselineName: "AmazonLinux2SecAndNonSecBaseline",
        description: "Amazon Linux 2 patch baseline including security and non-security patches",
        approvalRules: [LAB_RULE],
        rejectedPatches: ["system-release.*"],
    },
    UBUNTU: {
        displayName: "Ubuntu Server",
        patchFilters: {
            PRODUCT: undefined,
            SECTION: undefined,
            PRIORITY: ["*", "Required", "Important", "Standard", "Optional", "Extra"],
        },
        approvalDelays: false,
        nonSecurity: true,
        baselineName: "UbuntuSecAndNonSecBaseline",
        description: "Ubuntu Server patch baseline including security and non-security packages",
        approvalRules: [
            {
                patchFilters: { PRODUCT: ["*"], SECTION: ["*"], PRIORITY: ["*"] },
                complianceLevel: "CRITICAL",
                enableNonSecurity: true,
            },
        ],
        rejectedPatches: [],
    },
    WINDOWS: {
        displayName: "Windows Server",
        patchFilters: {
            PRODUCT: undefined,
            PRODUCT_FAMILY: undefined,
            CLASSIFICATION: [
                "*",
                "CriticalUpdates",
                "DefinitionUpdates",
                "Drivers",
                "FeaturePacks",
                "SecurityUpdates",
                "ServicePacks",
                "Tools",
                "UpdateRollups",
                "Updates",
                "Upgrades",
            ],
            MSRC_SEVERITY: ["*", "Critical", "Important", "Moderate", "Low", "Unspecified"],
            PATCH_SET: ["OS", "APPLICATION"],
        },
        approvalDelays: true,
        nonSecurity: false,
        baselineName: "WindowsSecAndNonSecBaseline",
        description: "Windows Server patch baseline including security and non-security updates",
        approvalRules: [
            {
                patchFilters: {
                    PRODUCT: ["*"],
                    CLASSIFICATION: ["CriticalUpdates", "SecurityUpdates", "UpdateRollups", "Updates"],
                    MSRC_SEVERITY: ["*"],
                },
                complianceLevel: "CRITICAL",
                enableNonSecurity: false,
            },
        ],
        rejectedPatches: [],
    },
};

export interface OperatingSystemSpec {
    readonly displayName: string;
    /** The public SSM parameter that holds the latest AMI id, per CPU architecture it is published for. */
    readonly amiParameter: Readonly<Partial<Record<Architecture, string>>>;
    /** The baseline that patches it. */
    readonly patchOperatingSystem: PatchOperatingSystem;
    readonly platform: "linux" | "windows";
    /** User data that installs and starts a web server serving one page naming the server. */
    readonly webServerUserData: (serverName: string) => string;
}

const linuxWebServer = (install: string[], service: string) => (serverName: string) =>
    [
        "#!/bin/bash",
        "set -euo pipefail",
        ...install,
        `systemctl enable --now ${service}`,
        `echo '<h1>OE Lab IPM: ${serverName}</h1>' > /var/www/html/index.html`,
        "",
    ].join("\n");

/** IIS, through PowerShell in EC2Launch's user data. */
const windowsWebServer = (serverName: string) =>
    [
        "<powershell>",
        "Install-WindowsFeature -Name Web-Server -IncludeManagementTools",
        `Set-Content -Path C:\\inetpub\\wwwroot\\index.html -Value '<h1>OE Lab IPM: ${serverName}</h1>'`,
        "</powershell>",
        "",
    ].join("\n");

export const OPERATING_SYSTEM_SPECS = {
    AMAZON_LINUX_2023: {
        displayName: "Amazon Linux 2023",
        amiParameter: {
            x86_64: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
            arm64: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
        },
        patchOperatingSystem: "AMAZON_LINUX_2023",
        platform: "linux",
        webServerUserData: linuxWebServer(["dnf install -y httpd"], "httpd"),
    },
    // Amazon Linux 2 reached the end of standard support on 2026-06-30; kept for users who still run it.
    AMAZON_LINUX_2: {
        displayName: "Amazon Linux 2",
        amiParameter: {
            x86_64: "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2",
            arm64: "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-arm64-gp2",
        },
        patchOperatingSystem: "AMAZON_LINUX_2",
        platform: "linux",
        webServerUserData: linuxWebServer(["yum install -y httpd"], "httpd"),
    },
    // Canonical's public parameters:
    // /aws/service/canonical/ubuntu/<product>/<release>/stable/current/<arch>/hvm/<volume>/ami-id.
    UBUNTU_24_04: {
        displayName: "Ubuntu Server 24.04 LTS",
        amiParameter: {
            x86_64: "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id",
            arm64: "/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id",
        },
        patchOperatingSystem: "UBUNTU",
        platform: "linux",
        webServerUserData: linuxWebServer(
            ["apt-get update", "DEBIAN_FRONTEND=noninteractive apt-get install -y apache2"],
            "apache2",
        ),
    },
    // Windows AMIs are x86_64 only: /aws/service/ami-windows-latest/<name>.
    WINDOWS_SERVER_2022: {
        displayName: "Windows Server 2022",
        amiParameter: { x86_64: "/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base" },
        patchOperatingSystem: "WINDOWS",
        platform: "windows",
        webServerUserData: windowsWebServer,
    },
    WINDOWS_SERVER_2025: {
        displayName: "Windows Server 2025",
        amiParameter: { x86_64: "/aws/service/ami-windows-latest/Windows_Server-2025-English-Full-Base" },
        patchOperatingSystem: "WINDOWS",
        platform: "windows",
        webServerUserData: windowsWebServer,
    },
} as const satisfies Record<string, OperatingSystemSpec>;

/** The operating systems a fleet's instances can run: each has its AMI parameters, user data and baseline. */
export const OperatingSystem = {
    /** Amazon Linux 2023 (x86_64 and arm64). */
    AMAZON_LINUX_2023: "AMAZON_LINUX_2023",
    /** Amazon Linux 2 (x86_64 and arm64). */
    AMAZON_LINUX_2: "AMAZON_LINUX_2",
    /** Ubuntu Server 24.04 LTS (x86_64 and arm64). */
    UBUNTU_24_04: "UBUNTU_24_04",
    /** Windows Server 2022, English, full (x86_64). */
    WINDOWS_SERVER_2022: "WINDOWS_SERVER_2022",
    /** Windows Server 2025, English, full (x86_64). */
    WINDOWS_SERVER_2025: "WINDOWS_SERVER_2025",
} as const;
// (Every OS has its spec: OPERATING_SYSTEM_SPECS[os] for an OperatingSystem fails to compile otherwise.)
export type OperatingSystem = (typeof OperatingSystem)[keyof typeof OperatingSystem];

export const OPERATING_SYSTEMS = Object.values(OperatingSystem) as [OperatingSystem, ...OperatingSystem[]];

/** The patch baselines a set of operating systems needs, in the order of PATCH_OPERATING_SYSTEMS. */
/** Whether a value (another language's string) names an OS the fleet components know. */
export function isOperatingSystem(value: string): value is OperatingSystem {
    return Object.hasOwn(OPERATING_SYSTEM_SPECS, value);
}

/** Whether a value names an OS Patch Manager baselines are made for here. */
export function isPatchOperatingSystem(value: string): value is PatchOperatingSystem {
    return (PATCH_OPERATING_SYSTEMS as readonly string[]).includes(value);
}

export function patchOperatingSystemsOf(systems: readonly OperatingSystem[]): PatchOperatingSystem[] {
    const needed = new Set(systems.map((os) => OPERATING_SYSTEM_SPECS[os].patchOperatingSystem));
    return PATCH_OPERATING_SYSTEMS.filter((os) => needed.has(os));
}

/**
 * The CPU architecture of an instance type: AWS Graviton families carry a `g` after the
 * generation digit (`t4g`, `m7g`, `c7gn`, `r8gd`, `im4gn`, `is4gen`, `x2gd`, `g5g`); `a1` (the
 * first Graviton) and `p6e-gb200` (NVIDIA Grace) are arm64 without it; everything else is x86_64
 * (`g4dn` and `g5` are GPU families). tests/configLimits.spec.ts lists every arm64 family of the
 * EC2 API model, so a family added by a newer model is reviewed here.
 */
const ARM64_FAMILIES = ["a1", "p6e-gb200"];
export function architectureOf(instanceType: string): Architecture {
    const family = instanceType.split(".")[0];
    return ARM64_FAMILIES.includes(family) || /^[a-z]+\d+g[a-z]*$/.test(family) ? "arm64" : "x86_64";
}

/** Types with less than the 2 GiB of memory Windows Server needs: every nano and micro, and three old ones. */
const UNDER_2_GIB = /^([a-z0-9-]+\.(nano|micro)|m1\.small|c1\.medium)$/;

/** Why the fleet cannot run an instance type, or one OS on it, or undefined. */
export function instanceTypeProblem(instanceType: string, operatingSystem?: OperatingSystem): string | undefined {
    if (instanceType.startsWith("mac"))
        return "is a Mac instance type: those run only on EC2 Dedicated Hosts, which this fleet does not allocate";
    if (operatingSystem === undefined) return undefined;
    const os = OPERATING_SYSTEM_SPECS[operatingSystem] as OperatingSystemSpec;
    const architecture = architectureOf(instanceType);
    if (os.amiParameter[architecture] === undefined)
        return `is ${architecture}, and ${os.displayName} has no ${architecture} AMI; use an x86_64 type such as t3.medium`;
    if (os.platform === "windows" && UNDER_2_GIB.test(instanceType))
        return `has less than the 2 GiB of memory ${os.displayName} needs; use t3.small or larger`;
    return undefined;
}

/**
 * CreatePatchBaseline (botocore ssm model): a rule has at most 4 patch filters (PatchFilterList), a
 * filter 1 to 20 values (PatchFilterValueList) of 1 to 64 characters (PatchFilterValue).
 */
export const MAX_PATCH_FILTERS = 4;
export const MAX_PATCH_FILTER_VALUES = 20;
export const MAX_PATCH_FILTER_VALUE_LENGTH = 64;

/** What CreatePatchBaseline refuses in a rule's filters whatever the OS: their number, values and lengths. */
export function patchFilterLimitProblems(filters: Record<string, readonly string[]>): string[] {
    const problems: string[] = [];
    const keys = Object.keys(filters);
    if (keys.length === 0 || keys.length > MAX_PATCH_FILTERS) {
        problems.push(
            `has ${keys.length} patch filters (${keys.join(", ")}); CreatePatchBaseline takes 1 to ${MAX_PATCH_FILTERS} per rule`,
        );
    }
    for (const [key, values] of Object.entries(filters)) {
        if (values.length === 0 || values.length > MAX_PATCH_FILTER_VALUES) {
            problems.push(`${key} takes 1 to ${MAX_PATCH_FILTER_VALUES} values ("*" for all); it has ${values.length}`);
        }
        const badLength = values.filter((v) => v.length === 0 || v.length > MAX_PATCH_FILTER_VALUE_LENGTH);
        if (badLength.length > 0) {
            problems.push(
                `${key} values must be 1 to ${MAX_PATCH_FILTER_VALUE_LENGTH} characters: ${badLength.map((v) => JSON.stringify(v)).join(", ")}`,
            );
        }
    }
    return problems;
}

/** What is wrong with an approval rule's patch filters for an OS (keys and values it has), one line per problem. */
export function patchFilterProblems(
    operatingSystem: PatchOperatingSystem,
    filters: Record<string, readonly string[]>,
): string[] {
    const allowed = PATCH_OPERATING_SYSTEM_SPECS[operatingSystem].patchFilters;
    const problems: string[] = [];
    for (const [key, values] of Object.entries(filters)) {
        // Own keys only: `toString` or `__proto__` is no filter key, whatever Object.prototype holds.
        if (!Object.hasOwn(allowed, key)) {
            problems.push(
                `filter key ${key} is not valid for ${operatingSystem}; allowed: ${Object.keys(allowed).join(", ")}`,
            );
            continue;
        }
        const known = allowed[key];
        const bad = values.filter((v) => known !== undefined && !known.includes(v));
        if (bad.length > 0) {
            problems.push(
                `${key} values ${bad.join(", ")} are not valid for ${operatingSystem}; allowed: ${known!.join(", ")}`,
            );
        }
    }
    return problems;
}

/** What an OS's Patch Manager refuses in a rule besides its filters: a delay on Ubuntu, non-security on Windows. */
export function approvalRuleProblems(
    operatingSystem: PatchOperatingSystem,
    rule: ApprovalRule,
    options: { limits: boolean } = { limits: true },
): string[] {
    const spec = PATCH_OPERATING_SYSTEM_SPECS[operatingSystem];
    return [
        // Config checks the limits on the rule itself (whatever the fleet), the rest per OS.
        ...(options.limits ? patchFilterLimitProblems(rule.patchFilters) : []),
        ...patchFilterProblems(operatingSystem, rule.patchFilters),
        ...(!spec.approvalDelays && rule.approveAfterDays !== undefined
            ? [
                  `approveAfterDays is not supported for ${operatingSystem} (Patch Manager approves Ubuntu packages without a delay)`,
              ]
            : []),
        ...(!spec.nonSecurity && rule.enableNonSecurity
            ? [`enableNonSecurity applies to Linux only; it must be false for ${operatingSystem}`]
            : []),
    ];
}
