import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { rolePrefixProblem, serviceTrustPolicy } from "./iam";
import { ApprovalSpec, gateRunbook, instanceRunbook, InstanceRunbookSpec, worstCaseSeconds } from "./runbookDocuments";
import { runbookPolicyStatements } from "./runbookPolicy";
import {
    createApprovalTopic,
    createRestorePointStore,
    createRunbookDocuments,
    registerRunbookTasks,
    RunbookContext,
} from "./runbookResources";
import { componentToken } from "./tokens";
import { ArgumentError, countProblem, fieldProblem, rateControlsProblems, SSM_NAME_PATTERN } from "./validation";

export type { ApprovalSpec, RingSpec } from "./runbookDocuments";
export type { PatchRunbookArgs, RunbookApproval } from "./runbookArgs";
import type { PatchRunbookArgs, RunbookApproval } from "./runbookArgs";

/** How the install window patches: the runbook, or the lab's plain Run Command task. */
export const InstallMode = {
    /** Restore point, AWS-RunPatchBaselineWithHooks with a health check, the ring gate (PatchRunbook). */
    Runbook: "Runbook",
    /** The lab's AWS-RunPatchBaseline Run Command task (PatchMaintenanceWindow). */
    RunPatchBaseline: "RunPatchBaseline",
} as const;
export type InstallMode = (typeof InstallMode)[keyof typeof InstallMode];
export const INSTALL_MODES = Object.values(InstallMode) as [InstallMode, ...InstallMode[]];

/** The runbook's defaults: each exists here once, and config reuses them. */
export const RUNBOOK_DEFAULTS = {
    /** The lab's plain install; a stack opts into the runbook (prod does: Pulumi.prod.yaml). */
    installMode: "RunPatchBaseline" as InstallMode,
    maxConcurrency: "1",
    maxErrors: "1",
    rebootOption: "RebootIfNeeded",
    restorePointRetentionDays: 14,
    restorePointTimeoutMinutes: 10,
    installTimeoutMinutes: 15,
    soakDays: 7,
    approvalTimeoutHours: 1,
    minRequiredApprovals: 1,
    healthCheckUrl: "http://localhost/",
    outputPrefix: "patching/install",
} as const;

/** aws:approve: "the maximum value is 30 days" (automation-action-approve.html). */
export const MAX_APPROVAL_TIMEOUT_HOURS = 30 * 24;
/** aws:approve's topic: "The name of the topic must begin with Automation" (the same page). */
export const APPROVAL_TOPIC_PREFIX = "Automation";
/** StartBackupJob Lifecycle.DeleteAfterDays: at least 1 day (AWS Backup API, Lifecycle). */
export const MAX_RETENTION_DAYS = 36500;

/** The approval's timeout in seconds (validated). */
const approvalSeconds = (a: RunbookApproval) => (a.timeoutHours ?? RUNBOOK_DEFAULTS.approvalTimeoutHours) * 3600;

/** The documents' content with placeholders for what only AWS knows: what the arithmetic and the specs read. */
export function runbookDocuments(args: PatchRunbookArgs, resolved: Partial<InstanceRunbookSpec> = {}) {
    const gated = args.ring !== undefined || args.approval !== undefined;
    const instance = instanceRunbook({
        stack: args.stack,
        roleArn: "ROLE_ARN",
        gateParameterName: gated ? args.gateParameterName : undefined,
        instanceArnPrefix: "arn:aws:ec2:REGION:ACCOUNT:instance/",
        backupVaultName: args.backupVaultName,
        backupRoleArn: "BACKUP_ROLE_ARN",
        restorePointRetentionDays: args.restorePointRetentionDays ?? RUNBOOK_DEFAULTS.restorePointRetentionDays,
        restorePointTimeoutSeconds:
            (args.restorePointTimeoutMinutes ?? RUNBOOK_DEFAULTS.restorePointTimeoutMinutes) * 60,
        installTimeoutSeconds: (args.installTimeoutMinutes ?? RUNBOOK_DEFAULTS.installTimeoutMinutes) * 60,
        rebootOption: args.rebootOption ?? RUNBOOK_DEFAULTS.rebootOption,
        healthHookDocument: `${args.documentNamePrefix}HealthCheck`,
        outputBucket: "OUTPUT_BUCKET",
        outputPrefix: args.outputPrefix ?? RUNBOOK_DEFAULTS.outputPrefix,
        logGroupName: args.logGroupName === undefined ? undefined : "LOG_GROUP",
        ...resolved,
    });
    const approval: ApprovalSpec | undefined = args.approval && {
        approvers: args.approval.approvers,
        minRequiredApprovals: args.approval.minRequiredApprovals ?? RUNBOOK_DEFAULTS.minRequiredApprovals,
        timeoutSeconds: approvalSeconds(args.approval),
        topicArn: args.approval.emails?.length ? "APPROVAL_TOPIC_ARN" : undefined,
    };
    const gate = gated
        ? gateRunbook({
              stack: args.stack,
              roleArn: resolved.roleArn ?? "ROLE_ARN",
              gateParameterName: args.gateParameterName,
              ring: args.ring,
              approval,
          })
        : undefined;
    return { instance, gate };
}

