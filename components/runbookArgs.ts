/** PatchRunbook's arguments (a helper, so that its resource helpers need not import the component). */
import * as pulumi from "@pulumi/pulumi";
import type { RingSpec } from "./runbookDocuments";

/** A human approval before the first instance of a run. */
export interface RunbookApproval {
    /** IAM user, group or role ARNs (or user names) who may approve. Required, 1 to 10. */
    approvers: string[];
    /** How many must approve. Default 1. */
    minRequiredApprovals?: number;
    /** Hours to wait; must fit the window (duration − cutoff). Default 1. */
    timeoutHours?: number;
    /** E-mail addresses the approval topic (`Automation…`) notifies. Default none (no topic). */
    emails?: string[];
}

export interface PatchRunbookArgs {
    /** The stack's label in tags and messages, like `oe-lab-ipm/prod`. Required. */
    stack: string;
    /** Prefix of the documents' names, like `OELabIPM-Prod-` (then `PatchInstance`, `PatchGate`, `HealthCheck`). */
    documentNamePrefix: string;
    /** Prefix of the automation role's name (IAM adds 26 characters). Required. */
    roleNamePrefix: string;
    /** Prefix of AWS Backup's role name. Required. */
    backupRoleNamePrefix: string;
    /** The restore points' backup vault's name. Required. */
    backupVaultName: string;
    /** The SSM parameter the gate writes its decision to, like `/oe-lab-ipm/Prod/patch-gate`. Required when gated. */
    gateParameterName: string;
    /** The install window's id. Required. */
    windowId: pulumi.Input<string>;
    /** The install window's target (its instances), like `PatchMaintenanceWindow.targetId`. Required. */
    windowTargetId: pulumi.Input<string>;
    /** The window's service role, which starts the Automation executions. Required. */
    windowRoleArn: pulumi.Input<string>;
    /** The window's task names' stem, like `PatchProdWorkloadWebServers`. Required. */
    taskName: string;
    /** Hours the window may start tasks in (duration − cutoff): bounds the approval and the run. Required. */
    windowHours: number;
    /** How many instances the window targets, when known: the run's worst case must fit the window. */
    targetCount?: number;
    /** Default "1": one instance at a time, the first is a canary. */
    maxConcurrency?: string;
    /** Default "1": the first failed instance stops the window. */
    maxErrors?: string;
    /** `RebootIfNeeded` (default) or `NoReboot`. */
    rebootOption?: string;
    /** Days AWS Backup keeps each restore point before deleting it. Default 14. */
    restorePointRetentionDays?: number;
    /** Minutes a restore point may take. Default 10. */
    restorePointTimeoutMinutes?: number;
    /** Minutes the install (with its reboot and hooks) may take. Default 15. */
    installTimeoutMinutes?: number;
    /** The URL a web server must answer with HTTP 200 after patching. Default `http://localhost/`. */
    healthCheckUrl?: string;
    /** The earlier ring this stack follows. Default none. */
    ring?: RingSpec;
    /** A human approval once per run. Default none. */
    approval?: RunbookApproval;
    /** Where the install writes its output. Required. */
    outputBucket: pulumi.Input<string>;
    /** The install output's key prefix in that bucket. Default `patching/install`. */
    outputPrefix?: string;
    /** A CloudWatch log group the install also writes to. Default none. */
    logGroupName?: pulumi.Input<string>;
    /** Tags for every taggable resource. */
    tags?: Record<string, string>;
}
