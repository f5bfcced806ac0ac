import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PATCH_DOCUMENT } from "./documents";
import { rolePrefixProblem } from "./iam";
import { ArgumentError, SSM_NAME_ALLOWED, SSM_NAME_PATTERN } from "./validation";
import { componentToken, withFormerToken } from "./tokens";
import { createWindowTriage, WindowTriageArgs } from "./windowTriageResources";

/**
 * EventBridge allows an event pattern of 2,048 characters by default (EventBridge quotas); an
 * instance id takes 22 of them in the pattern, so a rule names at most this many instances and
 * a larger fleet gets several rules.
 */
export const INSTANCES_PER_RULE = 50;
/** EventBridge rule names are at most 64 characters; the longest suffix added here is `cmd-failed-20`. */
export const MAX_RULE_NAME_PREFIX = 64 - "cmd-failed-20".length;
const RULE_NAME_PREFIX_PATTERN = /^[.\-_A-Za-z0-9]+$/;

/**
 * The final statuses that are not a success, per event (none is a success, none is still running):
 * Run Command's CommandInvocationStatus and Systems Manager's MaintenanceWindowExecutionStatus
 * (the API models' enums); State Manager's instance association statuses besides Success, as its
 * console and the inventory documentation name them (its API has no enum).
 */
export const FAILURE_STATUSES = {
    command: ["Failed", "TimedOut", "Cancelled"],
    window: ["FAILED", "TIMED_OUT", "CANCELLED", "SKIPPED_OVERLAPPING"],
    association: ["Failed", "TimedOut", "Cancelled", "Skipped"],
} as const;

/**
 * The window execution statuses no task run reports: CancelMaintenanceWindowExecution cancels the
 * tasks that have not started and lets running ones finish, a window past its end lets running
 * Run Command tasks continue (the tasks' default cutoff behavior, CONTINUE_TASK), and an execution
 * skipped because the previous one still runs starts nothing (botocore's ssm model). FAILED is left
 * out: it follows a task that failed, which is reported per instance.
 */
export const WINDOW_OUTCOMES = ["TIMED_OUT", "CANCELLED", "SKIPPED_OVERLAPPING"] as const;

/** Where the stack's patching and inventory runs put their output, for the messages to name. */
export interface AlertOutputLocations {
    /** The bucket of the Run Command output (the windows' tasks). Required. */
    bucketName: pulumi.Input<string>;
    /** The key prefixes the windows' tasks write under, like `patching/install`. Required. */
    commandKeyPrefixes: string[];
    /** The CloudWatch log group the tasks also write to. Default none. */
    logGroupName?: pulumi.Input<string>;
}

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
     * The instances whose `AWS-RunPatchBaseline` commands (by the windows or by hand) alert when they
     * end without success. Unset (a fleet the stack does not create): no command rule, since a Run
     * Command event names nothing else of the stack; the windows' tasks' own Run Command
     * notifications (`PatchMaintenanceWindow`'s `notifications`) report their runs, per instance.
     */
    instanceIds?: pulumi.Input<string>[];
    /** The maintenance windows whose executions alert when they end TIMED_OUT, CANCELLED or SKIPPED_OVERLAPPING. */
    maintenanceWindowIds: pulumi.Input<string>[];
    /**
     * State Manager associations (inventory, patch scan) whose run on an instance alerts when it
     * ends without success. Default none.
     */
    associationIds?: pulumi.Input<string>[];
    /** The patch baselines whose instances becoming non-compliant alert. */
    patchBaselineIds: pulumi.Input<string>[];
    /**
     * The stack's Automation runbooks (PatchRunbook's documents): an execution of one that ends Failed,
     * TimedOut or Cancelled alerts once, matched by its document name. Default none.
     */
    runbookNames?: pulumi.Input<string>[];
    /**
     * Check runbooks (CoverageCheck's document): an execution that ends Failed, TimedOut or Cancelled
     * alerts once, by its own rule, since then nothing was checked. Default none.
     */
    checkNames?: pulumi.Input<string>[];
    /**
     * The window triage: when one of the windows' executions ends FAILED, a rule starts a runbook that
     * publishes one message for each task that failed without any invocation (one that never started:
     * its service role refused, iam:PassRole denied, its document or parameters rejected). Its own failed
     * executions alert through `runbook-failed`. Default: none (such a task is not reported).
     */
    windowTriage?: WindowTriageArgs;
    /** Where the output of the runs is, named in the messages. Default: messages name no location. */
    outputLocations?: AlertOutputLocations;
    /** Tags for every rule. */
    tags?: Record<string, string>;
}

