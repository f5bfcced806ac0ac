import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accessLogBucket, denyInsecureTransport, hardenedBucket, SYNC_PREFIX, syncWriteStatements } from "./buckets";
import { complianceHistory } from "./complianceHistory";
import { queryWorkgroup, resultsBucket, savedQueries } from "./reportingWorkgroup";
import { locationTemplate, PARTITION_KEYS, SYNC_TABLES } from "./reportingQueries";
import { ArgumentError, countProblem, fieldProblem } from "./validation";
import { componentToken, withFormerToken } from "./tokens";

export { REPORT_QUERIES, SYNC_TABLES } from "./reportingQueries";

/** The key prefix of the sync bucket's access logs in the log bucket. */
export const ACCESS_LOG_PREFIX = "sync/";
/** The key prefix member stacks' Resource Data Syncs write under. */
export const DEFAULT_SYNC_PREFIX = SYNC_PREFIX;
/**
 * Athena's BytesScannedCutoffPerQuery: at least 10,485,760 bytes (the AWS provider's minimum, above
 * the API model's 10,000,000), and a 64-bit integer (the provider's type; the API's Long).
 */
export const MIN_BYTES_SCANNED_CUTOFF = 10_485_760;
/** The largest 64-bit integer, as text (a JavaScript number cannot hold it exactly). */
export const MAX_BYTES_SCANNED_CUTOFF = "9223372036854775807";
/** CreateResourceDataSync's `Prefix`: at most 256 characters (ResourceDataSyncS3Prefix). */
export const MAX_SYNC_PREFIX_LENGTH = 256;
/** PutBucketPolicy: a bucket policy is at most 20 KB. */
export const MAX_BUCKET_POLICY_BYTES = 20 * 1024;
/** Days the daily compliance snapshots are kept (a year and a month: this month against last year's). */
export const DEFAULT_HISTORY_RETENTION_DAYS = 400;
/** Days the sync bucket's access logs are kept. */
export const DEFAULT_ACCESS_LOG_RETENTION_DAYS = 365;
/** 1 GiB per query: a fleet's inventory is megabytes; a runaway query costs at most half a cent ($5 per TB). */
export const DEFAULT_BYTES_SCANNED_CUTOFF = 1024 ** 3;
export const DEFAULT_RESULT_RETENTION_DAYS = 30;
/** A sync rewrites each instance's files as inventory changes: old versions go after this many days. */
export const DEFAULT_NONCURRENT_DAYS = 30;

/** A 12-digit account id; an AWS Organizations id `o-` and 10 to 32 lower-case letters or digits. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
export const ORGANIZATION_ID_PATTERN = /^o-[a-z0-9]{10,32}$/;
/** A Region name such as ap-northeast-1 (partition projection's enum values, and the sync's Region). */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** Every Region of every partition (aws, aws-cn, aws-us-gov, …): the AWS provider's own `Region` enum. */
const AWS_REGIONS: ReadonlySet<string> = new Set(Object.values(aws.Region));

/** Why a Region is not one AWS has, or undefined: the AWS provider's Regions, in every partition. */
/**
 * The JSON SerDe of the sync tables: Hive's (`org.apache.hive.hcatalog.data.JsonSerDe`). It matches
 * the records' PascalCase keys to the lower-case columns (HCatSchema lowercases both names), reads a
 * count written as a number into a `string` column as its text, and skips keys the table does not
 * declare (apache/hive, hcatalog/core: JsonSerDe, HCatSchema).
 */
export const SYNC_SERDE = "org.apache.hive.hcatalog.data.JsonSerDe";

export function regionProblem(region: unknown): string | undefined {
    const known = typeof region === "string" && AWS_REGIONS.has(region);
    return known
        ? undefined
        : "must be an AWS region such as ap-northeast-1 (one the AWS provider's Region enum lists)";
}
/** Glue database names Athena reads without quoting: lower-case letters, digits and `_`, at most 255. */
export const DATABASE_NAME_PATTERN = /^[a-z0-9_]{1,255}$/;
/** CreateWorkGroup: 1-128 letters, digits, `.`, `_` and `-`. */
export const WORKGROUP_NAME_PATTERN = /^[a-zA-Z0-9._-]{1,128}$/;

