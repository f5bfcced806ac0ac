/**
 * Per stack: read and validate the stack's config, build the components, export outputs. A lab stack (test,
 * prod, mixed, existing) builds the lab and its practice; a stack that sets `reporting` builds the central
 * compliance store instead. Follow a behaviour from here to config/ (keys, defaults, validation, the lab's names
 * and tag scheme) and components/ (resources, each usable on its own, and from other languages as a package).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlertTopic, topicArnOf } from "./components/alertTopic";
import { CoverageCheck } from "./components/coverageCheck";
import { DataSyncDestination, InventoryAssociation } from "./components/inventoryAssociation";
import { LabNetwork } from "./components/labNetwork";
import { ManagedFleet } from "./components/managedFleet";
import {
    OperatingSystem,
    OPERATING_SYSTEM_SPECS,
    PATCH_OPERATING_SYSTEM_SPECS,
    patchOperatingSystemsOf,
} from "./components/operatingSystems";
import { PatchAlerts } from "./components/patchAlerts";
import { PatchingPolicy } from "./components/patchingPolicy";
import { WINDOW_DEFAULTS, PatchMaintenanceWindow } from "./components/patchMaintenanceWindow";
import { PatchScanAssociation } from "./components/patchScanAssociation";
import { ComplianceReporting } from "./components/complianceReporting";
import { HostManagement } from "./components/hostManagement";
import { InstallMode, PatchRunbook } from "./components/patchRunbook";
import { fleetTargetTags, LAB_NAMES, LabConfig, PROJECT, readLabConfig, STACK_TAGS, TAG } from "./config";
import { ringOf } from "./config/ring";

/** What every part of a lab stack is built from: its config, tags and the fleet's target tags. */
interface LabContext {
    readonly config: LabConfig;
    readonly workload: string;
    /** The existing fleet, when the stack creates no instances. */
    readonly existing?: NonNullable<LabConfig["fleet"]["existing"]>;
    readonly tags: Record<string, string>;
    /** The instances inventory, patching and alerts are about: the lab's, or the existing ones, by their tags. */
    readonly fleetTags: Record<string, string>;
    /** Every component's options: a protected stack (`protect`, prod's) protects each, and children inherit it. */
    readonly kept: pulumi.ComponentResourceOptions;
}

