/**
 * The lab, per stack: read and validate the stack's config, build the components, export outputs.
 * Follow a behaviour from here to config/ (keys, defaults, validation) and components/ (resources).
 */
import { AlertTopic } from "./components/alertTopic";
import { InventoryAssociation } from "./components/inventoryAssociation";
import { LabNetwork } from "./components/labNetwork";
import { ManagedFleet, TAG } from "./components/managedFleet";
import { PatchAlerts } from "./components/patchAlerts";
import { PatchingPolicy } from "./components/patchingPolicy";
import { PatchMaintenanceWindow } from "./components/patchMaintenanceWindow";
import { PROJECT, readLabConfig, STACK_TAGS } from "./config";

const config = readLabConfig();

/** Tags on every taggable resource: the user's (the lab's `Owner`), the workload, the stack. */
const tags = { ...config.tags, [STACK_TAGS.workload]: config.workload, [STACK_TAGS.application]: `${PROJECT}/${config.stack}` };

const network = new LabNetwork("lab-network", {
    vpcCidr: config.network.vpcCidr,
    availabilityZones: config.network.availabilityZones,
    sourceCidr: config.network.sourceCidr,
    httpSourceCidr: config.network.httpSourceCidr,
    tags,
});

const fleet = new ManagedFleet("lab-fleet", {
    workload: config.workload,
    subnetIds: network.publicSubnetIds,
    securityGroupIds: [network.securityGroupId],
    operatingSystem: config.fleet.operatingSystem,
    webServers: { count: config.fleet.webServerCount, instanceType: config.fleet.webServerInstanceType },
    appServers: { count: config.fleet.appServerCount, instanceType: config.fleet.appServerInstanceType },
    amiId: config.fleet.amiId,
    followLatestAmi: config.fleet.followLatestAmi,
    keyName: config.fleet.keyName,
    environment: config.fleet.environment,
    patchGroup: config.patching.patchGroup,
    confidentiality: config.fleet.confidentiality,
    tags,
});

const inventory = new InventoryAssociation("lab-inventory", {
    associationName: config.inventory.associationName,
    // The lab targets Environment=OELabIPM; the workload keeps test and prod from both
    // inventorying the same instance (AWS then collects nothing on it).
    targetTags: { [TAG.environment]: config.fleet.environment, [TAG.workload]: config.workload },
    instanceRoleName: fleet.role.name,
    schedule: config.inventory.schedule,
    parameters: config.inventory.parameters,
    logPrefix: config.inventory.logPrefix,
    logRetentionDays: config.inventory.logRetentionDays,
    keepLogsOnDestroy: config.inventory.keepLogsOnDestroy,
    resourceDataSync: config.inventory.resourceDataSync,
    protect: config.protect,
    tags,
});

const patching = new PatchingPolicy("lab-patching", {
    baselineName: config.patching.baselineName,
    // Both from the fleet, so the baseline's OS and patch group always match the instances.
    operatingSystem: fleet.operatingSystem,
    patchGroup: fleet.patchGroup,
    description: config.patching.description,
    approvalRules: config.patching.approvalRules,
    approveAfterDays: config.patching.approveAfterDays,
    rejectedPatches: config.patching.rejectedPatches,
    rejectedPatchesAction: config.patching.rejectedPatchesAction,
    tags,
});

const alerts = new AlertTopic("lab-alerts", {
    topicName: config.alerts.topicName,
    emails: config.alerts.emails,
    protect: config.protect,
    tags,
});

const window = new PatchMaintenanceWindow("lab-window", {
    workload: config.workload,
    windowName: config.maintenanceWindow.windowName,
    instanceRoleName: fleet.role.name,
    logBucketName: inventory.bucketName,
    logBucketArn: inventory.bucketArn,
    schedule: config.maintenanceWindow.schedule,
    timezone: config.maintenanceWindow.timezone,
    duration: config.maintenanceWindow.duration,
    cutoff: config.maintenanceWindow.cutoff,
    scheduleOffset: config.maintenanceWindow.scheduleOffset,
    targetRoles: config.maintenanceWindow.targetRoles,
    maxConcurrency: config.maintenanceWindow.maxConcurrency,
    maxErrors: config.maintenanceWindow.maxErrors,
    rebootOption: config.maintenanceWindow.rebootOption,
    cloudWatchLogs: config.maintenanceWindow.cloudWatchLogs,
    logRetentionDays: config.maintenanceWindow.logRetentionDays,
    scan: config.maintenanceWindow.scan,
    scanSchedule: config.maintenanceWindow.scanSchedule,
    adminGroup: config.maintenanceWindow.adminGroup,
    notifications: { topicArn: alerts.topicArn, roleArn: alerts.notificationRoleArn },
    tags,
});

// The rules watch only this stack's instances, windows and baseline: a prod failure never
// reaches the test topic. Their names start with the topic's, which its policy admits.
const alertRules = new PatchAlerts("lab-alert-rules", {
    topicArn: alerts.topicArn,
    ruleNamePrefix: `${config.alerts.topicName}-patch-`,
    stackLabel: tags[STACK_TAGS.application],
    instanceIds: fleet.instances.map((i) => i.instance.id),
    maintenanceWindowIds: window.windowIds,
    patchBaselineIds: [patching.baselineId],
    tags,
});

export const PrimaryURL = fleet.webServerUrls.apply((urls) => urls[0]);
export const SecondaryURL = fleet.webServerUrls.apply((urls) => urls[1]);
export const WebServerInstanceIds = fleet.webServerIds;
export const AppServerInstanceIds = fleet.appServerIds;
export const VpcId = network.vpcId;
export const SecurityGroupId = network.securityGroupId;
export const InstanceRoleArn = fleet.roleArn;
export const PatchGroup = patching.patchGroup;
export const PatchBaselineId = patching.baselineId;
export const InventoryAssociationId = inventory.associationId;
export const InventoryAssociationName = inventory.associationName;
export const LogBucketName = inventory.bucketName;
export const MaintenanceWindowId = window.windowId;
export const MaintenanceWindowTargetId = window.targetId;
export const InstallTaskId = window.installTaskId;
export const ScanTaskId = window.scanTaskId;
export const MaintenanceWindowRoleArn = window.roleArn;
export const AlertTopicArn = alerts.topicArn;
export const AlertKeyArn = alerts.keyArn;
export const AlertRuleNames = alertRules.ruleNames;
