/**
 * The config areas (one typed object per area), their defaults, and the top level.
 */
import { CREATE_LOGS_KEY, kmsKeyIdProblem } from "../../components/logsKey";
import { z } from "zod";
import {
    instanceTypeProblem,
    OPERATING_SYSTEMS,
    PATCH_OPERATING_SYSTEMS,
    PatchOperatingSystem,
    patchFilterLimitProblems,
} from "../../components/operatingSystems";
import {
    WINDOW_DEFAULTS,
    MAX_TARGET_VALUES,
    rateControlProblem,
    REBOOT_OPTIONS,
    timezoneProblem,
} from "../../components/patchMaintenanceWindow";
import { associationScheduleProblem, windowScheduleProblem } from "../../components/schedules";
import { LOG_RETENTION_DAYS, SSM_NAME_ALLOWED, SSM_NAME_PATTERN } from "../../components/validation";
import {
    COMPLIANCE_LEVELS,
    DEFAULT_APPROVE_AFTER_DAYS,
    DEFAULT_REJECTED_PATCHES_ACTION,
    MAX_APPROVAL_RULES,
    MAX_APPROVE_AFTER_DAYS,
    MAX_REJECTED_PATCHES,
    REJECTED_PATCHES_ACTIONS,
} from "../../components/patchingPolicy";
import { runbookKeys } from "./runbookKeys";
import { bucketNameProblem } from "../../components/buckets";
import { targetTagKeyProblem } from "../../components/targets";
import { DEFAULT_SCAN_ASSOCIATION_SCHEDULE } from "../../components/patchScanAssociation";
import { DEFAULT_AGENT_UPDATE_SCHEDULE } from "../../components/hostManagement";
import { DEFAULT_SYNC_PREFIX, syncPrefixProblem } from "../../components/complianceReporting";
import { DEFAULT_AVAILABILITY_ZONES, DEFAULT_VPC_CIDR } from "../../components/labNetwork";
import {
    amiIdProblem,
    DEFAULT_FOLLOW_LATEST_AMI,
    DEFAULT_INSTANCE_TYPE,
    GROUP_NAME_ALLOWED,
    groupNameProblem,
} from "../../components/managedFleet";
import { DEFAULT_CONFIDENTIALITY, DEFAULT_ENVIRONMENT, DEFAULT_TARGET_ROLES, LAB_GROUPS } from "../lab";
import {
    DEFAULT_INVENTORY_SCHEDULE,
    DEFAULT_KEEP_LOGS_ON_DESTROY,
    DEFAULT_LOG_PREFIX,
    DEFAULT_LOG_RETENTION_DAYS,
    INVENTORY_PARAMETER_DEFAULTS,
    logPrefixProblem,
} from "../../components/inventoryAssociation";

import {
    area,
    atMost,
    awsRegion,
    checked,
    flag,
    instanceType,
    ipv4Cidr,
    keyedMap,
    list,
    NON_EMPTY_TAG_VALUE,
    oneOf,
    ofList,
    says,
    TAG_KEY,
    TAG_VALUE,
    text,
    wholeNumber,
} from "./blocks";

/** Instances in one group, at most (the benchmarks plan fleets of 4, 40 and 400). */
export const MAX_INSTANCES_PER_GROUP = 500;

// ---------------------------------------------------------------------------------------------
// Defaults: the lab's values, and where the lab is unsafe or outdated, ours (see LAB.md).

