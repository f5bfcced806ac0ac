/**
 * One Automation execution, followed as `ops install` follows a command: started once
 * (StartAutomationExecution with a fresh ClientToken, its idempotency token that "can't be reused":
 * an SDK retry resends it, so it cannot start a second execution), polled with backoff
 * (GetAutomationExecution; its StepExecutions, and when AWS says they are truncated, every page of
 * DescribeAutomationStepExecutions), each step's new status printed
 * on stderr, and stopped (StopAutomationExecution, Type Cancel) when the run is stopped.
 * API reference: StartAutomationExecution, GetAutomationExecution ("StepExecutionsTruncated ... If
 * true, use the DescribeAutomationStepExecutions API operation to get the full list of step
 * executions"), DescribeAutomationStepExecutions (MaxResults 1-50), StopAutomationExecution.
 */
import {
    AutomationExecution,
    DescribeAutomationStepExecutionsCommand,
    GetAutomationExecutionCommand,
    SSMClient,
    StartAutomationExecutionCommand,
    StepExecution,
    StopAutomationExecutionCommand,
} from "@aws-sdk/client-ssm";
import { randomUUID } from "crypto";
import { AwsCallError, call, describeCause, EXIT, OpsError } from "./aws";
import { Io } from "./output";
import { allPages, backoff, PollDelays, Run } from "./run";

/** AutomationExecutionStatus values after which nothing changes any more (API reference, AutomationExecution). */
export const AUTOMATION_TERMINAL = new Set([
    "Success",
    "CompletedWithSuccess",
    "Failed",
    "CompletedWithFailure",
    "TimedOut",
    "Cancelled",
    "Rejected",
    "Exited",
    "ChangeCalendarOverrideRejected",
]);
const SUCCEEDED = new Set(["Success", "CompletedWithSuccess"]);

/** An execution this CLI started, as last read. */
export interface Tracked {
    /** What it runs for: `gate` or the instance id. */
    readonly label: string;
    readonly id: string;
    status: string;
    /** Each step's last status, by step name, in the document's order. */
    readonly steps: Map<string, string>;
    failedStep?: string;
    failure?: string;
    /** The document's outputs (`TakeRestorePoint.RecoveryPointArn`) and the steps' outputs. */
    outputs: Record<string, string[]>;
}

export const succeeded = (t: Tracked) => SUCCEEDED.has(t.status);
export const terminal = (t: Tracked) => AUTOMATION_TERMINAL.has(t.status);

/** Starts `document` with `parameters`: the execution to follow. */
export async function startAutomation(
    ssm: SSMClient,
    label: string,
    document: string,
    parameters: Record<string, string[]>,
): Promise<Tracked> {
    const input = { DocumentName: document, Parameters: parameters, ClientToken: randomUUID() };
    // Not cut short by Ctrl-C: once sent, the CLI must learn the execution's id to be able to stop it.
    const started = await call("ssm:StartAutomationExecution", () =>
        ssm.send(new StartAutomationExecutionCommand(input)),
    );
    if (!started.AutomationExecutionId)
        throw new OpsError("ssm:StartAutomationExecution returned no execution id", EXIT.aws);
    return { label, id: started.AutomationExecutionId, status: "Pending", steps: new Map(), outputs: {} };
}

/** Every step of an execution: its own list, or every page of DescribeAutomationStepExecutions when truncated. */
async function stepsOf(ssm: SSMClient, execution: AutomationExecution, run: Run): Promise<StepExecution[]> {
    if (!execution.StepExecutionsTruncated) return execution.StepExecutions ?? [];
    return allPages(
        "ssm:DescribeAutomationStepExecutions",
        (token) =>
            ssm.send(
                new DescribeAutomationStepExecutionsCommand({
                    AutomationExecutionId: execution.AutomationExecutionId!,
                    MaxResults: 50,
                    NextToken: token,
                }),
                { abortSignal: run.signal },
            ),
        (page) => page.StepExecutions,
    );
}

/** Reads the execution once, printing each step whose status changed. */
async function readOnce(ssm: SSMClient, t: Tracked, run: Run, io: Io): Promise<void> {
    const got = await call("ssm:GetAutomationExecution", () =>
        ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: t.id }), { abortSignal: run.signal }),
    );
    const execution = got.AutomationExecution ?? {};
    for (const step of await stepsOf(ssm, execution, run)) {
        const name = step.StepName ?? "?";
        const status = step.StepStatus ?? "Pending";
        if (t.steps.get(name) !== status) {
            const why = status === "Failed" && step.FailureMessage ? `: ${step.FailureMessage}` : "";
            io.err(`  ${t.label} ${name}: ${status}${why}\n`);
        }
        t.steps.set(name, status);
        for (const [key, values] of Object.entries(step.Outputs ?? {})) t.outputs[`${name}.${key}`] = values;
        if (["Failed", "TimedOut", "Cancelled"].includes(status) && t.failedStep === undefined) {
            t.failedStep = name;
            t.failure = step.FailureMessage;
        }
    }
    Object.assign(t.outputs, execution.Outputs ?? {});
    t.status = execution.AutomationExecutionStatus ?? t.status;
    if (execution.FailureMessage && !SUCCEEDED.has(t.status)) t.failure = t.failure ?? execution.FailureMessage;
}

/** Polls until the execution is terminal or the run is stopped (then it is still running). */
export async function follow(ssm: SSMClient, t: Tracked, run: Run, delays: PollDelays, io: Io): Promise<void> {
    for (let attempt = 0; !run.stopped; attempt++) {
        try {
            await readOnce(ssm, t, run, io);
        } catch (error) {
            if (run.stopped) return;
            throw new OpsError(
                `${describeCause(error as AwsCallError)}\nExecution ${t.id} (${t.label}) goes on in AWS without this CLI. Follow it: aws ssm get-automation-execution --automation-execution-id ${t.id}; stop it: aws ssm stop-automation-execution --automation-execution-id ${t.id} --type Cancel`,
                EXIT.aws,
            );
        }
        if (terminal(t)) return;
        await run.sleep(backoff(delays, attempt));
    }
}

/**
 * Ctrl-C or --timeout: StopAutomationExecution (Type Cancel) on every execution still running, saying
 * which were stopped and which could not be.
 */
export async function stopAll(ssm: SSMClient, executions: Tracked[], run: Run, io: Io): Promise<void> {
    for (const t of executions.filter((e) => !terminal(e))) {
        try {
            await call("ssm:StopAutomationExecution", () =>
                ssm.send(new StopAutomationExecutionCommand({ AutomationExecutionId: t.id, Type: "Cancel" })),
            );
            t.status = "Cancelling";
            io.err(`${run.describe()}: stopped execution ${t.id} (${t.label}) (ssm:StopAutomationExecution Cancel)\n`);
        } catch (error) {
            io.err(
                `${run.describe()}: execution ${t.id} (${t.label}) could not be stopped: ${describeCause(error as AwsCallError)}. Stop it: aws ssm stop-automation-execution --automation-execution-id ${t.id} --type Cancel\n`,
            );
        }
    }
}
