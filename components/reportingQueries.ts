/**
 * The tables a Resource Data Sync fills, and the Athena queries over them: one source for the
 * Glue tables and named queries (ComplianceReporting) and for the report (`npm run ops -- report`).
 * A helper, not a component.
 *
 * Resource Data Sync writes one JSON-lines file per instance and inventory type to
 * `<prefix>/<Type>/accountid=<id>/region=<region>/resourcetype=ManagedInstanceInventory/<instance>.json`
 * ("Walkthrough: Use resource data sync to aggregate inventory data"). Every column is a string:
 * the counts arrive as text in some files, so the queries cast them with `try_cast`.
 */

/** An inventory type, the Glue table over it, and its columns (lower case: the JSON SerDe ignores case). */
export interface SyncTable {
    readonly type: string;
    readonly table: string;
    readonly columns: readonly string[];
}

const COMMON = ["resourceid", "capturetime", "schemaversion"];

export const SYNC_TABLES: readonly SyncTable[] = [
    {
        type: "AWS:InstanceInformation",
        table: "aws_instanceinformation",
        // The records carry their own `resourcetype` (EC2Instance, ManagedInstance): why `resourcetype`
        // is not a partition key here, unlike in AWS's walkthrough and what a crawler infers ("duplicate
        // column"). The path's resourcetype=ManagedInstanceInventory is fixed in the location template.
        columns: [
            "agenttype",
            "agentversion",
            "computername",
            "instanceid",
            "instancestatus",
            "ipaddress",
            "platformname",
            "platformtype",
            "platformversion",
            "resourcetype",
            ...COMMON,
        ],
    },
    {
        type: "AWS:Application",
        table: "aws_application",
        columns: [
            "name",
            "applicationtype",
            "publisher",
            "version",
            "release",
            "epoch",
            "installedtime",
            "architecture",
            "url",
            "summary",
            "packageid",
            ...COMMON,
        ],
    },
    {
        type: "AWS:ComplianceItem",
        table: "aws_complianceitem",
        columns: [
            "compliancetype",
            "executionid",
            "executiontype",
            "executiontime",
            "id",
            "title",
            "status",
            "severity",
            "documentname",
            "documentversion",
            "classification",
            "patchbaselineid",
            "patchseverity",
            "patchstate",
            "patchgroup",
            "installedtime",
            ...COMMON,
        ],
    },
    {
        type: "AWS:PatchSummary",
        table: "aws_patchsummary",
        columns: [
            "patchgroup",
            "baselineid",
            "snapshotid",
            "installedcount",
            "installedothercount",
            "installedpendingrebootcount",
            "installedrejectedcount",
            "notapplicablecount",
            "missingcount",
            "failedcount",
            "criticalnoncompliantcount",
            "securitynoncompliantcount",
            "othernoncompliantcount",
            "operationtype",
            "operationstarttime",
            "operationendtime",
            "rebootoption",
            ...COMMON,
        ],
    },
    { type: "AWS:Tag", table: "aws_tag", columns: ["key", "value", ...COMMON] },
];

/** The partition keys of every table, projected from the path (no MSCK REPAIR, no crawler). */
export const PARTITION_KEYS = ["accountid", "region"] as const;

/** The path a table's projection reads: `${accountid}` and `${region}` are filled in by Athena. */
export function locationTemplate(bucket: string, prefix: string, type: string): string {
    return `s3://${bucket}/${prefix}/${type}/accountid=\${accountid}/region=\${region}/resourcetype=ManagedInstanceInventory/`;
}

const n = (column: string) => `coalesce(try_cast(${column} AS integer), 0)`;
/** A node is non-compliant for missing, failed, pending-reboot and rejected-but-installed patches (Patch Manager). */
const NON_COMPLIANT_PATCHES = [
    "s.missingcount",
    "s.failedcount",
    "s.installedpendingrebootcount",
    "s.installedrejectedcount",
]
    .map(n)
    .join(" + ");

/**
 * A node "still reports" while the sync keeps its `AWS:InstanceInformation` record unmarked: Resource
 * Data Sync keeps the files of a deleted node with `InstanceStatus` `Terminated` ("Creating a resource
 * data sync for Inventory"). The capture time is no filter: no gatherer in the agent writes
 * AWS:InstanceInformation (amazon-ssm-agent, agent/plugins/inventory/gatherers: only the constant in
 * model/model.go), and PutInventory "doesn't update the inventory item type contents if the MD5 hash
 * hasn't changed" (InventoryItem.ContentHash), so nothing documented moves an unchanged node's capture
 * time: it is shown as `last_capture` instead (docs/reporting.md, "What the figures count").
 */
const ACTIVE = (alias: string) => `coalesce(${alias}.instancestatus, '') <> 'Terminated'`;
/** Only nodes that still report: an inner join with their instance record, not marked Terminated. */
const ACTIVE_JOIN = (alias: string) =>
    [
        `JOIN aws_instanceinformation i ON i.accountid = ${alias}.accountid AND i.region = ${alias}.region`,
        `  AND i.instanceid = ${alias}.resourceid AND ${ACTIVE("i")}`,
    ].join("\n");

