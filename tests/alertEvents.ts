/**
 * AWS's documented Systems Manager sample events (tests/fixtures/ssm-event-samples.json, verbatim
 * from the User Guide's "Amazon EventBridge event examples for Systems Manager"), expanded per
 * stack: the same event with the stack's own instance, window, target, association and baseline
 * ids and each status the event can end in, and whether a stack's rules must report it.
 */
import * as fs from "fs";
import * as path from "path";
import { createHash } from "crypto";
import { ofType, PROJECT_ROOT, StackRun } from "./harness";

export interface Sample {
    readonly section: string;
    readonly example: string;
    readonly detailType: string;
    readonly text: string;
}

export const SAMPLES_FILE = JSON.parse(
    fs.readFileSync(path.join(PROJECT_ROOT, "tests", "fixtures", "ssm-event-samples.json"), "utf8"),
) as {
    page: string;
    url: string;
    source: string;
    samples: Sample[];
};

/** The sample of that title, parsed afresh (each expansion edits its own copy). */
export function sample(example: string): Record<string, any> {
    const found = SAMPLES_FILE.samples.find((s) => s.example === example);
    if (!found) throw new Error(`no sample ${example}`);
    return JSON.parse(found.text);
}

/** What a stack's rules can know it by: the ids of what it owns. */
export interface StackIdentity {
    readonly stack: string;
    readonly instanceIds: string[];
    /** Whether the stack created its instances (so its rules may name them). */
    readonly createdFleet: boolean;
    readonly windows: { id: string; targetIds: string[] }[];
    readonly associationIds: string[];
    readonly baselineIds: string[];
    /** The stack's Automation runbooks (the patch runbooks in Runbook mode, the window triage). */
    readonly runbookNames: string[];
}

/** Instance ids of a fleet the stack does not create: any ids, made the way EC2 shapes them. */
export function someInstanceIds(seed: string, count: number): string[] {
    return Array.from(
        { length: count },
        (_, i) => `i-${createHash("sha256").update(`${seed}/${i}`).digest("hex").slice(0, 17)}`,
    );
}

export function identityOf(run: StackRun, existingInstances: number): StackIdentity {
    const created = ofType(run, "aws:ec2/instance:Instance").map((i) => i.id);
    const targets = ofType(run, "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget");
    // A lab stack on an existing fleet has windows but creates no instance; the reporting stack has neither.
    const existing = created.length === 0 && targets.length > 0 ? someInstanceIds(run.stack, existingInstances) : [];
    return {
        stack: run.stack,
        instanceIds: created.length > 0 ? created : existing,
        createdFleet: created.length > 0,
        windows: ofType(run, "aws:ssm/maintenanceWindow:MaintenanceWindow").map((w) => ({
            id: w.id,
            targetIds: targets.filter((t) => t.inputs.windowId === w.id).map((t) => t.id),
        })),
        associationIds: ofType(run, "aws:ssm/association:Association").map((a) => a.state.associationId),
        baselineIds: ofType(run, "aws:ssm/patchBaseline:PatchBaseline").map((b) => b.id),
        runbookNames: ofType(run, "aws:ssm/document:Document")
            .filter((d) => d.inputs.documentType === "Automation")
            .map((d) => d.inputs.name),
    };
}

/** One expanded event, and how many of its own stack's rules must report it. */
export interface ExpandedEvent {
    readonly owner: string;
    readonly what: string;
    readonly event: Record<string, any>;
    readonly ownRules: number;
}

/**
 * Every status, and the final ones that are not a success (stated here, apart from the component's
 * list, so that a status dropped there fails the specs): Run Command's CommandInvocationStatus and
 * MaintenanceWindowExecutionStatus (botocore's ssm model); State Manager's per-instance statuses.
 */
const FAILURE_STATUSES = {
    command: ["Failed", "TimedOut", "Cancelled"],
    association: ["Failed", "TimedOut", "Cancelled", "Skipped"],
};
/**
 * The window execution statuses that are the window's own outcome: a cancelled execution lets running
 * tasks finish (CancelMaintenanceWindowExecution), a window past its end lets running Run Command
 * tasks continue (cutoff behavior CONTINUE_TASK, the default), and a skipped one runs nothing. A
 * FAILED window follows a failed task, which its command invocations report per instance.
 */
const WINDOW_OUTCOMES = ["TIMED_OUT", "CANCELLED", "SKIPPED_OVERLAPPING"];
/**
 * A window execution ending FAILED starts the stack's window triage runbook (its rule's target is
 * Automation, which sends no message itself; the runbook reports a task that never started).
 */
