import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { INVENTORY_DOCUMENT } from "./documents";
import { associationScheduleProblem } from "./schedules";
import { denyInsecureTransport, hardenedBucket, SYNC_PREFIX, syncWriteStatements } from "./buckets";
import { tagTargetGroup, targetsFor } from "./targets";
import { ArgumentError, countProblem, fieldProblem, SSM_NAME_ALLOWED, SSM_NAME_PATTERN } from "./validation";
import { componentToken, withFormerToken } from "./tokens";

export { INVENTORY_DOCUMENT } from "./documents";
export { tagQuery, targetsFor } from "./targets";
export const DEFAULT_INVENTORY_SCHEDULE = "rate(30 minutes)";
export const DEFAULT_LOG_PREFIX = "logs";
export const DEFAULT_LOG_RETENTION_DAYS = 90;
/** Keep the logs unless told otherwise: deleting them is the choice to make explicitly. */
export const DEFAULT_KEEP_LOGS_ON_DESTROY = true;
/** The prefix of the optional Resource Data Sync inside the log bucket. */
export const DATA_SYNC_PREFIX = SYNC_PREFIX;

/**
 * The parameters of AWS-GatherSoftwareInventory, with the document's own defaults: collect
 * everything, no files, no registry keys.
 */
export const INVENTORY_PARAMETER_DEFAULTS: Readonly<Required<InventoryParameters>> = {
    applications: "Enabled",
    awsComponents: "Enabled",
    files: "",
    networkConfig: "Enabled",
    windowsUpdates: "Enabled",
    instanceDetailedInformation: "Enabled",
    services: "Enabled",
    windowsRegistry: "",
    windowsRoles: "Enabled",
    customInventory: "Enabled",
    billingInfo: "Enabled",
};

/** The parameters of AWS-GatherSoftwareInventory: each `Enabled` or `Disabled`, except the two JSON lists. */
export interface InventoryParameters {
    /** Installed applications. Default `Enabled`. */
    applications?: string;
    /** AWS components such as the SSM Agent. Default `Enabled`. */
    awsComponents?: string;
    /** Files to inventory: `""` or a JSON array of path specifications, as a string. Default `""`. */
    files?: string;
    /** Network configuration. Default `Enabled`. */
    networkConfig?: string;
    /** Installed Windows updates. Default `Enabled`. */
    windowsUpdates?: string;
    /** CPU, memory and other instance details. Default `Enabled`. */
    instanceDetailedInformation?: string;
    /** Services. Default `Enabled`. */
    services?: string;
    /** Windows registry keys: `""` or a JSON array, as a string. Default `""`. */
    windowsRegistry?: string;
    /** Windows roles and features. Default `Enabled`. */
    windowsRoles?: string;
    /** Custom inventory. Default `Enabled`. */
    customInventory?: string;
    /** Billing information (license-included AMIs). Default `Enabled`. */
    billingInfo?: string;
}

/** Association names: letters, digits, `_`, `-`, `.`, 3 to 128 characters (no spaces). */
export const ASSOCIATION_NAME_PATTERN = SSM_NAME_PATTERN;
/** S3 key prefixes: safe characters in `/`-separated segments, no leading or trailing `/`. */
export const KEY_PREFIX_PATTERN = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/;

/** A central bucket a Resource Data Sync writes to. */
export interface DataSyncDestination {
    /** The bucket's name. Required. */
    bucketName: pulumi.Input<string>;
    /** The bucket's Region. Required. */
    region: pulumi.Input<string>;
    /** The key prefix, like `inventory`. Required. */
    prefix: pulumi.Input<string>;
    /**
     * The bucket admits an AWS Organization: the sync shares its data with it (`destinationDataSharing`). Default
     * `false`.
     */
    organization?: pulumi.Input<boolean>;
}

export interface InventoryAssociationArgs {
    /** The association's name, like the lab's `InventoryAllInstances`. Required. */
    associationName: string;
    /**
     * The instances to inventory: those carrying every one of these tags. One tag targets the
     * association by tag directly; several go through a tag-based resource group, because a State
     * Manager association ORs multiple tag targets (see `targetsFor`). Required.
     */
    targetTags: Record<string, string>;
    /**
     * The instance roles the agents write logs with; each is granted `PutObject` under the prefix. Default none (grant
     * it to them yourself).
     */
    instanceRoleNames?: pulumi.Input<string>[];
    /** How often inventory is collected: `rate(...)` of at least 30 minutes, or a cron. Default `rate(30 minutes)`. */
    schedule?: string;
    /** AWS-GatherSoftwareInventory parameters. Default: the document's defaults. */
    parameters?: InventoryParameters;
    /** The key prefix of the execution logs in the bucket. Default `logs`. */
    logPrefix?: string;
    /** Days after which logs (and their old versions) expire. Default 90. */
    logRetentionDays?: number;
    /**
     * Keep the bucket and its logs when the stack is destroyed (the bucket stays hardened).
     * Default `true`; `false` empties and deletes it.
     */
    keepLogsOnDestroy?: boolean;
    /**
     * Protect the bucket and its hardening: the engine refuses to delete or replace them until they
     * are unprotected (`pulumi state unprotect`). Default: the component's own `protect` option,
     * which its children inherit.
     */
    protect?: boolean;
    /** Also sync inventory to the bucket under `inventory/`, for Athena. Default `false`. */
    resourceDataSync?: boolean;
    /**
     * Sync the account's inventory and compliance to another bucket instead: a reporting stack's
     * (`ComplianceReporting`), in this account or another. Default none.
     */
    resourceDataSyncDestination?: DataSyncDestination;
    /** Tags for every taggable resource. */
    tags?: Record<string, string>;
}

