/**
 * The resources PatchMaintenanceWindow creates, built here so that its constructor only wires them:
 * the window's service role and the tasks' output grants (createWindowAccess), and each window with
 * its target and AWS-RunPatchBaseline task (createPatchWindow). Names and parents are the component's.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CREATE_LOGS_KEY, createLogsKey } from "./logsKey";
import { PATCH_DOCUMENT } from "./documents";
import { serviceTrustPolicy } from "./iam";

/** Where the tasks report Failed, TimedOut and Cancelled invocations. */
export interface TaskNotifications {
    /** The SNS topic. */
    topicArn: pulumi.Input<string>;
    /** The role Run Command publishes with (`AlertTopic.notificationRoleArn`). */
    roleArn: pulumi.Input<string>;
}

/** Instances chosen by tags: each key must match one of its values (AND across keys, OR within one). */
export type TagTargets = Record<string, string[]>;

/** What the service role and the output grants are made from (PatchMaintenanceWindowArgs' fields). */
export interface WindowAccessArgs {
    readonly windowName: string;
    readonly roleNamePrefix: string;
    readonly passRolePolicyNamePrefix: string;
    readonly adminGroup?: string;
    readonly logGroupNamePrefix?: string;
    /** The log group's KMS key: a key ARN, or `create` for one made with CloudWatch Logs' key policy (logsKey.ts). */
    readonly kmsKeyId?: pulumi.Input<string>;
    readonly instanceRoleNames?: pulumi.Input<string>[];
    readonly logBucketArn: pulumi.Input<string>;
}

/** The Run Command notifications the tasks send to the alert topic. */
export const TASK_NOTIFICATION_EVENTS = ["Failed", "TimedOut", "Cancelled"];

/** A description within the API's 128 characters: the full one, or the short one when it does not fit. */
export const MAX_DESCRIPTION_LENGTH = 128;
function describe(full: string, short: string): string {
    return full.length <= MAX_DESCRIPTION_LENGTH ? full : short;
}

/** `Workload=Test and InstanceRole=WebServer|AppServer`. */
export function describeTargets(targets: TagTargets): string {
    return Object.entries(targets)
        .map(([key, values]) => `${key}=${values.join("|")}`)
        .join(" and ");
}

/** The window's service role, the policy that lets administrators pass it, and the tasks' output grants. */
export interface WindowAccess {
    readonly role: aws.iam.Role;
    readonly passRole: aws.iam.Policy;
    /** The CloudWatch log group of the tasks' output, when there is one. */
    readonly logGroup?: aws.cloudwatch.LogGroup;
    /** Its KMS key, when `kmsKeyId` is `create`. */
    readonly logsKey?: aws.kms.Key;
    /** The instance roles' grants to write the tasks' output: the tasks wait for them. */
    readonly writeOutput: aws.iam.RolePolicy[];
}

/**
 * The service role (ssm.amazonaws.com for this account), its PassRole policy (and the admin group's
 * attachment), the log group and each instance role's output grants, as children of `parent`.
 */