export function validatePatchAlertsArgs(args: PatchAlertsArgs): void {
    ArgumentError.throwIfAny("PatchAlerts", [
        RULE_NAME_PREFIX_PATTERN.test(args.ruleNamePrefix) && args.ruleNamePrefix.length <= MAX_RULE_NAME_PREFIX
            ? undefined
            : `ruleNamePrefix ${JSON.stringify(args.ruleNamePrefix)} must be 1-${MAX_RULE_NAME_PREFIX} letters, digits and .-_ (EventBridge allows 64 for the whole name)`,
        args.patchBaselineIds.length > 0 ? undefined : "patchBaselineIds must name at least one baseline",
        args.windowTriage && !SSM_NAME_PATTERN.test(args.windowTriage.documentName)
            ? `windowTriage.documentName ${JSON.stringify(args.windowTriage.documentName)} ${SSM_NAME_ALLOWED}`
            : undefined,
        args.windowTriage &&
            rolePrefixProblem("windowTriage.startRoleNamePrefix", args.windowTriage.startRoleNamePrefix),
    ]);
}

interface RuleSpec {
    readonly pattern: object;
    readonly paths: Record<string, string>;
    /** The message: `<name>` is the value at `paths[name]` in the event. */
    readonly message: pulumi.Input<string>;
}

/** Where one instance's run of a window task put its output: its S3 keys and log streams. */
function commandOutputText(out: AlertOutputLocations | undefined): pulumi.Output<string> {
    if (out === undefined) return pulumi.output("");
    const keys = pulumi.all(
        out.commandKeyPrefixes.map(
            (prefix) => pulumi.interpolate`s3://${out.bucketName}/${prefix}/<command>/<instance>/`,
        ),
    );
    const logs =
        out.logGroupName === undefined
            ? ""
            : pulumi.interpolate`, log group ${out.logGroupName} (streams <command>/<instance>/...)`;
    return pulumi.interpolate` Output if a window of the stack ran it: ${keys.apply((k) => k.join(" or "))}${logs}.`;
}

/** One rule: its name's suffix, its description and what it matches and says. */
interface RuleDef extends RuleSpec {
    readonly suffix: string;
    readonly description: string;
}

/** A Systems Manager event of one detail-type whose detail matches. */
function ssmPattern(detailType: string, detail: Record<string, unknown>): object {
    return { source: ["aws.ssm"], "detail-type": [detailType], detail };
}

/**
 * "EC2 Command Invocation Status-change Notification": one instance's run of a command. It carries
 * command-id, document-name, instance-id and status, nothing of a window: only instance ids tell the
 * stack, so there is no such rule without them, and one per INSTANCES_PER_RULE instances.
 */
function commandRules(args: PatchAlertsArgs): RuleDef[] {
    const ids = args.instanceIds ?? [];
    const chunks: pulumi.Input<string>[][] = [];
    for (let i = 0; i < ids.length; i += INSTANCES_PER_RULE) chunks.push(ids.slice(i, i + INSTANCES_PER_RULE));
    return chunks.map((chunk, c) => ({
        suffix: `cmd-failed${chunks.length > 1 ? `-${c + 1}` : ""}`,
        description: `${PATCH_DOCUMENT} ended without success on a ${args.stackLabel} instance`,
        pattern: ssmPattern("EC2 Command Invocation Status-change Notification", {
            "document-name": [PATCH_DOCUMENT],
            status: FAILURE_STATUSES.command,
            "instance-id": chunk,
        }),
        paths: {
            instance: "$.detail.instance-id",
            status: "$.detail.status",
            command: "$.detail.command-id",
            time: "$.time",
        },
        message: pulumi.concat(
            `[${args.stackLabel}] ${PATCH_DOCUMENT} <status> on instance <instance> at <time> (command <command>).`,
            commandOutputText(args.outputLocations),
        ),
    }));
}