/**
 * The Resource Data Sync is named `<associationName>-sync`, and CreateResourceDataSync takes a
 * SyncName of at most 64 characters: with a sync, the association's name has at most 59.
 */
export const DATA_SYNC_SUFFIX = "-sync";
export const MAX_SYNC_NAME_LENGTH = 64;
/** CreateAssociation: OutputS3KeyPrefix is at most 500 characters. */
export const MAX_LOG_PREFIX_LENGTH = 500;

/** Why an association name would make a request AWS refuses, or undefined. */
export function associationNameProblem(name: string, resourceDataSync: boolean): string | undefined {
    if (!ASSOCIATION_NAME_PATTERN.test(name)) return SSM_NAME_ALLOWED;
    const max = MAX_SYNC_NAME_LENGTH - DATA_SYNC_SUFFIX.length;
    return resourceDataSync && name.length > max
        ? `at most ${max} characters with resourceDataSync, because the data sync is named <name>${DATA_SYNC_SUFFIX} and AWS allows ${MAX_SYNC_NAME_LENGTH}`
        : undefined;
}

/** Why a log prefix would be refused, or undefined. */
export function logPrefixProblem(prefix: string): string | undefined {
    return KEY_PREFIX_PATTERN.test(prefix) && prefix.length <= MAX_LOG_PREFIX_LENGTH
        ? undefined
        : `must be an S3 key prefix of at most ${MAX_LOG_PREFIX_LENGTH} letters, digits and !_.*'()- in /-separated parts, without leading or trailing /`;
}

/** Throws on arguments AWS would refuse. */
export function validateInventoryAssociationArgs(args: InventoryAssociationArgs): void {
    const tagCount = Object.keys(args.targetTags).length;
    const unknown = Object.keys(args.parameters ?? {}).filter((k) => !Object.hasOwn(INVENTORY_PARAMETER_DEFAULTS, k));
    ArgumentError.throwIfAny("InventoryAssociation", [
        fieldProblem(
            "associationName",
            args.associationName,
            associationNameProblem(
                args.associationName,
                args.resourceDataSync === true || args.resourceDataSyncDestination !== undefined,
            ),
        ),
        args.resourceDataSync === true && args.resourceDataSyncDestination !== undefined
            ? "resourceDataSync and resourceDataSyncDestination are two destinations for the one sync: choose one"
            : undefined,
        tagCount === 0 ? "targetTags must name at least one tag" : undefined,
        args.schedule === undefined
            ? undefined
            : fieldProblem("schedule", args.schedule, associationScheduleProblem(args.schedule)),
        unknown.length > 0 ? `parameters ${unknown.join(", ")} are not parameters of ${INVENTORY_DOCUMENT}` : undefined,
        args.logPrefix === undefined
            ? undefined
            : fieldProblem("logPrefix", args.logPrefix, logPrefixProblem(args.logPrefix)),
        countProblem("logRetentionDays", args.logRetentionDays, 1),
    ]);
}

/**
 * The lab's inventory: a State Manager association of AWS-GatherSoftwareInventory over the
 * stack's instances, with its execution logs in a hardened, versioned, expiring S3 bucket.
 */
export class InventoryAssociation extends pulumi.ComponentResource {
    /** The inventory association's id. */
    public readonly associationId: pulumi.Output<string>;
    /** The inventory association's name. */
    public readonly associationName: pulumi.Output<string>;
    /** The hardened bucket of the execution logs (and of the Resource Data Sync, when it syncs to it). */
    public readonly bucketName: pulumi.Output<string>;
    /** The log bucket's ARN. */
    public readonly bucketArn: pulumi.Output<string>;
    /** The resource group of the targeted instances, when the targets need one. */
    public readonly resourceGroupName?: pulumi.Output<string>;

