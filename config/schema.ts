/**
 * The stack config schema: every key a stack file may set, its type, default and what is allowed.
 *
 * One typed object per area. `LabConfig` (the parsed, fully-defaulted result) is derived from
 * the schema, so the types, defaults and validation cannot drift apart. Each area's defaults are
 * also declared in Pulumi.yaml; `tests/config.spec.ts` proves the two agree.
 */
import { z } from "zod";
import {
    approvalRuleProblems,
    instanceTypeProblem,
    OPERATING_SYSTEMS,
    PATCH_OPERATING_SYSTEMS,
    PatchOperatingSystem,
    patchOperatingSystemsOf,
} from "../components/operatingSystems";
import { DEFAULTS as WINDOW_DEFAULTS, MAX_TARGET_VALUES, rateControlProblem, REBOOT_OPTIONS, timezoneProblem } from "../components/patchMaintenanceWindow";
import { associationScheduleProblem, windowScheduleProblem } from "../components/schedules";
import { LOG_RETENTION_DAYS, MAX_TAGS_PER_RESOURCE, reservedTagKeyProblem, SSM_NAME_ALLOWED, SSM_NAME_PATTERN } from "../components/validation";
import { enumOf } from "../contract/models";
import {
    COMPLIANCE_LEVELS,
    DEFAULT_APPROVE_AFTER_DAYS,
    DEFAULT_REJECTED_PATCHES_ACTION,
    MAX_APPROVAL_RULES,
    MAX_APPROVE_AFTER_DAYS,
    MAX_REJECTED_PATCHES,
    REJECTED_PATCHES_ACTIONS,
} from "../components/patchingPolicy";
import { duplicateEmails, EMAIL_PATTERN, TOPIC_NAME_PATTERN } from "../components/alertTopic";
import { parseIpv4Cidr } from "../components/cidr";
import { DEFAULT_SCAN_SCHEDULE } from "../components/patchScanAssociation";
import {
    ACCOUNT_ID_PATTERN,
    DEFAULT_BYTES_SCANNED_CUTOFF,
    DEFAULT_RESULT_RETENTION_DAYS,
    DEFAULT_SYNC_PREFIX,
    MIN_BYTES_SCANNED_CUTOFF,
    ORGANIZATION_ID_PATTERN,
    REGION_PATTERN,
} from "../components/complianceReporting";
import { DEFAULT_AVAILABILITY_ZONES, DEFAULT_VPC_CIDR } from "../components/labNetwork";
import { DEFAULT_FOLLOW_LATEST_AMI, DEFAULT_INSTANCE_TYPE } from "../components/managedFleet";
import { DEFAULT_CONFIDENTIALITY, DEFAULT_ENVIRONMENT, DEFAULT_TARGET_ROLES, LAB_GROUPS, MAX_WORKLOAD_LENGTH, STACK_TAGS, TAG } from "./lab";
import {
    associationNameProblem,
    DEFAULT_INVENTORY_SCHEDULE,
    DEFAULT_KEEP_LOGS_ON_DESTROY,
    DEFAULT_LOG_PREFIX,
    DEFAULT_LOG_RETENTION_DAYS,
    INVENTORY_PARAMETER_DEFAULTS,
    logPrefixProblem,
} from "../components/inventoryAssociation";

/** Limits of one fleet role; 400 instances is the largest fleet the benchmarks exercise. */
export const MAX_INSTANCES_PER_ROLE = 500;

// ---------------------------------------------------------------------------------------------
// Building blocks. Each one carries its own "what is allowed" message.

/** Every schema states what is allowed, for a missing value as for a value of the wrong type. */
const says = (allowed: string) => ({ invalid_type_error: allowed, required_error: `is required: ${allowed.replace(/^must /, "it must ")}` });

/** An area object: unknown keys (typos) are errors that list the allowed keys. */
function area<T extends z.ZodRawShape>(shape: T) {
    const keys = Object.keys(shape).join(", ");
    return z.object(shape, says(`must be an object of: ${keys}`)).strict({ message: `unknown key; allowed keys: ${keys}` });
}

function wholeNumber(min: number, max: number) {
    const allowed = `must be a whole number from ${min} to ${max}`;
    // A number written in quotes or with leading zeros (YAML readers disagree whether 010 is 10 or 8) arrives as a string.
    return z.number(says(`${allowed} (no quotes, no leading zeros)`)).int(allowed).min(min, allowed).max(max, allowed);
}

function text(allowed: string, pattern: RegExp) {
    return z.string(says(allowed)).regex(pattern, allowed);
}

