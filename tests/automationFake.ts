/**
 * Systems Manager Automation as `ops install` sees it on a Runbook stack, on the mocked SSM client
 * (opsFixtures.ts): StartAutomationExecution starts an execution that follows a script (its steps and
 * how it ends), GetAutomationExecution reports it in the API's shape (AutomationExecution with
 * AutomationExecutionStatus, StepExecutions with StepName, StepStatus, FailureMessage, Outputs as
 * lists of strings; FailureMessage; Outputs `<Step>.<Output>`), DescribeAutomationStepExecutions pages
 * its steps (MaxResults 1-50) when an execution says its list is truncated, StopAutomationExecution
 * cancels it. Every request is held against botocore's model (tools/contract/models.ts) first.
 */
import {
    DescribeAutomationStepExecutionsCommand,
    GetAutomationExecutionCommand,
    StartAutomationExecutionCommand,
    StopAutomationExecutionCommand,
} from "@aws-sdk/client-ssm";
import { validateRequest } from "../tools/contract/models";
import { ssm } from "./opsFixtures";

export interface ScriptStep {
    readonly name: string;
    readonly status: "Success" | "Failed" | "Cancelled" | "Pending";
    readonly failure?: string;
    readonly outputs?: Record<string, string[]>;
}

/** How an execution goes: its steps once it ends, its final status; `hang`: it never ends by itself. */
export interface Script {
    readonly steps: ScriptStep[];
    readonly status: string;
    readonly failure?: string;
    readonly hang?: boolean;
    /** GetAutomationExecution says its step list is truncated: the steps come from DescribeAutomationStepExecutions. */
    readonly truncated?: boolean;
}

interface Execution {
    readonly id: string;
    readonly document: string;
    readonly parameters: Record<string, string[]>;
    readonly script: Script;
    reads: number;
    stopped: boolean;
}

export class AutomationFake {
    readonly executions: Execution[] = [];
    /** Every request, in order: `Operation` and its input. */
    readonly requests: { operation: string; input: any }[] = [];
    /** What happened, in order: `start <label>`, `stop <label>`. */
    readonly log: string[] = [];
    /** Called on every GetAutomationExecution (after the read is counted): a spec can press Ctrl-C there. */
    onRead?: (execution: Execution) => void;

    constructor(private readonly scriptOf: (document: string, parameters: Record<string, string[]>) => Script) {
        this.install();
    }

    private record(operation: string, input: object): any {
        const request = JSON.parse(JSON.stringify(input));
        this.requests.push({ operation, input: request });
        const violations = validateRequest("ssm", operation, request);
        if (violations.length > 0) throw new Error(`ValidationException: ${JSON.stringify(violations)}`);
        return request;
    }

    private find(id: string): Execution {
        const e = this.executions.find((x) => x.id === id);
        if (!e) throw Object.assign(new Error(`${id} not found`), { name: "AutomationExecutionNotFoundException" });
        return e;
    }

    private label(e: Execution): string {
        return e.parameters.InstanceId?.[0] ?? "gate";
    }

    /** The execution as AWS reports it now: running for its first read (its first step running), then its end. */
    view(e: Execution) {
        const ended = !e.script.hang && e.reads >= 2;
        const status = e.stopped ? "Cancelled" : ended ? e.script.status : "InProgress";
        const steps: { name: string; status: string; failure?: string; outputs?: Record<string, string[]> }[] = ended
            ? e.script.steps
            : [{ name: e.script.steps[0].name, status: e.stopped ? "Cancelled" : "InProgress" }];
        const StepExecutions = steps.map((s) => ({
            StepName: s.name,
            Action: "aws:executeAwsApi",
            StepStatus: s.status,
            ...(s.failure ? { FailureMessage: s.failure } : {}),
            ...(s.outputs ? { Outputs: s.outputs } : {}),
        }));
        const outputs = Object.fromEntries(
            steps.flatMap((s) => Object.entries(s.outputs ?? {}).map(([k, v]) => [`${s.name}.${k}`, v])),
        );
        return { status, StepExecutions, outputs };
    }