/**
 * Why a run cannot finish in its window, or undefined: the gate's worst case plus each instance's
 * (the sum of the runbook's step timeouts) × instances ÷ concurrency must fit duration − cutoff.
 */
export function windowArithmeticProblem(args: PatchRunbookArgs): string | undefined {
    if (args.targetCount === undefined) return undefined;
    const { instance, gate } = runbookDocuments(args);
    const concurrency = args.maxConcurrency ?? RUNBOOK_DEFAULTS.maxConcurrency;
    const parallel = concurrency.endsWith("%")
        ? Math.max(1, Math.floor((args.targetCount * Number(concurrency.slice(0, -1))) / 100))
        : Number(concurrency);
    const perInstance = worstCaseSeconds(instance);
    const gateSeconds = gate ? worstCaseSeconds(gate) : 0;
    const total = gateSeconds + Math.ceil((perInstance * args.targetCount) / parallel);
    const available = args.windowHours * 3600;
    return total <= available
        ? undefined
        : `a run may take ${total} s (gate ${gateSeconds} s + ${perInstance} s per instance × ${args.targetCount} instances ÷ concurrency ${parallel}) but the window starts tasks for ${available} s (duration − cutoff = ${args.windowHours} h)`;
}

/** Why an approval may outlast the window, or undefined: after duration − cutoff no instance task starts. */
export function approvalTimeoutProblem(timeoutHours: number, windowHours: number): string | undefined {
    return timeoutHours <= windowHours
        ? undefined
        : `must fit the window: after ${windowHours} h (duration − cutoff) no instance task starts, so a later approval installs nothing`;
}

/** Throws on arguments AWS would refuse or a run that cannot fit its window. */
export function validatePatchRunbookArgs(args: PatchRunbookArgs): void {
    const a = args.approval;
    ArgumentError.throwIfAny("PatchRunbook", [
        rolePrefixProblem("roleNamePrefix", args.roleNamePrefix),
        rolePrefixProblem("backupRoleNamePrefix", args.backupRoleNamePrefix),
        SSM_NAME_PATTERN.test(`${args.documentNamePrefix}PatchInstance`) &&
        !/^(aws|amazon)/i.test(args.documentNamePrefix)
            ? undefined
            : `documentNamePrefix ${JSON.stringify(args.documentNamePrefix)} must be letters, digits, _ - or . and not begin with AWS or Amazon`,
        /^[a-zA-Z0-9\-_]{2,50}$/.test(args.backupVaultName)
            ? undefined
            : `backupVaultName ${JSON.stringify(args.backupVaultName)} must be 2-50 letters, digits, - or _`,
        ...rateControlsProblems(args),
        countProblem("restorePointRetentionDays", args.restorePointRetentionDays, 1, MAX_RETENTION_DAYS),
        countProblem("restorePointTimeoutMinutes", args.restorePointTimeoutMinutes, 5, 24 * 60),
        countProblem("installTimeoutMinutes", args.installTimeoutMinutes, 5, 24 * 60),
        countProblem("ring.soakDays", args.ring?.soakDays, 0, 90),
        ...(a === undefined
            ? []
            : [
                  a.approvers.length >= 1 && a.approvers.length <= 10
                      ? undefined
                      : `approval.approvers must name 1 to 10 IAM principals (aws:approve Approvers)`,
                  countProblem("approval.minRequiredApprovals", a.minRequiredApprovals, 1, a.approvers.length),
                  countProblem("approval.timeoutHours", a.timeoutHours, 1, MAX_APPROVAL_TIMEOUT_HOURS),
                  fieldProblem(
                      "approval.timeoutHours",
                      a.timeoutHours,
                      approvalTimeoutProblem(a.timeoutHours ?? RUNBOOK_DEFAULTS.approvalTimeoutHours, args.windowHours),
                  ),
              ]),
        windowArithmeticProblem(args),
    ]);
}