function flag() {
    return z.boolean(says("must be true or false"));
}

function list<T extends z.ZodTypeAny>(item: T, allowed: string) {
    return z.array(item, says(allowed));
}

/** A string that must pass a component's own check (which returns a problem or undefined). */
function checked(problem: (value: string) => string | undefined, typeMessage: string) {
    return z.string(says(typeMessage)).superRefine((value, ctx) => {
        const found = problem(value);
        if (found) ctx.addIssue({ code: z.ZodIssueCode.custom, message: found });
    });
}

function oneOf<T extends readonly [string, ...string[]]>(values: T) {
    const allowed = `must be one of ${values.join(", ")}`;
    return z.enum(values as unknown as [T[number], ...T[number][]], {
        errorMap: (issue) => ({ message: issue.code === "invalid_type" && issue.received === "undefined" ? says(allowed).required_error : allowed }),
    });
}

/** An IPv4 CIDR; `allowWorld` decides whether a /0 block is acceptable. */
function ipv4Cidr(options: { minPrefix: number; maxPrefix: number; worldMessage?: string }) {
    return z.string(says("must be an IPv4 CIDR block such as 203.0.113.10/32")).superRefine((value, ctx) => {
        const parsed = parseIpv4Cidr(value);
        if (typeof parsed === "string") {
            ctx.addIssue({ code: z.ZodIssueCode.custom, message: parsed });
        } else if (parsed.prefix === 0 && options.worldMessage) {
            ctx.addIssue({ code: z.ZodIssueCode.custom, message: options.worldMessage });
        } else if (parsed.prefix < options.minPrefix || parsed.prefix > options.maxPrefix) {
            ctx.addIssue({
                code: z.ZodIssueCode.custom,
                message: `prefix length must be from /${options.minPrefix} to /${options.maxPrefix}`,
            });
        }
    });
}

/**
 * EC2 instance types: the names RunInstances takes, from AWS's API model (contract/aws-models.json,
 * botocore's `InstanceType` enum), so a new type is known when the models are regenerated.
 */
const INSTANCE_TYPES = new Set(enumOf("ec2", "InstanceType"));
const INSTANCE_TYPE_MESSAGE = "must be an EC2 instance type that RunInstances accepts, such as t3.micro";
const instanceType = checked((value) => (INSTANCE_TYPES.has(value) ? instanceTypeProblem(value) : INSTANCE_TYPE_MESSAGE), INSTANCE_TYPE_MESSAGE);

/** A Region name (the API's form; the provider's own check of aws:region is in config/index.ts). */
const awsRegion = text("must be a Region name such as ap-northeast-1", REGION_PATTERN);

/** AWS tag keys and values: up to 128/256 characters of letters, digits, spaces and `_.:/=+-@`. */
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
const NON_EMPTY_TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u;

/**
 * The tags the program sets itself: on the stack (index.ts) and on every instance (ManagedFleet's
 * lab tags, `Name`, `InstanceRole`). A user tag of the same key would be silently overwritten, so
 * it is refused; and so is `PatchGroup`, which Patch Manager reads like `Patch Group`.
 */
export const PROGRAM_TAG_KEYS: readonly string[] = [...new Set([...Object.values(STACK_TAGS), ...Object.values(TAG)])];
const RESERVED_TAG_KEYS = [...PROGRAM_TAG_KEYS, "PatchGroup"];
/** An instance carries every program tag besides the user's: AWS allows 50 in all. */
export const MAX_USER_TAGS = MAX_TAGS_PER_RESOURCE - PROGRAM_TAG_KEYS.length;

// ---------------------------------------------------------------------------------------------
// Defaults: the lab's values, and where the lab is unsafe or outdated, ours (see LAB.md).

export const DEFAULTS = {
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
        scanSchedule: DEFAULT_SCAN_SCHEDULE,
    },
} as const;

// ---------------------------------------------------------------------------------------------
// The areas.

