/**
 * The resources PatchRunbook creates, built here so that its constructor only wires them: the
 * restore points' vault and AWS Backup's role, the approval topic, the documents, the window tasks.
 * Names and parents are the component's.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsManagedPolicyArn, serviceTrustPolicy } from "./iam";
import type { PatchRunbookArgs } from "./runbookArgs";
import { healthHookDocument, InstanceRunbookSpec } from "./runbookDocuments";

/** What every helper shares: the component's name, tags, parent and its account's identifiers. */
export interface RunbookContext {
    readonly name: string;
    readonly args: PatchRunbookArgs;
    readonly tags: Record<string, string>;
    readonly parent: pulumi.Resource;
    readonly partition: pulumi.Output<string>;
    readonly region: pulumi.Output<string>;
    readonly account: pulumi.Output<string>;
    readonly gated: boolean;
}

/** The vault the restore points go to (their lifecycle expires them) and the role AWS Backup takes them with. */
export function createRestorePointStore(ctx: RunbookContext) {
    const { name, args, tags, parent, partition } = ctx;
    const vault = new aws.backup.Vault(
        `${name}-vault`,
        // Its recovery points expire by their lifecycle; destroy removes what is left (LAB.md §8).
        { name: args.backupVaultName, forceDestroy: true, tags },
        { parent },
    );
    const backupRole = new aws.iam.Role(
        `${name}-backup-role`,
        {
            namePrefix: args.backupRoleNamePrefix,
            description: `Takes the restore points of ${args.stack}'s patch runbook`,
            assumeRolePolicy: serviceTrustPolicy("backup.amazonaws.com"),
            tags,
        },
        { parent },
    );
    new aws.iam.RolePolicyAttachment(
        `${name}-backup-role-policy`,
        {
            role: backupRole.name,
            policyArn: awsManagedPolicyArn(partition, "service-role/AWSBackupServiceRolePolicyForBackup"),
        },
        { parent },
    );
    return { vault, backupRole };
}

/** The topic aws:approve notifies (its name must begin with `Automation`) and its e-mail subscriptions, if any. */
export function createApprovalTopic(ctx: RunbookContext, prefix: string): aws.sns.Topic | undefined {
    const { name, args, tags, parent } = ctx;
    let topic: aws.sns.Topic | undefined;
    if (args.approval?.emails?.length) {
        topic = new aws.sns.Topic(
            `${name}-approval`,
            { namePrefix: `${prefix}-`, kmsMasterKeyId: "alias/aws/sns", tags },
            { parent },
        );
        args.approval.emails.forEach(
            (email, i) =>
                new aws.sns.TopicSubscription(
                    `${name}-approval-${i + 1}`,
                    { topic: topic!.arn, protocol: "email", endpoint: email },
                    { parent },
                ),
        );
    }
    return topic;
}

/**
 * The post-reboot hook, the per-instance runbook and (gated) the gate runbook, their content made by
 * `documents` once the role ARNs are known.
 */
export function createRunbookDocuments(
    ctx: RunbookContext,
    resolved: { role: aws.iam.Role; backupRole: aws.iam.Role; topic?: aws.sns.Topic },
    documents: (
        args: PatchRunbookArgs,
        r: Partial<InstanceRunbookSpec>,
    ) => { instance: Record<string, unknown>; gate?: Record<string, unknown> },
    defaultUrl: string,
) {
    const { name, args, tags, parent, partition, region, account, gated } = ctx;
    const { role, backupRole, topic } = resolved;
    const hook = new aws.ssm.Document(
        `${name}-health-hook`,
        {
            name: `${args.documentNamePrefix}HealthCheck`,
            documentType: "Command",
            documentFormat: "JSON",
            content: JSON.stringify(healthHookDocument(args.healthCheckUrl ?? defaultUrl)),
            tags,
        },
        { parent },
    );
    const contents = pulumi
        .all([role.arn, backupRole.arn, partition, region, account, args.outputBucket, args.logGroupName, topic?.arn])
        .apply(([roleArn, backupRoleArn, p, r, acct, bucket, logGroup, topicArn]) => {
            const docs = documents(args, {
                roleArn,
                backupRoleArn,
                instanceArnPrefix: `arn:${p}:ec2:${r}:${acct}:instance/`,
                outputBucket: bucket,
                logGroupName: logGroup,
            });
            const gate = JSON.stringify(docs.gate ?? {}).replace("APPROVAL_TOPIC_ARN", topicArn ?? "");
            return { instance: JSON.stringify(docs.instance), gate };
        });
    const document = new aws.ssm.Document(
        `${name}-runbook`,
        {
            name: `${args.documentNamePrefix}PatchInstance`,
            documentType: "Automation",
            documentFormat: "JSON",
            content: contents.instance,
            tags,
        },
        { parent, dependsOn: [hook] },
    );
    const gateDocument = gated
        ? new aws.ssm.Document(
              `${name}-gate-runbook`,
              {
                  name: `${args.documentNamePrefix}PatchGate`,
                  documentType: "Automation",
                  documentFormat: "JSON",
                  content: contents.gate,
                  tags,
              },
              { parent },
          )
        : undefined;
    return { hook, document, gateDocument };
}

/** The gate task (priority 1, no targets) and the per-instance task (priority 2, the window's target). */
export function registerRunbookTasks(
    ctx: RunbookContext,
    docs: { document: aws.ssm.Document; gateDocument?: aws.ssm.Document },
    options: { dependsOn: pulumi.Resource[]; maxConcurrency: string; maxErrors: string },
) {
    const { name, args, parent } = ctx;
    const { document, gateDocument } = docs;
    const task = (kind: "gate" | "install", doc: aws.ssm.Document, extra: Record<string, unknown>) =>
        new aws.ssm.MaintenanceWindowTask(
            `${name}-${kind}-task`,
            {
                windowId: args.windowId,
                name: `${args.taskName}-${kind === "gate" ? "Gate" : "Runbook"}`,
                description:
                    kind === "gate"
                        ? "Decides once per run whether the instances may be patched"
                        : "Patches each target instance with the stack's runbook, one after another",
                taskType: "AUTOMATION",
                taskArn: doc.name,
                serviceRoleArn: args.windowRoleArn,
                ...extra,
            },
            { parent, dependsOn: options.dependsOn },
        );
    if (gateDocument) {
        // Priority 1 runs before priority 2 (the lower number first); it has no targets: it runs once per run.
        // Without targets, MaxConcurrency and MaxErrors cannot be supplied (RegisterTaskWithMaintenanceWindow).
        task("gate", gateDocument, {
            priority: 1,
            taskInvocationParameters: {
                automationParameters: {
                    documentVersion: "$LATEST",
                    parameters: [{ name: "WindowExecutionId", values: ["{{WINDOW_EXECUTION_ID}}"] }],
                },
            },
        });
    }
    const install = task("install", document, {
        priority: 2,
        targets: [{ key: "WindowTargetIds", values: [args.windowTargetId] }],
        maxConcurrency: options.maxConcurrency,
        maxErrors: options.maxErrors,
        taskInvocationParameters: {
            automationParameters: {
                documentVersion: "$LATEST",
                parameters: [
                    { name: "InstanceId", values: ["{{RESOURCE_ID}}"] },
                    { name: "WindowExecutionId", values: ["{{WINDOW_EXECUTION_ID}}"] },
                ],
            },
        },
    });

    return install;
}