export interface ComplianceReportingArgs {
    /**
     * The Glue database of the synced tables, like `oe_lab_ipm_reporting`. Lower-case letters, digits, `_`. Required.
     */
    databaseName: string;
    /** The Athena workgroup, like `oe-lab-ipm-Reporting`. Required. */
    workgroupName: string;
    /**
     * The accounts whose Resource Data Syncs may write to the bucket (each only under its own
     * `accountid=` prefix), and whose data the tables project; at least one. Default: the stack's own account.
     */
    accounts?: pulumi.Input<string>[];
    /**
     * An AWS Organizations id: then any account of the organization may write (AWS's organization
     * bucket policy, member syncs set `destinationDataSharing`). The tables still project `accounts`.
     */
    organizationId?: string;
    /** The Regions whose syncs the tables project; at least one. Default: the stack's own Region. */
    regions?: pulumi.Input<string>[];
    /** The key prefix the syncs write under. Default `inventory`. */
    syncPrefix?: string;
    /** Bytes one query may scan before Athena cancels it. Default 1 GiB; 10,485,760 to a 64-bit integer. */
    bytesScannedCutoffPerQuery?: number;
    /** Days query results are kept. Default 30. */
    resultRetentionDays?: number;
    /** Days superseded versions of synced files are kept. Default 30. */
    noncurrentVersionDays?: number;
    /** Days the daily compliance snapshots (`compliance_history`) are kept. Default 400. */
    historyRetentionDays?: number;
    /** Days the sync bucket's S3 server access logs are kept. Default 365. */
    accessLogRetentionDays?: number;
    /** Protect the sync bucket (and its policy) from deletion and replacement. Default: the component's `protect`. */
    protect?: boolean;
    /**
     * Keep the sync bucket and its data when the stack is destroyed. Default `true`; `false` empties and deletes it.
     */
    keepDataOnDestroy?: boolean;
    /** Tags for every taggable resource. */
    tags?: Record<string, string>;
}

export function validateComplianceReportingArgs(args: ComplianceReportingArgs): void {
    const plain = (values: pulumi.Input<string>[]) => values.filter((v): v is string => typeof v === "string");
    const accounts = args.accounts?.length ?? 1;
    const prefix = args.syncPrefix ?? DEFAULT_SYNC_PREFIX;
    ArgumentError.throwIfAny("ComplianceReporting", [
        fieldProblem(
            "databaseName",
            args.databaseName,
            DATABASE_NAME_PATTERN.test(args.databaseName)
                ? undefined
                : "must be 1-255 lower-case letters, digits and _ (Athena reads such names unquoted)",
        ),
        fieldProblem(
            "workgroupName",
            args.workgroupName,
            WORKGROUP_NAME_PATTERN.test(args.workgroupName) ? undefined : "must be 1-128 letters, digits, . _ or -",
        ),
        args.accounts?.length === 0 ? "accounts must name at least one account" : undefined,
        ...plain(args.accounts ?? []).map((a) =>
            fieldProblem("accounts", a, ACCOUNT_ID_PATTERN.test(a) ? undefined : "must be a 12-digit account id"),
        ),
        args.organizationId === undefined
            ? undefined
            : fieldProblem(
                  "organizationId",
                  args.organizationId,
                  ORGANIZATION_ID_PATTERN.test(args.organizationId)
                      ? undefined
                      : "must be an AWS Organizations id such as o-a1b2c3d4e5",
              ),
        args.regions?.length === 0 ? "regions must name at least one Region" : undefined,
        ...plain(args.regions ?? []).map((r) => fieldProblem("regions", r, regionProblem(r))),
        args.syncPrefix === undefined
            ? undefined
            : fieldProblem("syncPrefix", args.syncPrefix, syncPrefixProblem(args.syncPrefix)),
        fieldProblem(
            "accounts",
            accounts,
            syncBucketPolicyProblem(accounts, prefix, args.organizationId !== undefined),
        ),
        args.bytesScannedCutoffPerQuery === undefined
            ? undefined
            : fieldProblem(
                  "bytesScannedCutoffPerQuery",
                  args.bytesScannedCutoffPerQuery,
                  bytesScannedCutoffProblem(args.bytesScannedCutoffPerQuery),
              ),
        countProblem("resultRetentionDays", args.resultRetentionDays, 1),
        countProblem("noncurrentVersionDays", args.noncurrentVersionDays, 1),
        countProblem("historyRetentionDays", args.historyRetentionDays, 1),
        countProblem("accessLogRetentionDays", args.accessLogRetentionDays, 1),
    ]);
}

