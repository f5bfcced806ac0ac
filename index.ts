/**
 * Per stack: read and validate the stack's config, build the components, export outputs. A lab
 * stack (test, prod, mixed, existing) builds the lab and its practice; a stack that sets
 * `reporting` builds the central compliance store instead. Follow a behaviour from here to config/
 * (keys, defaults, validation, the lab's names and tag scheme) and components/ (resources, each
 * usable on its own, and from other languages as a package).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlertTopic } from "./components/alertTopic";
import { DataSyncDestination, InventoryAssociation } from "./components/inventoryAssociation";
import { LabNetwork } from "./components/labNetwork";
import { ManagedFleet } from "./components/managedFleet";
import { OPERATING_SYSTEM_SPECS, PATCH_OPERATING_SYSTEM_SPECS, patchOperatingSystemsOf } from "./components/operatingSystems";
import { PatchAlerts } from "./components/patchAlerts";
import { PatchingPolicy } from "./components/patchingPolicy";
import { DEFAULTS as WINDOW_DEFAULTS, PatchMaintenanceWindow } from "./components/patchMaintenanceWindow";
import { PatchScanAssociation } from "./components/patchScanAssociation";
import { ComplianceReporting } from "./components/complianceReporting";
import { fleetTargetTags, LAB_NAMES, LabConfig, PROJECT, readLabConfig, STACK_TAGS, TAG } from "./config";

/** A lab stack: the network and fleet (or an existing fleet), inventory, patching, windows, alerts. */
function lab(config: LabConfig): Record<string, unknown> {
    const workload = config.workload;
    const existing = config.fleet.mode === "existing" ? config.fleet.existing! : undefined;

    const tags = stackTags(config);

    /** The instances inventory, patching and alerts are about: the lab's, or the existing ones, by their tags. */
    const fleetTags = fleetTargetTags(config);

    // The lab's network and instances: created unless the fleet already exists.
    let fleet: ManagedFleet | undefined;
    let network: LabNetwork | undefined;
    if (!existing) {
        network = new LabNetwork("lab-network", {
            vpcCidr: config.network.vpcCidr,
            availabilityZones: config.network.availabilityZones,
            sourceCidr: config.network.sourceCidr,
            httpSourceCidr: config.network.httpSourceCidr,
            tags,
        });
        fleet = new ManagedFleet("lab-fleet", {
            namePrefix: workload,
            roleNamePrefix: LAB_NAMES.instanceRolePrefix(workload),
            groups: config.fleet.groups.map((g) => ({ ...g, tags: { [TAG.instanceRole]: g.role } })),
            subnetIds: network.publicSubnetIds,
            securityGroupIds: [network.securityGroupId],
            followLatestAmi: config.fleet.followLatestAmi,
            keyName: config.fleet.keyName,
            instanceTags: {
                ...fleetTags,
                [TAG.patchGroup]: config.patching.patchGroup,
                [TAG.ssmManaged]: "True",
                [TAG.confidentiality]: config.fleet.confidentiality,
            },
            tags,
        });
    }
    /** The roles the agents write inventory and patching output with. */
    const instanceRoleNames: pulumi.Input<string>[] = fleet ? [fleet.role.name] : existing!.instanceRoleNames;
    const operatingSystems = fleet ? fleet.operatingSystems : existing!.operatingSystems;

    const inventory = new InventoryAssociation("lab-inventory", {
        resourceDataSyncDestination: reportingDestination(config),
        associationName: config.inventory.associationName,
        targetTags: fleetTags,
        instanceRoleNames,
        schedule: config.inventory.schedule,
        parameters: config.inventory.parameters,
        logPrefix: config.inventory.logPrefix,
        logRetentionDays: config.inventory.logRetentionDays,
        keepLogsOnDestroy: config.inventory.keepLogsOnDestroy,
        resourceDataSync: config.inventory.resourceDataSync,
        protect: config.protect,
        tags,
    });

    // One baseline per OS the instances run, each registered to the stack's patch group.
    const patching = new PatchingPolicy("lab-patching", {
        patchGroup: config.patching.patchGroup,
        baselines: patchOperatingSystemsOf(operatingSystems).map((os) => {
            const configured = config.patching.baselines[os] ?? {};
            return { operatingSystem: os, ...configured, name: configured.name ?? `${PATCH_OPERATING_SYSTEM_SPECS[os].baselineName}-${workload}` };
        }),
        approveAfterDays: config.patching.approveAfterDays,
        rejectedPatchesAction: config.patching.rejectedPatchesAction,
        tags,
    });

    // Compliance within minutes of `pulumi up`: a scan at creation, on each new instance, then daily.
    const scan = config.patching.scanAssociation
        ? new PatchScanAssociation("lab-patch-scan", {
              associationName: LAB_NAMES.scanAssociationName(workload),
              targetTags: fleetTags,
              resourceGroupName: inventory.resourceGroupName,
              schedule: config.patching.scanSchedule,
              // Under the prefix the maintenance window lets the instance roles write to.
              outputBucketName: inventory.bucketName,
              outputKeyPrefix: WINDOW_DEFAULTS.scanPrefix,
              tags,
          })
        : undefined;

    const alerts = new AlertTopic("lab-alerts", {
        topicName: config.alerts.topicName,
        emails: config.alerts.emails,
        protect: config.protect,
        tags,
    });

    const targetRoles = config.maintenanceWindow.targetRoles;
    const window = new PatchMaintenanceWindow("lab-window", {
        windowName: config.maintenanceWindow.windowName,
        // The lab patches the workload's web servers; an existing fleet, every targeted instance.
        installTargets: existing ? toTargets(fleetTags) : { [TAG.workload]: [workload], [TAG.instanceRole]: targetRoles },
        installTargetName: existing ? LAB_NAMES.existingTargetName(workload) : LAB_NAMES.installTargetName(workload, targetRoles),
        roleNamePrefix: LAB_NAMES.windowRolePrefix(workload),
        passRolePolicyNamePrefix: LAB_NAMES.passRolePolicyPrefix(workload),
        instanceRoleNames,
        logBucketName: inventory.bucketName,
        logBucketArn: inventory.bucketArn,
        schedule: config.maintenanceWindow.schedule,
        timezone: config.maintenanceWindow.timezone,
        duration: config.maintenanceWindow.duration,
        cutoff: config.maintenanceWindow.cutoff,
        scheduleOffset: config.maintenanceWindow.scheduleOffset,
        maxConcurrency: config.maintenanceWindow.maxConcurrency,
        maxErrors: config.maintenanceWindow.maxErrors,
        rebootOption: config.maintenanceWindow.rebootOption,
        logGroupNamePrefix: config.maintenanceWindow.cloudWatchLogs ? LAB_NAMES.logGroupPrefix(workload) : undefined,
        logRetentionDays: config.maintenanceWindow.logRetentionDays,
        scan: config.maintenanceWindow.scan
            ? {
                  windowName: LAB_NAMES.scanWindowName(workload),
                  targets: existing ? toTargets(fleetTags) : { [TAG.workload]: [workload] },
                  targetName: existing ? LAB_NAMES.existingTargetName(workload) : LAB_NAMES.scanTargetName(workload),
                  schedule: config.maintenanceWindow.scanSchedule,
              }
            : undefined,
        adminGroup: config.maintenanceWindow.adminGroup,
        notifications: { topicArn: alerts.topicArn, roleArn: alerts.notificationRoleArn },
        tags,
    });

    // The rules watch only this stack's instances, windows and baselines: a prod failure never
    // reaches the test topic. Their names start with the topic's, which its policy admits.
    const alertRules = new PatchAlerts("lab-alert-rules", {
        topicArn: alerts.topicArn,
        ruleNamePrefix: `${config.alerts.topicName}-patch-`,
        stackLabel: tags[STACK_TAGS.application],
        instanceIds: fleet?.instances.map((i) => i.instance.id),
        maintenanceWindowIds: window.windowIds,
        associationIds: scan ? [scan.associationId] : [],
        patchBaselineIds: patching.baselineIdList,
        tags,
    });

    function toTargets(tagMap: Record<string, string>): Record<string, string[]> {
        return Object.fromEntries(Object.entries(tagMap).map(([key, value]) => [key, [value]]));
    }

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
        OperatingSystems: operatingSystems.map((os) => OPERATING_SYSTEM_SPECS[os].displayName),
        VpcId: network?.vpcId,
        SecurityGroupId: network?.securityGroupId,
        InstanceRoleArn: fleet?.roleArn,
        PatchGroup: patching.patchGroup,
        PatchBaselineId: patching.baselineId,
        PatchBaselineIds: patching.baselineIds,
        InventoryAssociationId: inventory.associationId,
        InventoryAssociationName: inventory.associationName,
        LogBucketName: inventory.bucketName,
        MaintenanceWindowId: window.windowId,
        MaintenanceWindowTargetId: window.targetId,
        InstallTaskId: window.installTaskId,
        ScanTaskId: window.scanTaskId,
        ScanAssociationId: scan?.associationId,
        MaintenanceWindowRoleArn: window.roleArn,
        AlertTopicArn: alerts.topicArn,
        AlertKeyArn: alerts.keyArn,
        AlertRuleNames: alertRules.ruleNames,
    };
}