export const networkSchema = area({
    /** The VPC's IPv4 block: /16 (AWS's largest) to /22 (room for a /24 per availability zone). */
    vpcCidr: ipv4Cidr({ minPrefix: 16, maxPrefix: 22 }).default(DEFAULTS.network.vpcCidr),
    /** Availability zones, one public /24 subnet in each; the fleet is spread across them. */
    availabilityZones: wholeNumber(1, 4).default(DEFAULTS.network.availabilityZones),
    /**
     * The lab's `SourceLocation`: the one block allowed to reach the instances on SSH (22) and
     * HTTP (80). Unset: no ingress at all (Session Manager needs none). A /0 block is refused.
     */
    sourceCidr: ipv4Cidr({
        minPrefix: 1,
        maxPrefix: 32,
        worldMessage: "SSH must not be open to the whole internet; use your own address, e.g. 203.0.113.10/32, or leave it unset and use Session Manager",
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

const GROUP_NAME_MESSAGE = "must be a letter, then up to 15 letters or digits, e.g. Web";

export const fleetGroupSchema = area({
    /** The group's name: instances are `<Workload>-<name><n>` (`Test-Web1`). */
    name: text(GROUP_NAME_MESSAGE, /^[A-Za-z][A-Za-z0-9]{0,15}$/),
    /** The `InstanceRole` tag of its instances (the install window targets roles). */
    role: instanceRole,
    count: wholeNumber(1, MAX_INSTANCES_PER_ROLE),
    instanceType: instanceType.default(DEFAULT_INSTANCE_TYPE),
    operatingSystem: oneOf(OPERATING_SYSTEMS),
    /** Serve a web page (httpd on Linux, IIS on Windows). */
    webServer: flag().default(false),
    /** Pin an AMI of `operatingSystem` instead of the latest. */
    amiId: text("must be an AMI id such as ami-0123456789abcdef0", /^ami-[0-9a-f]{8,17}$/).optional(),
}).superRefine((group, ctx) => {
    // What this OS cannot run on the type; what no OS can run is the field's own check.
    const problem = instanceTypeProblem(group.instanceType, group.operatingSystem);
    if (problem && problem !== instanceTypeProblem(group.instanceType)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["instanceType"], message: `${problem} (operatingSystem ${group.operatingSystem})` });
    }
});

/** Instances the stack does not create, chosen by tags. */
export const existingFleetSchema = area({
    /** The instances to manage: those carrying every one of these tags. */
    targetTags: z
        .record(text("tag keys must be 1-128 characters of letters, digits, spaces and _.:/=+-@", TAG_KEY), text("tag values must be 1-256 characters of letters, digits, spaces and _.:/=+-@", NON_EMPTY_TAG_VALUE), says("must be a map of tag keys to values"))
        .refine((tags) => Object.keys(tags).length >= 1 && Object.keys(tags).length <= 5, "must name 1 to 5 tags (a maintenance window target takes at most 5)"),
    /** The operating systems they run: one patch baseline each. */
    operatingSystems: list(oneOf(OPERATING_SYSTEMS), `must be a list of ${OPERATING_SYSTEMS.join(", ")}`).min(1, "must name at least one operating system"),
    /** Their instance roles: given them, the stack lets them write inventory and patching output to its bucket. */
    instanceRoleNames: list(text("must be an IAM role name (1-64 letters, digits and +=,.@_-)", /^[\w+=,.@-]{1,64}$/), "must be a list of IAM role names").default([]),
});

export const fleetSchema = area({
    /** `create` (the lab: network and instances) or `existing` (instances already there, chosen by `existing.targetTags`). */
    mode: oneOf(FLEET_MODES).default(DEFAULTS.fleet.mode),
    /** The instance groups, each of one OS and type (mode `create`). Default: the lab's 2 web and 2 app servers on Amazon Linux 2023. */
    groups: list(fleetGroupSchema, "must be a list of instance groups").min(1, "must have at least one group").default(DEFAULTS.fleet.groups),
    /** The instances to manage (mode `existing`). */
    existing: existingFleetSchema.optional(),
    /** Follow new AMI releases (replacing the instances) instead of keeping each instance's AMI. */
    followLatestAmi: flag().default(DEFAULTS.fleet.followLatestAmi),
    /** An existing EC2 key pair for SSH (the lab's `OELabIPM`); Session Manager needs none. */
    keyName: text("must be the name of an existing EC2 key pair (1-255 ASCII characters)", /^[\x20-\x7e]{1,255}$/).optional(),
    /** The `Environment` tag value that the inventory association targets. */
    environment: text("must be a tag value of letters, digits and _.:/=+-@ (1-256 characters)", NON_EMPTY_TAG_VALUE).default(DEFAULTS.fleet.environment),
    /** The `Confidentiality` tag value. */
    confidentiality: text("must be a tag value of letters, digits and _.:/=+-@ (0-256 characters)", TAG_VALUE).default(DEFAULTS.fleet.confidentiality),
});

/** An Enabled/Disabled switch of AWS-GatherSoftwareInventory. */
const inventorySwitch = (name: keyof typeof INVENTORY_PARAMETER_DEFAULTS) => oneOf(["Enabled", "Disabled"]).default(INVENTORY_PARAMETER_DEFAULTS[name] as "Enabled");
/** The document's JSON-list parameters (`files`, `windowsRegistry`): "" or a JSON array, as a string. */
const inventoryJsonList = checked((value) => {
    if (value === "") return undefined;
    try {
        return Array.isArray(JSON.parse(value)) ? undefined : "must be \"\" or a JSON array of paths, as a string";
    } catch {
        return "must be \"\" or a JSON array of paths, as a string";
    }
}, "must be a string: \"\" or a JSON array of paths").default("");

export const inventorySchema = area({
    /** The association's name. Default `InventoryAllInstances-<Workload>` (the lab's, per workload). */
    associationName: text(SSM_NAME_ALLOWED, SSM_NAME_PATTERN).optional(),
    /** How often to collect: what State Manager associations accept (rate of 30 minutes to 31 days, or one of its cron forms). */
    schedule: checked(associationScheduleProblem, "must be a schedule expression such as rate(30 minutes)").default(DEFAULTS.inventory.schedule),
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
    }).default({}),
    /** The key prefix of the execution logs in the bucket (the lab's `logs`). */
    logPrefix: checked(logPrefixProblem, "must be an S3 key prefix such as logs").default(DEFAULTS.inventory.logPrefix),
    /** Days until logs (and their old versions) expire. */
    logRetentionDays: wholeNumber(1, 3650).default(DEFAULTS.inventory.logRetentionDays),
    /** Keep the (hardened) bucket and its logs on `pulumi destroy`; false empties and deletes it. */
    keepLogsOnDestroy: flag().default(DEFAULTS.inventory.keepLogsOnDestroy),
    /** Also sync inventory to the bucket under inventory/ for Athena (a Resource Data Sync). */
    resourceDataSync: flag().default(DEFAULTS.inventory.resourceDataSync),
    /** Send the account's inventory and compliance to a reporting stack's bucket (docs/reporting.md). */
    reportTo: area({
        /** The reporting stack, as a StackReference name: `reporting`, `<project>/reporting` or `<org>/<project>/reporting`. */
        stack: text("must be a stack reference such as acme/oe-lab-ipm/reporting", /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+){0,2}$/).optional(),
        /** Or the sync bucket itself (another account's, say), without a StackReference. */
        bucketName: text("must be an S3 bucket name: 3-63 lower-case letters, digits, . and -", /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/).optional(),
        /** The bucket's Region, with bucketName. Default: this stack's. */
        region: awsRegion.optional(),
        /** The bucket's key prefix, with bucketName. */
        prefix: checked(logPrefixProblem, "must be an S3 key prefix such as inventory").default(DEFAULT_SYNC_PREFIX),
        /** With bucketName: the bucket admits an AWS Organization (the sync shares with it). */
        organization: flag().default(false),
    }).optional(),
});