/** Why a sync prefix is refused: /-separated letters, digits and `_.-`, at most 256 characters; or undefined. */
export function syncPrefixProblem(prefix: string): string | undefined {
    if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(prefix)) return "must be /-separated letters, digits and _.-";
    return prefix.length <= MAX_SYNC_PREFIX_LENGTH
        ? undefined
        : `is ${prefix.length} characters; CreateResourceDataSync allows at most ${MAX_SYNC_PREFIX_LENGTH}`;
}

/** Why a scan cutoff is refused (below the AWS provider's minimum, or no 64-bit integer), or undefined. */
export function bytesScannedCutoffProblem(bytes: number): string | undefined {
    return Number.isInteger(bytes) && bytes >= MIN_BYTES_SCANNED_CUTOFF && bytes < 2 ** 63
        ? undefined
        : `must be a whole number of bytes from ${MIN_BYTES_SCANNED_CUTOFF} (the AWS provider's minimum) to ${MAX_BYTES_SCANNED_CUTOFF} (a 64-bit integer)`;
}

/** The longest S3 bucket name (63) in the longest partition name: the policy's worst case. */
const WORST_BUCKET_ARN = `arn:aws-us-gov:s3:::${"b".repeat(63)}`;

/** The sync bucket policy's size (compact JSON, as sent) for this many accounts, with the longest bucket name. */
function syncPolicyBytes(accounts: number, prefix: string, organization: boolean): number {
    const ids = Array.from({ length: accounts }, (_, i) => String(100000000000 + i));
    return JSON.stringify(
        syncBucketPolicy(WORST_BUCKET_ARN, prefix, ids, organization ? "o-" + "a".repeat(32) : undefined),
    ).length;
}

/** The most accounts the sync bucket's policy (a statement per account) holds within S3's 20 KB with this prefix. */
export function maxSyncAccounts(prefix: string): number {
    let fits = 0;
    while (syncPolicyBytes(fits + 1, prefix, false) <= MAX_BUCKET_POLICY_BYTES) fits++;
    return fits;
}

/** Why the sync bucket's policy would exceed S3's 20 KB for this many accounts and prefix, or undefined. */
export function syncBucketPolicyProblem(accounts: number, prefix: string, organization: boolean): string | undefined {
    if (syncPolicyBytes(accounts, prefix, organization) <= MAX_BUCKET_POLICY_BYTES) return undefined;
    return (
        `is more than the sync bucket's policy holds (a statement per account; S3 allows ${MAX_BUCKET_POLICY_BYTES} bytes): ` +
        `at most ${maxSyncAccounts(prefix)} with the sync prefix ${JSON.stringify(prefix)}; list fewer, shorten the prefix, or use organizationId`
    );
}

/**
 * The central store of compliance and inventory data for every stack and account: the encrypted,
 * versioned bucket member stacks' Resource Data Syncs write to (its policy admits
 * `ssm.amazonaws.com` for the listed accounts or the organization only, as AWS documents), Glue
 * tables over it with partition projection (no crawler, no `MSCK REPAIR`), an Athena workgroup
 * that enforces encrypted results and a per-query scan limit, and saved queries.
 */
