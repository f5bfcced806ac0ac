/**
 * The requests of the storage and query resources (S3 buckets and their settings, EventBridge
 * Scheduler, Glue, Athena): part of MAPPINGS (requests.ts).
 */
import type { Service } from "./models";
import { physicalName, tagList, mapTags, req, prune, Mapping, s3, ApiRequest } from "./requestShapes";

/**
 * The request a universal target (`arn:aws:scheduler:::aws-sdk:<service>:<apiAction>`, "Using universal
 * targets") makes when the schedule fires: its Input, with the context attributes replaced as Scheduler
 * replaces them ("Adding context attributes in EventBridge Scheduler", the documented example values).
 * Athena's StartQueryExecution and Systems Manager's StartAutomationExecution are modelled; any other
 * universal target adds nothing.
 */
const CONTEXT_ATTRIBUTES: Record<string, string> = {
    "<aws.scheduler.schedule-arn>": "arn:aws:scheduler:us-east-1:123456789012:schedule/default/example",
    "<aws.scheduler.scheduled-time>": "2022-03-22T18:59:43Z",
    "<aws.scheduler.execution-id>": "d32c5kddcf5bb8c3",
    "<aws.scheduler.attempt-number>": "1",
};
const UNIVERSAL_TARGETS: Record<string, [Service, string]> = {
    "arn:aws:scheduler:::aws-sdk:athena:startQueryExecution": ["athena", "StartQueryExecution"],
    "arn:aws:scheduler:::aws-sdk:ssm:startAutomationExecution": ["ssm", "StartAutomationExecution"],
};
function universalTargetRequest(arn: string, input: string | undefined): ApiRequest[] {
    const operation = UNIVERSAL_TARGETS[arn];
    if (operation === undefined || input === undefined) return [];
    let body = input;
    for (const [attribute, value] of Object.entries(CONTEXT_ATTRIBUTES)) body = body.split(attribute).join(value);
    return [req(operation[0], operation[1], JSON.parse(body) as Record<string, unknown>)];
}

