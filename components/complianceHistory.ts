/**
 * Compliance over time for ComplianceReporting, with no servers or functions of ours: a Glue table
 * `compliance_history` (Parquet, partitioned by `day` with partition projection) in a bucket whose
 * lifecycle is the retention, and an EventBridge Scheduler schedule whose universal target calls
 * Athena's StartQueryExecution once a day with the saved snapshot query (an `INSERT INTO`), as a
 * role that may do exactly that. A helper, not a component.
 *
 * Sources: EventBridge Scheduler, "Using universal targets" (the target ARN
 * `arn:aws:scheduler:::aws-sdk:<service>:<apiAction>`, the input is the API request, the execution
 * role needs the API's action) and "Set up the execution role" (trusted by
 * `scheduler.amazonaws.com`, `aws:SourceAccount`); Athena, "INSERT INTO" (writes Hive-style
 * `day=<value>/` folders under the table's location, which is where projection looks when the
 * table sets no `storage.location.template`) and "Supported types for partition projection"
 * (`date`, `NOW-<n>DAYS`).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyInsecureTransport, hardenedBucket } from "./buckets";
import { serviceTrustPolicy } from "./iam";
import { HISTORY_COLUMNS, HISTORY_TABLE, REPORT_QUERIES, SYNC_TABLES } from "./reportingQueries";

/** Every day at 23:30 UTC: the day's last scans are in, and `current_date` is still that day. */
export const HISTORY_SCHEDULE = "cron(30 23 * * ? *)";
/** EventBridge Scheduler's universal target for Athena's StartQueryExecution. */
export const START_QUERY_TARGET = "arn:aws:scheduler:::aws-sdk:athena:startQueryExecution";
/**
 * Athena's idempotency key for the nightly StartQueryExecution: one per scheduled time, so a retry of
 * the same invocation returns the first query instead of starting a second ("If another
 * StartQueryExecution request is received, the same response is returned", StartQueryExecution,
 * `ClientRequestToken`, 32 to 128 characters: botocore's `IdempotencyToken`). EventBridge Scheduler
 * replaces `<aws.scheduler.scheduled-time>` (e.g. `2022-03-22T18:59:43Z`) in the target's payload when
 * it invokes the target ("Adding context attributes in EventBridge Scheduler", whose example is a
 * universal target's Input): 31 + 20 characters.
 */
export const SNAPSHOT_TOKEN = "oe-lab-ipm-compliance-snapshot-<aws.scheduler.scheduled-time>";
/** The key prefix of the snapshots in their bucket (the table's location). */
export const HISTORY_PREFIX = "compliance_history";

export interface HistoryOptions {
    readonly databaseName: pulumi.Input<string>;
    readonly workgroupName: pulumi.Input<string>;
    readonly syncBucketArn: pulumi.Input<string>;
    readonly syncPrefix: string;
    readonly resultsBucketArn: pulumi.Input<string>;
    readonly retentionDays: number;
    readonly account: pulumi.Input<string>;
    readonly region: pulumi.Input<string>;
    readonly partition: pulumi.Input<string>;
    /** Unset: the parent's (Pulumi's rule). */
    readonly protect?: boolean;
    readonly keep: boolean;
    readonly tags: Record<string, string>;
    /** Created first: the schedule must find the workgroup and the tables. */
    readonly dependsOn: pulumi.Resource[];
}