/** Tags on every taggable resource: the user's (the lab's `Owner`), the workload, the stack. */
function stackTags(config: LabConfig): Record<string, string> {
    return { ...config.tags, [STACK_TAGS.workload]: config.workload, [STACK_TAGS.application]: `${PROJECT}/${config.stack}` };
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
    if (to?.bucketName !== undefined) {
        return { bucketName: to.bucketName, region: to.region ?? aws.getRegionOutput().region, prefix: to.prefix, organization: to.organization };
    }
    return undefined;
}

/** A reporting stack: the central store and Athena queries for every member stack's compliance. */
function reporting(config: LabConfig): Record<string, unknown> {
    const settings = config.reporting!;
    const tags = stackTags(config);
    const store = new ComplianceReporting("reporting", {
        databaseName: LAB_NAMES.reportingDatabase(config.workload),
        workgroupName: LAB_NAMES.reportingWorkgroup(config.workload),
        accounts: settings.accounts,
        organizationId: settings.organizationId,
        regions: settings.regions,
        syncPrefix: settings.syncPrefix,
        bytesScannedCutoffPerQuery: settings.bytesScannedCutoffPerQuery,
        resultRetentionDays: settings.resultRetentionDays,
        protect: config.protect,
        tags,
    });
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
    };
}

const config = readLabConfig();
export = config.reporting ? reporting(config) : lab(config);
