import * as aws from "@pulumi/aws";
import { kmsKeyIdProblem } from "./logsKey";
import * as pulumi from "@pulumi/pulumi";
import { awsManagedPolicyArn, rolePrefixProblem } from "./iam";
import {
    createPatchWindow,
    createWindowAccess,
    describeTargets,
    PatchWindowShared,
    PatchWindowSpec,
    TagTargets,
    TaskNotifications,
} from "./patchWindowResources";
import { windowScheduleProblem } from "./schedules";
import {
    ArgumentError,
    countProblem,
    fieldProblem,
    rateControlsProblems,
    SSM_NAME_ALLOWED,
    SSM_NAME_PATTERN,
} from "./validation";
import { componentToken, withFormerToken } from "./tokens";

export { rateControlProblem } from "./validation";
export { MAX_DESCRIPTION_LENGTH, TASK_NOTIFICATION_EVENTS } from "./patchWindowResources";
export type { TagTargets, TaskNotifications } from "./patchWindowResources";

export const MAINTENANCE_WINDOW_POLICY = "service-role/AmazonSSMMaintenanceWindowRole";
/** Whether AWS-RunPatchBaseline reboots an instance after installing patches. */
export const RebootOption = {
    /** Reboot when an installed patch needs it. */
    RebootIfNeeded: "RebootIfNeeded",
    /** Never reboot: patches that need one stay pending (InstalledPendingReboot). */
    NoReboot: "NoReboot",
} as const;
export type RebootOption = (typeof RebootOption)[keyof typeof RebootOption];
export const REBOOT_OPTIONS = Object.values(RebootOption) as [RebootOption, ...RebootOption[]];