/**
 * AWS:PatchSummary's counts (InstancePatchState): `critical` counts non-compliant patches whose
 * baseline compliance level is Critical, `security` those a patch advisory classes as Security;
 * the two overlap. `other` counts those that are neither. So `noncompliant - other` is "critical
 * or security", and the three disjoint parts of `noncompliant` are `security`,
 * `noncompliant - other - security` (critical level, not security) and `other`.
 */
const PER_NODE_COUNTS = [
    `${NON_COMPLIANT_PATCHES} AS noncompliant`,
    `${n("s.criticalnoncompliantcount")} AS critical_level`,
    `${n("s.securitynoncompliantcount")} AS security`,
    `${n("s.othernoncompliantcount")} AS other`,
    `${n("s.missingcount")} AS missing`,
    `${n("s.failedcount")} AS failed`,
];

/**
 * A security update by its classification: `Security` (the Linux advisories') or `SecurityUpdates`
 * (Microsoft's; its `CriticalUpdates` are non-security fixes). The vendor's severity is shown beside it.
 */
const SECURITY_PATCH = "c.classification IN ('Security', 'SecurityUpdates')";

/** A saved Athena query: its name in the console, what it answers (one sentence: its semantics), its SQL. */
export interface ReportQuery {
    readonly name: string;
    readonly description: string;
    readonly sql: string;
    /** Positional `?` parameters, in order (Athena's parameterized queries). */
    readonly parameters?: readonly string[];
}

/** The Glue table of the daily snapshots, written by the schedule's INSERT INTO (ComplianceReporting). */
export const HISTORY_TABLE = "compliance_history";
/** Its columns in order (the partition `day` comes last, as INSERT INTO requires). */
export const HISTORY_COLUMNS = [
    { name: "accountid", type: "string" },
    { name: "region", type: "string" },
    { name: "instance", type: "string" },
    { name: "patchgroup", type: "string" },
    { name: "compliant", type: "boolean" },
    { name: "noncompliant", type: "int" },
    { name: "critical_level", type: "int" },
    { name: "security", type: "int" },
    { name: "other", type: "int" },
    { name: "missing", type: "int" },
    { name: "failed", type: "int" },
] as const;
/** The days the trend query returns (today and the 29 before it). */
export const TREND_DAYS = 30;
const TODAY = "CAST(current_date AS varchar)";