    /** StartAutomationExecution's answer (a spec that injects a refusal calls it for the other starts). */
    startFor(input: object): { AutomationExecutionId: string } {
        const r = this.record("StartAutomationExecution", input);
        const id = `0000000${this.executions.length + 1}-1111-4222-8333-444455556666`;
        const e = {
            id,
            document: r.DocumentName,
            parameters: r.Parameters,
            script: this.scriptOf(r.DocumentName, r.Parameters),
            reads: 0,
            stopped: false,
        };
        this.executions.push(e);
        this.log.push(`start ${this.label(e)}`);
        return { AutomationExecutionId: id };
    }

    private install(): void {
        ssm.on(StartAutomationExecutionCommand).callsFake((input) => this.startFor(input));
        ssm.on(GetAutomationExecutionCommand).callsFake((input) => {
            const e = this.find(this.record("GetAutomationExecution", input).AutomationExecutionId);
            e.reads++;
            this.onRead?.(e);
            const v = this.view(e);
            return {
                AutomationExecution: {
                    AutomationExecutionId: e.id,
                    DocumentName: e.document,
                    AutomationExecutionStatus: v.status,
                    StepExecutions: e.script.truncated ? v.StepExecutions.slice(0, 1) : v.StepExecutions,
                    StepExecutionsTruncated: e.script.truncated === true,
                    Outputs: v.outputs,
                    ...(v.status === "Failed" && e.script.failure ? { FailureMessage: e.script.failure } : {}),
                },
            };
        });
        ssm.on(DescribeAutomationStepExecutionsCommand).callsFake((input) => {
            const r = this.record("DescribeAutomationStepExecutions", input);
            const steps = this.view(this.find(r.AutomationExecutionId)).StepExecutions;
            const start = Number(r.NextToken ?? 0);
            const size = Math.min(r.MaxResults ?? 50, 2); // two a page here, so that a spec sees paging
            const end = start + size;
            return {
                StepExecutions: steps.slice(start, end),
                ...(end < steps.length ? { NextToken: String(end) } : {}),
            };
        });
        ssm.on(StopAutomationExecutionCommand).callsFake((input) => {
            const e = this.find(this.record("StopAutomationExecution", input).AutomationExecutionId);
            e.stopped = true;
            this.log.push(`stop ${this.label(e)}`);
            return {};
        });
    }
}

/** The per-instance runbook's steps on a gated stack (components/runbookDocuments.ts instanceRunbook). */
export const INSTANCE_STEPS = [
    "ReadGateDecision",
    "CheckGateDecision",
    "TakeRestorePoint",
    "WaitForRestorePoint",
    "AssertRestorePointCompleted",
    "InstallPatches",
    "WaitForAgentOnline",
];

export const recoveryPoint = (n: number) => `arn:aws:ec2:ap-northeast-1::image/ami-0123456789abcdef${n}`;

/** A healthy instance's execution: every step succeeded, the restore point in TakeRestorePoint's outputs. */
export function healthy(n: number): Script {
    return {
        status: "Success",
        steps: INSTANCE_STEPS.filter((s) => s !== "GateClosedNothingChanged").map((name) => ({
            name,
            status: "Success" as const,
            ...(name === "TakeRestorePoint"
                ? { outputs: { RecoveryPointArn: [recoveryPoint(n)], BackupJobId: [`job-${n}`] } }
                : {}),
        })),
    };
}

/** An instance unhealthy after the reboot: the install step's post-reboot hook failed. */
export function unhealthy(n: number): Script {
    const ok = healthy(n).steps.slice(0, 5);
    const failure =
        "Step fails when it is Poll action status for completion. Command ended with status Failed: unhealthy: http://localhost/ answered 503";
    return {
        status: "Failed",
        failure,
        steps: [
            ...ok,
            { name: "InstallPatches", status: "Failed", failure },
            { name: "WaitForAgentOnline", status: "Pending" },
        ],
    };
}
