/**
 * Sample Resource Data Sync output, written the way a sync writes it: one file per node and
 * inventory type at `<prefix>/<Type>/accountid=<id>/region=<region>/resourcetype=ManagedInstanceInventory/<node>.json`
 * ("Walkthrough: Use resource data sync to aggregate inventory data", the key layout), one JSON
 * record per line (`SyncFormat` `JsonSerDe`), keys in AWS's casing (the inventory types' attribute
 * names: AWS:InstanceInformation, AWS:PatchSummary as InstancePatchState, AWS:ComplianceItem,
 * AWS:Application, AWS:Tag), counts as text in one account and as numbers in the other.
 *
 * The fleet: account 111111111111 in ap-northeast-1 (two active nodes and one terminated one, whose
 * file the sync keeps), account 222222222222 in us-east-1 (one active node, and one healthy node
 * whose inventory has not changed for 30 days: the agent then sends only the content hash,
 * PutInventory keeps the old content, and its synced capture time stays 30 days old).
 */
import * as fs from "fs";
import * as path from "path";

export const PREFIX = "inventory";
const DAY = 24 * 3600 * 1000;
const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");

export interface SampleNode {
    readonly account: string;
    readonly region: string;
    readonly id: string;
    readonly status: "Active" | "Terminated";
    readonly daysSinceSeen: number;
    readonly patchGroup: string;
    /** Non-compliant patches: id, classification, the baseline's compliance level, the vendor's severity, state. */
    readonly patches: readonly (readonly [
        string,
        string,
        string,
        string,
        "Missing" | "Failed" | "InstalledPendingReboot",
    ])[];
    readonly packages: readonly string[];
    readonly countsAsText: boolean;
}

/** Critical (compliance level) and Security (classification) overlap in the node's patches; Other is neither. */
export const NODES: readonly SampleNode[] = [
    {
        account: "111111111111",
        region: "ap-northeast-1",
        id: "i-0aaaaaaaaaaaaaaa1",
        status: "Active",
        daysSinceSeen: 0,
        patchGroup: "Critical",
        patches: [
            ["ALAS2023-2026-001", "Security", "CRITICAL", "Critical", "Missing"],
            ["ALAS2023-2026-002", "Security", "CRITICAL", "Important", "Missing"],
            ["ALAS2023-2026-003", "Bugfix", "CRITICAL", "Medium", "Missing"],
            ["ALAS2023-2026-004", "Enhancement", "MEDIUM", "Low", "Failed"],
        ],
        packages: ["openssl", "curl"],
        countsAsText: true,
    },
    {
        account: "111111111111",
        region: "ap-northeast-1",
        id: "i-0aaaaaaaaaaaaaaa2",
        status: "Active",
        daysSinceSeen: 1,
        patchGroup: "Critical",
        patches: [],
        packages: ["openssl"],
        countsAsText: true,
    },
    {
        account: "111111111111",
        region: "ap-northeast-1",
        id: "i-0aaaaaaaaaaaaaaa3",
        status: "Terminated",
        daysSinceSeen: 3,
        patchGroup: "Critical",
        patches: [["ALAS2023-2026-001", "Security", "CRITICAL", "Critical", "Missing"]],
        packages: ["openssl"],
        countsAsText: true,
    },
    {
        account: "222222222222",
        region: "us-east-1",
        id: "i-0bbbbbbbbbbbbbbb1",
        status: "Active",
        daysSinceSeen: 0,
        patchGroup: "Critical-Prod",
        patches: [["USN-7000-1", "Security", "MEDIUM", "High", "InstalledPendingReboot"]],
        packages: ["OpenSSL"],
        countsAsText: false,
    },
    {
        account: "222222222222",
        region: "us-east-1",
        id: "i-0bbbbbbbbbbbbbbb2",
        status: "Active",
        daysSinceSeen: 30,
        patchGroup: "Critical-Prod",
        patches: [["USN-7001-1", "Security", "CRITICAL", "High", "Missing"]],
        packages: ["openssl"],
        countsAsText: false,
    },
];