/** The S3 bucket policy size limit (20 KB) allows about 85 bytes per account at about 200 accounts; 100 leaves room. */
export const MAX_REPORTING_ACCOUNTS = 100;

export const reportingSchema = area({
    /** The accounts whose syncs may write (each under its own prefix) and whose data the tables read. Default: this stack's account. */
    accounts: list(text("must be a 12-digit AWS account id, quoted so YAML keeps it a string", ACCOUNT_ID_PATTERN), "must be a list of account ids")
        .min(1, `must name 1 to ${MAX_REPORTING_ACCOUNTS} accounts`)
        .max(MAX_REPORTING_ACCOUNTS, `must name 1 to ${MAX_REPORTING_ACCOUNTS} accounts: the bucket policy names each, and S3 allows 20 KB of policy`)
        .optional(),
    /** An AWS Organizations id: any account of it may write (the tables still read `accounts`). */
    organizationId: text("must be an AWS Organizations id such as o-a1b2c3d4e5", ORGANIZATION_ID_PATTERN).optional(),
    /** The Regions whose syncs the tables read. Default: this stack's. */
    regions: list(awsRegion, "must be a list of Regions").min(1, "must name at least one Region").optional(),
    /** The key prefix the syncs write under. */
    syncPrefix: checked(logPrefixProblem, "must be an S3 key prefix such as inventory").default(DEFAULT_SYNC_PREFIX),
    /** Bytes one Athena query may scan before it is cancelled: at least 10,000,000 (Athena's minimum). */
    bytesScannedCutoffPerQuery: z
        .number(says(`must be a whole number of bytes from ${MIN_BYTES_SCANNED_CUTOFF}`))
        .int(`must be a whole number of bytes from ${MIN_BYTES_SCANNED_CUTOFF}`)
        .min(MIN_BYTES_SCANNED_CUTOFF, `must be at least ${MIN_BYTES_SCANNED_CUTOFF} bytes (Athena's minimum)`)
        .default(DEFAULT_BYTES_SCANNED_CUTOFF),
    /** Days query results are kept. */
    resultRetentionDays: wholeNumber(1, 3650).default(DEFAULT_RESULT_RETENTION_DAYS),
});