export const CONFIG_DEFAULTS = {
    network: {
        vpcCidr: DEFAULT_VPC_CIDR,
        availabilityZones: DEFAULT_AVAILABILITY_ZONES,
    },
    fleet: {
        mode: "create" as FleetMode,
        groups: LAB_GROUPS.map((g) => ({ ...g })),
        followLatestAmi: DEFAULT_FOLLOW_LATEST_AMI,
        environment: DEFAULT_ENVIRONMENT,
        confidentiality: DEFAULT_CONFIDENTIALITY,
        defaultHostManagement: false,
        agentUpdate: false,
        agentUpdateSchedule: DEFAULT_AGENT_UPDATE_SCHEDULE,
    },
    inventory: {
        schedule: DEFAULT_INVENTORY_SCHEDULE,
        logPrefix: DEFAULT_LOG_PREFIX,
        logRetentionDays: DEFAULT_LOG_RETENTION_DAYS,
        keepLogsOnDestroy: DEFAULT_KEEP_LOGS_ON_DESTROY,
        resourceDataSync: false,
    },
    patching: {
        approveAfterDays: DEFAULT_APPROVE_AFTER_DAYS,
        rejectedPatchesAction: DEFAULT_REJECTED_PATCHES_ACTION,
        scanAssociation: true,
        scanSchedule: DEFAULT_SCAN_ASSOCIATION_SCHEDULE,
    },
} as const;

// ---------------------------------------------------------------------------------------------
// The areas.

export const networkSchema = area({
    /** The VPC's IPv4 block: /16 (AWS's largest) to /22 (room for a /24 per availability zone). */
    vpcCidr: ipv4Cidr({ minPrefix: 16, maxPrefix: 22 }).default(CONFIG_DEFAULTS.network.vpcCidr),
    /** Availability zones, one public /24 subnet in each; the fleet is spread across them. */
    availabilityZones: wholeNumber(1, 4).default(CONFIG_DEFAULTS.network.availabilityZones),
    /**
     * The lab's `SourceLocation`: the one block allowed to reach the instances on SSH (22) and
     * HTTP (80). Unset: no ingress at all (Session Manager needs none). A /0 block is refused.
     */
    sourceCidr: ipv4Cidr({
        minPrefix: 1,
        maxPrefix: 32,
        worldMessage:
            "SSH must not be open to the whole internet; use your own address, e.g. 203.0.113.10/32, or leave it unset and use Session Manager",
    }).optional(),
    /** HTTP (80) only, overriding `sourceCidr` for the web page; `0.0.0.0/0` is allowed here. */
    httpSourceCidr: ipv4Cidr({ minPrefix: 0, maxPrefix: 32 }).optional(),
});

/** Where the instances come from: created by the stack, or already there. */
export const FLEET_MODES = ["create", "existing"] as const;
export type FleetMode = (typeof FLEET_MODES)[number];

/**
 * What only a created fleet uses: set with `fleet.mode: existing`, it would silently do nothing,
 * so it is refused. (The window patches every instance of `existing.targetTags`.)
 */
export const CREATE_MODE_ONLY: readonly (readonly string[])[] = [
    ["network"],
    ["fleet", "groups"],
    ["fleet", "followLatestAmi"],
    ["fleet", "keyName"],
    ["fleet", "environment"],
    ["fleet", "confidentiality"],
    ["maintenanceWindow", "targetRoles"],
];

/** An `InstanceRole` tag value: a group's role, and what the install window targets. */
const instanceRole = text("must be an InstanceRole tag value such as WebServer", NON_EMPTY_TAG_VALUE);

export const fleetGroupSchema = area({
    /** The group's name: instances are `<Workload>-<name><n>` (`Test-Web1`). */
    name: checked(groupNameProblem, GROUP_NAME_ALLOWED),
    /** The `InstanceRole` tag of its instances (the install window targets roles). */
    role: instanceRole,
    count: wholeNumber(1, MAX_INSTANCES_PER_GROUP),
    instanceType: instanceType.default(DEFAULT_INSTANCE_TYPE),
    operatingSystem: oneOf(OPERATING_SYSTEMS),
    /** Serve a web page (httpd on Linux, IIS on Windows). */
    webServer: flag().default(false),
    /** Pin an AMI of `operatingSystem` instead of the latest. */
    amiId: checked(amiIdProblem, "must be an AMI id such as ami-0123456789abcdef0").optional(),
}).superRefine((group, ctx) => {
    // What this OS cannot run on the type; what no OS can run is the field's own check.
    const problem = instanceTypeProblem(group.instanceType, group.operatingSystem);
    if (problem && problem !== instanceTypeProblem(group.instanceType)) {
        ctx.addIssue({
            code: "custom",
            path: ["instanceType"],
            message: `${problem} (operatingSystem ${group.operatingSystem})`,
        });
    }
});

