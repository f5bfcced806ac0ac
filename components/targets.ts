/**
 * "The instances carrying all of these tags" as State Manager association targets. A helper the
 * association components share, not a component.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * A Systems Manager target's key (botocore ssm `TargetKey`: 1-163 characters matching
 * `^[\p{L}\p{Z}\p{N}_.:/=\-@]*$`): a tag key becomes `tag:<key>`, so it may not hold `+`, which
 * EC2 tag keys allow. Associations and maintenance window targets refuse such a key.
 */
export const TARGET_KEY_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=\-@]{1,163}$/u;

/** Why a tag key cannot be a Systems Manager target (`tag:<key>`), or undefined. */
export function targetTagKeyProblem(key: string): string | undefined {
    return TARGET_KEY_PATTERN.test(`tag:${key}`)
        ? undefined
        : "cannot be targeted by Systems Manager (tag:<key> must be up to 163 letters, digits, spaces and _.:/=-@; no +)";
}

/**
 * The association's targets for "instances carrying all of these tags".
 *
 * AWS: "If you specified multiple tags, the association targets any instance with at least one of
 * those tags" and "you can use one tag key maximum. If you want to target your instances using
 * more than one tag key, use the resource group option" (State Manager, "About targets and rate
 * controls"). So one tag is a `tag:` target, and several become a resource group whose tag query
 * requires every tag (TAG_FILTERS_1_0: "If you specify more than one tag key, only resources that
 * match all tag keys, and at least one value of each specified tag key, are returned").
 */
export function targetsFor(targetTags: Record<string, string>, resourceGroupName?: pulumi.Input<string>) {
    const entries = Object.entries(targetTags);
    if (entries.length === 1) {
        const [[key, value]] = entries;
        return [{ key: `tag:${key}`, values: [value] }];
    }
    return [{ key: "resource-groups:Name", values: [resourceGroupName!] }];
}

/** A Resource Groups tag query: EC2 instances that carry every one of the tags. */
export function tagQuery(targetTags: Record<string, string>) {
    return {
        ResourceTypeFilters: ["AWS::EC2::Instance"],
        TagFilters: Object.entries(targetTags).map(([Key, Value]) => ({ Key, Values: [Value] })),
    };
}

/** The tag-based resource group of the instances carrying every one of the tags (for several tags). */
export function tagTargetGroup(
    name: string,
    targetTags: Record<string, string>,
    purpose: string,
    tags: Record<string, string>,
    parent: pulumi.Resource,
): aws.resourcegroups.Group {
    return new aws.resourcegroups.Group(
        name,
        {
            // CreateGroup takes letters, digits, white space and _.- only: the tags are in the query.
            description: `EC2 instances ${purpose}`,
            resourceQuery: { type: "TAG_FILTERS_1_0", query: JSON.stringify(tagQuery(targetTags)) },
            tags,
        },
        { parent },
    );
}