/** A lab stack: the network and fleet (or an existing fleet), inventory, patching, windows, alerts. */
function lab(config: LabConfig): Record<string, unknown> {
    const ctx: LabContext = {
        config,
        workload: config.workload,
        existing: config.fleet.mode === "existing" ? config.fleet.existing! : undefined,
        tags: stackTags(config),
        fleetTags: fleetTargetTags(config),
        kept: { protect: config.protect },
    };
    const { network, fleet } = createdFleet(ctx);
    /** The roles the agents write inventory and patching output with. */
    const instanceRoleNames: pulumi.Input<string>[] = fleet ? [fleet.role.name] : ctx.existing!.instanceRoleNames;
    const operatingSystems = fleet ? fleet.operatingSystems : ctx.existing!.operatingSystems;
    const inventory = inventoryOf(ctx, instanceRoleNames);
    const patching = patchingOf(ctx, operatingSystems);
    const scan = scanOf(ctx, inventory);
    const hosts = hostManagementOf(ctx, inventory);
    const check = coverageCheckOf(ctx);
    const alerts = new AlertTopic(
        "lab-alerts",
        {
            topicName: config.alerts.topicName,
            emails: config.alerts.emails,
            publisherRoleArns: check && [check.roleArn],
            automationPublisher: { roleNamePrefix: LAB_NAMES.triageRolePrefix(ctx.workload) },
            tags: ctx.tags,
        },
        ctx.kept,
    );
    const window = windowOf(ctx, inventory, instanceRoleNames, alerts);
    const runbook: PatchRunbook | undefined = runbookOf(ctx, window, inventory.bucketName);
    // Rules on this stack's own instances, windows, associations, baselines: named like the topic, which admits them.
    const alertRules = new PatchAlerts(
        "lab-alert-rules",
        {
            topicArn: alerts.topicArn,
            ruleNamePrefix: `${config.alerts.topicName}-patch-`,
            stackLabel: ctx.tags[STACK_TAGS.application],
            instanceIds: fleet?.instances.map((i) => i.instance.id),
            maintenanceWindowIds: window.windowIds,
            associationIds: [inventory.associationId, scan?.associationId, hosts?.agentUpdateAssociationId].filter(
                (id): id is pulumi.Output<string> => id !== undefined,
            ),
            patchBaselineIds: patching.baselineIdList,
            runbookNames: runbook?.documentNames,
            checkNames: check && [check.documentName],
            windowTriage: { ...LAB_NAMES.windowTriage(ctx.workload), ...alerts.automationPublisher! },
            outputLocations: {
                bucketName: inventory.bucketName,
                commandKeyPrefixes: window.scanWindowId
                    ? [WINDOW_DEFAULTS.installPrefix, WINDOW_DEFAULTS.scanPrefix]
                    : [WINDOW_DEFAULTS.installPrefix],
                logGroupName: window.logGroupName,
            },
            tags: ctx.tags,
        },
        ctx.kept,
    );
    return {
        ...fleetOutputs(config, fleet, network),
        OperatingSystems: operatingSystems.map((os) => OPERATING_SYSTEM_SPECS[os].displayName),
        PatchGroup: patching.patchGroup,
        PatchBaselineId: patching.baselineId,
        PatchBaselineIds: patching.baselineIds,
        InventoryAssociationId: inventory.associationId,
        InventoryAssociationName: inventory.associationName,
        LogBucketName: inventory.bucketName,
        MaintenanceWindowId: window.windowId,
        MaintenanceWindowTargetId: window.targetId,
        InstallTaskId: runbook ? runbook.installTaskId : window.installTaskId,
        PatchRunbookName: runbook?.documentName,
        PatchGateRunbookName: runbook?.gateDocumentName,
        RestorePointVaultName: runbook?.backupVaultName,
        ScanTaskId: window.scanTaskId,
        ScanAssociationId: scan?.associationId,
        AgentUpdateAssociationId: hosts?.agentUpdateAssociationId,
        DefaultHostManagementRoleArn: hosts?.roleArn,
        MaintenanceWindowRoleArn: window.roleArn,
        AlertTopicArn: alerts.topicArn,
        AlertKeyArn: alerts.keyArn,
        AlertRuleNames: alertRules.ruleNames,
        CoverageCheckName: check?.documentName,
    };
}

/** The lab's network and instances: created unless the fleet already exists. */
function createdFleet(ctx: LabContext): { network?: LabNetwork; fleet?: ManagedFleet } {
    if (ctx.existing) return {};
    const { config, workload, tags } = ctx;
    // The network area's keys are LabNetwork's arguments, one for one.
    const network = new LabNetwork("lab-network", { ...config.network, tags }, ctx.kept);
    const fleet = new ManagedFleet(
        "lab-fleet",
        {
            namePrefix: workload,
            roleNamePrefix: LAB_NAMES.instanceRolePrefix(workload),
            groups: config.fleet.groups.map((g) => ({ ...g, tags: { [TAG.instanceRole]: g.role } })),
            subnetIds: network.publicSubnetIds,
            securityGroupIds: [network.securityGroupId],
            followLatestAmi: config.fleet.followLatestAmi,
            keyName: config.fleet.keyName,
            instanceTags: {
                ...ctx.fleetTags,
                [TAG.patchGroup]: config.patching.patchGroup,
                [TAG.ssmManaged]: "True",
                [TAG.confidentiality]: config.fleet.confidentiality,
            },
            tags,
        },
        ctx.kept,
    );
    return { network, fleet };
}

function inventoryOf(ctx: LabContext, instanceRoleNames: pulumi.Input<string>[]): InventoryAssociation {
    const { config } = ctx;
    return new InventoryAssociation(
        "lab-inventory",
        {
            resourceDataSyncDestination: reportingDestination(config),
            associationName: config.inventory.associationName,
            targetTags: ctx.fleetTags,
            instanceRoleNames,
            schedule: config.inventory.schedule,
            parameters: config.inventory.parameters,
            logPrefix: config.inventory.logPrefix,
            logRetentionDays: config.inventory.logRetentionDays,
            keepLogsOnDestroy: config.inventory.keepLogsOnDestroy,
            resourceDataSync: config.inventory.resourceDataSync,
            tags: ctx.tags,
        },
        ctx.kept,
    );
}