export function complianceHistory(parent: pulumi.Resource, name: string, o: HistoryOptions) {
    const history = hardenedBucket(parent, `${name}-history`, {
        expireDays: o.retentionDays,
        noncurrentDays: 1,
        ruleId: "expire-history",
        protect: o.protect,
        keep: o.keep,
        tags: o.tags,
    });
    new aws.s3.BucketPolicy(
        `${name}-history-bucket-policy`,
        {
            bucket: history.bucket.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [denyInsecureTransport(history.bucket.arn)],
            }),
        },
        { parent, protect: o.protect, dependsOn: [history.publicAccessBlock] },
    );
    const table = new aws.glue.CatalogTable(
        `${name}-compliance-history`,
        {
            name: HISTORY_TABLE,
            databaseName: o.databaseName,
            description: "A daily snapshot of every reporting node's patch compliance counts",
            tableType: "EXTERNAL_TABLE",
            parameters: {
                EXTERNAL: "TRUE",
                classification: "parquet",
                "projection.enabled": "true",
                "projection.day.type": "date",
                "projection.day.format": "yyyy-MM-dd",
                "projection.day.range": `NOW-${o.retentionDays}DAYS,NOW`,
                "projection.day.interval": "1",
                "projection.day.interval.unit": "DAYS",
            },
            partitionKeys: [{ name: "day", type: "string" }],
            storageDescriptor: {
                location: pulumi.interpolate`s3://${history.bucket.bucket}/${HISTORY_PREFIX}/`,
                inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                serDeInfo: { serializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" },
                columns: HISTORY_COLUMNS.map((c) => ({ name: c.name, type: c.type })),
            },
        },
        { parent },
    );

    const role = new aws.iam.Role(
        `${name}-history-role`,
        {
            description: "EventBridge Scheduler: runs the daily compliance snapshot in Athena",
            assumeRolePolicy: serviceTrustPolicy("scheduler.amazonaws.com", o.account),
            tags: o.tags,
        },
        { parent },
    );
    const policy = new aws.iam.RolePolicy(
        `${name}-history-role-policy`,
        { role: role.id, policy: pulumi.jsonStringify(snapshotPolicy(o, history.bucket.arn)) },
        { parent },
    );
    const snapshot = REPORT_QUERIES.snapshotToday;
    const schedule = new aws.scheduler.Schedule(
        `${name}-history-schedule`,
        {
            description: "Adds today's compliance of every reporting node to compliance_history",
            scheduleExpression: HISTORY_SCHEDULE,
            scheduleExpressionTimezone: "UTC",
            flexibleTimeWindow: { mode: "OFF" },
            target: {
                arn: START_QUERY_TARGET,
                roleArn: role.arn,
                input: pulumi.jsonStringify({
                    ClientRequestToken: SNAPSHOT_TOKEN,
                    QueryString: snapshot.sql,
                    WorkGroup: o.workgroupName,
                    QueryExecutionContext: { Database: o.databaseName },
                }),
                retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
            },
        },
        { parent, dependsOn: [...o.dependsOn, table, policy] },
    );
    return { bucket: history.bucket, table, role, schedule };
}

/**
 * What the snapshot needs, and nothing else: start a query in this workgroup; read the database,
 * the sync tables and the history table, and add the history's partitions; read the sync files;
 * write the snapshot and the query's results.
 */
export function snapshotPolicy(o: HistoryOptions, historyArn: pulumi.Input<string>) {
    const glue = (resource: string) => pulumi.interpolate`arn:${o.partition}:glue:${o.region}:${o.account}:${resource}`;
    const tables = [...SYNC_TABLES.map((t) => t.table), HISTORY_TABLE];
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "StartSnapshotQuery",
                Effect: "Allow",
                Action: "athena:StartQueryExecution",
                Resource: pulumi.interpolate`arn:${o.partition}:athena:${o.region}:${o.account}:workgroup/${o.workgroupName}`,
            },
            {
                Sid: "ReadTablesAddHistoryPartitions",
                Effect: "Allow",
                Action: ["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions", "glue:BatchCreatePartition"],
                Resource: [
                    glue("catalog"),
                    pulumi.interpolate`${glue("database")}/${o.databaseName}`,
                    ...tables.map((t) => pulumi.interpolate`${glue("table")}/${o.databaseName}/${t}`),
                ],
            },
            {
                Sid: "ListBuckets",
                Effect: "Allow",
                Action: ["s3:GetBucketLocation", "s3:ListBucket"],
                Resource: [o.syncBucketArn, historyArn, o.resultsBucketArn],
            },
            {
                Sid: "ReadSyncFiles",
                Effect: "Allow",
                Action: "s3:GetObject",
                Resource: pulumi.interpolate`${o.syncBucketArn}/${o.syncPrefix}/*`,
            },
            {
                Sid: "WriteSnapshotAndResults",
                Effect: "Allow",
                Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
                Resource: [
                    pulumi.interpolate`${historyArn}/${HISTORY_PREFIX}/*`,
                    pulumi.interpolate`${o.resultsBucketArn}/results/*`,
                ],
            },
        ],
    };
}