    constructor(name: string, args: InventoryAssociationArgs, opts?: pulumi.ComponentResourceOptions) {
        super(
            componentToken("InventoryAssociation"),
            name,
            {},
            withFormerToken("oelab:inventory:InventoryAssociation", opts),
        );
        validateInventoryAssociationArgs(args);
        const schedule = args.schedule ?? DEFAULT_INVENTORY_SCHEDULE;
        const logPrefix = args.logPrefix ?? DEFAULT_LOG_PREFIX;
        const retentionDays = args.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS;
        const keepLogs = args.keepLogsOnDestroy ?? DEFAULT_KEEP_LOGS_ON_DESTROY;
        const tags = args.tags ?? {};
        const region = aws.getRegionOutput({}, { parent: this }).region;
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

        const {
            bucket,
            publicAccessBlock,
            opts: bucketOpts,
        } = hardenedBucket(this, `${name}-logs`, {
            expireDays: retentionDays,
            noncurrentDays: retentionDays,
            ruleId: "expire-old-logs",
            keep: keepLogs,
            protect: args.protect,
            tags,
        });
        const bucketPolicy = new aws.s3.BucketPolicy(
            `${name}-logs-policy`,
            {
                bucket: bucket.id,
                policy: pulumi.jsonStringify(logBucketPolicy(bucket.arn, account, args.resourceDataSync === true)),
            },
            { ...bucketOpts, dependsOn: [publicAccessBlock] },
        );

        // The agents upload their output with the instance profile's credentials.
        const writeLogs = (args.instanceRoleNames ?? []).map(
            (roleName, i) =>
                new aws.iam.RolePolicy(
                    `${name}-write-logs${i === 0 ? "" : `-${i + 1}`}`,
                    {
                        role: roleName,
                        policy: pulumi.jsonStringify(writeLogsPolicy(bucket.arn, logPrefix)),
                    },
                    { parent: this },
                ),
        );

        const group =
            Object.keys(args.targetTags).length > 1
                ? tagTargetGroup(
                      `${name}-targets`,
                      args.targetTags,
                      `inventoried by the association ${args.associationName}`,
                      tags,
                      this,
                  )
                : undefined;

        const association = new aws.ssm.Association(
            `${name}-association`,
            {
                name: INVENTORY_DOCUMENT,
                associationName: args.associationName,
                scheduleExpression: schedule,
                targets: targetsFor(args.targetTags, group?.name),
                parameters: { ...INVENTORY_PARAMETER_DEFAULTS, ...args.parameters },
                outputLocation: { s3BucketName: bucket.bucket, s3KeyPrefix: logPrefix, s3Region: region },
                tags,
            },
            { parent: this, dependsOn: [...writeLogs, bucketPolicy] },
        );

        const central = args.resourceDataSyncDestination;
        if (args.resourceDataSync || central) {
            new aws.ssm.ResourceDataSync(
                `${name}-sync`,
                {
                    name: `${args.associationName}${DATA_SYNC_SUFFIX}`,
                    s3Destination: central
                        ? centralSyncDestination(central)
                        : { bucketName: bucket.bucket, region, prefix: DATA_SYNC_PREFIX, syncFormat: "JsonSerDe" },
                },
                { parent: this, dependsOn: central ? [] : [bucketPolicy] },
            );
        }

        this.associationId = association.associationId;
        this.associationName = association.associationName.apply((n) => n ?? args.associationName);
        this.bucketName = bucket.bucket;
        this.bucketArn = bucket.arn;
        this.resourceGroupName = group?.name;
        this.registerOutputs({
            associationId: this.associationId,
            associationName: this.associationName,
            bucketName: this.bucketName,
        });
    }
}

/** What an instance role needs to write the association's output: PutObject under the prefix (AWS's S3 policy). */
function writeLogsPolicy(bucketArn: pulumi.Output<string>, logPrefix: string) {
    return {
        Version: "2012-10-17",
        Statement: [
            { Effect: "Allow", Action: ["s3:PutObject"], Resource: pulumi.interpolate`${bucketArn}/${logPrefix}/*` },
            { Effect: "Allow", Action: ["s3:GetEncryptionConfiguration"], Resource: bucketArn },
        ],
    };
}

/** The sync's destination in a reporting stack's bucket (shared with the organization when it admits one). */
function centralSyncDestination(central: DataSyncDestination) {
    return pulumi
        .all([central.bucketName, central.region, central.prefix, central.organization ?? false])
        .apply(([bucketName, bucketRegion, prefix, organization]) => ({
            bucketName,
            region: bucketRegion,
            prefix,
            syncFormat: "JsonSerDe",
            // AWS: an organization's syncs share to the central bucket, which admits the organization.
            ...(organization ? { destinationDataSharing: { destinationDataSharingType: "Organization" } } : {}),
        }));
}

/** TLS only; and, for a Resource Data Sync to it, the writes AWS documents for `ssm.amazonaws.com`. */
function logBucketPolicy(bucketArn: pulumi.Output<string>, account: pulumi.Output<string>, dataSync: boolean) {
    return {
        Version: "2012-10-17",
        Statement: [
            denyInsecureTransport(bucketArn),
            ...(dataSync ? syncWriteStatements(bucketArn, DATA_SYNC_PREFIX, [account]) : []),
        ],
    };
}
