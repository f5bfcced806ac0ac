import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceTrustPolicy } from "./iam";
import { PATCH_DOCUMENT } from "./patchMaintenanceWindow";
import { ArgumentError } from "./validation";

export const DISPLAY_NAME = "AdminAlert";
/** A pragmatic e-mail check: one @, no spaces, a dot in the domain (SNS rejects worse at subscribe time). */
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/**
 * EventBridge allows an event pattern of 2,048 characters by default (EventBridge quotas); an
 * instance id takes 22 of them in the pattern, so a rule names at most this many instances and
 * a larger fleet gets several rules.
 */
export const INSTANCES_PER_RULE = 50;
/**
 * Topic names: SNS allows 256 characters; 30 keeps the publisher role's name prefix
 * (`<topic>-Notify-`) within IAM's 38 and the rules named after it within EventBridge's 64.
 */
export const TOPIC_NAME_PATTERN = /^[A-Za-z0-9_-]{1,30}$/;

export interface AlertTopicArgs {
    /** The topic's name, like the lab's `AdminAlert`. Required. */
    topicName: string;
    /** Names the stack in every message, e.g. `oe-lab-ipm/test`. Required. */
    stackLabel: string;
    /** E-mail addresses to subscribe; each must confirm. Default none. */
    emails?: string[];
    /**
     * Protect the topic, its key and its subscriptions (each confirmed by a person): `pulumi
     * destroy`, and any update that would replace or delete them, fail until they are
     * unprotected (`pulumi state unprotect`). Default `false`.
     */
    protect?: boolean;
    tags?: Record<string, string>;
}

/** What the rules watch: this stack's instances, windows and baseline only. */
export interface AlertSources {
    /** The stack's instances (Run Command failures of AWS-RunPatchBaseline on them). */
    instanceIds: pulumi.Input<string>[];
    /** The stack's maintenance windows (executions ending FAILED or TIMED_OUT). */
    maintenanceWindowIds: pulumi.Input<string>[];
    /** The stack's patch baseline (instances becoming non-compliant against it). */
    patchBaselineId: pulumi.Input<string>;
}

/**
 * Addresses given twice (letter case aside: the same mailbox), each once. SNS would subscribe the
 * address once and the second subscription would fight the first over one endpoint.
 */
export function duplicateEmails(emails: readonly string[]): string[] {
    const seen = new Set<string>();
    return emails.filter((email) => {
        const key = email.toLowerCase();
        if (seen.has(key)) return true;
        seen.add(key);
        return false;
    });
}

export function validateAlertTopicArgs(args: AlertTopicArgs): void {
    ArgumentError.throwIfAny("AlertTopic", [
        TOPIC_NAME_PATTERN.test(args.topicName) ? undefined : `topicName ${JSON.stringify(args.topicName)} must be 1-30 letters, digits, _ or -`,
        ...(args.emails ?? []).map((email) => (EMAIL_PATTERN.test(email) ? undefined : `emails: ${JSON.stringify(email)} is not an e-mail address`)),
        ...duplicateEmails(args.emails ?? []).map((email) => `emails: ${JSON.stringify(email)} is given twice`),
    ]);
}

/**
 * The lab's `AdminAlert` topic, encrypted with its own KMS key, its e-mail subscriptions, the
 * role the maintenance window's task publishes its notifications with, and (through `alertOn`)
 * EventBridge rules that tell it when patching fails or an instance falls out of compliance.
 */
export class AlertTopic extends pulumi.ComponentResource {
    public readonly topicArn: pulumi.Output<string>;
    public readonly keyArn: pulumi.Output<string>;
    /** The role a Run Command task passes to publish its notifications to the topic. */
    public readonly notificationRoleArn: pulumi.Output<string>;
    private readonly name: string;
    private readonly args: AlertTopicArgs;
    private readonly topic: aws.sns.Topic;