export function createWindowAccess(
    name: string,
    args: WindowAccessArgs,
    options: {
        managedPolicyArn: pulumi.Input<string>;
        account: pulumi.Input<string>;
        partition: pulumi.Input<string>;
        region: pulumi.Input<string>;
        logRetentionDays: number;
        tags: Record<string, string>;
        parent: pulumi.Resource;
    },
): WindowAccess {
    const { tags, parent } = options;
    // The service role: ssm.amazonaws.com alone, and only on behalf of this account (confused deputy).
    const role = new aws.iam.Role(
        `${name}-role`,
        {
            namePrefix: args.roleNamePrefix,
            description: `Runs the tasks of the maintenance window ${args.windowName}`,
            assumeRolePolicy: serviceTrustPolicy("ssm.amazonaws.com", options.account),
            tags,
        },
        { parent },
    );
    new aws.iam.RolePolicyAttachment(
        `${name}-role-policy`,
        { role: role.name, policyArn: options.managedPolicyArn },
        { parent },
    );
    const passRole = new aws.iam.Policy(
        `${name}-pass-role`,
        {
            namePrefix: args.passRolePolicyNamePrefix,
            description: `Lets its holders register tasks that use the role of the maintenance window ${args.windowName}`,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Action: "iam:PassRole",
                        Resource: role.arn,
                        Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
                    },
                ],
            }),
            tags,
        },
        { parent },
    );
    if (args.adminGroup !== undefined) {
        new aws.iam.GroupPolicyAttachment(
            `${name}-pass-role-group`,
            { group: args.adminGroup, policyArn: passRole.arn },
            { parent },
        );
    }

    let logGroup: aws.cloudwatch.LogGroup | undefined;
    let logsKey: aws.kms.Key | undefined;
    if (args.logGroupNamePrefix !== undefined) {
        logsKey =
            args.kmsKeyId === CREATE_LOGS_KEY
                ? createLogsKey(`${name}-logs-key`, { ...options, logGroupNamePrefix: args.logGroupNamePrefix })
                : undefined;
        // Created here, not by the agent, so that pulumi destroy removes it.
        logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            {
                namePrefix: args.logGroupNamePrefix,
                retentionInDays: options.logRetentionDays,
                kmsKeyId: logsKey?.arn ?? args.kmsKeyId,
                tags,
            },
            { parent },
        );
    }
    const statements = outputStatements(args.logBucketArn, logGroup);
    const writeOutput = (args.instanceRoleNames ?? []).map(
        (roleName, i) =>
            new aws.iam.RolePolicy(
                `${name}-write-output${i === 0 ? "" : `-${i + 1}`}`,
                { role: roleName, policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements }) },
                { parent },
            ),
    );
    return { role, passRole, logGroup, logsKey, writeOutput };
}

/**
 * The agents write the tasks' output with the instance profile's credentials: AWS's documented
 * policies for S3 and CloudWatch Logs output (docs/design.md, tests/fixtures/output-permissions.json).
 */
function outputStatements(logBucketArn: pulumi.Input<string>, logGroup?: aws.cloudwatch.LogGroup): object[] {
    const statements: object[] = [
        {
            Effect: "Allow",
            Action: ["s3:PutObject"],
            Resource: pulumi.interpolate`${logBucketArn}/patching/*`,
        },
        { Effect: "Allow", Action: ["s3:GetEncryptionConfiguration"], Resource: logBucketArn },
    ];
    if (logGroup) {
        // The agent finds the group with DescribeLogGroups (resource "*") or stops streaming (design.md).
        statements.push(
            { Effect: "Allow", Action: ["logs:DescribeLogGroups"], Resource: "*" },
            { Effect: "Allow", Action: ["logs:DescribeLogStreams"], Resource: logGroup.arn },
            {
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: pulumi.interpolate`${logGroup.arn}:log-stream:*`,
            },
        );
    }
    return statements;
}

/** What every window of the component shares. */
export interface PatchWindowShared {
    /** The component's name: the children's names start with it. */
    readonly name: string;
    readonly timezone: string;
    readonly tags: Record<string, string>;
    /** The windows' service role. */
    readonly roleArn: pulumi.Input<string>;
    /** The bucket of the tasks' output. */
    readonly bucket: pulumi.Input<string>;
    readonly logGroupName?: pulumi.Input<string>;
    readonly notifications?: TaskNotifications;
    /** The output grants the tasks wait for. */
    readonly writeOutput: pulumi.Resource[];
    readonly parent: pulumi.Resource;
}

/**
 * A window, its target and its AWS-RunPatchBaseline task: the install window and the scan window differ only in
 * these.
 */
