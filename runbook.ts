/**
 * The stack's patch runbook (components/patchRunbook.ts), from its config: the ring it follows is
 * derived from that stack's own stack file (its window name and patch group), never hand-copied ids.
 */
import * as pulumi from "@pulumi/pulumi";
import { PatchMaintenanceWindow, WINDOW_DEFAULTS } from "./components/patchMaintenanceWindow";
import { InstallMode, PatchRunbook, RingSpec } from "./components/patchRunbook";
import { ConfigError, LabConfig, PROJECT, STACK_TAGS } from "./config";
import { readStackConfig } from "./config/stackFiles";

/** What index.ts's lab context gives the runbook. */
interface LabContext {
    readonly config: LabConfig;
    readonly workload: string;
    readonly existing?: unknown;
    readonly tags: Record<string, string>;
    readonly kept: pulumi.ComponentResourceOptions;
}

/** The names of a stack's runbook resources: per workload, so test and prod share an account. */
export const RUNBOOK_NAMES = {
    documentPrefix: (workload: string) => `OELabIPM-${workload}-`,
    rolePrefix: (workload: string) => `PatchRunbookRole-${workload}-`,
    backupRolePrefix: (workload: string) => `PatchBackupRole-${workload}-`,
    vault: (workload: string) => `oe-lab-ipm-${workload}-restore-points`,
    gateParameter: (workload: string) => `/${PROJECT}/${workload}/patch-gate`,
} as const;

/** The earlier ring: its window's name and patch group, as its own stack file makes them. */
export function ringOf(config: LabConfig): RingSpec | undefined {
    const follows = config.maintenanceWindow.followRing;
    if (follows === undefined) return undefined;
    const key = `${PROJECT}:maintenanceWindow.followRing = ${JSON.stringify(follows)}`;
    if (follows === config.stack) throw new ConfigError(config.stack, [`${key}: a stack cannot follow itself`]);
    let ring: { config: LabConfig; region: string };
    try {
        ring = readStackConfig(follows);
    } catch (error) {
        throw new ConfigError(config.stack, [`${key}: its stack file does not load: ${(error as Error).message}`]);
    }
    return {
        stack: follows,
        windowName: ring.config.maintenanceWindow.windowName,
        patchGroup: ring.config.patching.patchGroup,
        soakDays: config.maintenanceWindow.soakDays,
    };
}

/** The stack's runbook and its window tasks, unless the stack keeps the lab's plain install. */
export function runbookOf(
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
            documentNamePrefix: RUNBOOK_NAMES.documentPrefix(workload),
            roleNamePrefix: RUNBOOK_NAMES.rolePrefix(workload),
            backupRoleNamePrefix: RUNBOOK_NAMES.backupRolePrefix(workload),
            backupVaultName: RUNBOOK_NAMES.vault(workload),
            gateParameterName: RUNBOOK_NAMES.gateParameter(workload),
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