/**
 * "EC2 Automation Execution Status-change Notification" (detail ExecutionId, Definition, Status; AWS
 * User Guide, "Amazon EventBridge event examples for Systems Manager", Automation): one execution of
 * the stack's runbooks, matched by document name. A failed install on an instance fails the
 * per-instance runbook: this is its one message (the command runs AWS-RunPatchBaselineWithHooks,
 * which cmd-failed does not match); the execution names the instance, the failed step and the
 * restore point (`aws ssm get-automation-execution`).
 */
function runbookRules(args: PatchAlertsArgs): RuleDef[] {
    const names = [...(args.runbookNames ?? []), ...(args.windowTriage ? [args.windowTriage.documentName] : [])];
    if (names.length === 0) return [];
    return [
        automationFailed(
            "runbook-failed",
            `A ${args.stackLabel} runbook execution ended without success`,
            names,
            `[${args.stackLabel}] Runbook <runbook> ended <status> at <time> (execution <execution>; its failed step, and for a patch runbook its instance and restore point: aws ssm get-automation-execution --automation-execution-id <execution>).`,
        ),
    ];
}

/**
 * A rule on the "EC2 Automation Execution Status-change Notification" of the named documents that
 * ended without success; its message may use <runbook>, <execution>, <status> and <time>.
 */
function automationFailed(
    suffix: string,
    description: string,
    names: pulumi.Input<string>[],
    message: string,
): RuleDef {
    return {
        suffix,
        description,
        pattern: ssmPattern("EC2 Automation Execution Status-change Notification", {
            Definition: names,
            Status: ["Failed", "TimedOut", "Cancelled"],
        }),
        paths: {
            runbook: "$.detail.Definition",
            execution: "$.detail.ExecutionId",
            status: "$.detail.Status",
            time: "$.time",
        },
        message,
    };
}

/** A check runbook's execution that did not end Success: the check could not tell the fleet's coverage. */
function checkRules(args: PatchAlertsArgs): RuleDef[] {
    if (!args.checkNames?.length) return [];
    return [
        automationFailed(
            "check-failed",
            `A ${args.stackLabel} coverage check execution ended without success`,
            args.checkNames,
            `[${args.stackLabel}] Coverage check <runbook> ended <status> at <time>: the fleet's coverage was not checked today (execution <execution>; the failed step's message: aws ssm get-automation-execution --automation-execution-id <execution>).`,
        ),
    ];
}

/**
 * A window's execution ("Maintenance Window Execution State-change Notification": window-id,
 * window-execution-id, status), for the outcomes that are the window's own: a task's failure on an
 * instance is reported once, per instance (`cmd-failed`, or the task's own Run Command notification
 * on a fleet the stack does not create), so neither the task's per-target events nor a window
 * ending FAILED (which follows a failed task) are matched (docs/design.md).
 */
function windowRules(args: PatchAlertsArgs): RuleDef[] {
    const label = args.stackLabel;
    return [
        {
            suffix: "window-failed",
            description: `A ${label} maintenance window execution ended without running its tasks to the end`,
            pattern: ssmPattern("Maintenance Window Execution State-change Notification", {
                status: WINDOW_OUTCOMES,
                "window-id": args.maintenanceWindowIds,
            }),
            paths: {
                window: "$.detail.window-id",
                execution: "$.detail.window-execution-id",
                status: "$.detail.status",
                time: "$.time",
            },
            message:
                `[${label}] Maintenance window <window> ended <status> at <time> (execution <execution>; ` +
                "its tasks: aws ssm describe-maintenance-window-execution-tasks --window-execution-id <execution>).",
        },
    ];
}