const WINDOW_TRIAGED = ["FAILED"];
/** AutomationExecutionStatus (botocore's ssm model), and the final ones that are not a success. */
const AUTOMATION_STATUSES = [
    "Pending",
    "InProgress",
    "Waiting",
    "Success",
    "TimedOut",
    "Cancelling",
    "Cancelled",
    "Failed",
    "PendingApproval",
    "Approved",
    "Rejected",
    "Scheduled",
    "RunbookInProgress",
    "PendingChangeCalendarOverride",
    "ChangeCalendarOverrideApproved",
    "ChangeCalendarOverrideRejected",
    "CompletedWithSuccess",
    "CompletedWithFailure",
    "Exited",
];
const AUTOMATION_FAILURES = ["Failed", "TimedOut", "Cancelled"];
const COMMAND_STATUSES = [
    "Pending",
    "InProgress",
    "Delayed",
    "Success",
    "Cancelled",
    "TimedOut",
    "Failed",
    "Cancelling",
];
const WINDOW_STATUSES = [
    "PENDING",
    "IN_PROGRESS",
    "SUCCESS",
    "FAILED",
    "TIMED_OUT",
    "CANCELLING",
    "CANCELLED",
    "SKIPPED_OVERLAPPING",
];
const ASSOCIATION_STATUSES = ["Pending", "InProgress", "Success", "Failed", "TimedOut", "Cancelled", "Skipped"];
const failed = (statuses: readonly string[], status: string) => (statuses.includes(status) ? 1 : 0);

/**
 * Every event the stack's runs can cause, per documented sample: for each of its instances,
 * windows (with their targets), associations and baselines, each status.
 */
export function expand(id: StackIdentity): ExpandedEvent[] {
    const out: ExpandedEvent[] = [];
    const add = (what: string, event: Record<string, any>, ownRules: number) =>
        out.push({ owner: id.stack, what, event, ownRules });
    for (const instance of id.instanceIds) {
        for (const status of COMMAND_STATUSES) {
            const e = sample("Run Command Invocation Status-change Notification");
            Object.assign(e.detail, { "instance-id": instance, "document-name": "AWS-RunPatchBaseline", status });
            e.resources = [`arn:aws:ec2:us-east-2:123456789012:instance/${instance}`];
            // A fleet the stack does not create: the event names nothing of the stack (its window's task
            // sends its own Run Command notification, per instance).
            add(`command ${status} on ${instance}`, e, id.createdFleet ? failed(FAILURE_STATUSES.command, status) : 0);
        }
        for (const associationId of id.associationIds) {
            for (const status of ASSOCIATION_STATUSES) {
                const e = sample("State Manager Instance Association State Change");
                Object.assign(e.detail, { "association-id": associationId, "instance-id": instance, status });
                add(
                    `association ${associationId} ${status} on ${instance}`,
                    e,
                    failed(FAILURE_STATUSES.association, status),
                );
            }
        }
        for (const baselineId of id.baselineIds) {
            for (const example of ["Patch Compliant", "Patch Non-Compliant", "Association Non-Compliant"]) {
                const e = sample(example);
                Object.assign(
                    e.detail,
                    { "resource-id": instance },
                    example.startsWith("Patch") ? { "patch-baseline-id": baselineId } : {},
                );
                add(`${example} ${instance} ${baselineId}`, e, example === "Patch Non-Compliant" ? 1 : 0);
            }
        }
    }
    for (const window of id.windows) {
        for (const status of WINDOW_STATUSES) {
            const execution = sample("Window Execution Type");
            Object.assign(execution.detail, { "window-id": window.id, status });
            add(
                `window ${window.id} ${status}`,
                execution,
                failed(WINDOW_OUTCOMES, status) + failed(WINDOW_TRIAGED, status),
            );
            // A task's execution, as a whole and per target: its command invocations report each failure.
            const task = sample("Task Execution Type");
            Object.assign(task.detail, { "window-id": window.id, status });
            add(`task execution ${window.id} ${status}`, task, 0);
            for (const targetId of window.targetIds) {
                const e = sample("Task Target Processed");
                Object.assign(e.detail, { "window-id": window.id, "window-target-id": targetId, status });
                add(`task on target ${targetId} of ${window.id} ${status}`, e, 0);
            }
        }
    }
    for (const runbook of id.runbookNames) {
        for (const status of AUTOMATION_STATUSES) {
            const e = sample("Automation Execution Status-change Notification");
            Object.assign(e.detail, { Definition: runbook, Status: status });
            add(`runbook ${runbook} ${status}`, e, failed(AUTOMATION_FAILURES, status));
            // A step's own status: the execution's event reports the run once.
            const step = sample("Automation Step Status-change Notification");
            Object.assign(step.detail, { Definition: runbook, Status: status });
            add(`a step of ${runbook} ${status}`, step, 0);
        }
    }
    for (const associationId of id.associationIds) {
        // The association as a whole: its runs on the instances report each failure already.
        const e = sample("State Manager Association State Change");
        Object.assign(e.detail, { "association-id": associationId, status: "Failed" });
        add(`association ${associationId} Failed overall`, e, 0);
    }
    return out;
}