/** The queries, by key. Named queries are created for every one; the report runs those it charts. */
export const REPORT_QUERIES = {
    missingSecurityUpdates: {
        name: "missing-security-updates",
        description:
            "Each patch a node that still reports lacks that is classified as a security update (Security, " +
            "SecurityUpdates), with the vendor's severity and the baseline's compliance level beside it",
        sql: [
            "SELECT c.accountid, c.region, c.resourceid AS instance, i.computername, i.platformname, c.patchgroup,",
            "       c.id AS patch, c.title, c.classification, c.patchseverity AS vendor_severity,",
            "       c.severity AS compliance_level, c.patchstate",
            "FROM aws_complianceitem c",
            ACTIVE_JOIN("c"),
            `WHERE c.compliancetype = 'Patch' AND c.status = 'NON_COMPLIANT' AND ${SECURITY_PATCH}`,
            "ORDER BY c.accountid, c.region, instance, patch",
        ].join("\n"),
    },
    missingCriticalLevel: {
        name: "missing-critical-compliance-level-patches",
        description:
            "Each patch a node that still reports lacks whose baseline compliance level is Critical (with the default " +
            "rules that is every patch, bug fixes included), with its classification beside it",
        sql: [
            "SELECT c.accountid, c.region, c.resourceid AS instance, i.computername, c.patchgroup,",
            "       c.id AS patch, c.title, c.classification, c.patchseverity AS vendor_severity, c.patchstate",
            "FROM aws_complianceitem c",
            ACTIVE_JOIN("c"),
            "WHERE c.compliancetype = 'Patch' AND c.status = 'NON_COMPLIANT' AND c.severity = 'CRITICAL'",
            "ORDER BY c.accountid, c.region, instance, patch",
        ].join("\n"),
    },
    complianceByStackAndAccount: {
        name: "compliance-by-stack-and-account",
        description:
            "Per account, Region and patch group (one per stack), over the nodes that still report: nodes, compliant " +
            "nodes, and their non-compliant patches in total, at compliance level Critical, and classed Security",
        sql: [
            "SELECT s.accountid, s.region, s.patchgroup,",
            "       count(*) AS instances,",
            `       count_if(${NON_COMPLIANT_PATCHES} = 0) AS compliant,`,
            `       sum(${NON_COMPLIANT_PATCHES}) AS noncompliant_patches,`,
            `       sum(${n("s.criticalnoncompliantcount")}) AS critical_level_patches,`,
            `       sum(${n("s.securitynoncompliantcount")}) AS security_patches`,
            "FROM aws_patchsummary s",
            ACTIVE_JOIN("s"),
            "GROUP BY s.accountid, s.region, s.patchgroup",
            "ORDER BY s.accountid, s.region, s.patchgroup",
        ].join("\n"),
    },
    instancesWithPackage: {
        name: "instances-with-package",
        description:
            "Which nodes that still report have a package (the parameter: its exact name, any case), at which version",
        sql: [
            "SELECT a.accountid, a.region, a.resourceid AS instance, i.computername, i.platformname,",
            "       a.name AS package, a.version, a.release",
            "FROM aws_application a",
            ACTIVE_JOIN("a"),
            "WHERE lower(a.name) = lower(?)",
            "ORDER BY a.version, a.accountid, instance",
        ].join("\n"),
        parameters: ["package name"],
    },
    compliancePerInstance: {
        name: "compliance-per-instance",
        description:
            "Each node that still reports: its patch group, OS, and non-compliant patches in total and by AWS's " +
            "counts (critical_level and security overlap; other is neither), and when its instance record was last captured",
        sql: [
            "SELECT s.accountid, s.region, s.resourceid AS instance, i.computername, i.platformname, s.patchgroup,",
            ...PER_NODE_COUNTS.map((column) => `       ${column},`),
            `       ${n("s.installedpendingrebootcount")} AS pending_reboot, ${n("s.installedcount")} AS installed,`,
            `       ${NON_COMPLIANT_PATCHES} = 0 AS compliant, s.operationendtime AS scanned,`,
            "       i.capturetime AS last_capture",
            "FROM aws_patchsummary s",
            ACTIVE_JOIN("s"),
            "ORDER BY s.accountid, s.region, s.patchgroup, instance",
        ].join("\n"),
    },
    missingBySeverity: {
        name: "missing-patches-by-severity",
        description:
            "Missing and failed patches (node and patch pairs) of nodes that still report, by the vendor's severity",
        sql: [
            "SELECT coalesce(nullif(c.patchseverity, ''), 'Unspecified') AS severity, count(*) AS missing",
            "FROM aws_complianceitem c",
            ACTIVE_JOIN("c"),
            "WHERE c.compliancetype = 'Patch' AND c.status = 'NON_COMPLIANT' AND c.patchstate IN ('Missing', 'Failed')",
            "GROUP BY 1",
            "ORDER BY missing DESC, severity",
        ].join("\n"),
    },
    topPackages: {
        name: "most-installed-packages",
        description: "The 20 packages on the most nodes that still report",
        sql: [
            "SELECT a.name AS package, count(DISTINCT a.accountid || a.region || a.resourceid) AS instances",
            "FROM aws_application a",
            ACTIVE_JOIN("a"),
            "GROUP BY a.name",
            "ORDER BY instances DESC, package",
            "LIMIT 20",
        ].join("\n"),
    },
    snapshotToday: {
        name: "compliance-history-snapshot",
        description:
            "Adds today's compliance of every node that still reports to compliance_history, once a day (the daily " +
            "schedule runs it; a second run on the same day adds nothing)",
        sql: [
            `INSERT INTO ${HISTORY_TABLE}`,
            "SELECT s.accountid, s.region, s.resourceid, s.patchgroup,",
            `       ${NON_COMPLIANT_PATCHES} = 0,`,
            ...PER_NODE_COUNTS.map((column) => `       ${column.replace(/ AS \w+$/, "")},`),
            `       ${TODAY}`,
            "FROM aws_patchsummary s",
            ACTIVE_JOIN("s"),
            `WHERE NOT EXISTS (SELECT 1 FROM ${HISTORY_TABLE} h WHERE h.day = ${TODAY})`,
        ].join("\n"),
    },
    complianceTrend: {
        name: "compliance-over-time",
        description:
            `Per day of the last ${TREND_DAYS} and per stack (account, Region, patch group): the nodes snapshotted, ` +
            "the compliant ones, and their non-compliant patches; a node written twice on a day counts once",
        // One row per node and day, whatever was written: two overlapping inserts (a manual run during the
        // nightly one) can both pass the snapshot's NOT EXISTS, and INSERT INTO only appends.
        sql: [
            "SELECT h.day, h.accountid, h.region, h.patchgroup,",
            "       count(*) AS instances, count_if(h.compliant) AS compliant,",
            "       sum(h.noncompliant) AS noncompliant_patches, sum(h.security) AS security_patches",
            "FROM (SELECT *, row_number() OVER (PARTITION BY day, accountid, region, instance",
            "                                   ORDER BY noncompliant DESC, security DESC) AS copy",
            `      FROM ${HISTORY_TABLE}`,
            `      WHERE day >= CAST(CAST(current_date - interval '${TREND_DAYS - 1}' day AS date) AS varchar)) h`,
            "WHERE h.copy = 1",
            "GROUP BY h.day, h.accountid, h.region, h.patchgroup",
            "ORDER BY h.day, h.accountid, h.region, h.patchgroup",
        ].join("\n"),
    },
} as const satisfies Record<string, ReportQuery>;

export type ReportQueryKey = keyof typeof REPORT_QUERIES;