/**
 * One instance's run of an association ("EC2 State Manager Instance Association State Change":
 * association-id, instance-id, document-name, status, detailed-status, error-code, output-url), when
 * there are associations; and an instance falling out of compliance with one of the baselines.
 */
function stateRules(args: PatchAlertsArgs): RuleDef[] {
    const label = args.stackLabel;
    const associations: RuleDef[] =
        (args.associationIds ?? []).length === 0
            ? []
            : [
                  {
                      suffix: "assoc-failed",
                      description: `A ${label} State Manager association ended without success on an instance`,
                      pattern: ssmPattern("EC2 State Manager Instance Association State Change", {
                          "association-id": args.associationIds!,
                          status: FAILURE_STATUSES.association,
                      }),
                      paths: {
                          instance: "$.detail.instance-id",
                          association: "$.detail.association-id",
                          document: "$.detail.document-name",
                          status: "$.detail.status",
                          detail: "$.detail.detailed-status",
                          error: "$.detail.error-code",
                          output: "$.detail.output-url",
                          time: "$.time",
                      },
                      message:
                          `[${label}] Association <association> (<document>) ended <status> on instance <instance> at <time>: ` +
                          "<detail> <error>. Output: <output>.",
                  },
              ];
    return [
        ...associations,
        {
            suffix: "noncompliant",
            description: `A ${label} instance is missing patches its baseline approves`,
            // AWS's sample events spell the status non_compliant; match it in any case.
            pattern: ssmPattern("Configuration Compliance State Change", {
                "compliance-type": ["Patch"],
                "compliance-status": [{ "equals-ignore-case": "non_compliant" }],
                "patch-baseline-id": args.patchBaselineIds,
            }),
            paths: {
                instance: "$.detail.resource-id",
                status: "$.detail.compliance-status",
                severity: "$.detail.severity",
                time: "$.time",
            },
            message: `[${label}] Instance <instance> is <status> for patches (severity <severity>) at <time>.`,
        },
    ];
}

/**
 * EventBridge rules that tell an alert topic when a patching or inventory run of the stack ends
 * without success, or an instance falls out of compliance: each rule names the stack's own
 * instances, windows, associations or baselines, so another stack's events never reach the topic.
 * Each rule's message is readable text (an input transformer) built from the event's fields.
 */
export class PatchAlerts extends pulumi.ComponentResource {
    /** Every rule's name. */
    public readonly ruleNames: pulumi.Output<string[]>;

    constructor(name: string, args: PatchAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentToken("PatchAlerts"), name, {}, withFormerToken("oelab:alerts:PatchAlerts", opts));
        validatePatchAlertsArgs(args);
        const rules = [
            ...commandRules(args),
            ...runbookRules(args),
            ...checkRules(args),
            ...windowRules(args),
            ...stateRules(args),
        ].map((def) => {
            const created = new aws.cloudwatch.EventRule(
                `${name}-${def.suffix}`,
                {
                    name: `${args.ruleNamePrefix}${def.suffix}`,
                    description: def.description,
                    eventPattern: pulumi.jsonStringify(def.pattern),
                    tags: args.tags ?? {},
                },
                { parent: this },
            );
            new aws.cloudwatch.EventTarget(
                `${name}-${def.suffix}-target`,
                {
                    rule: created.name,
                    arn: args.topicArn,
                    // A JSON string literal: SNS receives (and mails) plain text.
                    inputTransformer: {
                        inputPaths: def.paths,
                        inputTemplate: pulumi.output(def.message).apply((m) => JSON.stringify(m)),
                    },
                },
                { parent: this },
            );
            return created;
        });
        if (args.windowTriage)
            rules.push(
                createWindowTriage(
                    {
                        name,
                        parent: this,
                        stackLabel: args.stackLabel,
                        topicArn: args.topicArn,
                        ruleName: `${args.ruleNamePrefix}window-triage`,
                        windowIds: args.maintenanceWindowIds,
                        tags: args.tags ?? {},
                    },
                    args.windowTriage,
                ),
            );
        this.ruleNames = pulumi.all(rules.map((r) => r.name));
        this.registerOutputs({ ruleNames: this.ruleNames });
    }
}
