/**
 * The Systems Manager half of the fake endpoint (fakeAws.ts): a fleet of managed instances tagged
 * like the test stack's, Run Command with commands that progress over time, patch and inventory
 * data per instance. Shapes and limits follow botocore's ssm/2014-11-06/service-2.json.
 */
import { randomUUID } from "crypto";
import { validateRequest } from "../tools/contract/models";
import { FakeOptions, INSTANCE_ID, ServiceError } from "./fakeAws";

const TERMINAL = new Set(["Success", "Failed", "TimedOut", "Cancelled"]);
const TAGS = { Environment: "OELabIPM", Workload: "Test" };

interface FakeCommand {
    readonly id: string;
    readonly input: Record<string, any>;
    readonly requested: number;
    readonly targets: number[];
    cancelledAt?: number;
    /** ListCommandInvocations pages served for it (the status race). */
    pages: number;
}

/** An Automation execution (ops install on a Runbook stack): running for commandMs, then Success. */
interface FakeAutomation {
    readonly id: string;
    readonly input: Record<string, any>;
    readonly started: number;
    stoppedAt?: number;
}

export class SsmState {
    readonly commands: FakeCommand[] = [];
    readonly automations: FakeAutomation[] = [];
    readonly terminated: Set<number>;
    constructor(readonly options: FakeOptions) {
        this.terminated = new Set(options.terminated ?? []);
    }
    get size(): number {
        return this.options.instances;
    }
    role(i: number): string {
        return i % 2 === 0 ? "WebServer" : "AppServer";
    }
    /** Invocation statuses of a command now. */
    invocations(command: FakeCommand): { instance: number; status: string }[] {
        const race = this.options.finishAfterInvocationPages;
        const elapsed = (command.cancelledAt ?? Date.now()) - command.requested;
        const duration = this.options.commandMs ?? 0;
        const n = command.targets.length;
        const raced = race !== undefined && command.pages >= race;
        const done = raced || elapsed >= duration ? n : race !== undefined ? 0 : Math.floor((elapsed / duration) * n);
        return command.targets.map((instance, k) => {
            const finished =
                k < done
                    ? (this.options.failing ?? []).includes(instance)
                        ? "Failed"
                        : "Success"
                    : k === done
                      ? "InProgress"
                      : "Pending";
            return {
                instance,
                status: command.cancelledAt !== undefined && !TERMINAL.has(finished) ? "Cancelled" : finished,
            };
        });
    }
    status(command: FakeCommand): string {
        const statuses = this.invocations(command).map((i) => i.status);
        if (command.cancelledAt !== undefined) return "Cancelled";
        if (!statuses.every((s) => TERMINAL.has(s)))
            return statuses.some((s) => s !== "Pending") ? "InProgress" : "Pending";
        return statuses.every((s) => s === "Success") ? "Success" : "Failed";
    }
}

function page<T>(
    items: T[],
    input: Record<string, any>,
    range: [number, number],
    defaultSize = range[1],
): { items: T[]; NextToken?: string } {
    const size = input.MaxResults ?? defaultSize;
    if (size < range[0] || size > range[1]) {
        throw new ServiceError(
            "ValidationException",
            `1 validation error detected: Value '${size}' at 'maxResults' failed to satisfy constraint: Member must have value between ${range[0]} and ${range[1]}`,
        );
    }
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const end = start + size;
    return { items: items.slice(start, end), ...(end < items.length ? { NextToken: String(end) } : {}) };
}

function matches(state: SsmState, i: number, filters: { Key: string; Values: string[] }[] = []): boolean {
    const tags: Record<string, string> = { ...TAGS, InstanceRole: state.role(i) };
    return filters.every((f) => !f.Key.startsWith("tag:") || f.Values.includes(tags[f.Key.slice(4)]));
}

function instanceIndex(state: SsmState, id: string): number {
    const i = Number.parseInt(id.slice(3), 16);
    if (!/^i-0[0-9a-f]{16}$/.test(id) || i >= state.size || state.terminated.has(i)) {
        throw new ServiceError(
            "InvalidInstanceId",
            `Instance Id ${id} is not valid: the managed node isn't in a valid state (Shutting-down, Terminated).`,
        );
    }
    return i;
}