    constructor(name: string, args: AlertTopicArgs, opts?: pulumi.ComponentResourceOptions) {
        super("oelab:alerts:AlertTopic", name, {}, opts);
        validateAlertTopicArgs(args);
        this.name = name;
        this.args = args;
        const tags = args.tags ?? {};
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const region = aws.getRegionOutput({}, { parent: this }).region;
        // Only this topic's own rules (named after it, see `rule`) may publish through EventBridge.
        const fromOwnRules = {
            StringEquals: { "aws:SourceAccount": account },
            ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:${partition}:events:${region}:${account}:rule/${args.topicName}-*` },
        };

        // Run Command publishes task notifications with a role it is given (not the window's own role).
        const notificationRole = new aws.iam.Role(
            `${name}-notification-role`,
            {
                namePrefix: `${args.topicName}-Notify-`,
                description: `Lets Run Command publish task notifications to ${args.topicName}`,
                assumeRolePolicy: serviceTrustPolicy("ssm.amazonaws.com", account),
                tags,
            },
            { parent: this },
        );

        const kept: pulumi.CustomResourceOptions = { parent: this, protect: args.protect ?? false };
        // An AWS managed key (alias/aws/sns) cannot be used by EventBridge: a customer managed
        // key whose policy names the publishers. Administration stays with the account's IAM.
        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `Encrypts the ${args.topicName} topic`,
                enableKeyRotation: true,
                deletionWindowInDays: 7,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "AccountAdministersKeyThroughIam",
                            Effect: "Allow",
                            Principal: { AWS: pulumi.interpolate`arn:${partition}:iam::${account}:root` },
                            Action: "kms:*",
                            Resource: "*",
                        },
                        {
                            // The form the SNS guide documents for AWS services publishing to an
                            // encrypted topic. No source conditions here: what KMS sees of the rule
                            // when SNS encrypts for EventBridge is not documented, and a wrong guess
                            // drops every alert silently. The topic policy (below) is where a rule's
                            // aws:SourceArn is documented, and it admits this stack's rules only.
                            Sid: "EventBridgeEncryptsForTheTopic",
                            Effect: "Allow",
                            Principal: { Service: "events.amazonaws.com" },
                            Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
                            Resource: "*",
                        },
                        {
                            Sid: "TaskNotificationsPublish",
                            Effect: "Allow",
                            Principal: { AWS: notificationRole.arn },
                            Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
                            Resource: "*",
                        },
                    ],
                }),
                tags,
            },
            kept,
        );

        const topic = new aws.sns.Topic(`${name}-topic`, { name: args.topicName, displayName: DISPLAY_NAME, kmsMasterKeyId: key.arn, tags }, kept);
        new aws.sns.TopicPolicy(
            `${name}-topic-policy`,
            {
                arn: topic.arn,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "OwnEventBridgeRulesPublish",
                            Effect: "Allow",
                            Principal: { Service: "events.amazonaws.com" },
                            Action: "sns:Publish",
                            Resource: topic.arn,
                            Condition: fromOwnRules,
                        },
                        {
                            Sid: "TaskNotificationsPublish",
                            Effect: "Allow",
                            Principal: { AWS: notificationRole.arn },
                            Action: "sns:Publish",
                            Resource: topic.arn,
                        },
                        {
                            Sid: "DenyInsecureTransport",
                            Effect: "Deny",
                            Principal: "*",
                            Action: "sns:*",
                            Resource: topic.arn,
                            Condition: { Bool: { "aws:SecureTransport": "false" } },
                        },
                    ],
                }),
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            `${name}-notification-publish`,
            {
                role: notificationRole.name,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Effect: "Allow", Action: "sns:Publish", Resource: topic.arn },
                        { Effect: "Allow", Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: key.arn },
                    ],
                }),
            },
            { parent: this },
        );

        (args.emails ?? []).forEach((email, i) => {
            // Stays "pending confirmation" until the address follows the link AWS mails to it.
            new aws.sns.TopicSubscription(`${name}-email-${i + 1}`, { topic: topic.arn, protocol: "email", endpoint: email }, kept);
        });

        this.topic = topic;
        this.topicArn = topic.arn;
        this.keyArn = key.arn;
        this.notificationRoleArn = notificationRole.arn;
        this.registerOutputs({ topicArn: this.topicArn, keyArn: this.keyArn, notificationRoleArn: this.notificationRoleArn });
    }

    /**
     * Creates the EventBridge rules that alert on this stack's patching: like pulumi-eks's
     * `createNodeGroup`, a second step, because the windows being watched publish to this topic.
     * Returns the rules' names.
     */
    public alertOn(sources: AlertSources): pulumi.Output<string[]> {
        const rules: aws.cloudwatch.EventRule[] = [];
        const label = this.args.stackLabel;
        for (let i = 0; i < sources.instanceIds.length; i += INSTANCES_PER_RULE) {
            const chunk = sources.instanceIds.slice(i, i + INSTANCES_PER_RULE);
            const suffix = sources.instanceIds.length > INSTANCES_PER_RULE ? `-${i / INSTANCES_PER_RULE + 1}` : "";
            rules.push(
                this.rule(`cmd-failed${suffix}`, `${PATCH_DOCUMENT} failed or timed out on a ${label} instance`, {
                    pattern: {
                        source: ["aws.ssm"],
                        "detail-type": ["EC2 Command Invocation Status-change Notification"],
                        detail: { "document-name": [PATCH_DOCUMENT], status: ["Failed", "TimedOut"], "instance-id": chunk },
                    },
                    paths: { instance: "$.detail.instance-id", status: "$.detail.status", command: "$.detail.command-id", time: "$.time" },
                    message: `[${label}] ${PATCH_DOCUMENT} <status> on instance <instance> at <time> (command <command>).`,
                }),
            );
        }
        rules.push(
            this.rule("window-failed", `A ${label} maintenance window execution failed or timed out`, {
                pattern: {
                    source: ["aws.ssm"],
                    "detail-type": ["Maintenance Window Execution State-change Notification"],
                    detail: { status: ["FAILED", "TIMED_OUT"], "window-id": sources.maintenanceWindowIds },
                },
                paths: { window: "$.detail.window-id", execution: "$.detail.window-execution-id", status: "$.detail.status", time: "$.time" },
                message: `[${label}] Maintenance window <window> ended <status> at <time> (execution <execution>).`,
            }),
            this.rule("noncompliant", `A ${label} instance is missing patches its baseline approves`, {
                pattern: {
                    source: ["aws.ssm"],
                    "detail-type": ["Configuration Compliance State Change"],
                    // AWS's sample events spell the status non_compliant; match it in any case.
                    detail: {
                        "compliance-type": ["Patch"],
                        "compliance-status": [{ "equals-ignore-case": "non_compliant" }],
                        "patch-baseline-id": [sources.patchBaselineId],
                    },
                },
                paths: { instance: "$.detail.resource-id", status: "$.detail.compliance-status", severity: "$.detail.severity", time: "$.time" },
                message: `[${label}] Instance <instance> is <status> for patches (severity <severity>) at <time>.`,
            }),
        );
        return pulumi.all(rules.map((r) => r.name));
    }

    private rule(
        suffix: string,
        description: string,
        spec: { pattern: object; paths: Record<string, string>; message: string },
    ): aws.cloudwatch.EventRule {
        const rule = new aws.cloudwatch.EventRule(
            `${this.name}-${suffix}`,
            // Named after the topic: the key and topic policies admit exactly `rule/<topic>-*`.
            { name: `${this.args.topicName}-${suffix}`, description, eventPattern: pulumi.jsonStringify(spec.pattern), tags: this.args.tags ?? {} },
            { parent: this },
        );
        new aws.cloudwatch.EventTarget(
            `${this.name}-${suffix}-target`,
            {
                rule: rule.name,
                arn: this.topic.arn,
                // A JSON string literal: SNS receives (and mails) plain text.
                inputTransformer: { inputPaths: spec.paths, inputTemplate: JSON.stringify(spec.message) },
            },
            { parent: this },
        );
        return rule;
    }
}
