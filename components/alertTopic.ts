import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { rolePrefixProblem, serviceTrustPolicy } from "./iam";
import { ArgumentError } from "./validation";
import { componentToken, withFormerToken } from "./tokens";

export const DISPLAY_NAME = "AdminAlert";
/** A pragmatic e-mail check: one @, no spaces, a dot in the domain (SNS rejects worse at subscribe time). */
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/**
 * Topic names: SNS allows 256 characters; 30 keeps the publisher role's name prefix
 * (`<topic>-Notify-`) within IAM's 38 and the rules named after it within EventBridge's 64.
 */
export const TOPIC_NAME_PATTERN = /^[A-Za-z0-9_-]{1,30}$/;

/** The role an Automation runbook publishes to the topic with. */
export interface AutomationPublisherArgs {
    /** The role's name prefix (at most 38 characters; IAM adds a unique suffix). Required. */
    roleNamePrefix: string;
}

export interface AlertTopicArgs {
    /** The topic's name, like the lab's `AdminAlert`. Required. */
    topicName: string;
    /**
     * The EventBridge rules allowed to publish: those of this account and region whose names
     * start with it (`PatchAlerts`' `ruleNamePrefix`). Default `<topicName>-`.
     */
    publishingRuleNamePrefix?: string;
    /**
     * Create the one role an Automation runbook publishes to the topic with (`automationRoleArn`, such as
     * `PatchAlerts`' window triage): trusted by Systems Manager on behalf of this account only, and
     * admitted to publish by the topic's policy and to encrypt by the key's policy, by its exact ARN. Its
     * own permissions are the runbook's to grant (`automationPublisher.roleName`). Default: no such role.
     */
    automationPublisher?: AutomationPublisherArgs;
    /** E-mail addresses to subscribe; each must confirm. Default none. */
    emails?: string[];
    /**
     * Roles of this account, created elsewhere, whose runbooks may publish, by ARN (`CoverageCheck`'s,
     * which reads the topic's ARN from its name, `topicArnOf`): the topic's policy and its key's policy
     * name each one, with `automationPublisher`'s role, in one statement. Default none.
     */
    publisherRoleArns?: pulumi.Input<string>[];
    /**
     * Protect the topic, its key and its subscriptions (each confirmed by a person): the engine
     * refuses to delete or replace them until they are unprotected (`pulumi state unprotect`).
     * Default: the component's own `protect` option, which its children inherit.
     */
    protect?: boolean;
    /** Tags for every taggable resource. */
    tags?: Record<string, string>;
}

/**
 * Why SNS would not take an address as an `email` endpoint, or undefined. Subscribe answers
 * "Invalid parameter: Email address" without publishing its grammar, so this holds addresses to
 * what mail itself allows: RFC 5321's lengths (local part 64, address 254) and RFC 5322's dot-atom
 * form, a host name of letters, digits and hyphens in at least two labels (RFC 1035), with an
 * alphabetic top-level domain. Display names (`Ops <ops@example.com>`), quoted local parts and
 * address literals (`ops@[192.0.2.1]`) are refused.
 */
export function emailProblem(email: string): string | undefined {
    const allowed = "must be an e-mail address such as ops@example.com";
    const at = email.lastIndexOf("@");
    const [local, domain] = [email.slice(0, at), email.slice(at + 1)];
    const labels = domain.split(".");
    const formed =
        at > 0 &&
        /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/.test(local) &&
        labels.length >= 2 &&
        labels.every((l) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l)) &&
        /^[A-Za-z]{2,63}$/.test(labels[labels.length - 1]);
    if (!formed) return allowed;
    return local.length > 64 || email.length > 254
        ? `${allowed}, of at most 254 characters, 64 before the @`
        : undefined;
}

/**
 * Addresses given twice (letter case aside: the same mailbox), each once. SNS would subscribe the
 * address once and the second subscription would fight the first over one endpoint.
 */
export function duplicateEmails(emails: readonly string[]): string[] {
    const seen = new Set<string>();
    const repeated = new Map<string, string>();
    for (const email of emails) {
        const key = email.toLowerCase();
        if (seen.has(key) && !repeated.has(key)) repeated.set(key, email);
        seen.add(key);
    }
    return [...repeated.values()];
}

/**
 * A topic's ARN from its name, in the current account and Region (`arn:<partition>:sns:<region>:<account>:<name>`,
 * SNS API reference, CreateTopic's TopicArn): what a publisher created before the topic is given.
 */