function commandView(state: SsmState, c: FakeCommand) {
    const invocations = state.invocations(c);
    const done = invocations.filter((i) => TERMINAL.has(i.status));
    return {
        CommandId: c.id,
        DocumentName: c.input.DocumentName,
        Comment: c.input.Comment,
        Parameters: c.input.Parameters,
        Targets: c.input.Targets,
        MaxConcurrency: c.input.MaxConcurrency,
        MaxErrors: c.input.MaxErrors,
        RequestedDateTime: c.requested / 1000,
        Status: state.status(c),
        TargetCount: c.targets.length,
        CompletedCount: done.length,
        ErrorCount: done.filter((i) => i.status !== "Success" && i.status !== "Cancelled").length,
        DeliveryTimedOutCount: 0,
    };
}

function patches(i: number) {
    const severities = ["Critical", "Important", "Medium"];
    return Array.from({ length: 3 + (i % 4) }, (_, k) => ({
        Title: `patch-${k}`,
        KBId: `pkg-${k}`,
        Classification: "Security",
        Severity: severities[(i + k) % 3],
        State: k < i % 3 ? "MISSING" : "INSTALLED",
        InstalledTime: 1764000000,
    }));
}

function applications(i: number) {
    return Array.from({ length: 2 + (i % 3) }, (_, k) => ({
        Name: ["amazon-ssm-agent", "openssl", "httpd", "curl"][k],
        Version: `1.${k}.${i % 5}`,
    }));
}

