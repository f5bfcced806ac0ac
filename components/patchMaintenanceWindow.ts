import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsManagedPolicyArn, rolePrefixProblem, serviceTrustPolicy } from "./iam";
import { TAG } from "./managedFleet";
import { windowScheduleProblem } from "./schedules";
import { ArgumentError, countProblem, fieldProblem } from "./validation";

/** The AWS document that scans for and installs patches. */
export const PATCH_DOCUMENT = "AWS-RunPatchBaseline";
export const MAINTENANCE_WINDOW_POLICY = "service-role/AmazonSSMMaintenanceWindowRole";
/** The lab's role name, as the prefix of each stack's role. */
export const WINDOW_ROLE_PREFIX = "SSMMaintenanceWindowRole-";
/** The Run Command notifications the tasks send to the alert topic. */
export const TASK_NOTIFICATION_EVENTS = ["Failed", "TimedOut", "Cancelled"];
export const REBOOT_OPTIONS = ["RebootIfNeeded", "NoReboot"] as const;
export type RebootOption = (typeof REBOOT_OPTIONS)[number];

export const DEFAULTS = {
    /** Every day at 02:00 (the lab's cron builder choice). */
    schedule: "cron(0 2 ? * * *)",
    timezone: "Asia/Tokyo",
    duration: 1,
    cutoff: 0,
    maxConcurrency: "1",
    maxErrors: "1",
    rebootOption: "RebootIfNeeded" as RebootOption,
    /** The scan runs an hour before the install window, so compliance is fresh every morning. */
    scanSchedule: "cron(0 1 ? * * *)",
    logRetentionDays: 30,
    installPrefix: "patching/install",
    scanPrefix: "patching/scan",
    /** The lab patches its web servers. */
    targetRoles: ["WebServer"],
} as const;

// ---------------------------------------------------------------------------------------------
// What the API validates, as pure functions returning a problem or undefined.

/** An IANA time zone name as AWS expects it (`Asia/Tokyo`, `Etc/UTC`), known to this runtime's zone database. */
export function timezoneProblem(timezone: string): string | undefined {
    try {
        const resolved = new Intl.DateTimeFormat("en-US", { timeZone: timezone }).resolvedOptions().timeZone;
        if (resolved !== timezone && resolved.toLowerCase() === timezone.toLowerCase()) {
            return `must be spelt as in the IANA database: ${resolved}`;
        }
        return /^[A-Za-z]/.test(timezone) ? undefined : "must be an IANA time zone name such as Asia/Tokyo";
    } catch {
        return "must be an IANA time zone name such as Asia/Tokyo or Etc/UTC";
    }
}

/**
 * Run Command rate controls, as RegisterTaskWithMaintenanceWindow's model has them: a count
 * without leading zeros or a percentage, at most 7 characters; `MaxConcurrency` at least 1,
 * `MaxErrors` may be 0 or 0%.
 */
const RATE_CONTROL_PATTERNS = {
    1: /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/,
    0: /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/,
} as const;
const RATE_CONTROL_MAX_LENGTH = 7;

/** Why a rate control would be refused, or undefined. */
export function rateControlProblem(value: string, minimum: 0 | 1): string | undefined {
    return RATE_CONTROL_PATTERNS[minimum].test(value) && value.length <= RATE_CONTROL_MAX_LENGTH
        ? undefined
        : `must be a number of instances (${minimum} to 9999999, no leading zeros) or a percentage (${minimum}% to 100%), e.g. 1 or 10%`;
}

/** RegisterTargetWithMaintenanceWindow: a target key takes at most 50 values (TargetValues). */
export const MAX_TARGET_VALUES = 50;

/** A description within the API's 128 characters: the full one, or the short one when it does not fit. */
export const MAX_DESCRIPTION_LENGTH = 128;
function describe(full: string, short: string): string {
    return full.length <= MAX_DESCRIPTION_LENGTH ? full : short;
}

// ---------------------------------------------------------------------------------------------

export interface TaskNotifications {
    /** The SNS topic. */
    topicArn: pulumi.Input<string>;
    /** The role Run Command publishes with (`AlertTopic.notificationRoleArn`). */
    roleArn: pulumi.Input<string>;
}

