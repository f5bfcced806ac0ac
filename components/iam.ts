/** IAM documents the components share. */
import * as pulumi from "@pulumi/pulumi";

/**
 * A trust policy letting one AWS service assume the role; with `sourceAccount`, only on behalf of
 * that account (the `aws:SourceAccount` guard against the confused-deputy problem).
 */
export function serviceTrustPolicy(service: string, sourceAccount?: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: service },
                Action: "sts:AssumeRole",
                ...(sourceAccount === undefined
                    ? {}
                    : { Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } } }),
            },
        ],
    });
}

/** The ARN of an AWS managed policy (`AmazonSSMManagedInstanceCore`, `service-role/...`) in the partition. */
export function awsManagedPolicyArn(partition: pulumi.Input<string>, name: string): pulumi.Output<string> {
    return pulumi.interpolate`arn:${partition}:iam::aws:policy/${name}`;
}

/** A role's `namePrefix` gets a 26-character unique suffix, and role names are at most 64 characters. */
export const MAX_ROLE_NAME_PREFIX = 38;

/** A problem for a role name prefix too long for AWS, or undefined. */
export function rolePrefixProblem(field: string, prefix: string): string | undefined {
    return prefix.length <= MAX_ROLE_NAME_PREFIX
        ? undefined
        : `${field} makes the role name prefix ${JSON.stringify(prefix)} (${prefix.length} characters); IAM allows ${MAX_ROLE_NAME_PREFIX} before the 26-character unique suffix`;
}