export function ssmHandler(state: SsmState, operation: string, input: Record<string, any>): object {
    const live = Array.from({ length: state.size }, (_, i) => i);
    switch (operation) {
        case "DescribeInstanceInformation": {
            const { items, NextToken } = page(
                live.filter((i) => matches(state, i, input.Filters)),
                input,
                [5, 50],
            );
            const list = items.map((i) => ({
                InstanceId: INSTANCE_ID(i),
                ComputerName: `ip-10-0-${i >> 8}-${i & 255}`,
                PingStatus: "Online",
                LastPingDateTime: Date.now() / 1000,
                PlatformName: "Amazon Linux",
                PlatformVersion: "2023",
                AgentVersion: "3.3.987.0",
            }));
            return { InstanceInformationList: list, NextToken };
        }
        case "SendCommand": {
            if ((input.Comment ?? "").length > 100)
                throw new ServiceError(
                    "ValidationException",
                    "Comment: Member must have length less than or equal to 100",
                );
            if (!/^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/.test(input.MaxErrors ?? "0"))
                throw new ServiceError("ValidationException", "MaxErrors: pattern");
            const targets = live.filter((i) => !state.terminated.has(i) && matches(state, i, input.Targets));
            const command: FakeCommand = { id: randomUUID(), input, requested: Date.now(), targets, pages: 0 };
            state.commands.push(command);
            return { Command: commandView(state, command) };
        }
        case "ListCommands": {
            const after = (input.Filters ?? []).find((f: { key: string }) => f.key === "InvokedAfter");
            const found = state.commands.filter(
                (c) =>
                    (!input.CommandId || c.id === input.CommandId) &&
                    (!after || c.requested >= Date.parse(after.value)),
            );
            if (input.CommandId && found.length === 0) throw new ServiceError("InvalidCommandId", "");
            const { items, NextToken } = page(found, input, [1, 50]);
            return { Commands: items.map((c) => commandView(state, c)), NextToken };
        }
        case "ListCommandInvocations": {
            const command = state.commands.find((c) => c.id === input.CommandId);
            if (!command) throw new ServiceError("InvalidCommandId", "");
            const { items, NextToken } = page(state.invocations(command), input, [1, 50]);
            command.pages++;
            const list = items.map((i) => ({
                CommandId: command.id,
                InstanceId: INSTANCE_ID(i.instance),
                InstanceName: "",
                Status: i.status,
                StatusDetails: i.status,
            }));
            return { CommandInvocations: list, NextToken };
        }
        case "CancelCommand": {
            const command = state.commands.find((c) => c.id === input.CommandId);
            if (!command) throw new ServiceError("InvalidCommandId", "");
            command.cancelledAt ??= Date.now();
            return {};
        }
        case "DescribeInstancePatches": {
            const { items, NextToken } = page(patches(instanceIndex(state, input.InstanceId)), input, [10, 100]);
            return { Patches: items, NextToken };
        }
        case "DescribeInstancePatchStates": {
            if ((input.InstanceIds ?? []).length > 50)
                throw new ServiceError(
                    "ValidationException",
                    "InstanceIds: Member must have length less than or equal to 50",
                );
            const ids: string[] = (input.InstanceIds as string[]).filter(
                (id) => !state.terminated.has(Number.parseInt(id.slice(3), 16)),
            );
            const { items, NextToken } = page(ids, input, [10, 100]);
            const states = items.map((id) => {
                const missing = patches(Number.parseInt(id.slice(3), 16)).filter((p) => p.State === "MISSING").length;
                return {
                    InstanceId: id,
                    PatchGroup: "Critical",
                    BaselineId: "pb-0",
                    Operation: "Scan",
                    MissingCount: missing,
                    InstalledCount: 3,
                    FailedCount: 0,
                    CriticalNonCompliantCount: missing,
                };
            });
            return { InstancePatchStates: states, NextToken };
        }
        case "ListInventoryEntries": {
            const name = (input.Filters ?? []).find((f: { Key: string }) => f.Key === "Name")?.Values?.[0];
            const apps = applications(instanceIndex(state, input.InstanceId)).filter((a) => !name || a.Name === name);
            const { items, NextToken } = page(apps, input, [1, 50]);
            return { TypeName: input.TypeName, InstanceId: input.InstanceId, Entries: items, NextToken };
        }
        case "ListResourceComplianceSummaries": {
            const ids = live.filter((i) => !state.terminated.has(i));
            const { items, NextToken } = page(ids, input, [1, 50]);
            const summaries = items.map((i) => ({
                ResourceId: INSTANCE_ID(i),
                ResourceType: "ManagedInstance",
                ComplianceType: "Patch",
                Status: i % 3 === 0 ? "COMPLIANT" : "NON_COMPLIANT",
            }));
            return { ResourceComplianceSummaryItems: summaries, NextToken };
        }
        case "StartAutomationExecution":
        case "GetAutomationExecution":
        case "StopAutomationExecution":
            return automation(state, operation, input);
        default:
            throw new ServiceError("UnknownOperationException", `${operation} is not implemented by the fake`);
    }
}

/** Automation's start, read and stop, each request held against botocore's model first. */
function automation(state: SsmState, operation: string, input: Record<string, any>): object {
    const violations = validateRequest("ssm", operation, input);
    if (violations.length > 0) throw new ServiceError("ValidationException", JSON.stringify(violations));
    if (operation === "StartAutomationExecution") {
        const id = randomUUID();
        state.automations.push({ id, input, started: Date.now() });
        return { AutomationExecutionId: id };
    }
    const e = state.automations.find((a) => a.id === input.AutomationExecutionId);
    if (!e) throw new ServiceError("AutomationExecutionNotFoundException", "There is no automation execution");
    if (operation === "StopAutomationExecution") {
        e.stoppedAt ??= Date.now();
        return {};
    }
    const done = Date.now() - e.started >= (state.options.commandMs ?? 0);
    const status = e.stoppedAt !== undefined ? "Cancelled" : done ? "Success" : "InProgress";
    return {
        AutomationExecution: {
            AutomationExecutionId: e.id,
            DocumentName: e.input.DocumentName,
            AutomationExecutionStatus: status,
            StepExecutions: [{ StepName: "TakeRestorePoint", Action: "aws:executeAwsApi", StepStatus: status }],
            StepExecutionsTruncated: false,
        },
    };
}