export interface PatchMaintenanceWindowArgs {
    /** The workload whose instances the window patches (`Workload` tag). Required. */
    workload: string;
    /** The window's name, like the lab's `PatchTestWorkloadWebServers`. Required. */
    windowName: string;
    /** The instance role of the fleet: it is allowed to write the tasks' output. Required. */
    instanceRoleName: pulumi.Input<string>;
    /** The bucket for the tasks' output (the inventory's log bucket). Required. */
    logBucketName: pulumi.Input<string>;
    logBucketArn: pulumi.Input<string>;
    /** The install window's schedule: cron or rate. Default every day at 02:00. */
    schedule?: string;
    /** IANA time zone of the schedule. Default `Asia/Tokyo`. */
    timezone?: string;
    /** Hours, 1 to 24. Default 1 (the lab's). */
    duration?: number;
    /** Hours before the end when no new task starts, 0 to 23 and below `duration`. Default 0. */
    cutoff?: number;
    /** Days after the cron date to run, 1 to 6 ("Patch Tuesday plus N days"). Cron schedules only. */
    scheduleOffset?: number;
    /** The `InstanceRole` values the install window targets (any of them). Default `["WebServer"]`. */
    targetRoles?: string[];
    /** Default "1" (the lab's). */
    maxConcurrency?: string;
    /** Default "1" (the lab's). */
    maxErrors?: string;
    /** Default `RebootIfNeeded`. */
    rebootOption?: RebootOption;
    /** Also send the install task's output to a CloudWatch log group the stack owns. Default true. */
    cloudWatchLogs?: boolean;
    /** Retention of that log group. Default 30 days. */
    logRetentionDays?: number;
    /** A second window that scans the whole fleet (`Operation=Scan`, `NoReboot`). Default true. */
    scan?: boolean;
    /** Its schedule. Default every day at 01:00. */
    scanSchedule?: string;
    /** An existing IAM group (the lab's `Administrators`) that gets the PassRole policy. Default none. */
    adminGroup?: string;
    /** Where both tasks report Failed, TimedOut and Cancelled invocations (`AlertTopic`). Default none. */
    notifications?: TaskNotifications;
    tags?: Record<string, string>;
}

/** Throws on arguments the API would refuse. */
export function validatePatchMaintenanceWindowArgs(args: PatchMaintenanceWindowArgs): void {
    const duration = args.duration ?? DEFAULTS.duration;
    const cutoff = args.cutoff ?? DEFAULTS.cutoff;
    const schedule = args.schedule ?? DEFAULTS.schedule;
    ArgumentError.throwIfAny("PatchMaintenanceWindow", [
        rolePrefixProblem("workload", `${WINDOW_ROLE_PREFIX}${args.workload}-`),
        /^[a-zA-Z0-9_.-]{3,128}$/.test(args.windowName) ? undefined : `windowName ${JSON.stringify(args.windowName)} must be 3-128 letters, digits, _ - .`,
        fieldProblem("schedule", schedule, windowScheduleProblem(schedule)),
        args.scanSchedule === undefined ? undefined : fieldProblem("scanSchedule", args.scanSchedule, windowScheduleProblem(args.scanSchedule)),
        args.timezone === undefined ? undefined : fieldProblem("timezone", args.timezone, timezoneProblem(args.timezone)),
        countProblem("duration", duration, 1, 24),
        countProblem("cutoff", cutoff, 0, 23),
        cutoff < duration ? undefined : `cutoff ${cutoff} must be less than duration ${duration}`,
        countProblem("scheduleOffset", args.scheduleOffset, 1, 6),
        args.scheduleOffset !== undefined && !schedule.startsWith("cron(") ? "scheduleOffset needs a cron schedule" : undefined,
        args.maxConcurrency === undefined ? undefined : fieldProblem("maxConcurrency", args.maxConcurrency, rateControlProblem(args.maxConcurrency, 1)),
        args.maxErrors === undefined ? undefined : fieldProblem("maxErrors", args.maxErrors, rateControlProblem(args.maxErrors, 0)),
        args.targetRoles === undefined || (args.targetRoles.length > 0 && args.targetRoles.length <= MAX_TARGET_VALUES)
            ? undefined
            : `targetRoles must name 1 to ${MAX_TARGET_VALUES} InstanceRole values`,
    ]);
}

/**
 * The lab's maintenance window: it patches the workload's web servers with AWS-RunPatchBaseline
 * (`Operation=Install`), with its own least-privilege service role; and a second window that
 * scans the whole fleet, so patch compliance is always fresh.
 */
