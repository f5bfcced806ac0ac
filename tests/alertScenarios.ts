/**
 * Failure scenarios of one stack's runs: every event AWS emits for one failed run (built from AWS's
 * documented sample events, tests/fixtures/ssm-event-samples.json), and the Run Command invocations
 * the run's window task made, whose outcome a task's own SNS notifications report. A spec counts
 * every message the stacks would send for a scenario: rules matched plus notifications implied.
 *
 * What follows what (docs/design.md, "Alerts"):
 * - a command invocation ending Failed, TimedOut or Cancelled on an instance ends its maintenance
 *   window task's target invocation and task execution in the matching window status, the whole
 *   command in that status (EC2 Command Status-change Notification), and the window's execution
 *   FAILED (the task failed);
 * - a window whose end comes while its Run Command task runs ends TIMED_OUT and lets the command
 *   continue (cutoff behavior CONTINUE_TASK, botocore's ssm model: "any tasks that are running
 *   continue"); here the command then succeeds;
 * - a cancelled window execution cancels the tasks that had not started and lets running ones
 *   finish (CancelMaintenanceWindowExecution); here the task had not started;
 * - an execution skipped because the previous one still runs starts no task;
 * - an association run ending without success on an instance reports it per instance, and the
 *   association as a whole (EC2 State Manager Association State Change) ends Failed;
 * - a task that never started (its service role refused, iam:PassRole denied, its document or
 *   parameters rejected) has no invocation and no target events; its window ends FAILED;
 * - in Runbook mode, a per-instance runbook that fails ends its execution and step Failed (Automation's
 *   events) and its window task and execution FAILED, with an invocation.
 */
import { sample, StackIdentity } from "./alertEvents";

/** A command a window task sent to one instance, and how its invocation there ended. */
export interface Invocation {
    readonly windowId: string;
    readonly instanceId: string;
    readonly status: string;
}

/** A task of a window execution, as the triage runbook reads it: its status and how many invocations it made. */
export interface TriageTask {
    readonly status: string;
    readonly invocations: number;
}

/**
 * The messages the window triage runbook publishes for a window execution that ended FAILED: one per
 * task that FAILED without any invocation (tests/scripts/windowTriage.script.ts runs the real runbook
 * and holds it to this count).
 */
export function triageMessages(tasks: readonly TriageTask[]): number {
    return tasks.filter((t) => t.status === "FAILED" && t.invocations === 0).length;
}

export interface Scenario {
    readonly what: string;
    readonly events: Record<string, any>[];
    readonly invocations: Invocation[];
    /** The window execution's tasks, when it ended FAILED (what the triage runbook finds). */
    readonly tasks?: TriageTask[];
}

const TASK_STATUS_OF: Record<string, string> = { Failed: "FAILED", TimedOut: "TIMED_OUT", Cancelled: "CANCELLED" };

function withDetail(example: string, detail: Record<string, unknown>): Record<string, any> {
    const event = sample(example);
    Object.assign(event.detail, detail);
    return event;
}

/** The events of one window execution: the window's, its task's, and the task's on each target. */
function windowEvents(
    window: StackIdentity["windows"][number],
    windowStatus: string,
    taskStatus?: string,
    onTargets = true,
): Record<string, any>[] {
    const events = [withDetail("Window Execution Type", { "window-id": window.id, status: windowStatus })];
    if (taskStatus === undefined) return events;
    events.push(withDetail("Task Execution Type", { "window-id": window.id, status: taskStatus }));
    for (const targetId of onTargets ? window.targetIds : [])
        events.push(
            withDetail("Task Target Processed", {
                "window-id": window.id,
                "window-target-id": targetId,
                status: taskStatus,
            }),
        );
    return events;
}

/** One run of AWS-RunPatchBaseline on an instance, ending in that status. */
function commandEvents(instanceId: string, status: string): Record<string, any>[] {
    const invocation = withDetail("Run Command Invocation Status-change Notification", {
        "instance-id": instanceId,
        "document-name": "AWS-RunPatchBaseline",
        status,
    });
    invocation.resources = [`arn:aws:ec2:us-east-2:123456789012:instance/${instanceId}`];
    const command = withDetail("Run Command Status-change Notification", {
        "document-name": "AWS-RunPatchBaseline",
        status,
    });
    command.resources = [invocation.resources[0]];
    return [invocation, command];
}

/** Every failure scenario of the stack, on one of its instances (the last: the last rule of a large fleet). */
export function failureScenarios(id: StackIdentity): Scenario[] {
    const instanceId = id.instanceIds[id.instanceIds.length - 1];
    const out: Scenario[] = [];
    id.windows.forEach((window, w) => {
        const kind = w === 0 ? "install" : "scan";
        for (const status of ["Failed", "TimedOut", "Cancelled"]) {
            out.push({
                what: `${kind} ${status} on ${instanceId} (window ${window.id})`,
                events: [
                    ...commandEvents(instanceId, status),
                    ...windowEvents(window, "FAILED", TASK_STATUS_OF[status]),
                ],
                invocations: [{ windowId: window.id, instanceId, status }],
                tasks: [{ status: TASK_STATUS_OF[status], invocations: 1 }],
            });
        }
        out.push({
            what: `window ${window.id} (${kind}): its task never started (service role refused, iam:PassRole denied)`,
            events: windowEvents(window, "FAILED", "FAILED", false),
            invocations: [],
            tasks: [{ status: "FAILED", invocations: 0 }],
        });
        out.push({
            what: `window ${window.id} (${kind}) timed out while its command ran on; the command succeeded`,
            events: [...commandEvents(instanceId, "Success"), ...windowEvents(window, "TIMED_OUT", "SUCCESS")],
            invocations: [{ windowId: window.id, instanceId, status: "Success" }],
        });
        out.push({
            what: `window ${window.id} (${kind}) cancelled before its task started`,
            events: windowEvents(window, "CANCELLED", "CANCELLED"),
            invocations: [],
        });
        out.push({
            what: `window ${window.id} (${kind}) skipped: the previous execution still ran`,
            events: windowEvents(window, "SKIPPED_OVERLAPPING"),
            invocations: [],
        });
    });
    // Runbook mode: the per-instance runbook fails on an instance (its install or health check): its execution's
    // event, its failed step's, and the install window's task and execution, FAILED with an invocation.
    for (const runbook of id.runbookNames.filter((r) => r.endsWith("-PatchInstance"))) {
        const automation = withDetail("Automation Execution Status-change Notification", {
            Definition: runbook,
            Status: "Failed",
        });
        const step = withDetail("Automation Step Status-change Notification", {
            Definition: runbook,
            Status: "Failed",
        });
        out.push({
            what: `runbook ${runbook} Failed on an instance`,
            events: [automation, step, ...windowEvents(id.windows[0], "FAILED", "FAILED")],
            invocations: [],
            tasks: [
                { status: "SUCCESS", invocations: 1 },
                { status: "FAILED", invocations: 1 },
            ],
        });
    }
    for (const associationId of id.associationIds) {
        for (const status of ["Failed", "TimedOut", "Cancelled", "Skipped"]) {
            out.push({
                what: `association ${associationId} ${status} on ${instanceId}`,
                events: [
                    withDetail("State Manager Instance Association State Change", {
                        "association-id": associationId,
                        "instance-id": instanceId,
                        status,
                    }),
                    withDetail("State Manager Association State Change", {
                        "association-id": associationId,
                        status: "Failed",
                    }),
                ],
                invocations: [],
            });
        }
    }
    return out;
}
