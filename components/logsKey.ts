/**
 * A customer managed KMS key for CloudWatch Logs log groups, with the key policy CloudWatch Logs
 * needs: AWS, "Encrypt log data in CloudWatch Logs using AWS Key Management Service"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html): the Region's
 * service principal `logs.<region>.amazonaws.com` may use the key only for log groups whose ARN the
 * encryption context `kms:EncryptionContext:aws:logs:arn` names (ArnLike). A helper, not a component.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The value of a `kmsKeyId` option that asks for a key made here, with the policy below. */
export const CREATE_LOGS_KEY = "create";

/** A KMS key ARN (a multi-Region key's too), as CloudWatch Logs' AssociateKmsKey takes it. */
export const KMS_KEY_ARN_PATTERN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f-]{36})$/;

/** Why a `kmsKeyId` value is refused (a plain string only: an Output is the caller's), or undefined. */
export function kmsKeyIdProblem(value: unknown): string | undefined {
    if (typeof value !== "string" || value === CREATE_LOGS_KEY || KMS_KEY_ARN_PATTERN.test(value)) return undefined;
    return `must be ${CREATE_LOGS_KEY} (a key made with CloudWatch Logs' key policy) or a KMS key ARN such as arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
}

/** The key policy: the account administers it through IAM; CloudWatch Logs uses it for these log groups only. */
export function logsKeyPolicy(o: {
    partition: pulumi.Input<string>;
    region: pulumi.Input<string>;
    account: pulumi.Input<string>;
    /** The log groups' name prefix, like `/oe-lab-ipm/Test/patching-`. */
    logGroupNamePrefix: string;
}): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AccountAdministersKeyThroughIam",
                Effect: "Allow",
                Principal: { AWS: pulumi.interpolate`arn:${o.partition}:iam::${o.account}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            {
                Sid: "CloudWatchLogsEncryptsTheLogGroups",
                Effect: "Allow",
                Principal: { Service: pulumi.interpolate`logs.${o.region}.amazonaws.com` },
                Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                Resource: "*",
                Condition: {
                    ArnLike: {
                        "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:${o.partition}:logs:${o.region}:${o.account}:log-group:${o.logGroupNamePrefix}*`,
                    },
                },
            },
        ],
    });
}

/** The key itself: rotated yearly, 7 days' deletion window. */
export function createLogsKey(
    name: string,
    o: Parameters<typeof logsKeyPolicy>[0] & { tags: Record<string, string>; parent: pulumi.Resource },
): aws.kms.Key {
    return new aws.kms.Key(
        name,
        {
            description: `Encrypts the CloudWatch Logs log groups ${o.logGroupNamePrefix}*`,
            enableKeyRotation: true,
            deletionWindowInDays: 7,
            policy: logsKeyPolicy(o),
            tags: o.tags,
        },
        { parent: o.parent },
    );
}
