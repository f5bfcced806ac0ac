/**
 * What AWS refuses that its API models do not say: each constraint once, with the page it comes
 * from. Checked on the same requests as the models (tools/contract/index.ts).
 */
import { MAX_ROLE_NAME_PREFIX } from "../../components/iam";
import { architectureOf, Architecture } from "../../components/operatingSystems";
import { associationScheduleProblem, windowScheduleProblem } from "../../components/schedules";
import { LOG_RETENTION_DAYS, MAX_TAGS_PER_RESOURCE, reservedTagKeyProblem } from "../../components/validation";
import { policyProblems, policySize, POLICY_LIMITS, PolicyKind } from "./iamPolicy";
import type { ModelViolation } from "./models";
import type { ApiRequest, PlannedResource } from "./requests";

export interface ConstraintContext {
    /** The CPU architecture of an AMI id, where it is known before deployment. */
    readonly amiArchitecture: (amiId: string) => Architecture | undefined;
}

export interface Constraint {
    readonly id: string;
    /** The AWS (or provider) page the constraint comes from. */
    readonly source: string;
    readonly check: (request: ApiRequest, resource: PlannedResource, context: ConstraintContext) => ModelViolation[];
}

const violation = (field: string, value: unknown, constraint: string): ModelViolation => ({ field, value, constraint });

