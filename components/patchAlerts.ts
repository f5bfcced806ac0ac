import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PATCH_DOCUMENT } from "./documents";
import { ArgumentError } from "./validation";
import { componentToken, withFormerToken } from "./tokens";

/**
 * EventBridge allows an event pattern of 2,048 characters by default (EventBridge quotas); an
 * instance id takes 22 of them in the pattern, so a rule names at most this many instances and
 * a larger fleet gets several rules.
 */
export const INSTANCES_PER_RULE = 50;
/** EventBridge rule names are at most 64 characters; the longest suffix added here is `cmd-failed-20`. */
export const MAX_RULE_NAME_PREFIX = 64 - "cmd-failed-20".length;
const RULE_NAME_PREFIX_PATTERN = /^[.\-_A-Za-z0-9]+$/;

export interface PatchAlertsArgs {
    /** The SNS topic the rules send their messages to (an `AlertTopic`'s `topicArn`). Required. */
    topicArn: pulumi.Input<string>;
    /**
     * The prefix of every rule's name, e.g. `AdminAlert-Test-patch-`: the topic's policy admits
     * the rules whose ARN matches it (`AlertTopic`'s `publishingRuleNamePrefix`). Required.
     */
    ruleNamePrefix: string;
    /** Names the stack in every message, e.g. `oe-lab-ipm/test`. Required. */
    stackLabel: string;
    /**
     * The instances whose failed `AWS-RunPatchBaseline` commands alert. Unset (a fleet the stack
     * does not create): every failed `AWS-RunPatchBaseline` command in the account and region alerts.
     */
    instanceIds?: pulumi.Input<string>[];
    /** The maintenance windows whose failed or timed-out executions alert. */
    maintenanceWindowIds: pulumi.Input<string>[];
    /**
     * State Manager associations (the patch scan association) whose run failing on an instance
     * alerts. Default none.
     */
    associationIds?: pulumi.Input<string>[];
    /** The patch baselines whose instances becoming non-compliant alert. */
    patchBaselineIds: pulumi.Input<string>[];
    /** Tags for every rule. */
    tags?: Record<string, string>;
}

export function validatePatchAlertsArgs(args: PatchAlertsArgs): void {
    ArgumentError.throwIfAny("PatchAlerts", [
        RULE_NAME_PREFIX_PATTERN.test(args.ruleNamePrefix) && args.ruleNamePrefix.length <= MAX_RULE_NAME_PREFIX
            ? undefined
            : `ruleNamePrefix ${JSON.stringify(args.ruleNamePrefix)} must be 1-${MAX_RULE_NAME_PREFIX} letters, digits and .-_ (EventBridge allows 64 for the whole name)`,
        args.patchBaselineIds.length > 0 ? undefined : "patchBaselineIds must name at least one baseline",
    ]);
}

interface RuleSpec {
    readonly pattern: object;
    readonly paths: Record<string, string>;
    readonly message: string;
}

/**
 * EventBridge rules that tell an alert topic when patching fails or an instance falls out of
 * compliance, for the given instances, windows and baselines only: a prod failure never reaches
 * the test topic. Each rule's message is readable text (an input transformer).
 */
export class PatchAlerts extends pulumi.ComponentResource {
    /** Every rule's name. */
    public readonly ruleNames: pulumi.Output<string[]>;

    constructor(name: string, args: PatchAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentToken("PatchAlerts"), name, {}, withFormerToken("oelab:alerts:PatchAlerts", opts));
        validatePatchAlertsArgs(args);
        const label = args.stackLabel;
        const rule = (suffix: string, description: string, spec: RuleSpec): aws.cloudwatch.EventRule => {
            const created = new aws.cloudwatch.EventRule(
                `${name}-${suffix}`,
                {
                    name: `${args.ruleNamePrefix}${suffix}`,
                    description,
                    eventPattern: pulumi.jsonStringify(spec.pattern),
                    tags: args.tags ?? {},
                },
                { parent: this },
            );
            new aws.cloudwatch.EventTarget(
                `${name}-${suffix}-target`,
                {
                    rule: created.name,
                    arn: args.topicArn,
                    // A JSON string literal: SNS receives (and mails) plain text.
                    inputTransformer: { inputPaths: spec.paths, inputTemplate: JSON.stringify(spec.message) },
                },
                { parent: this },
            );
            return created;
        };

