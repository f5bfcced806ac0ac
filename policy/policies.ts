/**
 * The project's promises as Pulumi policies, checked on every `pulumi preview` and `pulumi up`
 * (`--policy-pack policy`). Pure definitions: policy/index.ts registers them as a pack, and
 * tests/policy.spec.ts runs them offline against both stacks' planned resources.
 *
 * During a preview some values are unknown (an ARN not yet created); reading one makes the
 * policy SDK report "can't run during preview" instead of a violation. So presence is checked
 * with `in` where a value may be unknown, and JSON documents are only parsed when known.
 */
import * as aws from "@pulumi/aws";
import {
    EnforcementLevel,
    PolicyResource,
    ReportViolation,
    ResourceValidationPolicy,
    StackValidationPolicy,
    validateResourceOfType,
} from "@pulumi/policy";

const MANDATORY: EnforcementLevel = "mandatory";
const ADMIN_PORTS = [22, 3389];
const WORLD = ["0.0.0.0/0", "::/0"];

type Json = Record<string, any>;

/** The key is there (its value may be unknown during a preview). */
function present(object: unknown, key: string): boolean {
    return object !== null && typeof object === "object" && key in object && (object as Json)[key] !== undefined;
}

function coversAdminPort(protocol: string | undefined, from: number | undefined, to: number | undefined): number[] {
    if (protocol === "-1" || protocol === "all") return ADMIN_PORTS;
    if (protocol !== "tcp" && protocol !== "6") return [];
    return ADMIN_PORTS.filter((port) => (from ?? 0) <= port && port <= (to ?? 65535));
}

function worldOpen(
    report: ReportViolation,
    what: string,
    cidrs: (string | undefined)[],
    protocol: string | undefined,
    from: number | undefined,
    to: number | undefined,
) {
    const open = cidrs.filter((c): c is string => c !== undefined && WORLD.includes(c));
    const ports = coversAdminPort(protocol, from, to);
    if (open.length > 0 && ports.length > 0) {
        report(
            `${what} admits ${open.join(" and ")} on ${ports.map((p) => (p === 22 ? "SSH (22)" : "RDP (3389)")).join(" and ")}; allow a specific source instead, or use Session Manager`,
        );
    }
}

/** Allow statements granting every action on every resource. */
function starOnStar(document: unknown): boolean {
    if (typeof document !== "string") return false; // unknown during a preview: nothing to judge yet
    const statements = [JSON.parse(document).Statement ?? []].flat() as Json[];
    const all = (value: unknown) => [value].flat().includes("*");
    return statements.some((s) => s.Effect === "Allow" && all(s.Action) && all(s.Resource));
}