/** One baseline per OS the instances run, each registered to the stack's patch group. */
function patchingOf(ctx: LabContext, operatingSystems: readonly OperatingSystem[]): PatchingPolicy {
    const { config, workload } = ctx;
    return new PatchingPolicy(
        "lab-patching",
        {
            patchGroup: config.patching.patchGroup,
            baselines: patchOperatingSystemsOf(operatingSystems).map((os) => {
                const configured = config.patching.baselines[os] ?? {};
                return {
                    operatingSystem: os,
                    ...configured,
                    name: configured.name ?? `${PATCH_OPERATING_SYSTEM_SPECS[os].baselineName}-${workload}`,
                };
            }),
            approveAfterDays: config.patching.approveAfterDays,
            rejectedPatchesAction: config.patching.rejectedPatchesAction,
            tags: ctx.tags,
        },
        ctx.kept,
    );
}

/** Compliance within minutes of `pulumi up`: a scan at creation, on each new instance, then daily. */
function scanOf(ctx: LabContext, inventory: InventoryAssociation): PatchScanAssociation | undefined {
    const { config } = ctx;
    if (!config.patching.scanAssociation) return undefined;
    return new PatchScanAssociation(
        "lab-patch-scan",
        {
            associationName: LAB_NAMES.scanAssociationName(ctx.workload),
            targetTags: ctx.fleetTags,
            resourceGroupName: inventory.resourceGroupName,
            schedule: config.patching.scanSchedule,
            // Under the prefix the maintenance window lets the instance roles write to.
            outputBucketName: inventory.bucketName,
            outputKeyPrefix: WINDOW_DEFAULTS.scanPrefix,
            tags: ctx.tags,
        },
        ctx.kept,
    );
}

/** The account and Region's Default Host Management Configuration, and the agent's updates: each when config asks. */
function hostManagementOf(ctx: LabContext, inventory: InventoryAssociation): HostManagement | undefined {
    const { fleet } = ctx.config;
    if (!fleet.defaultHostManagement && !fleet.agentUpdate) return undefined;
    return new HostManagement(
        "lab-hosts",
        {
            defaultHostManagement: fleet.defaultHostManagement
                ? { roleNamePrefix: LAB_NAMES.hostManagementRolePrefix(ctx.workload) }
                : undefined,
            // The inventory's instances: the same tag, or the same resource group.
            agentUpdate: fleet.agentUpdate
                ? {
                      associationName: LAB_NAMES.agentUpdateAssociationName(ctx.workload),
                      targetTags: ctx.fleetTags,
                      resourceGroupName: inventory.resourceGroupName,
                      schedule: fleet.agentUpdateSchedule,
                  }
                : undefined,
            tags: ctx.tags,
        },
        ctx.kept,
    );
}

/** The daily coverage check of the fleet's scope; the topic it alerts is named by config, so it comes first. */
function coverageCheckOf(ctx: LabContext): CoverageCheck | undefined {
    if (!ctx.config.alerts.coverageCheck) return undefined;
    return new CoverageCheck(
        "lab-coverage-check",
        {
            stack: ctx.tags[STACK_TAGS.application],
            documentName: LAB_NAMES.coverageCheckDocument(ctx.workload),
            roleNamePrefix: LAB_NAMES.coverageCheckRolePrefix(ctx.workload),
            schedulerRoleNamePrefix: LAB_NAMES.coverageScheduleRolePrefix(ctx.workload),
            topicArn: topicArnOf(ctx.config.alerts.topicName),
            scopeTags: ctx.fleetTags,
            silentAfterHours: ctx.config.alerts.silentAfterHours,
            details: `npm run ops -- coverage --stack ${ctx.config.stack}`,
            tags: ctx.tags,
        },
        ctx.kept,
    );
}