export function createPatchWindow(kind: "install" | "scan", spec: PatchWindowSpec, shared: PatchWindowShared) {
    const { name, parent, tags } = shared;
    const window = new aws.ssm.MaintenanceWindow(
        kind === "install" ? `${name}-window` : `${name}-scan-window`,
        {
            name: spec.windowName,
            description: describe(
                spec.description,
                `${spec.operation === "Install" ? "Installs patches on" : "Scans"} the targeted instances`,
            ),
            schedule: spec.schedule,
            scheduleTimezone: shared.timezone,
            scheduleOffset: spec.scheduleOffset,
            duration: spec.duration,
            cutoff: spec.cutoff,
            allowUnassociatedTargets: true,
            tags,
        },
        { parent },
    );
    // AWS (maintenance window targets): "If you specify more than one tag key, a node must be
    // tagged with all the tag keys and values you specify to be included in the target group."
    // Several values of one key match any of them.
    const target = new aws.ssm.MaintenanceWindowTarget(
        kind === "install" ? `${name}-target` : `${name}-scan-target`,
        {
            windowId: window.id,
            name: spec.targetName,
            description: describe(describeTargets(spec.targets), `${Object.keys(spec.targets).length} tag keys`),
            resourceType: "INSTANCE",
            targets: Object.entries(spec.targets).map(([key, values]) => ({ key: `tag:${key}`, values })),
        },
        { parent },
    );
    if (spec.withoutTask) return { window, target, task: undefined };
    const task = new aws.ssm.MaintenanceWindowTask(
        kind === "install" ? `${name}-install` : `${name}-scan`,
        {
            windowId: window.id,
            name: spec.windowName,
            description: `${PATCH_DOCUMENT} ${spec.operation} on the window's target`,
            taskType: "RUN_COMMAND",
            taskArn: PATCH_DOCUMENT,
            priority: 1,
            serviceRoleArn: shared.roleArn,
            targets: [{ key: "WindowTargetIds", values: [target.id] }],
            maxConcurrency: spec.maxConcurrency,
            maxErrors: spec.maxErrors,
            taskInvocationParameters: {
                runCommandParameters: runCommand({
                    operation: spec.operation,
                    rebootOption: spec.rebootOption,
                    bucket: shared.bucket,
                    prefix: spec.outputPrefix,
                    logGroupName: shared.logGroupName,
                    notifications: shared.notifications,
                }),
            },
        },
        { parent, dependsOn: shared.writeOutput },
    );
    return { window, target, task };
}

export interface PatchWindowSpec {
    readonly operation: "Install" | "Scan";
    /** The window and target only: another component registers the task (PatchRunbook). */
    readonly withoutTask?: boolean;
    readonly windowName: string;
    readonly description: string;
    readonly targetName: string;
    readonly targets: TagTargets;
    readonly schedule: string;
    readonly scheduleOffset?: number;
    readonly duration: number;
    readonly cutoff: number;
    readonly maxConcurrency: string;
    readonly maxErrors: string;
    /** `RebootIfNeeded` or `NoReboot` (PatchMaintenanceWindow validates it). */
    readonly rebootOption: string;
    readonly outputPrefix: string;
}

function runCommand(options: {
    operation: "Install" | "Scan";
    rebootOption: string;
    bucket: pulumi.Input<string>;
    prefix: string;
    logGroupName?: pulumi.Input<string>;
    notifications?: TaskNotifications;
}) {
    return {
        parameters: [
            { name: "Operation", values: [options.operation] },
            { name: "RebootOption", values: [options.rebootOption] },
        ],
        outputS3Bucket: options.bucket,
        outputS3KeyPrefix: options.prefix,
        cloudwatchConfig:
            options.logGroupName === undefined
                ? undefined
                : { cloudwatchLogGroupName: options.logGroupName, cloudwatchOutputEnabled: true },
        // Run Command's service role is only the role it publishes SNS notifications with.
        serviceRoleArn: options.notifications?.roleArn,
        notificationConfig:
            options.notifications === undefined
                ? undefined
                : {
                      notificationArn: options.notifications.topicArn,
                      notificationEvents: TASK_NOTIFICATION_EVENTS,
                      notificationType: "Invocation",
                  },
    };
}
