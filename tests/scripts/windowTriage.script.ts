/**
 * `npm run test:scripts`: the window triage runbook (components/windowTriage.ts), the stack's own
 * generated document, executed by the interpreter with the script-step harness: its boto3 calls are
 * botocore's, validated against the ssm and sns models, answered from the tables below. A window
 * execution that ended FAILED; one message per task that failed without any invocation, none for a
 * task whose instances ran (they were reported per instance).
 *
 * The canned responses are in the operations' output shapes (the harness checks them against
 * botocore's models). StatusDetails is free text in the API ("The details explaining the status",
 * botocore's ssm model); the texts here are examples, not AWS's wording.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { triageMessages, TriageTask } from "../alertScenarios";
import { PROJECT_ROOT, runStack, single, StackRun } from "../harness";
import { CannedResponse, Execution, runAutomation } from "../runbookInterpreter";

const WINDOW = "mw-0ed7251d3fcf6e0c2";
const RUN = "b60fb56e-776c-4e5c-84ee-123456789012";
const ROLE = "arn:aws:iam::123456789012:role/SSMMaintenanceWindowRole-Test-20261206000000000000000001";
const T = (n: number) => `6417e808-7f35-4d1a-843f-00000000000${n}`;

interface Task {
    readonly id: string;
    readonly status: "SUCCESS" | "FAILED" | "TIMED_OUT";
    readonly type: "RUN_COMMAND" | "AUTOMATION";
    readonly document: string;
    readonly priority: number;
    readonly details: string;
    /** How many invocations the task made that reached Run Command or Automation (0: it never started). */
    readonly invocations: number;
    /** Invocations recorded without an ExecutionId (refused before the service ran them), with this StatusDetails. */
    readonly refused?: { count: number; details: string };
}

/** The answers of one window execution's tasks. */
function account(tasks: Task[]): CannedResponse[] {
    const time = "2026-12-06T02:00:05.000Z";
    return [
        {
            service: "ssm",
            operation: "DescribeMaintenanceWindowExecutionTasks",
            when: { WindowExecutionId: RUN },
            response: {
                WindowExecutionTaskIdentities: tasks.map((t) => ({
                    WindowExecutionId: RUN,
                    TaskExecutionId: t.id,
                    Status: t.status,
                    StatusDetails: t.details,
                    StartTime: time,
                    EndTime: time,
                    TaskArn: t.document,
                    TaskType: t.type,
                })),
            },
        },
        ...tasks.flatMap((t): CannedResponse[] => [
            {
                service: "ssm",
                operation: "DescribeMaintenanceWindowExecutionTaskInvocations",
                when: { WindowExecutionId: RUN, TaskId: t.id },
                response: {
                    WindowExecutionTaskInvocationIdentities: [
                        ...Array.from({ length: t.invocations }, (_, i) => ({
                            WindowExecutionId: RUN,
                            TaskExecutionId: t.id,
                            InvocationId: `0c1f6f07-0c4e-4e4b-a6a0-00000000000${i}`,
                            ExecutionId: `e8d3c0e4-71f7-4491-898f-c9b35bee5f3${i}`,
                            TaskType: t.type,
                            Status: t.status,
                            StartTime: time,
                            EndTime: time,
                            WindowTargetId: "e7265f13-3cc5-4f2f-97a9-123456789012",
                        })),
                        // ExecutionId is optional (API reference, MaintenanceWindowExecutionTaskInvocationIdentity).
                        ...Array.from({ length: t.refused?.count ?? 0 }, (_, i) => ({
                            WindowExecutionId: RUN,
                            TaskExecutionId: t.id,
                            InvocationId: `0c1f6f07-0c4e-4e4b-a6a0-00000000001${i}`,
                            TaskType: t.type,
                            Status: "FAILED",
                            StatusDetails: t.refused!.details,
                            StartTime: time,
                            EndTime: time,
                            WindowTargetId: "e7265f13-3cc5-4f2f-97a9-123456789012",
                        })),
                    ],
                },
            },
            {
                service: "ssm",
                operation: "GetMaintenanceWindowExecutionTask",
                when: { WindowExecutionId: RUN, TaskId: t.id },
                response: {
                    WindowExecutionId: RUN,
                    TaskExecutionId: t.id,
                    TaskArn: t.document,
                    ServiceRole: ROLE,
                    Type: t.type,
                    Priority: t.priority,
                    Status: t.status,
                    StatusDetails: t.details,
                },
            },
        ]),
        { service: "sns", operation: "Publish", response: { MessageId: "95df01b4-ee98-5cb9-9903-4c221d41eb5e" } },
    ];
}

const NEVER_STARTED = "The maintenance window's service role could not be assumed (example text).";
const install = (
    status: Task["status"],
    invocations: number,
    details = "Example: 1 of 2 invocations failed.",
): Task => ({
    id: T(1),
    status,
    type: "RUN_COMMAND",
    document: "AWS-RunPatchBaseline",
    priority: 1,
    details,
    invocations,
});

const messages = (run: Execution) =>
    run.calls.filter((c) => c.operation === "Publish").map((c) => c.params as Record<string, string>);

function triage(stackRun: StackRun, tasks: Task[]): Execution {
    const doc = JSON.parse(
        single(stackRun, "aws:ssm/document:Document", "lab-alert-rules-triage-runbook").inputs.content,
    );
    const run = runAutomation(
        doc,
        { WindowId: WINDOW, WindowExecutionId: RUN },
        { api: () => assert.fail("no API step"), script: account(tasks) },
    );
    assert.strictEqual(run.status, "Success", run.failureMessage);
    // The model the alert routing spec counts with says the same.
    assert.strictEqual(messages(run).length, triageMessages(tasks as TriageTask[]));
    return run;
}

