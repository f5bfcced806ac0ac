/**
 * The hardened S3 bucket and the bucket policy statements the components share: the inventory's
 * log bucket, and the reporting stack's sync and results buckets. A helper, not a component.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The key prefix Resource Data Syncs write under, in a stack's own bucket and in the reporting stack's. */
export const SYNC_PREFIX = "inventory";

/**
 * S3's naming rules for general purpose buckets ("General purpose bucket naming rules", Amazon S3
 * User Guide): 3-63 characters of lower-case letters, digits, dots and hyphens, starting and ending
 * with a letter or digit; no two adjacent dots; not an IP address; none of the prefixes xn--,
 * sthree-, amzn-s3-demo-; none of the suffixes -s3alias, --ol-s3, .mrap, --x-s3, --table-s3.
 * (botocore's BucketName has no pattern: CreateBucket and the sync find out at run time.)
 */
export function bucketNameProblem(name: string): string | undefined {
    const allowed =
        "must be an S3 bucket name: 3-63 lower-case letters, digits, . and -, starting and ending with a letter or digit";
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) return allowed;
    if (name.includes("..")) return `${allowed}, without two adjacent dots`;
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return `${allowed}, not an IP address`;
    const prefix = ["xn--", "sthree-", "amzn-s3-demo-"].find((p) => name.startsWith(p));
    if (prefix) return `${allowed}; the prefix ${prefix} is reserved`;
    const suffix = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"].find((p) => name.endsWith(p));
    return suffix ? `${allowed}; the suffix ${suffix} is reserved` : undefined;
}

export interface HardenedBucketOptions {
    /** Objects expire after this many days. Default: they do not. */
    readonly expireDays?: number;
    /** Superseded versions expire after this many days. */
    readonly noncurrentDays: number;
    /** The lifecycle rule's id. */
    readonly ruleId: string;
    /** Kept (with its objects) when the stack is destroyed; else emptied and deleted. */
    readonly keep: boolean;
    /** `protect` for the bucket and its hardening; unset, they inherit the parent's (Pulumi's rule). */
    readonly protect?: boolean;
    readonly tags: Record<string, string>;
}

/**
 * A private bucket (public access blocked, `BucketOwnerEnforced`), encrypted (SSE-S3), versioned,
 * with a lifecycle. The bucket and everything that hardens it share one lifetime: kept together,
 * or deleted together. Children are named `<name>-public-access`, `-ownership`, `-encryption`,
 * `-versioning`, `-lifecycle`. Its policy is the caller's (with `denyInsecureTransport`).
 */