export const resourcePolicies: ResourceValidationPolicy[] = [
    {
        name: "ec2-imdsv2-required",
        description: "EC2 instances accept only IMDSv2 (session tokens) for instance metadata.",
        enforcementLevel: MANDATORY,
        validateResource: validateResourceOfType(aws.ec2.Instance, (instance, _args, report) => {
            if (instance.metadataOptions?.httpTokens !== "required") {
                report(
                    `metadataOptions.httpTokens is ${JSON.stringify(instance.metadataOptions?.httpTokens ?? "unset")}; set it to "required" (IMDSv2 only)`,
                );
            }
        }),
    },
    {
        name: "ec2-root-volume-encrypted",
        description: "EC2 instances have encrypted root volumes.",
        enforcementLevel: MANDATORY,
        validateResource: validateResourceOfType(aws.ec2.Instance, (instance, _args, report) => {
            if (instance.rootBlockDevice?.encrypted !== true) {
                report("rootBlockDevice.encrypted is not true; encrypt the root volume");
            }
        }),
    },
    {
        name: "no-world-ssh-rdp",
        description: "No security group admits 0.0.0.0/0 or ::/0 on SSH (22) or RDP (3389).",
        enforcementLevel: MANDATORY,
        validateResource: [
            validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (rule, _args, report) =>
                worldOpen(
                    report,
                    "ingress rule",
                    [rule.cidrIpv4, rule.cidrIpv6],
                    rule.ipProtocol,
                    rule.fromPort,
                    rule.toPort,
                ),
            ),
            validateResourceOfType(aws.ec2.SecurityGroupRule, (rule, _args, report) => {
                if (rule.type === "ingress")
                    worldOpen(
                        report,
                        "ingress rule",
                        [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])],
                        rule.protocol,
                        rule.fromPort,
                        rule.toPort,
                    );
            }),
            validateResourceOfType(aws.ec2.SecurityGroup, (group, _args, report) => {
                for (const rule of group.ingress ?? []) {
                    worldOpen(
                        report,
                        "inline ingress",
                        [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])],
                        rule.protocol,
                        rule.fromPort,
                        rule.toPort,
                    );
                }
            }),
        ],
    },
    {
        name: "sns-topic-encrypted",
        description: "SNS topics are encrypted at rest with a KMS key.",
        enforcementLevel: MANDATORY,
        validateResource: validateResourceOfType(aws.sns.Topic, (topic, _args, report) => {
            if (!present(topic, "kmsMasterKeyId"))
                report("kmsMasterKeyId is not set; encrypt the topic with a KMS key");
        }),
    },
    {
        name: "iam-no-star-on-star",
        description: "No IAM policy allows every action (*) on every resource (*).",
        enforcementLevel: MANDATORY,
        validateResource: [aws.iam.Policy, aws.iam.RolePolicy, aws.iam.UserPolicy, aws.iam.GroupPolicy].map((cls) =>
            validateResourceOfType(cls as typeof aws.iam.Policy, (policy, _args, report) => {
                if (starOnStar(policy.policy))
                    report('the policy allows "*" on "*"; grant the actions and resources the holder needs');
            }),
        ),
    },
    {
        name: "maintenance-window-run-command-task",
        description: "Every maintenance window Run Command task has a service role and rate control.",
        enforcementLevel: MANDATORY,
        validateResource: validateResourceOfType(aws.ssm.MaintenanceWindowTask, (task, _args, report) => {
            if (task.taskType !== "RUN_COMMAND") return;
            const missing = [
                present(task, "serviceRoleArn") ? undefined : "serviceRoleArn (the window's service role)",
                present(task, "maxConcurrency") ? undefined : "maxConcurrency",
                present(task, "maxErrors") ? undefined : "maxErrors",
            ].filter((m) => m !== undefined);
            if (missing.length > 0)
                report(`Run Command task ${JSON.stringify(task.name ?? "")} lacks ${missing.join(", ")}`);
        }),
    },
    {
        name: "patch-baseline-operating-system",
        description:
            "Every patch baseline names its operating system (the API's default, WINDOWS, is a silent no-op for Linux instances).",
        enforcementLevel: MANDATORY,
        validateResource: validateResourceOfType(aws.ssm.PatchBaseline, (baseline, _args, report) => {
            if (!baseline.operatingSystem) report("operatingSystem is not set; the API would default to WINDOWS");
        }),
    },
    {
        name: "athena-workgroup-guarded",
        description:
            "Every Athena workgroup enforces its configuration, encrypts query results and cancels a query past a bytes-scanned limit.",
        enforcementLevel: MANDATORY,
        validateResource: validateResourceOfType(aws.athena.Workgroup, (workgroup, _args, report) => {
            const c = workgroup.configuration;
            const missing = [
                c?.enforceWorkgroupConfiguration === true
                    ? undefined
                    : "configuration.enforceWorkgroupConfiguration true (users cannot turn encryption off per query)",
                present(c?.resultConfiguration?.encryptionConfiguration, "encryptionOption")
                    ? undefined
                    : "configuration.resultConfiguration.encryptionConfiguration (encrypted results)",
                present(c, "bytesScannedCutoffPerQuery")
                    ? undefined
                    : "configuration.bytesScannedCutoffPerQuery (a cost limit per query)",
            ].filter((m) => m !== undefined);
            if (missing.length > 0)
                report(`workgroup ${JSON.stringify(workgroup.name ?? "")} lacks ${missing.join(", ")}`);
        }),
    },
];