/** Instances the stack does not create, chosen by tags. */
export const existingFleetSchema = area({
    /** The instances to manage: those carrying every one of these tags. */
    targetTags: keyedMap(
        // Systems Manager targets them as tag:<key>: its Target key pattern, besides EC2's tag rules.
        text("tag keys must be 1-128 characters of letters, digits, spaces and _.:/=+-@", TAG_KEY).superRefine(
            (key, ctx) => {
                const problem = targetTagKeyProblem(key);
                if (problem) ctx.addIssue({ code: "custom", message: `tag key ${key} ${problem}` });
            },
        ),
        text("tag values must be 1-256 characters of letters, digits, spaces and _.:/=+-@", NON_EMPTY_TAG_VALUE),
        "must be a map of tag keys to values",
        {
            whole: (tags) =>
                Object.keys(tags).length >= 1 && Object.keys(tags).length <= 5
                    ? undefined
                    : "must name 1 to 5 tags (a maintenance window target takes at most 5)",
        },
    ),
    /** The operating systems they run: one patch baseline each. */
    operatingSystems: list(oneOf(OPERATING_SYSTEMS), `must be a list of ${OPERATING_SYSTEMS.join(", ")}`).min(
        1,
        ofList("must name at least one operating system"),
    ),
    /** Their instance roles: given them, the stack lets them write inventory and patching output to its bucket. */
    instanceRoleNames: list(
        text("must be an IAM role name (1-64 letters, digits and +=,.@_-)", /^[\w+=,.@-]{1,64}$/),
        "must be a list of IAM role names",
    ).default([]),
});

export const fleetSchema = area({
    /**
     * `create` (the lab: network and instances) or `existing` (instances already there, chosen by
     * `existing.targetTags`).
     */
    mode: oneOf(FLEET_MODES).default(CONFIG_DEFAULTS.fleet.mode),
    /**
     * The instance groups, each of one OS and type (mode `create`). Default: the lab's 2 web and 2 app servers on
     * Amazon Linux 2023.
     */
    groups: list(fleetGroupSchema, "must be a list of instance groups")
        .min(1, ofList("must have at least one group"))
        .prefault(CONFIG_DEFAULTS.fleet.groups),
    /** The instances to manage (mode `existing`). */
    existing: existingFleetSchema.optional(),
    /** Follow new AMI releases (replacing the instances) instead of keeping each instance's AMI. */
    followLatestAmi: flag().default(CONFIG_DEFAULTS.fleet.followLatestAmi),
    /** An existing EC2 key pair for SSH (the lab's `OELabIPM`); Session Manager needs none. */
    keyName: text(
        "must be the name of an existing EC2 key pair (1-255 ASCII characters)",
        /^[\x20-\x7e]{1,255}$/,
    ).optional(),
    /** The `Environment` tag value that the inventory association targets. */
    environment: text(
        "must be a tag value of letters, digits and _.:/=+-@ (1-256 characters)",
        NON_EMPTY_TAG_VALUE,
    ).default(CONFIG_DEFAULTS.fleet.environment),
    /** The `Confidentiality` tag value. */
    confidentiality: text("must be a tag value of letters, digits and _.:/=+-@ (0-256 characters)", TAG_VALUE).default(
        CONFIG_DEFAULTS.fleet.confidentiality,
    ),
    /**
     * Own the account and Region's Default Host Management Configuration (its role and service setting): every
     * IMDSv2 instance with SSM Agent 3.2.582.0+ becomes managed, profile or not. One stack per account and Region.
     */
    defaultHostManagement: flag().default(CONFIG_DEFAULTS.fleet.defaultHostManagement),
    /** A State Manager association of AWS-UpdateSSMAgent over the fleet, on agentUpdateSchedule. */
    agentUpdate: flag().default(CONFIG_DEFAULTS.fleet.agentUpdate),
    /** The agent update's schedule: what State Manager associations accept. */
    agentUpdateSchedule: checked(
        associationScheduleProblem,
        "must be a schedule expression such as rate(14 days)",
    ).default(CONFIG_DEFAULTS.fleet.agentUpdateSchedule),
});

