/**
 * The runbook's window arithmetic (components/patchRunbook.ts owns the rules): a run must fit the
 * hours the window starts tasks in, and so must an approval.
 */
import { approvalTimeoutProblem, InstallMode, windowArithmeticProblem } from "../../components/patchRunbook";
import type { CrossIssue, PartialLabConfig } from "./crossChecks";

/** The instances the install window targets, when the config says (a created fleet): undefined otherwise. */
function targetCount(config: PartialLabConfig): number | undefined {
    const w = config.maintenanceWindow;
    if (config.fleet?.mode !== "create" || config.fleet.groups === undefined || w?.targetRoles === undefined)
        return undefined;
    return config.fleet.groups
        .filter((g) => g.role !== undefined && w.targetRoles!.includes(g.role))
        .reduce((sum, g) => sum + (g.count ?? 0), 0);
}

export const RUNBOOK_CHECKS: readonly ((config: PartialLabConfig, broken: ReadonlySet<string>) => CrossIssue[])[] = [
    (config, broken) => {
        const w = config.maintenanceWindow;
        if (w?.installMode !== InstallMode.Runbook || w.duration === undefined || w.cutoff === undefined) return [];
        const keys = ["restorePointTimeoutMinutes", "installTimeoutMinutes", "maxConcurrency", "approval", "soakDays"];
        if (keys.some((k) => broken.has(`maintenanceWindow.${k}`))) return [];
        const windowHours = w.duration - w.cutoff;
        const issues: CrossIssue[] = [];
        const problem = windowArithmeticProblem({
            stack: "",
            documentNamePrefix: "Doc-",
            roleNamePrefix: "",
            backupRoleNamePrefix: "",
            backupVaultName: "vault",
            gateParameterName: "/gate",
            windowId: "",
            windowTargetId: "",
            windowRoleArn: "",
            taskName: "",
            outputBucket: "",
            windowHours,
            targetCount: targetCount(config),
            maxConcurrency: w.maxConcurrency,
            restorePointTimeoutMinutes: w.restorePointTimeoutMinutes,
            installTimeoutMinutes: w.installTimeoutMinutes,
            ring: w.followRing === undefined ? undefined : { stack: "", windowName: "", patchGroup: "", soakDays: 0 },
            approval: w.approval && { approvers: w.approval.approvers ?? [], timeoutHours: w.approval.timeoutHours },
        });
        if (problem) {
            issues.push({
                path: ["maintenanceWindow", "duration"],
                message: `${problem}; raise maintenanceWindow.duration, lower maintenanceWindow.cutoff (${w.cutoff}), installTimeoutMinutes (${w.installTimeoutMinutes}) or restorePointTimeoutMinutes (${w.restorePointTimeoutMinutes}), or raise maxConcurrency (${JSON.stringify(w.maxConcurrency)})`,
            });
        }
        const approvalProblem =
            w.approval?.timeoutHours === undefined
                ? undefined
                : approvalTimeoutProblem(w.approval.timeoutHours, windowHours);
        if (approvalProblem)
            issues.push({ path: ["maintenanceWindow", "approval", "timeoutHours"], message: approvalProblem });
        return issues;
    },
];