export function topicArnOf(topicName: string): pulumi.Output<string> {
    const partition = aws.getPartitionOutput().partition;
    const region = aws.getRegionOutput().region;
    const account = aws.getCallerIdentityOutput().accountId;
    return pulumi.interpolate`arn:${partition}:sns:${region}:${account}:${topicName}`;
}

export function validateAlertTopicArgs(args: AlertTopicArgs): void {
    ArgumentError.throwIfAny("AlertTopic", [
        TOPIC_NAME_PATTERN.test(args.topicName)
            ? undefined
            : `topicName ${JSON.stringify(args.topicName)} must be 1-30 letters, digits, _ or -`,
        args.publishingRuleNamePrefix === undefined || /^[.\-_A-Za-z0-9]{1,64}$/.test(args.publishingRuleNamePrefix)
            ? undefined
            : `publishingRuleNamePrefix ${JSON.stringify(args.publishingRuleNamePrefix)} must be 1-64 letters, digits and .-_ (an EventBridge rule name prefix)`,
        args.automationPublisher &&
            rolePrefixProblem("automationPublisher.roleNamePrefix", args.automationPublisher.roleNamePrefix),
        ...(args.emails ?? []).map((email) =>
            emailProblem(email) ? `emails: ${JSON.stringify(email)} is not an e-mail address` : undefined,
        ),
        ...duplicateEmails(args.emails ?? []).map((email) => `emails: ${JSON.stringify(email)} is given twice`),
    ]);
}

/**
 * The lab's `AdminAlert` topic, encrypted with its own KMS key, its e-mail subscriptions, and the
 * role the maintenance window's tasks publish their notifications with. EventBridge rules whose
 * names start with `publishingRuleNamePrefix` may publish to it (`PatchAlerts` creates them).
 */
export class AlertTopic extends pulumi.ComponentResource {
    /** The SNS topic's ARN: subscribe to it, and point alert rules at it. */
    public readonly topicArn: pulumi.Output<string>;
    /** The ARN of the topic's KMS key. */
    public readonly keyArn: pulumi.Output<string>;
    /** The role a Run Command task passes to publish its notifications to the topic. */
    public readonly notificationRoleArn: pulumi.Output<string>;
    /** The role an Automation runbook publishes with (`automationPublisher`), when there is one. */
    public readonly automationRoleArn?: pulumi.Output<string>;
    /** That role's ARN and name (the runbook attaches its permissions), and the topic's key: for `PatchAlerts`. */
    public readonly automationPublisher?: AutomationPublisher;

    constructor(name: string, args: AlertTopicArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentToken("AlertTopic"), name, {}, withFormerToken("oelab:alerts:AlertTopic", opts));
        validateAlertTopicArgs(args);
        const rulePrefix = args.publishingRuleNamePrefix ?? `${args.topicName}-`;
        const tags = args.tags ?? {};
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const region = aws.getRegionOutput({}, { parent: this }).region;
        // Only the stack's own rules (named with the prefix) may publish through EventBridge.
        const fromOwnRules = ownRules(
            pulumi.interpolate`arn:${partition}:events:${region}:${account}:rule/${rulePrefix}*`,
            account,
        );

        const { notificationRole, automationRole } = publisherRoles(this, name, args, account, tags);
        const publishers = {
            notification: notificationRole.arn,
            runbooks: [...(automationRole ? [automationRole.arn] : []), ...(args.publisherRoleArns ?? [])],
        };

        const kept: pulumi.CustomResourceOptions = { parent: this, protect: args.protect };
        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `Encrypts the ${args.topicName} topic`,
                enableKeyRotation: true,
                deletionWindowInDays: 7,
                policy: keyPolicy(partition, account, publishers),
                tags,
            },
            kept,
        );

        const topic = new aws.sns.Topic(
            `${name}-topic`,
            { name: args.topicName, displayName: DISPLAY_NAME, kmsMasterKeyId: key.arn, tags },
            kept,
        );
        new aws.sns.TopicPolicy(
            `${name}-topic-policy`,
            { arn: topic.arn, policy: topicPolicy(topic.arn, fromOwnRules, publishers) },
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
            new aws.sns.TopicSubscription(
                `${name}-email-${i + 1}`,
                { topic: topic.arn, protocol: "email", endpoint: email },
                kept,
            );
        });

        this.topicArn = topic.arn;
        this.keyArn = key.arn;
        this.notificationRoleArn = notificationRole.arn;
        this.automationRoleArn = automationRole?.arn;
        this.automationPublisher = automationRole && {
            roleArn: automationRole.arn,
            roleName: automationRole.name,
            keyArn: key.arn,
        };
        this.registerOutputs({
            topicArn: this.topicArn,
            keyArn: this.keyArn,
            notificationRoleArn: this.notificationRoleArn,
            automationRoleArn: this.automationRoleArn,
            automationPublisher: this.automationPublisher,
        });
    }
}