/** An Enabled/Disabled switch of AWS-GatherSoftwareInventory. */
const inventorySwitch = (name: keyof typeof INVENTORY_PARAMETER_DEFAULTS) =>
    oneOf(["Enabled", "Disabled"]).default(INVENTORY_PARAMETER_DEFAULTS[name] as "Enabled");
/** The document's JSON-list parameters (`files`, `windowsRegistry`): "" or a JSON array, as a string. */
const inventoryJsonList = checked((value) => {
    if (value === "") return undefined;
    try {
        return Array.isArray(JSON.parse(value)) ? undefined : 'must be "" or a JSON array of paths, as a string';
    } catch {
        return 'must be "" or a JSON array of paths, as a string';
    }
}, 'must be a string: "" or a JSON array of paths').default("");

export const inventorySchema = area({
    /** The association's name. Default `InventoryAllInstances-<Workload>` (the lab's, per workload). */
    associationName: text(SSM_NAME_ALLOWED, SSM_NAME_PATTERN).optional(),
    /**
     * How often to collect: what State Manager associations accept (rate of 30 minutes to 31 days, or one of its cron
     * forms).
     */
    schedule: checked(associationScheduleProblem, "must be a schedule expression such as rate(30 minutes)").default(
        CONFIG_DEFAULTS.inventory.schedule,
    ),
    /** The parameters of AWS-GatherSoftwareInventory, with the document's defaults. */
    parameters: area({
        applications: inventorySwitch("applications"),
        awsComponents: inventorySwitch("awsComponents"),
        files: inventoryJsonList,
        networkConfig: inventorySwitch("networkConfig"),
        windowsUpdates: inventorySwitch("windowsUpdates"),
        instanceDetailedInformation: inventorySwitch("instanceDetailedInformation"),
        services: inventorySwitch("services"),
        windowsRegistry: inventoryJsonList,
        windowsRoles: inventorySwitch("windowsRoles"),
        customInventory: inventorySwitch("customInventory"),
        billingInfo: inventorySwitch("billingInfo"),
    }).prefault({}),
    /** The key prefix of the execution logs in the bucket (the lab's `logs`). */
    logPrefix: checked(logPrefixProblem, "must be an S3 key prefix such as logs").default(
        CONFIG_DEFAULTS.inventory.logPrefix,
    ),
    /** Days until logs (and their old versions) expire. */
    logRetentionDays: wholeNumber(1, 3650).default(CONFIG_DEFAULTS.inventory.logRetentionDays),
    /** Keep the (hardened) bucket and its logs on `pulumi destroy`; false empties and deletes it. */
    keepLogsOnDestroy: flag().default(CONFIG_DEFAULTS.inventory.keepLogsOnDestroy),
    /** Also sync inventory to the bucket under inventory/ for Athena (a Resource Data Sync). */
    resourceDataSync: flag().default(CONFIG_DEFAULTS.inventory.resourceDataSync),
    /** Send the account's inventory and compliance to a reporting stack's bucket (docs/reporting.md). */
    reportTo: area({
        /**
         * The reporting stack, as a StackReference name: `reporting`, `<project>/reporting` or
         * `<org>/<project>/reporting`.
         */
        stack: text(
            "must be a stack reference such as acme/oe-lab-ipm/reporting",
            /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+){0,2}$/,
        ).optional(),
        /** Or the sync bucket itself (another account's, say), without a StackReference. */
        bucketName: checked(bucketNameProblem, "must be an S3 bucket name such as my-sync-bucket").optional(),
        /** The bucket's Region, with bucketName. Default: this stack's. */
        region: awsRegion.optional(),
        /** The bucket's key prefix, with bucketName: reporting.syncPrefix's rule (CreateResourceDataSync, 256). */
        prefix: checked(syncPrefixProblem, "must be an S3 key prefix such as inventory").default(DEFAULT_SYNC_PREFIX),
        /** With bucketName: the bucket admits an AWS Organization (the sync shares with it). */
        organization: flag().default(false),
    }).optional(),
});