const approvalRuleSchema = area({
    /** Patch filter key (PRODUCT, CLASSIFICATION, SEVERITY for Amazon Linux) to values; `*` is "All". */
    patchFilters: z.record(z.string(), list(z.string(says("must be a filter value such as Security")), 'must be a list of values, e.g. ["*"]'), says("must be a map of filter keys to lists of values")),
    /** Days after release before approval; default `patching.approveAfterDays`. */
    approveAfterDays: wholeNumber(0, MAX_APPROVE_AFTER_DAYS).optional(),
    complianceLevel: oneOf(COMPLIANCE_LEVELS),
    enableNonSecurity: flag(),
});

/** One OS's baseline; every field defaults to that OS's (the lab's for Amazon Linux). */
export const baselineSchema = area({
    /** Default `<OS's name>-<Workload>`, e.g. the lab's `AmazonLinuxSecAndNonSecBaseline-Test`. */
    name: text(SSM_NAME_ALLOWED, SSM_NAME_PATTERN).optional(),
    description: text("must be 1-1024 characters", /^[\s\S]{1,1024}$/).optional(),
    approvalRules: list(approvalRuleSchema, "must be a list of approval rules")
        .min(1, `must have 1 to ${MAX_APPROVAL_RULES} rules`)
        .max(MAX_APPROVAL_RULES, `must have 1 to ${MAX_APPROVAL_RULES} rules`)
        .optional(),
    rejectedPatches: list(text("must be a package name or pattern of 1-100 characters", /^\S{1,100}$/), "must be a list of package names or patterns")
        .max(MAX_REJECTED_PATCHES, `must have at most ${MAX_REJECTED_PATCHES} entries`)
        .optional(),
});

export const patchingSchema = area({
    /**
     * The patch group: the instances' `Patch Group` tag, registered to every baseline. Default
     * `Critical-<Workload>`, so two stacks in one account never register the same group
     * (Pulumi.test.yaml sets the lab's `Critical`).
     */
    patchGroup: text("must be 1-256 characters of letters, digits, spaces and _.:/=+-@", /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u).optional(),
    /** The approval delay of every rule that sets none (not on Ubuntu): test 0, prod later (see the stack files). */
    approveAfterDays: wholeNumber(0, MAX_APPROVE_AFTER_DAYS).default(DEFAULTS.patching.approveAfterDays),
    /** Per OS the fleet runs (AMAZON_LINUX_2023, AMAZON_LINUX_2, UBUNTU, WINDOWS), its baseline's settings. */
    baselines: area(Object.fromEntries(PATCH_OPERATING_SYSTEMS.map((os) => [os, baselineSchema.optional()])) as Record<PatchOperatingSystem, z.ZodOptional<typeof baselineSchema>>).default({}),
    rejectedPatchesAction: oneOf(REJECTED_PATCHES_ACTIONS).default(DEFAULTS.patching.rejectedPatchesAction),
    /**
     * A State Manager association that scans the fleet (AWS-RunPatchBaseline, Operation=Scan) at
     * creation, on each new instance and then on scanSchedule: compliance within minutes of `pulumi up`.
     */
    scanAssociation: flag().default(DEFAULTS.patching.scanAssociation),
    /** The scan association's schedule: what State Manager associations accept. */
    scanSchedule: checked(associationScheduleProblem, "must be a schedule expression such as rate(1 day)").default(DEFAULTS.patching.scanSchedule),
});

const LOG_RETENTION_MESSAGE = `must be one of ${LOG_RETENTION_DAYS.join(", ")}`;

