/**
 * The window triage runbook, as pure data: what a maintenance window execution that ended FAILED
 * did, and one message for each of its tasks that failed without a single invocation (its service
 * role refused, `iam:PassRole` denied, its document or parameters rejected). EventBridge cannot
 * tell that case from a task whose instances failed: "Maintenance Window Execution/Task Execution/
 * Task Target Invocation State-change Notification" carry no invocation count (AWS's sample events,
 * tests/fixtures/ssm-event-samples.json), so the stack's rule starts this runbook, which asks.
 *
 * The APIs (botocore's ssm and sns models): DescribeMaintenanceWindowExecutionTasks (the execution's
 * tasks, Status and StatusDetails), DescribeMaintenanceWindowExecutionTaskInvocations (TaskId: the task
 * execution's id), GetMaintenanceWindowExecutionTask (its ServiceRole, TaskArn, Priority), SNS Publish.
 * One aws:executeScript step (automation-action-executeScript.html, Runtime python3.11, boto3), not
 * aws:executeAwsApi with aws:branch: the number of tasks varies and each needs its own calls and text.
 */

/** The triage runbook's timeout: a window has at most a few tasks; each takes a handful of calls. */
export const TRIAGE_TIMEOUT_SECONDS = 120;

/** The script's API calls, as IAM actions (every one allows only Resource "*" but sns:Publish). */
export const TRIAGE_READ_ACTIONS = [
    "ssm:DescribeMaintenanceWindowExecutionTasks",
    "ssm:DescribeMaintenanceWindowExecutionTaskInvocations",
    "ssm:GetMaintenanceWindowExecutionTask",
] as const;

/**
 * The script (Python 3.11, boto3 as Automation provides it). A task that ended FAILED without an
 * invocation that reached Run Command or Automation (none, or only invocations without an
 * `ExecutionId`, which the API reference marks optional: refused before the service ran it) never
 * started: one message each, to the stack's topic, with the refused invocation's StatusDetails when
 * there is one. A task with a started invocation is not reported here: its instances' failures
 * already were, per instance (docs/design.md, "Alerts").
 */
export const TRIAGE_SCRIPT = [
    "import boto3",
    "",
    "CHECK = ('Check the service role (trusted by ssm.amazonaws.com, allowed what the task does), '",
    "         'that whoever registered the task may pass it (iam:PassRole), and that the task document '",
    "         'and its parameters exist and are valid')",
    "",
    "def pages(client, operation, key, **params):",
    "    return [item for page in client.get_paginator(operation).paginate(**params) for item in page[key]]",
    "",
    "def report(events, context):",
    "    ssm = boto3.client('ssm')",
    "    sns = boto3.client('sns')",
    "    run = events['WindowExecutionId']",
    "    tasks = pages(ssm, 'describe_maintenance_window_execution_tasks', 'WindowExecutionTaskIdentities',",
    "                  WindowExecutionId=run)",
    "    reported = []",
    "    for task in sorted(tasks, key=lambda t: t['TaskExecutionId']):",
    "        if task['Status'] != 'FAILED':",
    "            continue",
    "        task_id = task['TaskExecutionId']",
    "        invocations = pages(ssm, 'describe_maintenance_window_execution_task_invocations',",
    "                            'WindowExecutionTaskInvocationIdentities', WindowExecutionId=run, TaskId=task_id)",
    "        # Started: an invocation that reached Run Command or Automation has its ExecutionId there.",
    "        if any(i.get('ExecutionId') for i in invocations):",
    "            continue",
    "        detail = ssm.get_maintenance_window_execution_task(WindowExecutionId=run, TaskId=task_id)",
    "        refused = [i['StatusDetails'] for i in invocations if i.get('StatusDetails')]",
    "        why = (refused[0] if refused else task.get('StatusDetails') or detail.get('StatusDetails')",
    "               or 'no status details').rstrip('.')",
    "        sns.publish(",
    "            TopicArn=events['TopicArn'],",
    "            Subject=f\"[{events['Stack']}] A maintenance window task never started\"[:99],",
    "            Message=(",
    "                f\"[{events['Stack']}] Maintenance window {events['WindowId']} (execution {run}): \"",
    "                f\"task {task_id} ({detail.get('Type', task.get('TaskType'))} {detail.get('TaskArn', task.get('TaskArn'))}, \"",
    "                f\"priority {detail.get('Priority')}) ended FAILED without starting on any target: \"",
    '                f"{why}. "',
    "                f\"{CHECK}: service role {detail.get('ServiceRole') or 'none (the account default)'}. \"",
    '                f"aws ssm get-maintenance-window-execution-task --window-execution-id {run} --task-id {task_id}"',
    "            ),",
    "        )",
    "        reported.append(task_id)",
    "    return {'Reported': len(reported), 'TaskExecutionIds': reported}",
].join("\n");

export interface TriageDocumentSpec {
    /** The stack's label, named in every message (`oe-lab-ipm/test`). */
    readonly stack: string;
    /** The role the runbook runs with; the topic and its key admit it. */
    readonly roleArn: string;
    /** The stack's alert topic. */
    readonly topicArn: string;
}

/** botocore's ssm model's patterns for the two ids the rule passes (MaintenanceWindowId, ...ExecutionId). */
export const WINDOW_ID_PATTERN = "^mw-[0-9a-f]{17}$";
export const WINDOW_EXECUTION_ID_PATTERN =
    "^[0-9a-fA-F]{8}\\-[0-9a-fA-F]{4}\\-[0-9a-fA-F]{4}\\-[0-9a-fA-F]{4}\\-[0-9a-fA-F]{12}$";

/** The Automation document (schemaVersion 0.3): its parameters come from the rule's input transformer. */
export function triageDocument(spec: TriageDocumentSpec): Record<string, unknown> {
    return {
        schemaVersion: "0.3",
        description: `Reports each task of a failed ${spec.stack} maintenance window execution that never started.`,
        assumeRole: "{{AutomationAssumeRole}}",
        parameters: {
            WindowId: { type: "String", description: "The window.", allowedPattern: WINDOW_ID_PATTERN },
            WindowExecutionId: {
                type: "String",
                description: "The window execution that ended FAILED.",
                allowedPattern: WINDOW_EXECUTION_ID_PATTERN,
            },
            AutomationAssumeRole: {
                type: "String",
                description: "The role the step runs with.",
                default: spec.roleArn,
            },
        },
        mainSteps: [
            {
                name: "ReportTasksThatNeverStarted",
                action: "aws:executeScript",
                timeoutSeconds: TRIAGE_TIMEOUT_SECONDS,
                onFailure: "Abort",
                isEnd: true,
                inputs: {
                    Runtime: "python3.11",
                    Handler: "report",
                    Script: TRIAGE_SCRIPT,
                    InputPayload: {
                        Stack: spec.stack,
                        TopicArn: spec.topicArn,
                        WindowId: "{{WindowId}}",
                        WindowExecutionId: "{{WindowExecutionId}}",
                    },
                },
                outputs: [{ Name: "Reported", Selector: "$.Payload.Reported", Type: "Integer" }],
            },
        ],
        outputs: ["ReportTasksThatNeverStarted.Reported"],
    };
}