export function hardenedBucket(parent: pulumi.Resource, name: string, options: HardenedBucketOptions) {
    const opts: pulumi.CustomResourceOptions = { parent, protect: options.protect, retainOnDelete: options.keep };
    const bucket = new aws.s3.Bucket(name, { forceDestroy: !options.keep, tags: options.tags }, opts);
    const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
        `${name}-public-access`,
        {
            bucket: bucket.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        },
        opts,
    );
    // Resource Data Sync writes with the bucket-owner-full-control ACL, which BucketOwnerEnforced accepts.
    new aws.s3.BucketOwnershipControls(
        `${name}-ownership`,
        { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
        opts,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
        `${name}-encryption`,
        { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
        opts,
    );
    new aws.s3.BucketVersioning(
        `${name}-versioning`,
        { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
        opts,
    );
    new aws.s3.BucketLifecycleConfiguration(
        `${name}-lifecycle`,
        {
            bucket: bucket.id,
            rules: [
                {
                    id: options.ruleId,
                    status: "Enabled",
                    filter: { prefix: "" },
                    ...(options.expireDays === undefined ? {} : { expiration: { days: options.expireDays } }),
                    noncurrentVersionExpiration: { noncurrentDays: options.noncurrentDays },
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                },
            ],
        },
        opts,
    );
    return { bucket, publicAccessBlock, opts };
}

/**
 * A template whose result is a plain string when every value is one (so a policy built of plain
 * values can be measured before anything exists), else an Output.
 */
function text(strings: TemplateStringsArray, ...values: pulumi.Input<string>[]): pulumi.Input<string> {
    if (values.every((v) => typeof v === "string"))
        return strings.reduce((out, s, i) => out + s + (values[i] ?? ""), "");
    return pulumi.interpolate(strings, ...values);
}

/** The partition (`aws`, `aws-cn`, `aws-us-gov`) of an ARN. */
function partitionOf(arn: pulumi.Input<string>): pulumi.Input<string> {
    return typeof arn === "string" ? arn.split(":")[1] : pulumi.output(arn).apply((a) => a.split(":")[1]);
}

/** Refuses every request without TLS. */
export function denyInsecureTransport(bucketArn: pulumi.Input<string>) {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, text`${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}

/**
 * AWS's Resource Data Sync bucket policy as "Creating a resource data sync for Inventory" has it
 * today: the permissions check on the bucket (`s3:GetBucketAcl`); for listed accounts, one
 * statement per account admitting writes under that account's own `<prefix>/*\/accountid=<account>/*`
 * only, with the bucket-owner-full-control ACL, `aws:SourceAccount` and `aws:SourceArn` (the
 * account's syncs, `arn:<partition>:ssm:*:<account>:resource-data-sync/*`) against the confused
 * deputy; for an organization, writes under any account's prefix with `aws:SourceOrgID`, and the
 * object tagging the organization's syncs do.
 */
export function syncWriteStatements(
    bucketArn: pulumi.Input<string>,
    prefix: string,
    accounts: pulumi.Input<string>[],
    organizationId?: string,
): object[] {
    const ssm = { Service: "ssm.amazonaws.com" };
    const check = {
        Sid: "SSMBucketPermissionsCheck",
        Effect: "Allow",
        Principal: ssm,
        Action: "s3:GetBucketAcl",
        Resource: bucketArn,
    };
    const acl = { "s3:x-amz-acl": "bucket-owner-full-control" };
    if (organizationId !== undefined) {
        const anyAccount = text`${bucketArn}/${prefix}/*/accountid=*/*`;
        return [
            check,
            {
                Sid: "SSMBucketDelivery",
                Effect: "Allow",
                Principal: ssm,
                Action: "s3:PutObject",
                Resource: anyAccount,
                Condition: { StringEquals: { ...acl, "aws:SourceOrgID": organizationId } },
            },
            {
                Sid: "SSMBucketDeliveryTagging",
                Effect: "Allow",
                Principal: ssm,
                Action: "s3:PutObjectTagging",
                Resource: anyAccount,
            },
        ];
    }
    const partition = partitionOf(bucketArn);
    return [
        check,
        ...accounts.map((account) => ({
            Sid: text`SSMBucketDelivery${account}`,
            Effect: "Allow",
            Principal: ssm,
            Action: "s3:PutObject",
            Resource: text`${bucketArn}/${prefix}/*/accountid=${account}/*`,
            Condition: {
                StringEquals: { ...acl, "aws:SourceAccount": account },
                ArnLike: { "aws:SourceArn": text`arn:${partition}:ssm:*:${account}:resource-data-sync/*` },
            },
        })),
    ];
}

/**
 * The log bucket's policy for S3 server access logging ("Enabling Amazon S3 server access logging",
 * the target bucket policy): `logging.s3.amazonaws.com` may put objects under `prefix` only, for
 * the source bucket (`aws:SourceArn`) of this account (`aws:SourceAccount`). The target bucket
 * uses BucketOwnerEnforced, so a bucket policy and not an ACL grants this.
 */
export function accessLogStatements(
    logBucketArn: pulumi.Input<string>,
    prefix: string,
    sourceBucketArn: pulumi.Input<string>,
    account: pulumi.Input<string>,
): object[] {
    return [
        {
            Sid: "S3ServerAccessLogsPolicy",
            Effect: "Allow",
            Principal: { Service: "logging.s3.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: text`${logBucketArn}/${prefix}*`,
            Condition: {
                ArnLike: { "aws:SourceArn": sourceBucketArn },
                StringEquals: { "aws:SourceAccount": account },
            },
        },
    ];
}

export interface AccessLogOptions {
    /** The bucket whose accesses are logged, and its child name prefix. */
    readonly source: aws.s3.Bucket;
    readonly sourceName: string;
    /** The key prefix of its logs in the log bucket, like `sync/`. */
    readonly prefix: string;
    /** The account of the source bucket (`aws:SourceAccount`). */
    readonly account: pulumi.Input<string>;
    readonly expireDays: number;
    readonly keep: boolean;
    readonly tags: Record<string, string>;
}

/**
 * A hardened log bucket admitting S3 server access logs of `source` only (`accessLogStatements`,
 * TLS only), and the source's logging to it (`<sourceName>-logging`). Logs expire after `expireDays`.
 */
export function accessLogBucket(parent: pulumi.Resource, name: string, o: AccessLogOptions) {
    const logs = hardenedBucket(parent, name, {
        expireDays: o.expireDays,
        noncurrentDays: 1,
        ruleId: "expire-access-logs",
        // Unset: the parent's protect, like the bucket whose accesses it records.
        keep: o.keep,
        tags: o.tags,
    });
    const statements = [
        denyInsecureTransport(logs.bucket.arn),
        ...accessLogStatements(logs.bucket.arn, o.prefix, o.source.arn, o.account),
    ];
    const policy = new aws.s3.BucketPolicy(
        `${name}-policy`,
        { bucket: logs.bucket.id, policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements }) },
        { parent, dependsOn: [logs.publicAccessBlock] },
    );
    new aws.s3.BucketLogging(
        `${o.sourceName}-logging`,
        { bucket: o.source.id, targetBucket: logs.bucket.id, targetPrefix: o.prefix },
        { parent, dependsOn: [policy] },
    );
    return logs;
}
