/**
 * A fake account for the patch runbook (tests/runbook.spec.ts): the APIs its steps call, each request
 * held against botocore's model (tools/contract/models.ts) before it is answered in the API's own
 * response shape (AWS API references: GetParameter, PutParameter, DescribeMaintenanceWindows,
 * DescribeMaintenanceWindowExecutions — timestamps are epoch seconds on the wire —, DescribePatchGroupState,
 * DescribeInstanceInformation; AWS Backup StartBackupJob, DescribeBackupJob). aws:runCommand runs
 * AWS-RunPatchBaselineWithHooks' order (AWS doc "SSM Command document for patching:
 * AWS-RunPatchBaselineWithHooks": pre-install hook, install with NoReboot, post-install hook, reboot
 * if needed, on-exit hook) and executes the stack's real on-exit hook: its Linux script with bash
 * (systemctl and curl stubbed), its Windows script by what it checks.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { validateRequest } from "../tools/contract/models";
import type { Service } from "../tools/contract/models";
import { Execution, Fakes, runAutomation } from "./runbookInterpreter";

export interface FakeInstance {
    readonly platform: "Linux" | "Windows";
    /** httpd (Linux) or W3SVC (Windows) runs on it. */
    readonly webServer: boolean;
    /** The HTTP status it answers on localhost after the reboot. */
    readonly httpStatus: number;
    /** Whether its agent comes back Online after the reboot. */
    readonly agentBack?: boolean;
    /** The patch installation itself fails. */
    readonly installFails?: boolean;
}

export interface RingState {
    readonly windowName: string;
    /** The earlier ring's window runs (finished and running), as DescribeMaintenanceWindowExecutions lists them. */
    readonly executions: { Status: string; daysAgo: number }[];
    readonly failedInstances?: number;
    readonly criticalNonCompliant?: number;
}

export interface AccountOptions {
    readonly instances: Record<string, FakeInstance>;
    readonly ring?: RingState;
    readonly approval?: "Approved" | "Rejected" | "TimedOut";
    /** StartBackupJob refuses, or the job ends in this state. */
    readonly backup?: "refused" | "FAILED" | "COMPLETED";
    /** The stack's on-exit hook document (content of `<prefix>HealthCheck`). */
    readonly hookDocument: Record<string, unknown>;
    readonly hookDocumentName: string;
}

const NOW = Math.floor(Date.now() / 1000);

export class FakeAccount {
    readonly calls: { service: string; api: string; input: Record<string, unknown> }[] = [];
    readonly parameters = new Map<string, string>();
    readonly backupJobs = new Map<string, { instance: string; tags: Record<string, string> }>();
    /** Instances whose patches were installed. */
    readonly installed: string[] = [];
    readonly rebooted: string[] = [];
    readonly approvals: Record<string, unknown>[] = [];

    constructor(private readonly options: AccountOptions) {}

    readonly fakes: Fakes = {
        api: (service, api, input) => this.api(service, api, input),
        approve: (inputs) => {
            this.approvals.push(inputs);
            return this.options.approval ?? "TimedOut";
        },
        runCommand: (inputs) => this.runCommand(inputs),
    };

    private api(service: string, api: string, input: Record<string, unknown>): unknown {
        this.calls.push({ service, api, input });
        const violations = validateRequest(service as Service, api, input);
        if (violations.length > 0) throw new Error(`ValidationException: ${JSON.stringify(violations)}`);
        const ring = this.options.ring;
        switch (`${service}:${api}`) {
            case "ssm:GetParameter": {
                const value = this.parameters.get(String(input.Name));
                if (value === undefined) throw new Error("ParameterNotFound");
                return { Parameter: { Name: input.Name, Type: "String", Value: value, Version: 1 } };
            }
            case "ssm:PutParameter":
                this.parameters.set(String(input.Name), String(input.Value));
                return { Version: 2, Tier: "Standard" };
            case "ssm:DescribeMaintenanceWindows": {
                const name = (input.Filters as { Values: string[] }[])[0].Values[0];
                return {
                    WindowIdentities:
                        ring && ring.windowName === name
                            ? [{ WindowId: "mw-0123456789abcdef0", Name: name, Enabled: true, Duration: 1, Cutoff: 0 }]
                            : [],
                };
            }
            case "ssm:DescribeMaintenanceWindowExecutions":
                return {
                    WindowExecutions: (ring?.executions ?? []).map((e, i) => ({
                        WindowId: input.WindowId,
                        WindowExecutionId: `0000000${i}-aaaa-bbbb-cccc-dddddddddddd`,
                        Status: e.Status,
                        StartTime: NOW - e.daysAgo * 86400 - 3600,
                        ...(e.Status === "IN_PROGRESS" ? {} : { EndTime: NOW - e.daysAgo * 86400 }),
                    })),
                };
            case "ssm:DescribePatchGroupState":
                return {
                    Instances: 2,
                    InstancesWithFailedPatches: ring?.failedInstances ?? 0,
                    InstancesWithCriticalNonCompliantPatches: ring?.criticalNonCompliant ?? 0,
                    InstancesWithSecurityNonCompliantPatches: 0,
                };
            case "ssm:DescribeInstanceInformation": {
                const id = (input.Filters as { Values: string[] }[])[0].Values[0];
                const back = this.options.instances[id]?.agentBack ?? true;
                return {
                    InstanceInformationList: [{ InstanceId: id, PingStatus: back ? "Online" : "ConnectionLost" }],
                };
            }
            case "backup:StartBackupJob": {
                if (this.options.backup === "refused") throw new Error("InvalidParameterValueException");
                const id = `job-${this.backupJobs.size + 1}`;
                const instance = String(input.ResourceArn).split("/").pop()!;
                this.backupJobs.set(id, { instance, tags: input.RecoveryPointTags as Record<string, string> });
                return {
                    BackupJobId: id,
                    RecoveryPointArn: `arn:aws:ec2:ap-northeast-1::image/ami-0${this.backupJobs.size}abcdef01234567`,
                    CreationDate: NOW,
                };
            }
            case "backup:DescribeBackupJob":
                return { BackupJobId: input.BackupJobId, State: this.options.backup ?? "COMPLETED" };
            default:
                throw new Error(`the fake account does not answer ${service}:${api}`);
        }
    }