/** The resources whose `bucket` input comes from this bucket. */
function attachedTo(bucket: PolicyResource, resources: PolicyResource[], type: string): PolicyResource[] {
    return resources.filter(
        (r) => r.type === type && (r.propertyDependencies.bucket ?? []).some((d) => d.urn === bucket.urn),
    );
}

function denyInsecureTransport(policy: PolicyResource): boolean | undefined {
    if (!present(policy.props, "policy")) return false;
    const document = policy.props.policy;
    if (typeof document !== "string") return undefined; // unknown during a preview
    const statements = [JSON.parse(document).Statement ?? []].flat() as Json[];
    return statements.some(
        (s) => s.Effect === "Deny" && JSON.stringify(s.Condition ?? {}).includes('"aws:SecureTransport":"false"'),
    );
}

const COMMAND_INVOCATION_EVENT = "EC2 Command Invocation Status-change Notification";

/**
 * Whether an EventBridge rule reports its document's invocations ending without success on
 * instances (undefined while its pattern is unknown during a preview).
 */
function reportsCommandFailures(rule: PolicyResource, document: string): boolean | undefined {
    const pattern = rule.props.eventPattern;
    if (typeof pattern !== "string") return undefined;
    const parsed = JSON.parse(pattern) as Json;
    return (
        [parsed["detail-type"]].flat().includes(COMMAND_INVOCATION_EVENT) &&
        [parsed.detail?.["document-name"]].flat().includes(document) &&
        ["Failed", "TimedOut", "Cancelled"].every((s) => [parsed.detail?.status].flat().includes(s))
    );
}

export const stackPolicies: StackValidationPolicy[] = [
    {
        name: "run-command-task-failures-reported",
        description:
            "Every maintenance window Run Command task's failures on instances are reported: by its own notifications, " +
            "or by an EventBridge rule on its document's command invocations.",
        enforcementLevel: MANDATORY,
        validateStack: (args, report) => {
            const rules = args.resources.filter((r) => r.type === "aws:cloudwatch/eventRule:EventRule");
            for (const task of args.resources.filter(
                (r) =>
                    r.type === "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask" &&
                    r.props.taskType === "RUN_COMMAND",
            )) {
                if (
                    present(
                        task.props.taskInvocationParameters?.runCommandParameters?.notificationConfig,
                        "notificationArn",
                    )
                )
                    continue;
                const byRule = rules.map((r) => reportsCommandFailures(r, task.props.taskArn));
                if (byRule.every((reported) => reported === false))
                    report(
                        `Run Command task ${JSON.stringify(task.props.name ?? "")} has no notificationConfig.notificationArn ` +
                            `and no EventBridge rule reports ${task.props.taskArn} ending Failed, TimedOut or Cancelled`,
                        task.urn,
                    );
            }
        },
    },
    {
        name: "s3-bucket-hardened",
        description: "Every S3 bucket blocks public access, is encrypted and accepts TLS only.",
        enforcementLevel: MANDATORY,
        validateStack: (args, report) => {
            for (const bucket of args.resources.filter((r) => r.type === "aws:s3/bucket:Bucket")) {
                const block = attachedTo(
                    bucket,
                    args.resources,
                    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                );
                const flags = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
                if (!block.some((b) => flags.every((f) => b.props[f] === true))) {
                    report(
                        `bucket ${bucket.name} has no public access block with ${flags.join(", ")} all true`,
                        bucket.urn,
                    );
                }
                const encrypted =
                    attachedTo(
                        bucket,
                        args.resources,
                        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                    ).length > 0 || present(bucket.props, "serverSideEncryptionConfiguration");
                if (!encrypted) report(`bucket ${bucket.name} has no server-side encryption configuration`, bucket.urn);
                const tls = attachedTo(bucket, args.resources, "aws:s3/bucketPolicy:BucketPolicy").map(
                    denyInsecureTransport,
                );
                if (!tls.some((t) => t !== false))
                    report(
                        `bucket ${bucket.name} has no bucket policy denying requests without TLS (aws:SecureTransport false)`,
                        bucket.urn,
                    );
            }
        },
    },
];
