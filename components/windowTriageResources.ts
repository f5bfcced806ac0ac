/**
 * The window triage's resources, built for PatchAlerts (its names and parent): the runbook, its
 * permissions, the role EventBridge starts it with, and the rule and target that start it when one
 * of the stack's window executions ends FAILED.
 *
 * - The target (EventBridge User Guide, targets; Systems Manager User Guide, "Run automations based on
 *   EventBridge events", automation-cwe-target.html): ARN
 *   `arn:aws:ssm:<region>:<account>:automation-definition/<document>:$DEFAULT`, a RoleArn EventBridge
 *   assumes to call ssm:StartAutomationExecution, and an input of the document's parameters, each a
 *   list of strings (`{"InstanceId":["i-…"]}` in the guide's example).
 * - The input transformer places each variable as a JSON string (eb-transform-target-input.md, "Simple JSON").
 * - Whoever starts an automation whose document names a role must be allowed iam:PassRole on it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceTrustPolicy } from "./iam";
import { TRIAGE_READ_ACTIONS, triageDocument } from "./windowTriage";

export interface WindowTriageArgs {
    /** The triage runbook's name, e.g. `OELabIPM-Test-WindowTriage`. */
    documentName: string;
    /** The role the runbook runs with; the topic and its key admit it (`AlertTopic`'s `automationPublisher`). */
    roleArn: pulumi.Input<string>;
    /** That role's name: the runbook's permissions are attached to it. */
    roleName: pulumi.Input<string>;
    /** The topic's KMS key (`AlertTopic`'s `keyArn`): publishing encrypts with it. */
    keyArn: pulumi.Input<string>;
    /** The name prefix of the role EventBridge starts the runbook with (at most 38 characters). */
    startRoleNamePrefix: string;
}

export interface TriageContext {
    readonly name: string;
    readonly parent: pulumi.Resource;
    readonly stackLabel: string;
    readonly topicArn: pulumi.Input<string>;
    readonly ruleName: string;
    readonly windowIds: pulumi.Input<string>[];
    readonly tags: Record<string, string>;
}

/** The rule's pattern: a window execution of the stack that ended FAILED. */
export function triagePattern(windowIds: pulumi.Input<string>[]): object {
    return {
        source: ["aws.ssm"],
        "detail-type": ["Maintenance Window Execution State-change Notification"],
        detail: { status: ["FAILED"], "window-id": windowIds },
    };
}

/** What the target passes: the document's parameters, each a list of one string. */
export const TRIAGE_INPUT = {
    paths: { window: "$.detail.window-id", execution: "$.detail.window-execution-id" },
    template: '{"WindowId":[<window>],"WindowExecutionId":[<execution>]}',
} as const;

/** The runbook role's inline policy: the reads its script makes, and publishing to the encrypted topic. */
export function triageRolePolicy(topicArn: pulumi.Input<string>, keyArn: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            // These three actions have no resource type (Service Authorization Reference for Systems Manager).
            { Sid: "ReadWindowExecution", Effect: "Allow", Action: [...TRIAGE_READ_ACTIONS], Resource: "*" },
            { Sid: "Publish", Effect: "Allow", Action: ["sns:Publish"], Resource: topicArn },
            {
                Sid: "PublishEncrypted",
                Effect: "Allow",
                Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
                Resource: keyArn,
            },
        ],
    });
}

export function createWindowTriage(ctx: TriageContext, args: WindowTriageArgs): aws.cloudwatch.EventRule {
    const { name, parent, tags } = ctx;
    const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
    const partition = aws.getPartitionOutput({}, { parent }).partition;
    const region = aws.getRegionOutput({}, { parent }).region;

    const document = new aws.ssm.Document(
        `${name}-triage-runbook`,
        {
            name: args.documentName,
            documentType: "Automation",
            documentFormat: "JSON",
            content: pulumi
                .all([args.roleArn, ctx.topicArn])
                .apply(([roleArn, topicArn]) =>
                    JSON.stringify(triageDocument({ stack: ctx.stackLabel, roleArn, topicArn })),
                ),
            tags,
        },
        { parent },
    );
    const rolePolicy = new aws.iam.RolePolicy(
        `${name}-triage-policy`,
        { role: args.roleName, policy: triageRolePolicy(ctx.topicArn, args.keyArn) },
        { parent },
    );

    const definition = pulumi.interpolate`arn:${partition}:ssm:${region}:${account}:automation-definition/${document.name}:$DEFAULT`;
    const startRole = new aws.iam.Role(
        `${name}-triage-start-role`,
        {
            namePrefix: args.startRoleNamePrefix,
            description: `Lets EventBridge start ${args.documentName} when a window of ${ctx.stackLabel} fails`,
            assumeRolePolicy: serviceTrustPolicy("events.amazonaws.com", account),
            tags,
        },
        { parent },
    );
    new aws.iam.RolePolicy(
        `${name}-triage-start-policy`,
        {
            role: startRole.name,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        // The Service Authorization Reference lists automation-definition, document and
                        // automation-execution (the new execution) for this action: the triage's own, and any new one.
                        Sid: "StartTriage",
                        Effect: "Allow",
                        Action: ["ssm:StartAutomationExecution"],
                        Resource: [
                            definition,
                            pulumi.interpolate`arn:${partition}:ssm:${region}:${account}:document/${document.name}`,
                            pulumi.interpolate`arn:${partition}:ssm:${region}:${account}:automation-execution/*`,
                        ],
                    },
                    {
                        Sid: "PassTriageRole",
                        Effect: "Allow",
                        Action: ["iam:PassRole"],
                        Resource: args.roleArn,
                        Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
                    },
                ],
            }),
        },
        { parent },
    );

    const rule = new aws.cloudwatch.EventRule(
        `${name}-window-triage`,
        {
            name: ctx.ruleName,
            description: `A ${ctx.stackLabel} maintenance window execution ended FAILED: report its tasks that never started`,
            eventPattern: pulumi.jsonStringify(triagePattern(ctx.windowIds)),
            tags,
        },
        { parent },
    );
    new aws.cloudwatch.EventTarget(
        `${name}-window-triage-target`,
        {
            rule: rule.name,
            arn: definition,
            roleArn: startRole.arn,
            inputTransformer: { inputPaths: TRIAGE_INPUT.paths, inputTemplate: TRIAGE_INPUT.template },
        },
        // The runbook can publish before the first event arrives.
        { parent, dependsOn: [rolePolicy] },
    );
    return rule;
}