export const WINDOW_DEFAULTS = {
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

/** RegisterTargetWithMaintenanceWindow: a target key takes at most 50 values (TargetValues). */
export const MAX_TARGET_VALUES = 50;

// ---------------------------------------------------------------------------------------------

/** The scan window: every instance it targets, scanned without reboot. */
export interface ScanWindow {
    /** Its name, like `ScanTestWorkload`. Required. */
    windowName: string;
    /** The instances it scans, by tags, e.g. `{ Workload: ["Test"] }`. Required. */
    targets: TagTargets;
    /** Its target's name, like `TestFleet`. Required. */
    targetName: string;
    /** Its schedule. Default every day at 01:00. */
    schedule?: string;
}

export interface PatchMaintenanceWindowArgs {
    /** The install window's name, like the lab's `PatchTestWorkloadWebServers`. Required. */
    windowName: string;
    /**
     * The instances the install window patches, by tags, e.g. `{ Workload: ["Test"], InstanceRole: ["WebServer"] }`.
     * Required.
     */
    installTargets: TagTargets;
    /** The install window target's name, like the lab's `TestWebServers`. Required. */
    installTargetName: string;
    /**
     * The prefix of the service role's name, like `SSMMaintenanceWindowRole-Test-` (IAM adds 26 characters). Required.
     */
    roleNamePrefix: string;
    /** The prefix of the PassRole policy's name, like `SSMMaintenanceWindowPassRole-Test-`. Required. */
    passRolePolicyNamePrefix: string;
    /** The instance roles of the fleet: each may write the tasks' output. Default none (grant it to them yourself). */
    instanceRoleNames?: pulumi.Input<string>[];
    /** The bucket for the tasks' output (the inventory's log bucket). Required. */
    logBucketName: pulumi.Input<string>;
    /** That bucket's ARN. Required. */
    logBucketArn: pulumi.Input<string>;
    /** The install window's schedule: cron or rate. Default every day at 02:00. */
    schedule?: string;
    /** IANA time zone of the schedules. Default `Asia/Tokyo`. */
    timezone?: string;
    /** Hours, 1 to 24. Default 1 (the lab's). */
    duration?: number;
    /** Hours before the end when no new task starts, 0 to 23 and below `duration`. Default 0. */
    cutoff?: number;
    /** Days after the cron date to run, 1 to 6 ("Patch Tuesday plus N days"). Cron schedules only. */
    scheduleOffset?: number;
    /** Default "1" (the lab's). */
    maxConcurrency?: string;
    /** Default "1" (the lab's). */
    maxErrors?: string;
    /** Default `RebootIfNeeded`. */
    rebootOption?: RebootOption;
    /**
     * Whether the install window gets the lab's Run Command task (AWS-RunPatchBaseline). Default true; false when
     * another component registers the window's task (PatchRunbook, with `targetId` and `roleArn`).
     */
    runCommandInstall?: boolean;
    /**
     * The prefix of a CloudWatch log group the tasks also write to, like `/oe-lab-ipm/Test/patching-`. Default none.
     */
    logGroupNamePrefix?: string;
    /** Retention of that log group. Default 30 days. */
    logRetentionDays?: number;
    /**
     * The log group's KMS key: an existing key's ARN (its policy must let `logs.<region>.amazonaws.com` use it
     * for the group: docs/design.md), or `create` for a key made with that policy. Default none (CloudWatch
     * Logs' own encryption).
     */
    kmsKeyId?: pulumi.Input<string>;
    /** A second window that scans its targets (`Operation=Scan`, `NoReboot`). Default none. */
    scan?: ScanWindow;
    /** An existing IAM group (the lab's `Administrators`) that gets the PassRole policy. Default none. */
    adminGroup?: string;
    /** Where the tasks report Failed, TimedOut and Cancelled invocations (`AlertTopic`). Default none. */
    notifications?: TaskNotifications;
    /** Tags for every taggable resource. */
    tags?: Record<string, string>;
}

/** RegisterTargetWithMaintenanceWindow: at most 5 targets (tag keys). */
export const MAX_TARGET_KEYS = 5;

const nameProblem = (field: string, value: string) =>
    SSM_NAME_PATTERN.test(value) ? undefined : `${field} ${JSON.stringify(value)} ${SSM_NAME_ALLOWED}`;

/** Problems of a tag target map: 1 to 5 keys, 1 to 50 values each. */
function targetsProblems(field: string, targets: TagTargets): (string | undefined)[] {
    const keys = Object.keys(targets);
    return [
        keys.length >= 1 && keys.length <= MAX_TARGET_KEYS
            ? undefined
            : `${field} must name 1 to ${MAX_TARGET_KEYS} tag keys`,
        ...keys.map((key) =>
            targets[key].length >= 1 && targets[key].length <= MAX_TARGET_VALUES
                ? undefined
                : `${field}.${key} must list 1 to ${MAX_TARGET_VALUES} values`,
        ),
    ];
}

/** Why a cutoff does not fit the window's duration, or undefined: CreateMaintenanceWindow refuses cutoff ≥ duration. */
export function cutoffProblem(cutoff: number, duration: number): string | undefined {
    return cutoff < duration
        ? undefined
        : `must be less than the duration (${duration} hour${duration === 1 ? "" : "s"})`;
}

/** Why a schedule offset cannot be used, or undefined: Systems Manager offsets cron schedules only. */
export function scheduleOffsetProblem(offset: number | undefined, schedule: string): string | undefined {
    return offset === undefined || schedule.startsWith("cron(")
        ? undefined
        : `needs a cron schedule (the schedule is ${schedule})`;
}

/** Throws on arguments the API would refuse. */
export function validatePatchMaintenanceWindowArgs(args: PatchMaintenanceWindowArgs): void {
    const duration = args.duration ?? WINDOW_DEFAULTS.duration;
    const cutoff = args.cutoff ?? WINDOW_DEFAULTS.cutoff;
    const schedule = args.schedule ?? WINDOW_DEFAULTS.schedule;
    ArgumentError.throwIfAny("PatchMaintenanceWindow", [
        rolePrefixProblem("roleNamePrefix", args.roleNamePrefix),
        nameProblem("windowName", args.windowName),
        nameProblem("installTargetName", args.installTargetName),
        ...targetsProblems("installTargets", args.installTargets),
        fieldProblem("schedule", schedule, windowScheduleProblem(schedule)),
        ...(args.scan === undefined
            ? []
            : [
                  nameProblem("scan.windowName", args.scan.windowName),
                  nameProblem("scan.targetName", args.scan.targetName),
                  ...targetsProblems("scan.targets", args.scan.targets),
                  args.scan.schedule === undefined
                      ? undefined
                      : fieldProblem("scan.schedule", args.scan.schedule, windowScheduleProblem(args.scan.schedule)),
              ]),
        args.timezone === undefined
            ? undefined
            : fieldProblem("timezone", args.timezone, timezoneProblem(args.timezone)),
        countProblem("duration", duration, 1, 24),
        countProblem("cutoff", cutoff, 0, 23),
        fieldProblem("cutoff", cutoff, cutoffProblem(cutoff, duration)),
        countProblem("scheduleOffset", args.scheduleOffset, 1, 6),
        fieldProblem("scheduleOffset", args.scheduleOffset, scheduleOffsetProblem(args.scheduleOffset, schedule)),
        ...rateControlsProblems(args),
        fieldProblem("kmsKeyId", args.kmsKeyId, kmsKeyIdProblem(args.kmsKeyId)),
        args.kmsKeyId !== undefined && args.logGroupNamePrefix === undefined
            ? "kmsKeyId encrypts the log group: it needs logGroupNamePrefix"
            : undefined,
        args.rebootOption === undefined || (REBOOT_OPTIONS as readonly string[]).includes(args.rebootOption)
            ? undefined
            : `rebootOption ${JSON.stringify(args.rebootOption)} must be one of ${REBOOT_OPTIONS.join(", ")}`,
    ]);
}

/**
 * The lab's maintenance window: it patches the targeted instances with AWS-RunPatchBaseline
 * (`Operation=Install`), with its own least-privilege service role; and, optionally, a second
 * window that scans its targets daily, so patch compliance is always fresh.
 */
export class PatchMaintenanceWindow extends pulumi.ComponentResource {
    /** The install window's id. */
    public readonly windowId: pulumi.Output<string>;
    /** The install window target's id. */
    public readonly targetId: pulumi.Output<string>;
    /** The install task's id, when the window has the Run Command install task. */
    public readonly installTaskId?: pulumi.Output<string>;
    /** The scan window's id, when there is one. */
    public readonly scanWindowId?: pulumi.Output<string>;
    /** Every window of the component: the install window, and the scan window when there is one. */
    public readonly windowIds: pulumi.Output<string>[];
    /** The scan task's id, when there is a scan window. */
    public readonly scanTaskId?: pulumi.Output<string>;
    /** The windows' service role's ARN. */
    public readonly roleArn: pulumi.Output<string>;
    /** The ARN of the policy that lets administrators pass the service role to Systems Manager. */
    public readonly passRolePolicyArn: pulumi.Output<string>;
    /** The CloudWatch log group of the tasks' output, when there is one. */
    public readonly logGroupName?: pulumi.Output<string>;

    constructor(name: string, args: PatchMaintenanceWindowArgs, opts?: pulumi.ComponentResourceOptions) {
        super(
            componentToken("PatchMaintenanceWindow"),
            name,
            {},
            withFormerToken("oelab:patching:PatchMaintenanceWindow", opts),
        );
        validatePatchMaintenanceWindowArgs(args);
        const tags = args.tags ?? {};
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

        const access = createWindowAccess(name, args, {
            managedPolicyArn: awsManagedPolicyArn(partition, MAINTENANCE_WINDOW_POLICY),
            account,
            partition,
            region: aws.getRegionOutput({}, { parent: this }).region,
            logRetentionDays: args.logRetentionDays ?? WINDOW_DEFAULTS.logRetentionDays,
            tags,
            parent: this,
        });
        const shared: PatchWindowShared = {
            name,
            timezone: args.timezone ?? WINDOW_DEFAULTS.timezone,
            tags,
            roleArn: access.role.arn,
            bucket: args.logBucketName,
            logGroupName: access.logGroup?.name,
            notifications: args.notifications,
            writeOutput: access.writeOutput,
            parent: this,
        };
        const patchWindow = (kind: "install" | "scan", spec: PatchWindowSpec) => createPatchWindow(kind, spec, shared);

        const install = patchWindow("install", {
            operation: "Install",
            windowName: args.windowName,
            description: `Installs patches on the instances with ${describeTargets(args.installTargets)}`,
            targetName: args.installTargetName,
            targets: args.installTargets,
            schedule: args.schedule ?? WINDOW_DEFAULTS.schedule,
            scheduleOffset: args.scheduleOffset,
            duration: args.duration ?? WINDOW_DEFAULTS.duration,
            cutoff: args.cutoff ?? WINDOW_DEFAULTS.cutoff,
            maxConcurrency: args.maxConcurrency ?? WINDOW_DEFAULTS.maxConcurrency,
            maxErrors: args.maxErrors ?? WINDOW_DEFAULTS.maxErrors,
            // Validated: one of REBOOT_OPTIONS.
            rebootOption: (args.rebootOption ?? WINDOW_DEFAULTS.rebootOption) as RebootOption,
            outputPrefix: WINDOW_DEFAULTS.installPrefix,
            withoutTask: args.runCommandInstall === false,
        });
        if (args.scan !== undefined) {
            const scan = patchWindow("scan", {
                operation: "Scan",
                windowName: args.scan.windowName,
                description: `Scans the instances with ${describeTargets(args.scan.targets)} for missing patches`,
                targetName: args.scan.targetName,
                targets: args.scan.targets,
                schedule: args.scan.schedule ?? WINDOW_DEFAULTS.scanSchedule,
                duration: 1,
                cutoff: 0,
                // A scan changes nothing: all instances at once, and every failure is reported.
                maxConcurrency: "100%",
                maxErrors: "100%",
                rebootOption: "NoReboot",
                outputPrefix: WINDOW_DEFAULTS.scanPrefix,
            });
            this.scanWindowId = scan.window.id;
            this.scanTaskId = scan.task!.id;
        }

        this.windowId = install.window.id;
        this.windowIds = this.scanWindowId ? [install.window.id, this.scanWindowId] : [install.window.id];
        this.targetId = install.target.id;
        this.installTaskId = install.task?.id;
        this.roleArn = access.role.arn;
        this.passRolePolicyArn = access.passRole.arn;
        this.logGroupName = access.logGroup?.name;
        this.registerOutputs({
            windowId: this.windowId,
            targetId: this.targetId,
            installTaskId: this.installTaskId,
            scanTaskId: this.scanTaskId,
            roleArn: this.roleArn,
        });
    }
}