export class ComplianceReporting extends pulumi.ComponentResource {
    /** The bucket member accounts' Resource Data Syncs write to (a member's `DataSyncDestination.bucketName`). */
    public readonly syncBucketName: pulumi.Output<string>;
    /** The sync bucket's ARN. */
    public readonly syncBucketArn: pulumi.Output<string>;
    /** The sync bucket's Region (a member's `DataSyncDestination.region`). */
    public readonly syncBucketRegion: pulumi.Output<string>;
    /** The key prefix the syncs write under (a member's `DataSyncDestination.prefix`). */
    public readonly syncPrefix: pulumi.Output<string>;
    /** The bucket of the workgroup's query results. */
    public readonly resultsBucketName: pulumi.Output<string>;
    /** The Glue database of the synced tables. */
    public readonly databaseName: pulumi.Output<string>;
    /** The Athena workgroup to run queries in. */
    public readonly workgroupName: pulumi.Output<string>;
    /** The bucket of the daily snapshots (`compliance_history`). */
    public readonly historyBucketName: pulumi.Output<string>;
    /** The EventBridge Scheduler schedule that takes the daily snapshot. */
    public readonly historyScheduleName: pulumi.Output<string>;
    /** The bucket of the sync bucket's S3 server access logs. */
    public readonly accessLogBucketName: pulumi.Output<string>;
    /** The named queries' ids, by REPORT_QUERIES key. */
    public readonly namedQueryIds: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: ComplianceReportingArgs, opts?: pulumi.ComponentResourceOptions) {
        super(
            componentToken("ComplianceReporting"),
            name,
            {},
            withFormerToken("oelab:reporting:ComplianceReporting", opts),
        );
        validateComplianceReportingArgs(args);
        const tags = args.tags ?? {};
        const prefix = args.syncPrefix ?? DEFAULT_SYNC_PREFIX;
        const region = aws.getRegionOutput({}, { parent: this }).region;
        const identity = aws.getCallerIdentityOutput({}, { parent: this });
        // By default one account and one Region: the stack's own.
        const accounts = args.accounts ?? [identity.accountId];
        const regions = args.regions ?? [region];

        const keep = args.keepDataOnDestroy ?? true;
        const sync = hardenedBucket(this, `${name}-sync`, {
            noncurrentDays: args.noncurrentVersionDays ?? DEFAULT_NONCURRENT_DAYS,
            ruleId: "prune-old-versions",
            protect: args.protect,
            keep,
            tags,
        });
        new aws.s3.BucketPolicy(
            `${name}-sync-policy`,
            {
                bucket: sync.bucket.id,
                policy: pulumi.jsonStringify(syncBucketPolicy(sync.bucket.arn, prefix, accounts, args.organizationId)),
            },
            { parent: this, protect: args.protect, dependsOn: [sync.publicAccessBlock] },
        );
        // Who read and wrote the central bucket: S3 server access logs, to a log bucket of the stack's own.
        const logs = accessLogBucket(this, `${name}-access-logs`, {
            source: sync.bucket,
            sourceName: `${name}-sync`,
            prefix: ACCESS_LOG_PREFIX,
            account: identity.accountId,
            expireDays: args.accessLogRetentionDays ?? DEFAULT_ACCESS_LOG_RETENTION_DAYS,
            keep,
            tags,
        });
        // Query results are disposable: deleted with the stack.
        const results = resultsBucket(this, name, args.resultRetentionDays ?? DEFAULT_RESULT_RETENTION_DAYS, tags);

        const database = new aws.glue.CatalogDatabase(
            `${name}-database`,
            {
                name: args.databaseName,
                description: "Systems Manager inventory and patch compliance, from Resource Data Sync",
                tags,
            },
            { parent: this },
        );
        const tables = syncTables(this, name, database.name, sync.bucket.bucket, prefix, accounts, regions);

        const workgroup = queryWorkgroup(
            this,
            name,
            args.workgroupName,
            args.bytesScannedCutoffPerQuery ?? DEFAULT_BYTES_SCANNED_CUTOFF,
            results.bucket.bucket,
            tags,
        );
        this.namedQueryIds = savedQueries(this, name, database.name, workgroup.name);

        const history = complianceHistory(this, name, {
            databaseName: database.name,
            workgroupName: workgroup.name,
            syncBucketArn: sync.bucket.arn,
            syncPrefix: prefix,
            resultsBucketArn: results.bucket.arn,
            retentionDays: args.historyRetentionDays ?? DEFAULT_HISTORY_RETENTION_DAYS,
            account: identity.accountId,
            region,
            partition: aws.getPartitionOutput({}, { parent: this }).partition,
            protect: args.protect,
            keep,
            tags,
            dependsOn: [workgroup, ...tables],
        });

        this.historyBucketName = history.bucket.bucket;
        this.historyScheduleName = history.schedule.name;
        this.accessLogBucketName = logs.bucket.bucket;
        this.syncBucketName = sync.bucket.bucket;
        this.syncBucketArn = sync.bucket.arn;
        this.syncBucketRegion = pulumi.output(region);
        this.syncPrefix = pulumi.output(prefix);
        this.resultsBucketName = results.bucket.bucket;
        this.databaseName = database.name;
        this.workgroupName = workgroup.name;
        this.registerOutputs({
            syncBucketName: this.syncBucketName,
            databaseName: this.databaseName,
            workgroupName: this.workgroupName,
            historyBucketName: this.historyBucketName,
        });
    }
}