/** The condition admitting EventBridge rules of this account whose ARN matches. */
function ownRules(ruleArnPattern: pulumi.Input<string>, account: pulumi.Input<string>): Record<string, unknown> {
    return { StringEquals: { "aws:SourceAccount": account }, ArnLike: { "aws:SourceArn": ruleArnPattern } };
}

/** The role an Automation runbook publishes with, and the key publishing encrypts with. */
export interface AutomationPublisher {
    /** The role's ARN: the runbook's document names it; the topic and the key admit it. */
    readonly roleArn: pulumi.Output<string>;
    /** The role's name, to attach the runbook's own permissions to. */
    readonly roleName: pulumi.Output<string>;
    /** The topic's KMS key: publishing encrypts with it. */
    readonly keyArn: pulumi.Output<string>;
}

/** The roles the topic admits to publish, besides EventBridge: exact ARNs. */
interface Publishers {
    readonly notification: pulumi.Input<string>;
    /** The roles runbooks of the stack publish with (`automationPublisher`'s, `publisherRoleArns`). */
    readonly runbooks: pulumi.Input<string>[];
}

/**
 * The topic key's policy. An AWS managed key (alias/aws/sns) cannot be used by EventBridge: a
 * customer managed key whose policy names the publishers. Administration stays with the account's IAM.
 */
function keyPolicy(
    partition: pulumi.Input<string>,
    account: pulumi.Input<string>,
    publishers: Publishers,
): pulumi.Output<string> {
    return pulumi.jsonStringify({
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
                // drops every alert silently. The topic policy (topicPolicy) is where a rule's
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
                Principal: { AWS: publishers.notification },
                Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
                Resource: "*",
            },
            ...runbooksPublish(publishers, ["kms:GenerateDataKey*", "kms:Decrypt"], "*"),
        ],
    });
}

/** The topic's policy: the stack's own rules, the task notification role and automation publisher publish; TLS only. */
function topicPolicy(
    topicArn: pulumi.Input<string>,
    fromOwnRules: Record<string, unknown>,
    publishers: Publishers,
): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "OwnEventBridgeRulesPublish",
                Effect: "Allow",
                Principal: { Service: "events.amazonaws.com" },
                Action: "sns:Publish",
                Resource: topicArn,
                Condition: fromOwnRules,
            },
            {
                Sid: "TaskNotificationsPublish",
                Effect: "Allow",
                Principal: { AWS: publishers.notification },
                Action: "sns:Publish",
                Resource: topicArn,
            },
            ...runbooksPublish(publishers, "sns:Publish", topicArn),
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "sns:*",
                Resource: topicArn,
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    });
}

/**
 * Run Command publishes task notifications with a role it is given (not the window's own role);
 * Automation runs a runbook with the role its document names. Only this account's runs may take either.
 */
function publisherRoles(
    parent: pulumi.Resource,
    name: string,
    args: AlertTopicArgs,
    account: pulumi.Input<string>,
    tags: Record<string, string>,
) {
    const role = (suffix: string, namePrefix: string, description: string) =>
        new aws.iam.Role(
            `${name}-${suffix}`,
            { namePrefix, description, assumeRolePolicy: serviceTrustPolicy("ssm.amazonaws.com", account), tags },
            { parent },
        );
    const notificationRole = role(
        "notification-role",
        `${args.topicName}-Notify-`,
        `Lets Run Command publish task notifications to ${args.topicName}`,
    );
    const automationRole =
        args.automationPublisher &&
        role(
            "automation-role",
            args.automationPublisher.roleNamePrefix,
            `Lets a runbook of this stack publish to ${args.topicName}`,
        );
    return { notificationRole, automationRole };
}

/** One statement naming every runbook role that publishes (SNS to publish, KMS to encrypt for it); none without. */
function runbooksPublish(publishers: Publishers, action: string | string[], resource: unknown) {
    const roles = publishers.runbooks;
    if (roles.length === 0) return [];
    return [
        {
            Sid: "AutomationPublishes",
            Effect: "Allow",
            Principal: { AWS: roles },
            Action: action,
            Resource: resource,
        },
    ];
}