export const maintenanceWindowSchema = area({
    /** The install window's name. Default `Patch<Workload>WorkloadWebServers` (the lab's). */
    windowName: text(SSM_NAME_ALLOWED, SSM_NAME_PATTERN).optional(),
    schedule: checked(windowScheduleProblem, "must be a cron(...) or rate(...) expression").default(WINDOW_DEFAULTS.schedule),
    timezone: checked(timezoneProblem, "must be an IANA time zone name such as Asia/Tokyo").default(WINDOW_DEFAULTS.timezone),
    duration: wholeNumber(1, 24).default(WINDOW_DEFAULTS.duration),
    cutoff: wholeNumber(0, 23).default(WINDOW_DEFAULTS.cutoff),
    /** Days after the cron date, 1-6 ("Patch Tuesday plus N days"). */
    scheduleOffset: wholeNumber(1, 6).optional(),
    /** Target values: RegisterTargetWithMaintenanceWindow takes at most 50 per key. */
    targetRoles: list(instanceRole, "must be a list of InstanceRole values")
        .min(1, `must name 1 to ${MAX_TARGET_VALUES} InstanceRole values`)
        .max(MAX_TARGET_VALUES, `must name 1 to ${MAX_TARGET_VALUES} InstanceRole values`)
        .default([...DEFAULT_TARGET_ROLES]),
    maxConcurrency: checked((v) => rateControlProblem(v, 1), "must be a string such as \"1\" or \"10%\"").default(WINDOW_DEFAULTS.maxConcurrency),
    maxErrors: checked((v) => rateControlProblem(v, 0), "must be a string such as \"1\" or \"10%\"").default(WINDOW_DEFAULTS.maxErrors),
    rebootOption: oneOf(REBOOT_OPTIONS).default(WINDOW_DEFAULTS.rebootOption),
    cloudWatchLogs: flag().default(true),
    /** Retention of the stack's patching log group: a value CloudWatch Logs accepts. */
    logRetentionDays: z
        .number(says(LOG_RETENTION_MESSAGE))
        .refine((n) => LOG_RETENTION_DAYS.includes(n), LOG_RETENTION_MESSAGE)
        .default(WINDOW_DEFAULTS.logRetentionDays),
    /** A scan window besides the scan association (patching.scanAssociation), for scans only inside a window. */
    scan: flag().default(false),
    scanSchedule: checked(windowScheduleProblem, "must be a cron(...) or rate(...) expression").default(WINDOW_DEFAULTS.scanSchedule),
    /** An existing IAM group (the lab's Administrators) that gets the PassRole policy. */
    adminGroup: text("must be an IAM group name (1-128 letters, digits and +=,.@_-)", /^[\w+=,.@-]{1,128}$/).optional(),
});

export const alertsSchema = area({
    /** The SNS topic's name. Default `AdminAlert-<Workload>` (the lab's `AdminAlert`, per workload). */
    topicName: text("must be 1-30 letters, digits, _ or -", TOPIC_NAME_PATTERN).optional(),
    /** E-mail addresses to subscribe; each receives a confirmation mail it must accept. */
    emails: list(text("must be an e-mail address such as ops@example.com", EMAIL_PATTERN), "must be a list of e-mail addresses").default([]),
});

/**
 * Workload names end up in resource names (`<Workload>-Web1`) and IAM role name prefixes:
 * `SSMMaintenanceWindowRole-<Workload>-` must fit IAM's 38-character prefix, hence 12.
 */
export const WORKLOAD_PATTERN = new RegExp(`^[A-Z][A-Za-z0-9]{0,${MAX_WORKLOAD_LENGTH - 1}}$`);
const WORKLOAD_MESSAGE = `must start with a capital letter and be 1-${MAX_WORKLOAD_LENGTH} letters or digits, e.g. Test`;

/** The top-level keys: the workload, the user's tags, and one object per area. */
export const TOP_LEVEL = {
    /** The lab's WorkloadName (`Test`, `Prod`). Required: Pulumi.yaml declares it without a default. */
    workload: z
        .string({ required_error: "is required: set it in the stack file, e.g. Test", invalid_type_error: WORKLOAD_MESSAGE })
        .regex(WORKLOAD_PATTERN, WORKLOAD_MESSAGE),
    /** Extra tags on every taggable resource (the lab's `Owner`). */
    tags: z
        .record(
            // __proto__ cannot be carried by a JavaScript object: it would be dropped without a word.
            text("tag keys must be 1-128 characters of letters, digits, spaces and _.:/=+-@", TAG_KEY).refine((key) => key !== "__proto__", "tag key __proto__ cannot be passed on; choose another key"),
            text("tag values must be 0-256 characters of letters, digits, spaces and _.:/=+-@", TAG_VALUE),
            says("must be a map of tag keys to string values"),
        )
        .default({}),
    /**
     * Protect what users keep (the log bucket, the alert topic, its key and subscriptions) from
     * deletion: destroy and replacing updates fail until unprotected. `prod` sets it.
     */
    protect: flag().default(false),
    network: networkSchema.default({}),
    fleet: fleetSchema.default({}),
    inventory: inventorySchema.default({}),
    maintenanceWindow: maintenanceWindowSchema.default({}),
    alerts: alertsSchema.default({}),
    patching: patchingSchema.default({}),
    /** Makes this a reporting stack: the central store and Athena queries for every stack's compliance (docs/reporting.md). */
    reporting: reportingSchema.optional(),
};

