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
/**
 * Patch Manager reports an instance non-compliant for missing, failed, pending-reboot and rejected-but-installed
 * patches.
 */
const NON_COMPLIANT_PATCHES = `${n("s.missingcount")} + ${n("s.failedcount")} + ${n("s.installedpendingrebootcount")} + ${n("s.installedrejectedcount")}`;
const INSTANCE_JOIN = (alias: string) =>
    `LEFT JOIN aws_instanceinformation i ON i.accountid = ${alias}.accountid AND i.region = ${alias}.region AND i.instanceid = ${alias}.resourceid`;

/** A saved Athena query: its name in the console, what it answers, its SQL (in the workgroup's database). */
export interface ReportQuery {
    readonly name: string;
    readonly description: string;
    readonly sql: string;
    /** Positional `?` parameters, in order (Athena's parameterized queries). */
    readonly parameters?: readonly string[];
}

/** The queries, by key. Named queries are created for every one; the report runs those it charts. */
export const REPORT_QUERIES = {
    missingCriticalOrSecurity: {
        name: "missing-critical-or-security-patches",
        description: "Instances missing critical or security patches, with each patch",
        sql: [
            "SELECT c.accountid, c.region, c.resourceid AS instance, i.computername, i.platformname, c.patchgroup,",
            "       c.id AS patch, c.title, c.classification, c.patchseverity, c.severity, c.patchstate",
            "FROM aws_complianceitem c",
            INSTANCE_JOIN("c"),
            "WHERE c.compliancetype = 'Patch' AND c.status = 'NON_COMPLIANT'",
            "  AND (c.severity = 'CRITICAL' OR c.patchseverity IN ('Critical', 'Important')",
            "       OR c.classification IN ('Security', 'SecurityUpdates', 'CriticalUpdates'))",
            "ORDER BY c.accountid, c.region, instance, c.patchseverity, patch",
        ].join("\n"),
    },
    complianceByStackAndAccount: {
        name: "compliance-by-stack-and-account",
        description: "Per account, region and patch group (one per stack): instances, compliant ones, missing patches",
        sql: [
            "SELECT s.accountid, s.region, s.patchgroup,",
            "       count(*) AS instances,",
            `       count_if(${NON_COMPLIANT_PATCHES} = 0) AS compliant,`,
            `       sum(${n("s.criticalnoncompliantcount")}) AS critical_missing,`,
            `       sum(${n("s.securitynoncompliantcount")}) AS security_missing,`,
            `       sum(${n("s.missingcount")}) AS missing,`,
            `       sum(${n("s.failedcount")}) AS failed`,
            "FROM aws_patchsummary s",
            "GROUP BY s.accountid, s.region, s.patchgroup",
            "ORDER BY s.accountid, s.region, s.patchgroup",
        ].join("\n"),
    },
    instancesWithPackage: {
        name: "instances-with-package",
        description: "Which instances run a package (the parameter: its exact name, any case), and at which version",
        sql: [
            "SELECT a.accountid, a.region, a.resourceid AS instance, i.computername, i.platformname, a.name AS package, a.version, a.release",
            "FROM aws_application a",
            INSTANCE_JOIN("a"),
            "WHERE lower(a.name) = lower(?)",
            "ORDER BY a.version, a.accountid, instance",
        ].join("\n"),
        parameters: ["package name"],
    },
    compliancePerInstance: {
        name: "compliance-per-instance",
        description: "Each instance's patch compliance: patch group, OS, and counts by state and severity",
        sql: [
            "SELECT s.accountid, s.region, s.resourceid AS instance, i.computername, i.platformname, s.patchgroup,",
            `       ${n("s.missingcount")} AS missing, ${n("s.failedcount")} AS failed,`,
            `       ${n("s.installedpendingrebootcount")} AS pending_reboot, ${n("s.installedcount")} AS installed,`,
            `       ${n("s.criticalnoncompliantcount")} AS critical, ${n("s.securitynoncompliantcount")} AS security, ${n("s.othernoncompliantcount")} AS other,`,
            `       ${NON_COMPLIANT_PATCHES} = 0 AS compliant, s.operationendtime AS scanned`,
            "FROM aws_patchsummary s",
            INSTANCE_JOIN("s"),
            "ORDER BY s.accountid, s.region, s.patchgroup, instance",
        ].join("\n"),
    },
    missingBySeverity: {
        name: "missing-patches-by-severity",
        description: "Missing patches (instance and patch pairs) by the vendor's severity",
        sql: [
            "SELECT coalesce(nullif(c.patchseverity, ''), 'Unspecified') AS severity, count(*) AS missing",
            "FROM aws_complianceitem c",
            "WHERE c.compliancetype = 'Patch' AND c.status = 'NON_COMPLIANT' AND c.patchstate IN ('Missing', 'Failed')",
            "GROUP BY 1",
            "ORDER BY missing DESC",
        ].join("\n"),
    },
    topPackages: {
        name: "most-installed-packages",
        description: "The 20 packages on the most instances",
        sql: [
            "SELECT a.name AS package, count(DISTINCT a.accountid || a.resourceid) AS instances",
            "FROM aws_application a",
            "GROUP BY a.name",
            "ORDER BY instances DESC, package",
            "LIMIT 20",
        ].join("\n"),
    },
} as const satisfies Record<string, ReportQuery>;

export type ReportQueryKey = keyof typeof REPORT_QUERIES;