/** The sync bucket's policy: TLS only, and AWS's Resource Data Sync writes for the accounts or the organization. */
export function syncBucketPolicy(
    bucketArn: pulumi.Input<string>,
    prefix: string,
    accounts: pulumi.Input<string>[],
    organizationId?: string,
) {
    return {
        Version: "2012-10-17",
        Statement: [
            denyInsecureTransport(bucketArn),
            ...syncWriteStatements(bucketArn, prefix, accounts, organizationId),
        ],
    };
}

/** A Glue table per inventory type over the sync's files, partitions projected from the key (no crawler, no repair). */
function syncTables(
    parent: pulumi.Resource,
    name: string,
    databaseName: pulumi.Input<string>,
    bucketName: pulumi.Output<string>,
    prefix: string,
    accounts: pulumi.Input<string>[],
    regions: pulumi.Input<string>[],
): aws.glue.CatalogTable[] {
    const projected = pulumi.all([pulumi.all(accounts), pulumi.all(regions)]);
    return SYNC_TABLES.map(
        (table) =>
            new aws.glue.CatalogTable(
                `${name}-${table.table.replace(/_/g, "-")}`,
                {
                    name: table.table,
                    databaseName,
                    description: `${table.type} of every synced instance`,
                    tableType: "EXTERNAL_TABLE",
                    parameters: pulumi.all([bucketName, projected]).apply(([bucket, [accounts, regions]]) => ({
                        EXTERNAL: "TRUE",
                        classification: "json",
                        // Partition projection: Athena computes the partitions from these values.
                        "projection.enabled": "true",
                        "projection.accountid.type": "enum",
                        "projection.accountid.values": [...accounts].sort().join(","),
                        "projection.region.type": "enum",
                        "projection.region.values": [...regions].sort().join(","),
                        "storage.location.template": locationTemplate(bucket, prefix, table.type),
                    })),
                    partitionKeys: PARTITION_KEYS.map((key) => ({ name: key, type: "string" })),
                    storageDescriptor: {
                        location: pulumi.interpolate`s3://${bucketName}/${prefix}/${table.type}/`,
                        inputFormat: "org.apache.hadoop.mapred.TextInputFormat",
                        outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                        // The Hive JSON SerDe: AWS's advice against the OpenX one's non-deterministic reads
                        // (Athena, "OpenX JSON SerDe"); why it reads the sync's records: docs/reporting.md.
                        serDeInfo: {
                            serializationLibrary: SYNC_SERDE,
                            parameters: { "serialization.format": "1" },
                        },
                        columns: table.columns.map((column) => ({ name: column, type: "string" })),
                    },
                },
                { parent },
            ),
    );
}