const approvalRuleSchema = area({
    /** Patch filter key (PRODUCT, CLASSIFICATION, SEVERITY for Amazon Linux) to values; `*` is "All". */
    patchFilters: z
        .record(
            z.string(),
            list(z.string(says("must be a filter value such as Security")), 'must be a list of values, e.g. ["*"]'),
            says("must be a map of filter keys to lists of values"),
        )
        .superRefine((filters, ctx) => {
            // CreatePatchBaseline's limits hold whatever the OS (the OS's keys and values: a cross check).
            for (const message of patchFilterLimitProblems(filters)) ctx.addIssue({ code: "custom", message });
        }),
    /** Days after release before approval; default `patching.approveAfterDays`. */
    approveAfterDays: wholeNumber(0, MAX_APPROVE_AFTER_DAYS).optional(),
    complianceLevel: oneOf(COMPLIANCE_LEVELS),
    enableNonSecurity: flag(),
});

const APPROVAL_RULES_MESSAGE = `must have 1 to ${MAX_APPROVAL_RULES} rules`;

/** One OS's baseline; every field defaults to that OS's (the lab's for Amazon Linux). */
export const baselineSchema = area({
    /** Default `<OS's name>-<Workload>`, e.g. the lab's `AmazonLinuxSecAndNonSecBaseline-Test`. */
    name: text(SSM_NAME_ALLOWED, SSM_NAME_PATTERN).optional(),
    description: text("must be 1-1024 characters", /^[\s\S]{1,1024}$/).optional(),
    approvalRules: atMost(
        list(approvalRuleSchema, "must be a list of approval rules").min(1, ofList(APPROVAL_RULES_MESSAGE)),
        MAX_APPROVAL_RULES,
        APPROVAL_RULES_MESSAGE,
    ).optional(),
    rejectedPatches: atMost(
        list(
            text("must be a package name or pattern of 1-100 characters", /^\S{1,100}$/),
            "must be a list of package names or patterns",
        ),
        MAX_REJECTED_PATCHES,
        `must have at most ${MAX_REJECTED_PATCHES} entries`,
    ).optional(),
});

export const patchingSchema = area({
    /**
     * The patch group: the instances' `Patch Group` tag, registered to every baseline. Default
     * `Critical-<Workload>`, so two stacks in one account never register the same group
     * (Pulumi.test.yaml sets the lab's `Critical`).
     */
    patchGroup: text(
        "must be 1-256 characters of letters, digits, spaces and _.:/=+-@",
        /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u,
    ).optional(),
    /** The approval delay of every rule that sets none (not on Ubuntu): test 0, prod later (see the stack files). */
    approveAfterDays: wholeNumber(0, MAX_APPROVE_AFTER_DAYS).default(CONFIG_DEFAULTS.patching.approveAfterDays),
    /** Per OS the fleet runs (AMAZON_LINUX_2023, AMAZON_LINUX_2, UBUNTU, WINDOWS), its baseline's settings. */
    baselines: area(
        Object.fromEntries(PATCH_OPERATING_SYSTEMS.map((os) => [os, baselineSchema.optional()])) as Record<
            PatchOperatingSystem,
            z.ZodOptional<typeof baselineSchema>
        >,
    ).prefault({}),
    rejectedPatchesAction: oneOf(REJECTED_PATCHES_ACTIONS).default(CONFIG_DEFAULTS.patching.rejectedPatchesAction),
    /**
     * A State Manager association that scans the fleet (AWS-RunPatchBaseline, Operation=Scan) at
     * creation, on each new instance and then on scanSchedule: compliance within minutes of `pulumi up`.
     */
    scanAssociation: flag().default(CONFIG_DEFAULTS.patching.scanAssociation),
    /** The scan association's schedule: what State Manager associations accept. */
    scanSchedule: checked(associationScheduleProblem, "must be a schedule expression such as rate(1 day)").default(
        CONFIG_DEFAULTS.patching.scanSchedule,
    ),
});