export const STORAGE_MAPPINGS: Readonly<Record<string, Mapping>> = {
    "aws:s3/bucket:Bucket": (r, { region }) => {
        const bucket = physicalName(r, "bucket");
        const requests = [
            req("s3", "CreateBucket", {
                Bucket: bucket,
                // us-east-1 is the one region that takes no location constraint.
                CreateBucketConfiguration: region === "us-east-1" ? undefined : { LocationConstraint: region },
            }),
        ];
        const tags = tagList(r.inputs.tags);
        if (tags) requests.push(req("s3", "PutBucketTagging", { Bucket: bucket, Tagging: { TagSet: tags } }));
        return requests;
    },
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": (r) => [
        s3("PutPublicAccessBlock", r, {
            PublicAccessBlockConfiguration: {
                BlockPublicAcls: r.inputs.blockPublicAcls,
                BlockPublicPolicy: r.inputs.blockPublicPolicy,
                IgnorePublicAcls: r.inputs.ignorePublicAcls,
                RestrictPublicBuckets: r.inputs.restrictPublicBuckets,
            },
        }),
    ],
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": (r) => [
        s3("PutBucketOwnershipControls", r, {
            OwnershipControls: { Rules: [{ ObjectOwnership: r.inputs.rule.objectOwnership }] },
        }),
    ],
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (r) => [
        s3("PutBucketEncryption", r, {
            ServerSideEncryptionConfiguration: {
                Rules: r.inputs.rules.map((rule: any) =>
                    prune({
                        ApplyServerSideEncryptionByDefault: prune({
                            SSEAlgorithm: rule.applyServerSideEncryptionByDefault?.sseAlgorithm,
                            KMSMasterKeyID: rule.applyServerSideEncryptionByDefault?.kmsMasterKeyId,
                        }),
                        BucketKeyEnabled: rule.bucketKeyEnabled,
                    }),
                ),
            },
        }),
    ],
    "aws:s3/bucketVersioning:BucketVersioning": (r) => [
        s3("PutBucketVersioning", r, { VersioningConfiguration: { Status: r.inputs.versioningConfiguration.status } }),
    ],
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (r) => [
        s3("PutBucketLifecycleConfiguration", r, {
            LifecycleConfiguration: {
                Rules: r.inputs.rules.map((rule: any) =>
                    prune({
                        ID: rule.id,
                        Status: rule.status,
                        Filter: rule.filter && prune({ Prefix: rule.filter.prefix }),
                        Expiration: rule.expiration && prune({ Days: rule.expiration.days }),
                        NoncurrentVersionExpiration:
                            rule.noncurrentVersionExpiration &&
                            prune({ NoncurrentDays: rule.noncurrentVersionExpiration.noncurrentDays }),
                        AbortIncompleteMultipartUpload:
                            rule.abortIncompleteMultipartUpload &&
                            prune({ DaysAfterInitiation: rule.abortIncompleteMultipartUpload.daysAfterInitiation }),
                    }),
                ),
            },
        }),
    ],
    "aws:s3/bucketPolicy:BucketPolicy": (r) => [s3("PutBucketPolicy", r, { Policy: r.inputs.policy })],
    "aws:s3/bucketLogging:BucketLogging": (r) => [
        s3("PutBucketLogging", r, {
            BucketLoggingStatus: {
                LoggingEnabled: { TargetBucket: r.inputs.targetBucket, TargetPrefix: r.inputs.targetPrefix },
            },
        }),
    ],
    "aws:scheduler/schedule:Schedule": (r) => {
        const t = r.inputs.target;
        return [
            ...universalTargetRequest(t.arn, t.input),
            req("scheduler", "CreateSchedule", {
                Name: physicalName(r),
                GroupName: r.inputs.groupName,
                Description: r.inputs.description,
                ScheduleExpression: r.inputs.scheduleExpression,
                ScheduleExpressionTimezone: r.inputs.scheduleExpressionTimezone,
                State: r.inputs.state ?? "ENABLED",
                FlexibleTimeWindow: prune({
                    Mode: r.inputs.flexibleTimeWindow.mode,
                    MaximumWindowInMinutes: r.inputs.flexibleTimeWindow.maximumWindowInMinutes,
                }),
                Target: prune({
                    Arn: t.arn,
                    RoleArn: t.roleArn,
                    Input: t.input,
                    RetryPolicy:
                        t.retryPolicy &&
                        prune({
                            MaximumRetryAttempts: t.retryPolicy.maximumRetryAttempts,
                            MaximumEventAgeInSeconds: t.retryPolicy.maximumEventAgeInSeconds,
                        }),
                }),
            }),
        ];
    },
    "aws:glue/catalogDatabase:CatalogDatabase": (r) => [
        req("glue", "CreateDatabase", {
            DatabaseInput: prune({
                Name: r.inputs.name,
                Description: r.inputs.description,
                Parameters: r.inputs.parameters,
            }),
            Tags: mapTags(r.inputs.tags),
        }),
    ],
    "aws:glue/catalogTable:CatalogTable": (r) => {
        const sd = r.inputs.storageDescriptor ?? {};
        const column = (c: { name: string; type?: string; comment?: string }) =>
            prune({ Name: c.name, Type: c.type, Comment: c.comment });
        return [
            req("glue", "CreateTable", {
                DatabaseName: r.inputs.databaseName,
                TableInput: prune({
                    Name: r.inputs.name,
                    Description: r.inputs.description,
                    TableType: r.inputs.tableType,
                    Parameters: r.inputs.parameters,
                    PartitionKeys: r.inputs.partitionKeys?.map(column),
                    StorageDescriptor: prune({
                        Columns: sd.columns?.map(column),
                        Location: sd.location,
                        InputFormat: sd.inputFormat,
                        OutputFormat: sd.outputFormat,
                        SerdeInfo:
                            sd.serDeInfo &&
                            prune({
                                SerializationLibrary: sd.serDeInfo.serializationLibrary,
                                Parameters: sd.serDeInfo.parameters,
                            }),
                    }),
                }),
            }),
        ];
    },
    "aws:athena/workgroup:Workgroup": (r) => {
        const c = r.inputs.configuration ?? {};
        const result = c.resultConfiguration ?? {};
        return [
            req("athena", "CreateWorkGroup", {
                Name: r.inputs.name,
                Description: r.inputs.description,
                Configuration: prune({
                    EnforceWorkGroupConfiguration: c.enforceWorkgroupConfiguration,
                    PublishCloudWatchMetricsEnabled: c.publishCloudwatchMetricsEnabled,
                    BytesScannedCutoffPerQuery: c.bytesScannedCutoffPerQuery,
                    ResultConfiguration: prune({
                        OutputLocation: result.outputLocation,
                        EncryptionConfiguration:
                            result.encryptionConfiguration &&
                            prune({
                                EncryptionOption: result.encryptionConfiguration.encryptionOption,
                                KmsKey: result.encryptionConfiguration.kmsKeyArn,
                            }),
                    }),
                }),
                Tags: tagList(r.inputs.tags),
            }),
        ];
    },
    "aws:athena/namedQuery:NamedQuery": (r) => [
        req("athena", "CreateNamedQuery", {
            Name: physicalName(r),
            Description: r.inputs.description,
            Database: r.inputs.database,
            QueryString: r.inputs.query,
            WorkGroup: r.inputs.workgroup,
        }),
    ],
    // Reads another stack's outputs from the Pulumi backend: no AWS request.
    "pulumi:pulumi:StackReference": () => [],
};
