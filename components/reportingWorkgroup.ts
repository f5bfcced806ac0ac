/**
 * The Athena side of ComplianceReporting: the results bucket, the guarded workgroup and the saved
 * queries (REPORT_QUERIES).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyInsecureTransport, hardenedBucket } from "./buckets";
import { REPORT_QUERIES } from "./reportingQueries";

/** The Athena results bucket: hardened, TLS only, its objects expiring after `days`. */
export function resultsBucket(parent: pulumi.Resource, name: string, days: number, tags: Record<string, string>) {
    const results = hardenedBucket(parent, `${name}-results`, {
        expireDays: days,
        noncurrentDays: days,
        ruleId: "expire-results",
        protect: false,
        keep: false,
        tags,
    });
    new aws.s3.BucketPolicy(
        `${name}-results-policy`,
        {
            bucket: results.bucket.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [denyInsecureTransport(results.bucket.arn)],
            }),
        },
        { parent, dependsOn: [results.publicAccessBlock] },
    );
    return results;
}

/** The workgroup queries run in: its configuration enforced, results encrypted in the results bucket. */
export function queryWorkgroup(
    parent: pulumi.Resource,
    name: string,
    workgroupName: pulumi.Input<string>,
    bytesScannedCutoffPerQuery: number,
    resultsBucketName: pulumi.Output<string>,
    tags: Record<string, string>,
): aws.athena.Workgroup {
    return new aws.athena.Workgroup(
        `${name}-workgroup`,
        {
            name: workgroupName,
            description: "Queries over Systems Manager inventory and patch compliance",
            configuration: {
                // Users cannot override these per query: results always encrypted, in this bucket.
                enforceWorkgroupConfiguration: true,
                bytesScannedCutoffPerQuery,
                publishCloudwatchMetricsEnabled: true,
                resultConfiguration: {
                    outputLocation: pulumi.interpolate`s3://${resultsBucketName}/results/`,
                    encryptionConfiguration: { encryptionOption: "SSE_S3" },
                },
            },
            // Deleting the workgroup deletes its saved queries with it.
            forceDestroy: true,
            tags,
        },
        { parent },
    );
}

/** The saved queries of REPORT_QUERIES in the workgroup, by key. */
export function savedQueries(
    parent: pulumi.Resource,
    name: string,
    database: pulumi.Output<string>,
    workgroup: pulumi.Output<string>,
): pulumi.Output<Record<string, string>> {
    return pulumi.output(
        Object.fromEntries(
            Object.entries(REPORT_QUERIES).map(([key, query]) => [
                key,
                new aws.athena.NamedQuery(
                    `${name}-${query.name}`,
                    { name: query.name, description: query.description, database, workgroup, query: query.sql },
                    { parent },
                ).id,
            ]),
        ),
    );
}