/** The areas of a lab stack, which a reporting stack does not have. */
export const LAB_AREAS = ["network", "fleet", "inventory", "maintenanceWindow", "alerts", "patching"] as const;

/** The whole schema, for its types and defaults (parsing goes area by area: config/index.ts). */
export const labSchema = area(TOP_LEVEL);


/** What parsed of each area, field by field: a cross check runs when the fields it needs are there. */
export type PartialLabConfig = { -readonly [K in keyof ParsedLabConfig]?: ParsedLabConfig[K] extends object ? Partial<ParsedLabConfig[K]> : ParsedLabConfig[K] };

/** A problem a cross check found: where (path below the namespace) and what is allowed. */
export interface CrossIssue {
    readonly path: (string | number)[];
    readonly message: string;
}

/**
 * Checks that span fields or areas. They run on whatever parsed, so a broken area never hides
 * them, and each runs only when the fields it needs are valid.
 */
export const CROSS_CHECKS: readonly ((config: PartialLabConfig, broken: ReadonlySet<string>, raw: Readonly<Record<string, unknown>>) => CrossIssue[])[] = [
    // A cutoff at or after the end of the window: CreateMaintenanceWindow refuses it.
    ({ maintenanceWindow: w }) =>
        w?.cutoff !== undefined && w.duration !== undefined && w.cutoff >= w.duration
            ? [{ path: ["maintenanceWindow", "cutoff"], message: `must be less than the duration (${w.duration} hour${w.duration === 1 ? "" : "s"})` }]
            : [],
    // Systems Manager supports schedule offsets for cron expressions only.
    ({ maintenanceWindow: w }) =>
        w?.scheduleOffset !== undefined && w.schedule !== undefined && !w.schedule.startsWith("cron(")
            ? [{ path: ["maintenanceWindow", "scheduleOffset"], message: `needs a cron schedule (maintenanceWindow.schedule is ${w.schedule})` }]
            : [],
    // The fleet's mode decides where its instances come from: existing needs its targets; create needs no existing.
    ({ fleet }, broken) => {
        if (fleet?.mode === "existing" && fleet.existing === undefined && !broken.has("fleet.existing")) {
            return [{ path: ["fleet", "existing"], message: "is required with mode existing: the instances' targetTags and operatingSystems" }];
        }
        return fleet?.mode === "create" && fleet.existing !== undefined ? [{ path: ["fleet", "existing"], message: "applies to mode existing only; set fleet.mode: existing or remove it" }] : [];
    },
    // Keys of a created fleet, set for an existing one: what the stack file says (raw), not the defaults.
    ({ fleet }, broken, raw) =>
        fleet?.mode !== "existing"
            ? []
            : CREATE_MODE_ONLY.filter((keyPath) => {
                  const dotted = keyPath.join(".");
                  // A key already reported as broken gets no second message.
                  return valueAt(raw, keyPath) !== undefined && ![...broken].some((k) => k === dotted || k.startsWith(`${dotted}.`));
              }).map((keyPath) => ({ path: [...keyPath], message: "applies to fleet.mode create only (an existing fleet's network and instances are not the stack's); remove it" })),
    // Group names make instance and resource names: one each.
    ({ fleet }) => {
        const names = (fleet?.groups ?? []).map((g) => g.name.toLowerCase());
        const twice = names.filter((n, i) => names.indexOf(n) !== i);
        return twice.length > 0 ? [{ path: ["fleet", "groups"], message: `names ${[...new Set(twice)].join(", ")} more than once (letter case aside); each group needs its own name` }] : [];
    },
    // One baseline per OS the fleet runs; its rules only what that OS's Patch Manager supports.
    (config) => {
        const systems = fleetPatchOperatingSystems(config);
        if (systems === undefined || config.patching?.baselines === undefined) return [];
        return Object.entries(config.patching.baselines).flatMap(([os, baseline]) => {
            if (baseline === undefined) return [];
            if (!systems.includes(os as PatchOperatingSystem)) {
                return [{ path: ["patching", "baselines", os], message: `is for an OS the fleet does not run (it runs ${systems.join(", ")})` }];
            }
            return (baseline.approvalRules ?? []).flatMap((rule, i) =>
                approvalRuleProblems(os as PatchOperatingSystem, rule).map((message) => ({ path: ["patching", "baselines", os, "approvalRules", i], message })),
            );
        });
    },
    // The data sync is named after the association: <name>-sync within SyncName's 64 characters.
    ({ inventory }) => {
        const problem =
            inventory?.associationName !== undefined && inventory.resourceDataSync !== undefined
                ? associationNameProblem(inventory.associationName, inventory.resourceDataSync || inventory.reportTo !== undefined)
                : undefined;
        return problem ? [{ path: ["inventory", "associationName"], message: problem }] : [];
    },
    // A reporting stack is the central store only: the lab's areas are not its.
    ({ reporting }, _broken, raw) =>
        reporting === undefined
            ? []
            : LAB_AREAS.filter((key) => valueAt(raw, [key]) !== undefined).map((key) => ({ path: [key], message: "applies to lab stacks; this stack sets reporting, which makes it a reporting stack (docs/reporting.md)" })),
    // One destination for the stack's one sync: a reporting stack, or a bucket by name.
    ({ inventory }, broken, raw) => {
        const to = inventory?.reportTo;
        if (to === undefined || broken.has("inventory.reportTo")) return [];
        const issues: CrossIssue[] = [];
        if ((to.stack === undefined) === (to.bucketName === undefined)) {
            issues.push({ path: ["inventory", "reportTo"], message: "needs exactly one of stack (a reporting stack) or bucketName (its sync bucket)" });
        }
        if (to.stack !== undefined) {
            for (const key of ["region", "prefix", "organization"]) {
                if (valueAt(raw, ["inventory", "reportTo", key]) !== undefined) issues.push({ path: ["inventory", "reportTo", key], message: "comes from the reporting stack's outputs with reportTo.stack; set it only with bucketName" });
            }
        }
        if (valueAt(raw, ["inventory", "resourceDataSync"]) === true) {
            issues.push({ path: ["inventory", "resourceDataSync"], message: "syncs to the stack's own bucket; with inventory.reportTo the stack's one sync goes to the reporting bucket: remove one" });
        }
        return issues;
    },
    // Tags: none of the program's own keys, no aws: prefix in any case, and room for the program's on every instance.
    ({ tags }) => {
        if (tags === undefined) return [];
        const issues: CrossIssue[] = Object.keys(tags).flatMap((key) => {
            if (RESERVED_TAG_KEYS.includes(key)) return [{ path: ["tags", key], message: `is a tag the program sets itself (${RESERVED_TAG_KEYS.join(", ")}); set it through its own config key, or choose another key` }];
            const reserved = reservedTagKeyProblem(key);
            return reserved ? [{ path: ["tags", key], message: reserved }] : [];
        });
        const count = Object.keys(tags).length;
        if (count > MAX_USER_TAGS) {
            issues.push({ path: ["tags"], message: `has ${count} tags; at most ${MAX_USER_TAGS}, because every instance also carries the program's ${PROGRAM_TAG_KEYS.length} (${PROGRAM_TAG_KEYS.join(", ")}) and AWS allows ${MAX_TAGS_PER_RESOURCE} per resource` });
        }
        return issues;
    },
    // The same address twice.
    ({ alerts }) => duplicateEmails(alerts?.emails ?? []).map((email) => ({ path: ["alerts", "emails"], message: `lists ${email} twice (letter case aside); subscribe each address once` })),
];

/** The value a raw config gives at a key path, or undefined. */
export function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
    return path.reduce<unknown>((node, key) => (node !== null && typeof node === "object" && Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined), root);
}

/** The patch operating systems of the fleet's instances (created or existing), or undefined while the fleet is broken. */
export function fleetPatchOperatingSystems(config: PartialLabConfig): PatchOperatingSystem[] | undefined {
    const fleet = config.fleet;
    if (fleet?.mode === undefined) return undefined;
    if (fleet.mode === "existing") return fleet.existing ? patchOperatingSystemsOf(fleet.existing.operatingSystems) : undefined;
    return fleet.groups ? patchOperatingSystemsOf(fleet.groups.map((g) => g.operatingSystem)) : undefined;
}

/** The raw config the schema accepts: top-level keys without the project namespace. */
export type RawLabConfig = z.input<typeof labSchema>;
export type ParsedLabConfig = z.output<typeof labSchema>;