describe("the window triage runbook, executed against botocore-validated fakes", function () {
    this.timeout(120_000);
    const runs: Record<string, StackRun> = {};
    before(async () => {
        runs.test = await runStack("test");
        runs.prod = await runStack("prod");
    });
    const topic = (s: string) => single(runs[s], "aws:sns/topic:Topic").state.arn as string;

    it("a task that never started: one message to the stack's topic, naming the stack, window, task, details and what to check", () => {
        const run = triage(runs.test, [install("FAILED", 0, NEVER_STARTED)]);
        assert.deepStrictEqual(messages(run), [
            {
                TopicArn: topic("test"),
                Subject: "[oe-lab-ipm/test] A maintenance window task never started",
                Message:
                    `[oe-lab-ipm/test] Maintenance window ${WINDOW} (execution ${RUN}): task ${T(1)} (RUN_COMMAND AWS-RunPatchBaseline, priority 1) ` +
                    `ended FAILED without starting on any target: ${NEVER_STARTED} Check the service role (trusted by ssm.amazonaws.com, allowed what the task does), ` +
                    "that whoever registered the task may pass it (iam:PassRole), and that the task document and its parameters exist and are valid: " +
                    `service role ${ROLE}. aws ssm get-maintenance-window-execution-task --window-execution-id ${RUN} --task-id ${T(1)}`,
            },
        ]);
        assert.deepStrictEqual(run.outputs, { "ReportTasksThatNeverStarted.Reported": 1 });
        assert.deepStrictEqual(
            run.calls.map((c) => `${c.service}:${c.operation}`),
            [
                "ssm:DescribeMaintenanceWindowExecutionTasks",
                "ssm:DescribeMaintenanceWindowExecutionTaskInvocations",
                "ssm:GetMaintenanceWindowExecutionTask",
                "sns:Publish",
            ],
        );
    });

    it("a task that failed on its instances: no message (each instance's failure was reported already)", () => {
        const run = triage(runs.test, [install("FAILED", 2)]);
        assert.deepStrictEqual(messages(run), []);
        assert.deepStrictEqual(run.outputs, { "ReportTasksThatNeverStarted.Reported": 0 });
    });

    it("two tasks, one never started: one message, naming that one", () => {
        const scan: Task = {
            ...install("FAILED", 0, NEVER_STARTED),
            id: T(2),
            priority: 2,
            document: "AWS-RunPatchBaseline",
        };
        const run = triage(runs.test, [install("FAILED", 1), scan]);
        assert.deepStrictEqual(
            messages(run).map((m) => m.Message.match(/task (\S+) \(/)![1]),
            [T(2)],
        );
    });

    it("Runbook mode (prod): the gate task ran, the per-instance task never started: one message naming PatchInstance", () => {
        const gate: Task = {
            id: T(1),
            status: "SUCCESS",
            type: "AUTOMATION",
            document: "OELabIPM-Prod-PatchGate",
            priority: 1,
            details: "",
            invocations: 1,
        };
        const each: Task = {
            id: T(2),
            status: "FAILED",
            type: "AUTOMATION",
            document: "OELabIPM-Prod-PatchInstance",
            priority: 2,
            details: NEVER_STARTED,
            invocations: 0,
        };
        const run = triage(runs.prod, [gate, each]);
        assert.deepStrictEqual(
            messages(run).map((m) => [m.TopicArn, m.Subject, m.Message.split(" ended ")[0]]),
            [
                [
                    topic("prod"),
                    "[oe-lab-ipm/prod] A maintenance window task never started",
                    `[oe-lab-ipm/prod] Maintenance window ${WINDOW} (execution ${RUN}): task ${T(2)} (AUTOMATION OELabIPM-Prod-PatchInstance, priority 2)`,
                ],
            ],
        );
        // The gate closed (its runbook failed on its one invocation; runbook-failed reported it) and the
        // per-instance runbook failed on an instance: nothing more to say.
        const closed = triage(runs.prod, [
            { ...gate, status: "FAILED" },
            { ...each, invocations: 1 },
        ]);
        assert.deepStrictEqual(messages(closed), []);
    });

    it("invocations refused before Run Command or Automation ran them (no ExecutionId): one message, with their reason", () => {
        const passRole =
            "User: arn:aws:sts::123456789012:assumed-role/SSMMaintenanceWindowRole-Prod/ssm is not authorized to perform: iam:PassRole (example text)";
        const each: Task = {
            id: T(2),
            status: "FAILED",
            type: "AUTOMATION",
            document: "OELabIPM-Prod-PatchInstance",
            priority: 2,
            details: "Example: 2 of 2 invocations failed.",
            invocations: 0,
            refused: { count: 2, details: passRole },
        };
        const run = triage(runs.prod, [each]);
        assert.deepStrictEqual(
            messages(run).map((m) => m.Message.split(" without starting on any target: ")[1]?.split(". Check")[0]),
            [passRole],
        );
    });

    it("the script's calls are exactly the permission table's (tests/windowTriage.spec.ts holds the role to the table)", () => {
        const table = JSON.parse(
            fs.readFileSync(path.join(PROJECT_ROOT, "tests", "fixtures", "triage-permissions.json"), "utf8"),
        );
        const run = triage(runs.test, [install("FAILED", 0, NEVER_STARTED)]);
        assert.deepStrictEqual(
            [...new Set(run.calls.map((c) => `${c.service}:${c.operation}`))].sort(),
            table.calls.map((c: { call: string }) => c.call).sort(),
        );
    });
});