function windowOf(
    ctx: LabContext,
    inventory: InventoryAssociation,
    instanceRoleNames: pulumi.Input<string>[],
    alerts: AlertTopic,
): PatchMaintenanceWindow {
    const { config, workload, existing, fleetTags } = ctx;
    const window = config.maintenanceWindow;
    const targetRoles = window.targetRoles;
    return new PatchMaintenanceWindow(
        "lab-window",
        {
            windowName: window.windowName,
            // The lab patches the workload's web servers; an existing fleet, every targeted instance.
            installTargets: existing
                ? toTargets(fleetTags)
                : { [TAG.workload]: [workload], [TAG.instanceRole]: targetRoles },
            installTargetName: existing
                ? LAB_NAMES.existingTargetName(workload)
                : LAB_NAMES.installTargetName(workload, targetRoles),
            roleNamePrefix: LAB_NAMES.windowRolePrefix(workload),
            passRolePolicyNamePrefix: LAB_NAMES.passRolePolicyPrefix(workload),
            instanceRoleNames,
            logBucketName: inventory.bucketName,
            logBucketArn: inventory.bucketArn,
            schedule: window.schedule,
            timezone: window.timezone,
            duration: window.duration,
            cutoff: window.cutoff,
            scheduleOffset: window.scheduleOffset,
            maxConcurrency: window.maxConcurrency,
            maxErrors: window.maxErrors,
            rebootOption: window.rebootOption,
            runCommandInstall: window.installMode === InstallMode.RunPatchBaseline,
            logGroupNamePrefix: window.cloudWatchLogs ? LAB_NAMES.logGroupPrefix(workload) : undefined,
            logRetentionDays: window.logRetentionDays,
            kmsKeyId: window.kmsKeyId,
            scan: window.scan
                ? {
                      windowName: LAB_NAMES.scanWindowName(workload),
                      targets: existing ? toTargets(fleetTags) : { [TAG.workload]: [workload] },
                      targetName: existing
                          ? LAB_NAMES.existingTargetName(workload)
                          : LAB_NAMES.scanTargetName(workload),
                      schedule: window.scanSchedule,
                  }
                : undefined,
            adminGroup: window.adminGroup,
            // Exactly one report per failed run on an instance: on a created fleet the cmd-failed rule names the
            // instances; on an existing fleet no rule can, so the tasks' own Run Command notifications report them.
            notifications: existing ? { topicArn: alerts.topicArn, roleArn: alerts.notificationRoleArn } : undefined,
            tags: ctx.tags,
        },
        ctx.kept,
    );
}

const toTargets = (tags: Record<string, string>) => Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, [v]]));

/** The stack's runbook and its window tasks, unless the stack keeps the lab's plain install. */
function runbookOf(
    ctx: LabContext,
    window: PatchMaintenanceWindow,
    bucketName: pulumi.Input<string>,
): PatchRunbook | undefined {
    const { config, workload } = ctx;
    const w = config.maintenanceWindow;
    if (w.installMode !== InstallMode.Runbook) return undefined;
    const targetRoles = new Set(w.targetRoles);
    return new PatchRunbook(
        "lab-runbook",
        {
            stack: ctx.tags[STACK_TAGS.application],
            documentNamePrefix: LAB_NAMES.runbookDocumentPrefix(workload),
            roleNamePrefix: LAB_NAMES.runbookRolePrefix(workload),
            backupRoleNamePrefix: LAB_NAMES.backupRolePrefix(workload),
            backupVaultName: LAB_NAMES.restorePointVault(workload),
            gateParameterName: LAB_NAMES.gateParameter(workload),
            windowId: window.windowId,
            windowTargetId: window.targetId,
            windowRoleArn: window.roleArn,
            taskName: w.windowName,
            windowHours: w.duration - w.cutoff,
            targetCount: ctx.existing
                ? undefined
                : config.fleet.groups.filter((g) => targetRoles.has(g.role)).reduce((n, g) => n + g.count, 0),
            maxConcurrency: w.maxConcurrency,
            maxErrors: w.maxErrors,
            rebootOption: w.rebootOption,
            restorePointRetentionDays: w.restorePointRetentionDays,
            restorePointTimeoutMinutes: w.restorePointTimeoutMinutes,
            installTimeoutMinutes: w.installTimeoutMinutes,
            healthCheckUrl: w.healthCheckUrl,
            ring: ringOf(config),
            approval: w.approval,
            outputBucket: bucketName,
            outputPrefix: WINDOW_DEFAULTS.installPrefix,
            logGroupName: window.logGroupName,
            tags: ctx.tags,
        },
        ctx.kept,
    );
}