const TARGET_ROLES_MESSAGE = `must name 1 to ${MAX_TARGET_VALUES} InstanceRole values`;
const LOG_RETENTION_MESSAGE = `must be one of ${LOG_RETENTION_DAYS.join(", ")}`;

export const maintenanceWindowSchema = area({
    /** The install window's name. Default `Patch<Workload>WorkloadWebServers` (the lab's). */
    windowName: text(SSM_NAME_ALLOWED, SSM_NAME_PATTERN).optional(),
    schedule: checked(windowScheduleProblem, "must be a cron(...) or rate(...) expression").default(
        WINDOW_DEFAULTS.schedule,
    ),
    timezone: checked(timezoneProblem, "must be an IANA time zone name such as Asia/Tokyo").default(
        WINDOW_DEFAULTS.timezone,
    ),
    duration: wholeNumber(1, 24).default(WINDOW_DEFAULTS.duration),
    cutoff: wholeNumber(0, 23).default(WINDOW_DEFAULTS.cutoff),
    /** Days after the cron date, 1-6 ("Patch Tuesday plus N days"). */
    scheduleOffset: wholeNumber(1, 6).optional(),
    /** Target values: RegisterTargetWithMaintenanceWindow takes at most 50 per key. */
    targetRoles: atMost(
        list(instanceRole, "must be a list of InstanceRole values").min(1, ofList(TARGET_ROLES_MESSAGE)),
        MAX_TARGET_VALUES,
        TARGET_ROLES_MESSAGE,
    ).default([...DEFAULT_TARGET_ROLES]),
    maxConcurrency: checked((v) => rateControlProblem(v, 1), 'must be a string such as "1" or "10%"').default(
        WINDOW_DEFAULTS.maxConcurrency,
    ),
    maxErrors: checked((v) => rateControlProblem(v, 0), 'must be a string such as "1" or "10%"').default(
        WINDOW_DEFAULTS.maxErrors,
    ),
    rebootOption: oneOf(REBOOT_OPTIONS).default(WINDOW_DEFAULTS.rebootOption),
    cloudWatchLogs: flag().default(true),
    /** The patching log group's KMS key: `create` (a key with CloudWatch Logs' key policy) or a key ARN. */
    kmsKeyId: checked(kmsKeyIdProblem, `must be ${CREATE_LOGS_KEY} or a KMS key ARN`).optional(),
    /** Retention of the stack's patching log group: a value CloudWatch Logs accepts. */
    logRetentionDays: z
        .number(says(LOG_RETENTION_MESSAGE))
        .refine((n) => LOG_RETENTION_DAYS.includes(n), LOG_RETENTION_MESSAGE)
        .default(WINDOW_DEFAULTS.logRetentionDays),
    /** A scan window besides the scan association (patching.scanAssociation), for scans only inside a window. */
    scan: flag().default(false),
    scanSchedule: checked(windowScheduleProblem, "must be a cron(...) or rate(...) expression").default(
        WINDOW_DEFAULTS.scanSchedule,
    ),
    /** An existing IAM group (the lab's Administrators) that gets the PassRole policy. */
    adminGroup: text("must be an IAM group name (1-128 letters, digits and +=,.@_-)", /^[\w+=,.@-]{1,128}$/).optional(),
    ...runbookKeys,
});