    private runCommand(inputs: Record<string, unknown>): { status: "Success" | "Failed"; output: string } {
        const id = (inputs.InstanceIds as string[])[0];
        const instance = this.options.instances[id];
        const p = inputs.Parameters as Record<string, string>;
        if (inputs.DocumentName !== "AWS-RunPatchBaselineWithHooks")
            throw new Error(`unexpected ${inputs.DocumentName}`);
        if (p.OnExitHookDocName !== this.options.hookDocumentName) throw new Error(`hook ${p.OnExitHookDocName}`);
        if (instance.installFails) return { status: "Failed", output: "Patch installation failed" };
        this.installed.push(id);
        if (p.RebootOption === "RebootIfNeeded") this.rebooted.push(id);
        const hook = runHook(this.options.hookDocument, instance);
        return hook.ok ? { status: "Success", output: hook.output } : { status: "Failed", output: hook.output };
    }
}

/** The on-exit hook's step for the instance's platform (its precondition), run as the agent would. */
function runHook(document: Record<string, unknown>, instance: FakeInstance): { ok: boolean; output: string } {
    const steps = document.mainSteps as {
        action: string;
        precondition: { StringEquals: string[] };
        inputs: { runCommand: string[] };
    }[];
    const step = steps.find((s) => s.precondition.StringEquals[1] === instance.platform)!;
    if (step.action === "aws:runShellScript") {
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), "hook-"));
        fs.writeFileSync(path.join(bin, "systemctl"), `#!/bin/sh\nexit ${instance.webServer ? 0 : 1}\n`, {
            mode: 0o755,
        });
        fs.writeFileSync(path.join(bin, "curl"), `#!/bin/sh\nprintf '%s' '${instance.httpStatus}'\n`, { mode: 0o755 });
        const run = spawnSync("bash", ["-c", step.inputs.runCommand.join("\n")], {
            encoding: "utf8",
            env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
        });
        fs.rmSync(bin, { recursive: true });
        return { ok: run.status === 0, output: run.stdout.trim() };
    }
    // PowerShell is not on these machines: the script's three cases, as it checks them.
    const script = step.inputs.runCommand.join("\n");
    if (!script.includes("W3SVC") || !script.includes("-ne 200")) throw new Error("the Windows hook changed");
    if (!instance.webServer) return { ok: true, output: "no web server here" };
    return instance.httpStatus === 200
        ? { ok: true, output: "healthy" }
        : { ok: false, output: `unhealthy: ${instance.httpStatus}` };
}

export interface WindowRun {
    readonly gate?: Execution;
    /** Per instance, the runbook's execution; instances the window never reached are missing. */
    readonly instances: Record<string, Execution>;
    /** The Automation executions that ended Failed or TimedOut: each is one Automation status-change event. */
    readonly failedExecutions: number;
}

/**
 * One maintenance window run: the target-less gate task (priority 1) first, then the per-instance task
 * (priority 2) on each target one at a time, stopping once more than MaxErrors executions failed
 * (StartAutomationExecution MaxErrors: "If you specify 0, then the system stops running the automation
 * on additional targets after the first error result is returned").
 */
export function runWindow(
    documents: { instance: Record<string, unknown>; gate?: Record<string, unknown> },
    account: FakeAccount,
    targets: string[],
    maxErrors: number,
    windowExecutionId = "11111111-2222-3333-4444-555555555555",
): WindowRun {
    const gate =
        documents.gate && runAutomation(documents.gate, { WindowExecutionId: windowExecutionId }, account.fakes);
    const instances: Record<string, Execution> = {};
    let errors = 0;
    for (const id of targets) {
        if (errors > maxErrors) break;
        const run = runAutomation(
            documents.instance,
            { InstanceId: id, WindowExecutionId: windowExecutionId },
            account.fakes,
        );
        instances[id] = run;
        if (run.status !== "Success") errors += 1;
    }
    const all = [gate, ...Object.values(instances)].filter((e): e is Execution => e !== undefined);
    return { gate, instances, failedExecutions: all.filter((e) => e.status !== "Success").length };
}