        const rules: aws.cloudwatch.EventRule[] = [];
        // Without instance ids, one rule without an instance filter.
        const instanceIds: (pulumi.Input<string>[] | undefined)[] = [];
        for (let i = 0; i < (args.instanceIds?.length ?? 1); i += INSTANCES_PER_RULE)
            instanceIds.push(args.instanceIds?.slice(i, i + INSTANCES_PER_RULE));
        instanceIds.forEach((chunk, c) => {
            const suffix = instanceIds.length > 1 ? `-${c + 1}` : "";
            rules.push(
                rule(`cmd-failed${suffix}`, `${PATCH_DOCUMENT} failed or timed out on a ${label} instance`, {
                    pattern: {
                        source: ["aws.ssm"],
                        "detail-type": ["EC2 Command Invocation Status-change Notification"],
                        detail: {
                            "document-name": [PATCH_DOCUMENT],
                            status: ["Failed", "TimedOut"],
                            ...(chunk ? { "instance-id": chunk } : {}),
                        },
                    },
                    paths: {
                        instance: "$.detail.instance-id",
                        status: "$.detail.status",
                        command: "$.detail.command-id",
                        time: "$.time",
                    },
                    message: `[${label}] ${PATCH_DOCUMENT} <status> on instance <instance> at <time> (command <command>).`,
                }),
            );
        });
        rules.push(
            rule("window-failed", `A ${label} maintenance window execution failed or timed out`, {
                pattern: {
                    source: ["aws.ssm"],
                    "detail-type": ["Maintenance Window Execution State-change Notification"],
                    detail: { status: ["FAILED", "TIMED_OUT"], "window-id": args.maintenanceWindowIds },
                },
                paths: {
                    window: "$.detail.window-id",
                    execution: "$.detail.window-execution-id",
                    status: "$.detail.status",
                    time: "$.time",
                },
                message: `[${label}] Maintenance window <window> ended <status> at <time> (execution <execution>).`,
            }),
        );
        if ((args.associationIds ?? []).length > 0) {
            // "EC2 State Manager Instance Association State Change": one instance's run of an association
            // (AWS's sample event: detail association-id, instance-id, document-name, status Success|Failed).
            rules.push(
                rule("assoc-failed", `A ${label} State Manager association failed on an instance`, {
                    pattern: {
                        source: ["aws.ssm"],
                        "detail-type": ["EC2 State Manager Instance Association State Change"],
                        detail: { "association-id": args.associationIds!, status: ["Failed"] },
                    },
                    paths: {
                        instance: "$.detail.instance-id",
                        association: "$.detail.association-id",
                        document: "$.detail.document-name",
                        time: "$.time",
                    },
                    message: `[${label}] Association <association> (<document>) failed on instance <instance> at <time>.`,
                }),
            );
        }
        rules.push(
            rule("noncompliant", `A ${label} instance is missing patches its baseline approves`, {
                pattern: {
                    source: ["aws.ssm"],
                    "detail-type": ["Configuration Compliance State Change"],
                    // AWS's sample events spell the status non_compliant; match it in any case.
                    detail: {
                        "compliance-type": ["Patch"],
                        "compliance-status": [{ "equals-ignore-case": "non_compliant" }],
                        "patch-baseline-id": args.patchBaselineIds,
                    },
                },
                paths: {
                    instance: "$.detail.resource-id",
                    status: "$.detail.compliance-status",
                    severity: "$.detail.severity",
                    time: "$.time",
                },
                message: `[${label}] Instance <instance> is <status> for patches (severity <severity>) at <time>.`,
            }),
        );
        this.ruleNames = pulumi.all(rules.map((r) => r.name));
        this.registerOutputs({ ruleNames: this.ruleNames });
    }
}