function records(node: SampleNode, now: Date): Record<string, Record<string, unknown>[]> {
    const seen = iso(new Date(now.getTime() - node.daysSinceSeen * DAY));
    const common = { ResourceId: node.id, CaptureTime: seen, SchemaVersion: "1.0" };
    const count = (value: number) => (node.countsAsText ? String(value) : value);
    const state = (s: string) => node.patches.filter((p) => p[4] === s).length;
    const critical = node.patches.filter((p) => p[2] === "CRITICAL").length;
    const security = node.patches.filter((p) => p[1] === "Security").length;
    return {
        "AWS:InstanceInformation": [
            {
                ...common,
                AgentType: "amazon-ssm-agent",
                AgentVersion: "3.3.1142.0",
                ComputerName: `ip-10-0-0-${node.id.slice(-1)}.internal`,
                InstanceId: node.id,
                InstanceStatus: node.status,
                IpAddress: `10.0.0.${node.id.slice(-1)}`,
                PlatformName: "Amazon Linux",
                PlatformType: "Linux",
                PlatformVersion: "2023",
                ResourceType: "EC2Instance",
            },
        ],
        "AWS:PatchSummary": [
            {
                ...common,
                PatchGroup: node.patchGroup,
                BaselineId: "pb-0123456789abcdef0",
                SnapshotId: "4b4c2d9e-0000-4000-8000-000000000000",
                InstalledCount: count(180),
                InstalledOtherCount: count(0),
                InstalledPendingRebootCount: count(state("InstalledPendingReboot")),
                InstalledRejectedCount: count(0),
                NotApplicableCount: count(900),
                MissingCount: count(state("Missing")),
                FailedCount: count(state("Failed")),
                CriticalNonCompliantCount: count(critical),
                SecurityNonCompliantCount: count(security),
                OtherNonCompliantCount: count(
                    node.patches.filter((p) => p[2] !== "CRITICAL" && p[1] !== "Security").length,
                ),
                OperationType: "Scan",
                OperationStartTime: seen,
                OperationEndTime: seen,
                RebootOption: "NoReboot",
            },
        ],
        "AWS:ComplianceItem": node.patches.map(([id, classification, severity, patchSeverity, patchState]) => ({
            ...common,
            ComplianceType: "Patch",
            ExecutionId: "f6d2b0c1-0000-4000-8000-000000000000",
            ExecutionType: "Command",
            ExecutionTime: seen,
            Id: id,
            Title: `${id} advisory`,
            Status: "NON_COMPLIANT",
            Severity: severity,
            Classification: classification,
            PatchBaselineId: "pb-0123456789abcdef0",
            PatchSeverity: patchSeverity,
            PatchState: patchState,
            PatchGroup: node.patchGroup,
        })),
        "AWS:Tag": [{ ...common, Key: "Patch Group", Value: node.patchGroup }],
        "AWS:Application": node.packages.map((name) => ({
            ...common,
            Name: name,
            Version: "3.0.8",
            Release: "1.amzn2023",
            Architecture: "x86_64",
        })),
    };
}

/** Writes the sample fleet's sync files under `root` (the bucket), as of `now`. */
export function writeSyncFiles(root: string, now: Date): void {
    for (const node of NODES) {
        for (const [type, rows] of Object.entries(records(node, now))) {
            if (rows.length === 0) continue;
            const dir = path.join(
                root,
                PREFIX,
                type,
                `accountid=${node.account}`,
                `region=${node.region}`,
                "resourcetype=ManagedInstanceInventory",
            );
            fs.mkdirSync(dir, { recursive: true });
            fs.writeFileSync(
                path.join(dir, `${node.id}.json`),
                rows.map((row) => JSON.stringify(row)).join("\n") + "\n",
            );
        }
    }
}