/** The created fleet's and network's outputs (undefined for an existing fleet). */
function fleetOutputs(config: LabConfig, fleet?: ManagedFleet, network?: LabNetwork): Record<string, unknown> {
    /** The ids of the instances of one `InstanceRole`. */
    function idsOfRole(role: string): pulumi.Output<string[]> | undefined {
        if (!fleet) return undefined;
        const groups = new Set(config.fleet.groups.filter((g) => g.role === role).map((g) => g.name));
        return pulumi.all(fleet.instances.filter((i) => groups.has(i.group)).map((i) => i.instance.id));
    }
    return {
        PrimaryURL: fleet?.webServerUrls.apply((urls) => urls[0]),
        SecondaryURL: fleet?.webServerUrls.apply((urls) => urls[1]),
        WebServerInstanceIds: idsOfRole("WebServer"),
        AppServerInstanceIds: idsOfRole("AppServer"),
        InstanceIds: fleet?.instanceIds,
        VpcId: network?.vpcId,
        SecurityGroupId: network?.securityGroupId,
        InstanceRoleArn: fleet?.roleArn,
    };
}

/** Tags on every taggable resource: the user's (the lab's `Owner`), the workload, the stack. */
function stackTags(config: LabConfig): Record<string, string> {
    return {
        ...config.tags,
        [STACK_TAGS.workload]: config.workload,
        [STACK_TAGS.application]: `${PROJECT}/${config.stack}`,
    };
}

/** Where the stack's Resource Data Sync sends the account's data: a reporting stack's bucket, or none. */
function reportingDestination(config: LabConfig): DataSyncDestination | undefined {
    const to = config.inventory.reportTo;
    if (to?.stack !== undefined) {
        const central = new pulumi.StackReference(to.stack);
        return {
            bucketName: central.requireOutput("SyncBucketName") as pulumi.Output<string>,
            region: central.requireOutput("SyncBucketRegion") as pulumi.Output<string>,
            prefix: central.requireOutput("SyncPrefix") as pulumi.Output<string>,
            organization: central.getOutput("OrganizationShared").apply((shared) => shared === true),
        };
    }
    if (to?.bucketName === undefined) return undefined;
    return { ...to, bucketName: to.bucketName, region: to.region ?? aws.getRegionOutput().region };
}

/** A reporting stack: the central store and Athena queries for every member stack's compliance. */
function reporting(config: LabConfig): Record<string, unknown> {
    const settings = config.reporting!;
    const tags = stackTags(config);
    const store = new ComplianceReporting(
        "reporting",
        {
            databaseName: LAB_NAMES.reportingDatabase(config.workload),
            workgroupName: LAB_NAMES.reportingWorkgroup(config.workload),
            // The reporting area's keys are ComplianceReporting's arguments, one for one.
            ...settings,
            tags,
        },
        { protect: config.protect },
    );
    // What member stacks read through a StackReference (inventory.reportTo.stack).
    return {
        SyncBucketName: store.syncBucketName,
        SyncBucketRegion: store.syncBucketRegion,
        SyncPrefix: store.syncPrefix,
        OrganizationShared: settings.organizationId !== undefined,
        ResultsBucketName: store.resultsBucketName,
        AthenaDatabase: store.databaseName,
        AthenaWorkgroup: store.workgroupName,
        NamedQueryIds: store.namedQueryIds,
        HistoryBucketName: store.historyBucketName,
        HistoryScheduleName: store.historyScheduleName,
        AccessLogBucketName: store.accessLogBucketName,
    };
}

const config = readLabConfig();
export = config.reporting ? reporting(config) : lab(config);
