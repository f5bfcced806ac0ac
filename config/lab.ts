/**
 * The lab's scheme, which the components do not know: its tag keys, its resource names (per
 * workload, so two stacks share an account), its instance groups. index.ts turns config into
 * component arguments with these; the schema's defaults and checks use them too.
 */
import { PROJECT } from "./project";

/** The lab's tag keys. `Patch Group` has a space and is case sensitive: Patch Manager reads it. */
export const TAG = {
    name: "Name",
    environment: "Environment",
    workload: "Workload",
    instanceRole: "InstanceRole",
    patchGroup: "Patch Group",
    ssmManaged: "SSMManaged",
    confidentiality: "Confidentiality",
} as const;

/** The tags on every taggable resource besides the user's (index.ts). */
export const STACK_TAGS = { workload: "Workload", application: "Application" } as const;

export const DEFAULT_ENVIRONMENT = "OELabIPM";
export const DEFAULT_CONFIDENTIALITY = "Public";
/** The lab patches its web servers. */
export const DEFAULT_TARGET_ROLES = ["WebServer"];

/** The lab's fleet: 2 web servers and 2 app servers on Amazon Linux 2023. */
export const LAB_GROUPS = [
    {
        name: "Web",
        role: "WebServer",
        count: 2,
        instanceType: "t3.micro",
        operatingSystem: "AMAZON_LINUX_2023",
        webServer: true,
    },
    {
        name: "App",
        role: "AppServer",
        count: 2,
        instanceType: "t3.micro",
        operatingSystem: "AMAZON_LINUX_2023",
        webServer: false,
    },
] as const;

/** The lab's names, per workload (IAM names are account-wide; the others are what people search for). */
export const LAB_NAMES = {
    instanceRolePrefix: (workload: string) => `ManagedInstancesRole-${workload}-`,
    windowRolePrefix: (workload: string) => `SSMMaintenanceWindowRole-${workload}-`,
    passRolePolicyPrefix: (workload: string) => `SSMMaintenanceWindowPassRole-${workload}-`,
    logGroupPrefix: (workload: string) => `/${PROJECT}/${workload}/patching-`,
    patchGroup: (workload: string) => `Critical-${workload}`,
    associationName: (workload: string) => `InventoryAllInstances-${workload}`,
    windowName: (workload: string) => `Patch${workload}WorkloadWebServers`,
    /** An existing fleet's install window patches every tagged instance, not web servers. */
    existingWindowName: (workload: string) => `Patch${workload}WorkloadTaggedInstances`,
    existingTargetName: (workload: string) => `${workload}TaggedInstances`,
    scanWindowName: (workload: string) => `Scan${workload}Workload`,
    scanAssociationName: (workload: string) => `PatchScan-${workload}`,
    agentUpdateAssociationName: (workload: string) => `UpdateSSMAgent-${workload}`,
    /** As long as the window role's prefix, so every workload that fits one fits the other. */
    hostManagementRolePrefix: (workload: string) => `SSMDefaultHostManagement-${workload}-`,
    /** A reporting stack's Glue database (Athena reads lower-case names unquoted) and workgroup. */
    reportingDatabase: (workload: string) => `${PROJECT.replace(/-/g, "_")}_${workload.toLowerCase()}`,
    reportingWorkgroup: (workload: string) => `${PROJECT}-${workload}`,
    scanTargetName: (workload: string) => `${workload}Fleet`,
    topicName: (workload: string) => `AdminAlert-${workload}`,
    /** The patch runbook's documents: `OELabIPM-<Workload>-PatchInstance`, `-PatchGate`, `-HealthCheck`. */
    runbookDocumentPrefix: (workload: string) => `OELabIPM-${workload}-`,
    runbookRolePrefix: (workload: string) => `PatchRunbookRole-${workload}-`,
    /** The daily coverage check: `OELabIPM-<Workload>-CoverageCheck`, its role and its schedule's role. */
    coverageCheckDocument: (workload: string) => `OELabIPM-${workload}-CoverageCheck`,
    coverageCheckRolePrefix: (workload: string) => `CoverageCheckRole-${workload}-`,
    coverageScheduleRolePrefix: (workload: string) => `CoverageScheduleRole-${workload}-`,
    /** The window triage runbook's role (AlertTopic's automation publisher). */
    triageRolePrefix: (workload: string) => `WindowTriageRole-${workload}-`,
    /** The window triage runbook and the role EventBridge starts it with. */
    windowTriage: (workload: string) => ({
        documentName: `OELabIPM-${workload}-WindowTriage`,
        startRoleNamePrefix: `WindowTriageStart-${workload}-`,
    }),
    backupRolePrefix: (workload: string) => `PatchBackupRole-${workload}-`,
    restorePointVault: (workload: string) => `${PROJECT}-${workload}-restore-points`,
    gateParameter: (workload: string) => `/${PROJECT}/${workload}/patch-gate`,
    /** The install window's target, named after the roles it targets: `TestWebServers`, `TestWebServersAppServers`. */
    installTargetName: (workload: string, roles: readonly string[]) =>
        `${workload}${roles.map((r) => `${r.replace(/[^A-Za-z0-9]/g, "")}s`).join("")}`.slice(0, 128),
} as const;

/** The longest workload whose window role prefix (`SSMMaintenanceWindowRole-<Workload>-`) fits IAM's 38 characters. */
export const MAX_WORKLOAD_LENGTH = 38 - LAB_NAMES.windowRolePrefix("").length;