export class PatchMaintenanceWindow extends pulumi.ComponentResource {
    public readonly windowId: pulumi.Output<string>;
    public readonly targetId: pulumi.Output<string>;
    public readonly installTaskId: pulumi.Output<string>;
    public readonly scanWindowId?: pulumi.Output<string>;
    /** Every window of the component: the install window, and the scan window when there is one. */
    public readonly windowIds: pulumi.Output<string>[];
    public readonly scanTaskId?: pulumi.Output<string>;
    public readonly roleArn: pulumi.Output<string>;
    public readonly passRolePolicyArn: pulumi.Output<string>;
    public readonly logGroupName?: pulumi.Output<string>;

    constructor(name: string, args: PatchMaintenanceWindowArgs, opts?: pulumi.ComponentResourceOptions) {
        super("oelab:patching:PatchMaintenanceWindow", name, {}, opts);
        validatePatchMaintenanceWindowArgs(args);
        const tags = args.tags ?? {};
        const targetRoles = args.targetRoles ?? [...DEFAULTS.targetRoles];
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

        // The service role: ssm.amazonaws.com alone, and only on behalf of this account (confused deputy).
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                namePrefix: `${WINDOW_ROLE_PREFIX}${args.workload}-`,
                description: `Runs the ${args.workload} patch maintenance windows' tasks`,
                assumeRolePolicy: serviceTrustPolicy("ssm.amazonaws.com", account),
                tags,
            },
            { parent: this },
        );
        new aws.iam.RolePolicyAttachment(
            `${name}-role-policy`,
            { role: role.name, policyArn: awsManagedPolicyArn(partition, MAINTENANCE_WINDOW_POLICY) },
            { parent: this },
        );
        const passRole = new aws.iam.Policy(
            `${name}-pass-role`,
            {
                namePrefix: `SSMMaintenanceWindowPassRole-${args.workload}-`,
                description: `Lets its holders register tasks that use the ${args.workload} maintenance window role`,
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
            { parent: this },
        );
        if (args.adminGroup !== undefined) {
            new aws.iam.GroupPolicyAttachment(`${name}-pass-role-group`, { group: args.adminGroup, policyArn: passRole.arn }, { parent: this });
        }

        let logGroup: aws.cloudwatch.LogGroup | undefined;
        if (args.cloudWatchLogs ?? true) {
            // Created here, not by the agent, so that pulumi destroy removes it.
            logGroup = new aws.cloudwatch.LogGroup(
                `${name}-logs`,
                { namePrefix: `/oe-lab-ipm/${args.workload}/patching-`, retentionInDays: args.logRetentionDays ?? DEFAULTS.logRetentionDays, tags },
                { parent: this },
            );
        }
        // The agents write the tasks' output with the instance profile's credentials.
        const statements: object[] = [
            { Effect: "Allow", Action: ["s3:PutObject"], Resource: pulumi.interpolate`${args.logBucketArn}/patching/*` },
        ];
        if (logGroup) {
            statements.push({
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                Resource: [logGroup.arn, pulumi.interpolate`${logGroup.arn}:log-stream:*`],
            });
        }
        const writeOutput = new aws.iam.RolePolicy(
            `${name}-write-output`,
            { role: args.instanceRoleName, policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements }) },
            { parent: this },
        );

        const window = new aws.ssm.MaintenanceWindow(
            `${name}-window`,
            {
                name: args.windowName,
                description: describe(`Installs patches on the ${args.workload} ${targetRoles.join(", ")} instances`, `Installs patches on ${targetRoles.length} roles of ${args.workload}`),
                schedule: args.schedule ?? DEFAULTS.schedule,
                scheduleTimezone: args.timezone ?? DEFAULTS.timezone,
                scheduleOffset: args.scheduleOffset,
                duration: args.duration ?? DEFAULTS.duration,
                cutoff: args.cutoff ?? DEFAULTS.cutoff,
                allowUnassociatedTargets: true,
                tags,
            },
            { parent: this },
        );
        // AWS (maintenance window targets): "If you specify more than one tag key, a node must be
        // tagged with all the tag keys and values you specify to be included in the target group."
        // Several values of one key (targetRoles) match any of them.
        const target = new aws.ssm.MaintenanceWindowTarget(
            `${name}-target`,
            {
                windowId: window.id,
                name: `${args.workload}WebServers`,
                description: describe(`Workload=${args.workload} and InstanceRole=${targetRoles.join("|")}`, `Workload=${args.workload} and one of ${targetRoles.length} InstanceRole values`),
                resourceType: "INSTANCE",
                targets: [
                    { key: `tag:${TAG.workload}`, values: [args.workload] },
                    { key: `tag:${TAG.instanceRole}`, values: targetRoles },
                ],
            },
            { parent: this },
        );
        const install = new aws.ssm.MaintenanceWindowTask(
            `${name}-install`,
            {
                windowId: window.id,
                name: args.windowName,
                description: `${PATCH_DOCUMENT} Install on the window's target`,
                taskType: "RUN_COMMAND",
                taskArn: PATCH_DOCUMENT,
                priority: 1,
                serviceRoleArn: role.arn,
                targets: [{ key: "WindowTargetIds", values: [target.id] }],
                maxConcurrency: args.maxConcurrency ?? DEFAULTS.maxConcurrency,
                maxErrors: args.maxErrors ?? DEFAULTS.maxErrors,
                taskInvocationParameters: {
                    runCommandParameters: runCommand({
                        operation: "Install",
                        rebootOption: args.rebootOption ?? DEFAULTS.rebootOption,
                        bucket: args.logBucketName,
                        prefix: DEFAULTS.installPrefix,
                        logGroupName: logGroup?.name,
                        notifications: args.notifications,
                    }),
                },
            },
            { parent: this, dependsOn: [writeOutput] },
        );

        if (args.scan ?? true) {
            const scanWindow = new aws.ssm.MaintenanceWindow(
                `${name}-scan-window`,
                {
                    name: `Scan${args.workload}Workload`,
                    description: `Scans every ${args.workload} instance for missing patches`,
                    schedule: args.scanSchedule ?? DEFAULTS.scanSchedule,
                    scheduleTimezone: args.timezone ?? DEFAULTS.timezone,
                    duration: 1,
                    cutoff: 0,
                    allowUnassociatedTargets: true,
                    tags,
                },
                { parent: this },
            );
            const scanTarget = new aws.ssm.MaintenanceWindowTarget(
                `${name}-scan-target`,
                {
                    windowId: scanWindow.id,
                    name: `${args.workload}Fleet`,
                    description: `Workload=${args.workload}`,
                    resourceType: "INSTANCE",
                    targets: [{ key: `tag:${TAG.workload}`, values: [args.workload] }],
                },
                { parent: this },
            );
            const scan = new aws.ssm.MaintenanceWindowTask(
                `${name}-scan`,
                {
                    windowId: scanWindow.id,
                    name: `Scan${args.workload}Workload`,
                    description: `${PATCH_DOCUMENT} Scan of the whole fleet`,
                    taskType: "RUN_COMMAND",
                    taskArn: PATCH_DOCUMENT,
                    priority: 1,
                    serviceRoleArn: role.arn,
                    targets: [{ key: "WindowTargetIds", values: [scanTarget.id] }],
                    // A scan changes nothing: all instances at once, and every failure is reported.
                    maxConcurrency: "100%",
                    maxErrors: "100%",
                    taskInvocationParameters: {
                        runCommandParameters: runCommand({
                            operation: "Scan",
                            rebootOption: "NoReboot",
                            bucket: args.logBucketName,
                            prefix: DEFAULTS.scanPrefix,
                            logGroupName: logGroup?.name,
                            notifications: args.notifications,
                        }),
                    },
                },
                { parent: this, dependsOn: [writeOutput] },
            );
            this.scanWindowId = scanWindow.id;
            this.scanTaskId = scan.id;
        }

        this.windowId = window.id;
        this.windowIds = this.scanWindowId ? [window.id, this.scanWindowId] : [window.id];
        this.targetId = target.id;
        this.installTaskId = install.id;
        this.roleArn = role.arn;
        this.passRolePolicyArn = passRole.arn;
        this.logGroupName = logGroup?.name;
        this.registerOutputs({
            windowId: this.windowId,
            targetId: this.targetId,
            installTaskId: this.installTaskId,
            scanTaskId: this.scanTaskId,
            roleArn: this.roleArn,
        });
    }
}

function runCommand(options: {
    operation: "Install" | "Scan";
    rebootOption: RebootOption;
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
        cloudwatchConfig: options.logGroupName === undefined ? undefined : { cloudwatchLogGroupName: options.logGroupName, cloudwatchOutputEnabled: true },
        // Run Command's service role is only the role it publishes SNS notifications with.
        serviceRoleArn: options.notifications?.roleArn,
        notificationConfig:
            options.notifications === undefined
                ? undefined
                : { notificationArn: options.notifications.topicArn, notificationEvents: TASK_NOTIFICATION_EVENTS, notificationType: "Invocation" },
    };
}