/**
 * A stack's patch runbook: an Automation document that patches one instance safely (restore
 * point, AWS-RunPatchBaselineWithHooks with a post-reboot health check, agent online), registered
 * to the install window as an AUTOMATION task per target instance; and, when the stack follows an
 * earlier ring or needs an approval, a target-less gate task that decides once per window run.
 */
export class PatchRunbook extends pulumi.ComponentResource {
    /** The per-instance runbook's name. */
    public readonly documentName: pulumi.Output<string>;
    /** The gate runbook's name, when the stack is gated. */
    public readonly gateDocumentName?: pulumi.Output<string>;
    /** The automation role's ARN. */
    public readonly roleArn: pulumi.Output<string>;
    /** The restore points' vault. */
    public readonly backupVaultName: pulumi.Output<string>;
    /** The per-instance task's id. */
    public readonly installTaskId: pulumi.Output<string>;
    /** Every document name of the runbook (for alert rules). */
    public readonly documentNames: pulumi.Output<string>[];

    constructor(name: string, args: PatchRunbookArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentToken("PatchRunbook"), name, {}, opts);
        validatePatchRunbookArgs(args);
        const tags = args.tags ?? {};
        // eslint-disable-next-line @typescript-eslint/no-this-alias
        const parent = this;
        const partition = aws.getPartitionOutput({}, { parent }).partition;
        const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
        const region = aws.getRegionOutput({}, { parent }).region;
        const gated = args.ring !== undefined || args.approval !== undefined;

        const ctx: RunbookContext = { name, args, tags, parent, partition, region, account, gated };
        const { vault, backupRole } = createRestorePointStore(ctx);
        const topic = createApprovalTopic(ctx, APPROVAL_TOPIC_PREFIX);
        const gateParameter = gated
            ? new aws.ssm.Parameter(
                  `${name}-gate`,
                  {
                      name: args.gateParameterName,
                      description: `The patch gate's decision for ${args.stack}: open:<window execution id>`,
                      type: "String",
                      insecureValue: "closed",
                      tags,
                  },
                  // The gate runbook overwrites it on every run.
                  { parent, ignoreChanges: ["insecureValue"] },
              )
            : undefined;
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                namePrefix: args.roleNamePrefix,
                description: `Runs ${args.stack}'s patch runbook`,
                assumeRolePolicy: serviceTrustPolicy("ssm.amazonaws.com", account),
                tags,
            },
            { parent },
        );
        const { document, gateDocument } = createRunbookDocuments(
            ctx,
            { role, backupRole, topic },
            runbookDocuments,
            RUNBOOK_DEFAULTS.healthCheckUrl,
        );
        const policy = new aws.iam.RolePolicy(
            `${name}-role-policy`,
            {
                role: role.name,
                policy: pulumi
                    .all([partition, region, account, vault.arn, backupRole.arn, topic?.arn, args.outputBucket])
                    .apply(([p, r, acct, vaultArn, backupRoleArn, topicArn]) =>
                        JSON.stringify({
                            Version: "2012-10-17",
                            Statement: runbookPolicyStatements({
                                partition: p,
                                region: r,
                                account: acct,
                                vaultArn,
                                backupRoleArn,
                                topicArn,
                                gateParameterName: gated ? args.gateParameterName : undefined,
                                documentNamePrefix: args.documentNamePrefix,
                                ring: args.ring !== undefined,
                                approval: args.approval !== undefined,
                            }),
                        }),
                    ),
            },
            { parent },
        );
        const install = registerRunbookTasks(
            ctx,
            { document, gateDocument },
            {
                dependsOn: [policy, ...(gateParameter ? [gateParameter] : [])],
                maxConcurrency: args.maxConcurrency ?? RUNBOOK_DEFAULTS.maxConcurrency,
                maxErrors: args.maxErrors ?? RUNBOOK_DEFAULTS.maxErrors,
            },
        );

        this.documentName = document.name;
        this.gateDocumentName = gateDocument?.name;
        this.documentNames = gateDocument ? [document.name, gateDocument.name] : [document.name];
        this.roleArn = role.arn;
        this.backupVaultName = vault.name;
        this.installTaskId = install.id;
        this.registerOutputs({
            documentName: this.documentName,
            gateDocumentName: this.gateDocumentName,
            roleArn: this.roleArn,
            backupVaultName: this.backupVaultName,
            installTaskId: this.installTaskId,
        });
    }
}