/** EC2-VPC security group names and descriptions: a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*, up to 255. */
const SECURITY_GROUP_TEXT = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]{0,255}$/;
/** Security group rule descriptions: the same, without `&`. */
const RULE_DESCRIPTION = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=;{}!$*]{0,255}$/;
/** S3 general purpose bucket names. */
const BUCKET_NAME =
    /^(?!xn--|sthree-|amzn-s3-demo-)(?!.*(-s3alias|--ol-s3|--x-s3|--table-s3)$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** SNS topic names (standard topics). */
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
/** User data, before base64: 16 KB. */
export const MAX_USER_DATA_BYTES = 16 * 1024;
/** EventBridge's default quota for an event pattern, in characters (adjustable to 4,096). */
export const MAX_EVENT_PATTERN_CHARACTERS = 2048;
/**
 * The AWS provider's `name_prefix` limits: the API's name limit less its 26-character unique suffix, as its validators
 * have them.
 */
export const NAME_PREFIX_LIMITS: Readonly<Record<string, number>> = {
    "aws:iam/role:Role": MAX_ROLE_NAME_PREFIX,
    "aws:iam/instanceProfile:InstanceProfile": 128 - 26,
    "aws:iam/policy:Policy": 128 - 26,
    "aws:iam/rolePolicy:RolePolicy": 128 - 26,
    // The provider's validLogGroupNamePrefix allows 483 (not 512 - 26).
    "aws:cloudwatch/logGroup:LogGroup": 483,
};

/** Where each operation carries a policy document, its kind, and which limit applies. */
const POLICY_MEMBERS: Readonly<
    Record<string, { member: string; kind: PolicyKind; limit?: keyof typeof POLICY_LIMITS }>
> = {
    CreateRole: { member: "AssumeRolePolicyDocument", kind: "trust", limit: "trust" },
    CreatePolicy: { member: "PolicyDocument", kind: "identity", limit: "managed" },
    // Inline policies count together per role: see `inlinePolicyTotals`.
    PutRolePolicy: { member: "PolicyDocument", kind: "identity" },
    PutBucketPolicy: { member: "Policy", kind: "resource", limit: "bucket" },
    SetTopicAttributes: { member: "AttributeValue", kind: "resource", limit: "topic" },
    CreateKey: { member: "Policy", kind: "resource", limit: "key" },
};

/** Every tag list or map a request carries, with its path. */
function tagSets(request: ApiRequest): { field: string; keys: string[] }[] {
    const r = request.request as Record<string, any>;
    const sets: { field: string; keys: string[] }[] = [];
    const list = (field: string, tags: any[] | undefined, key = "Key") =>
        tags && sets.push({ field, keys: tags.map((t) => t[key]) });
    list("Tags", Array.isArray(r.Tags) ? r.Tags : undefined, request.service === "kms" ? "TagKey" : "Key");
    if (r.Tags && !Array.isArray(r.Tags)) sets.push({ field: "Tags", keys: Object.keys(r.Tags) });
    if (r.tags) sets.push({ field: "tags", keys: Object.keys(r.tags) });
    list("Tagging.TagSet", r.Tagging?.TagSet);
    (r.TagSpecifications ?? []).forEach((spec: any, i: number) => list(`TagSpecifications[${i}].Tags`, spec.Tags));
    return sets;
}

export const CONSTRAINTS: readonly Constraint[] = [
    {
        id: "ec2-security-group-text",
        source: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html",
        check: ({ operation, request }) => {
            if (operation !== "CreateSecurityGroup") return [];
            const out: ModelViolation[] = [];
            for (const field of ["GroupName", "Description"]) {
                const value = request[field] as string;
                if (!SECURITY_GROUP_TEXT.test(value))
                    out.push(
                        violation(field, value, "must be up to 255 of a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*"),
                    );
            }
            if (String(request.GroupName).startsWith("sg-"))
                out.push(violation("GroupName", request.GroupName, "must not start with sg-"));
            return out;
        },
    },
    {
        id: "ec2-rule-description",
        source: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpRange.html",
        check: ({ operation, request }) => {
            if (!operation.startsWith("AuthorizeSecurityGroup")) return [];
            return (request.IpPermissions as any[]).flatMap((permission, i) =>
                (permission.IpRanges ?? [])
                    .filter(
                        (range: any) => range.Description !== undefined && !RULE_DESCRIPTION.test(range.Description),
                    )
                    .map((range: any, j: number) =>
                        violation(
                            `IpPermissions[${i}].IpRanges[${j}].Description`,
                            range.Description,
                            "must be up to 255 of a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=;{}!$*",
                        ),
                    ),
            );
        },
    },
    {
        id: "ec2-user-data-size",
        source: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html",
        check: ({ operation, request }) => {
            if (operation !== "RunInstances" || request.UserData === undefined) return [];
            const bytes = Buffer.from(request.UserData as string, "base64").length;
            return bytes <= MAX_USER_DATA_BYTES
                ? []
                : [
                      violation(
                          "UserData",
                          `${bytes} bytes`,
                          `must be at most ${MAX_USER_DATA_BYTES} bytes before base64 encoding`,
                      ),
                  ];
        },
    },
    {
        id: "ami-architecture",
        source: "https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-instance-type-specifications.html",
        check: ({ operation, request }, _resource, context) => {
            if (operation !== "RunInstances") return [];
            const ami = context.amiArchitecture(request.ImageId as string);
            const type = architectureOf(request.InstanceType as string);
            return ami === undefined || ami === type
                ? []
                : [
                      violation(
                          "ImageId",
                          request.ImageId,
                          `is an ${ami} AMI; instance type ${request.InstanceType} needs ${type}`,
                      ),
                  ];
        },
    },
    {
        id: "tags-per-resource",
        source: "https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html#tag-conventions",
        check: (request) =>
            tagSets(request).flatMap(({ field, keys }) => [
                ...(keys.length > MAX_TAGS_PER_RESOURCE
                    ? [
                          violation(
                              field,
                              `${keys.length} tags`,
                              `a resource takes at most ${MAX_TAGS_PER_RESOURCE} user tags`,
                          ),
                      ]
                    : []),
                ...keys.flatMap((key) => {
                    const problem = reservedTagKeyProblem(key);
                    return problem ? [violation(`${field}{${key}}`, key, problem)] : [];
                }),
            ]),
    },
    {
        id: "provider-name-prefix",
        source: "https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/iam/role.go (roleNamePrefixMaxLen and its siblings)",
        check: (_request, resource) => {
            const limit = NAME_PREFIX_LIMITS[resource.type];
            const prefix = resource.inputs.namePrefix as string | undefined;
            return limit === undefined || prefix === undefined || prefix.length <= limit
                ? []
                : [
                      violation(
                          "namePrefix",
                          prefix,
                          `the AWS provider takes at most ${limit} characters (the name's limit less its 26-character unique suffix)`,
                      ),
                  ];
        },
    },
    {
        id: "event-pattern-size",
        source: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html",
        check: ({ operation, request }) => {
            const pattern = request.EventPattern as string | undefined;
            return operation !== "PutRule" || pattern === undefined || pattern.length <= MAX_EVENT_PATTERN_CHARACTERS
                ? []
                : [
                      violation(
                          "EventPattern",
                          `${pattern.length} characters`,
                          `must be at most ${MAX_EVENT_PATTERN_CHARACTERS} characters (EventBridge's default quota)`,
                      ),
                  ];
        },
    },
    {
        id: "s3-bucket-name",
        source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
        check: ({ operation, request }) =>
            operation !== "CreateBucket" ||
            (BUCKET_NAME.test(request.Bucket as string) && !/\.\.|^\d+\.\d+\.\d+\.\d+$/.test(request.Bucket as string))
                ? []
                : [
                      violation(
                          "Bucket",
                          request.Bucket,
                          "must be 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit",
                      ),
                  ],
    },
    {
        id: "sns-topic",
        source: "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html",
        check: ({ operation, request }) => {
            if (operation !== "CreateTopic") return [];
            const out: ModelViolation[] = [];
            if (!TOPIC_NAME.test(request.Name as string))
                out.push(violation("Name", request.Name, "must be 1-256 letters, digits, _ or -"));
            const display = (request.Attributes as Record<string, string> | undefined)?.DisplayName;
            if (display !== undefined && display.length > 100)
                out.push(violation("Attributes.DisplayName", display, "must be at most 100 characters"));
            return out;
        },
    },
    {
        id: "logs-retention",
        source: "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html",
        check: ({ operation, request }) =>
            operation !== "PutRetentionPolicy" || LOG_RETENTION_DAYS.includes(request.retentionInDays as number)
                ? []
                : [
                      violation(
                          "retentionInDays",
                          request.retentionInDays,
                          `must be one of ${LOG_RETENTION_DAYS.join(", ")}`,
                      ),
                  ],
    },
    {
        id: "ssm-schedules",
        source: "https://docs.aws.amazon.com/systems-manager/latest/userguide/reference-cron-and-rate-expressions.html",
        check: ({ operation, request }) => {
            const [field, problem] =
                operation === "CreateAssociation" && request.ScheduleExpression !== undefined
                    ? ["ScheduleExpression", associationScheduleProblem(request.ScheduleExpression as string)]
                    : operation === "CreateMaintenanceWindow"
                      ? ["Schedule", windowScheduleProblem(request.Schedule as string)]
                      : ["", undefined];
            return problem ? [violation(field, request[field], problem)] : [];
        },
    },
    {
        id: "maintenance-window-cutoff",
        source: "https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateMaintenanceWindow.html",
        check: ({ operation, request }) =>
            operation !== "CreateMaintenanceWindow" || (request.Cutoff as number) < (request.Duration as number)
                ? []
                : [violation("Cutoff", request.Cutoff, `must be less than Duration (${request.Duration})`)],
    },
    {
        id: "iam-policy-documents",
        source: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html",
        check: ({ operation, request }) => {
            const spec = POLICY_MEMBERS[operation];
            if (!spec || (operation === "SetTopicAttributes" && request.AttributeName !== "Policy")) return [];
            const document = request[spec.member] as string;
            const out = policyProblems(document, spec.kind).map((p) =>
                violation(`${spec.member} ${p.where}`, undefined, p.problem),
            );
            if (spec.limit) {
                const limit = POLICY_LIMITS[spec.limit];
                const size = policySize(document, limit.whitespaceCounted);
                if (size > limit.max)
                    out.push(
                        violation(
                            spec.member,
                            `${size} characters`,
                            `must be at most ${limit.max} characters${limit.whitespaceCounted ? "" : " (white space not counted)"}`,
                        ),
                    );
            }
            return out;
        },
    },
];

/** IAM counts all of a role's inline policies together: one violation per role over the limit. */
export function inlinePolicyTotals(requests: readonly ApiRequest[]): { role: string; size: number }[] {
    const totals = new Map<string, number>();
    for (const { operation, request } of requests) {
        if (operation !== "PutRolePolicy") continue;
        const role = request.RoleName as string;
        totals.set(role, (totals.get(role) ?? 0) + policySize(request.PolicyDocument as string, false));
    }
    return [...totals]
        .filter(([, size]) => size > POLICY_LIMITS.inlinePerRole.max)
        .map(([role, size]) => ({ role, size }));
}
