/**
 * `scan` and `install`: Run Command AWS-RunPatchBaseline on the stack's fleet (lab 5.4, 5.6),
 * waiting for every instance with live progress, then a summary.
 */
import {
    CommandInvocation,
    ListCommandsCommand,
    paginateListCommandInvocations,
    SendCommandCommand,
    SSMClient,
} from "@aws-sdk/client-ssm";
import { createWaiter, WaiterState } from "@smithy/core/client";
import { PATCH_DOCUMENT } from "../../components/documents";
import { RebootOption } from "../../components/patchMaintenanceWindow";
import { call, collect, EXIT, OpsError } from "./aws";
import { fleetInstances, fleetTargets, StackContext } from "./fleet";
import { Io, renderTable } from "./output";

/** Command statuses after which nothing changes any more. */
const TERMINAL = new Set(["Success", "Failed", "TimedOut", "Cancelled"]);

export interface RunOptions {
    readonly operation: "Scan" | "Install";
    readonly role?: string;
    readonly maxConcurrency: string;
    readonly maxErrors: string;
    readonly rebootOption: RebootOption;
    /** The longest the command waits, in seconds. */
    readonly timeoutSeconds: number;
}

/** How often to look: the SDK waiter's backoff between these bounds, in seconds. */
export interface PollDelays {
    readonly minDelay: number;
    readonly maxDelay: number;
}

export async function runPatchBaseline(
    context: StackContext,
    options: RunOptions,
    delays: PollDelays,
    io: Io,
): Promise<number> {
    const instances = await fleetInstances(context, options.role);
    const sent = await call("ssm:SendCommand", () =>
        context.ssm.send(
            new SendCommandCommand({
                DocumentName: PATCH_DOCUMENT,
                Targets: fleetTargets(context, options.role),
                Parameters: { Operation: [options.operation], RebootOption: [options.rebootOption] },
                MaxConcurrency: options.maxConcurrency,
                MaxErrors: options.maxErrors,
                TimeoutSeconds: 600,
                Comment: `oe-lab-ipm ${context.stack}: ${options.operation}`,
            }),
        ),
    );
    const commandId = sent.Command?.CommandId;
    if (!commandId) {
        throw new OpsError("ssm:SendCommand returned no command id", EXIT.aws);
    }
    io.err(
        `${PATCH_DOCUMENT} ${options.operation} sent to ${instances.length} instance(s) of stack "${context.stack}": command ${commandId}\n`,
    );

    const invocations = await waitForCommand(context.ssm, commandId, options.timeoutSeconds, delays, io);
    const rows = invocations.map((i) => [
        i.InstanceId ?? "",
        i.InstanceName ?? "",
        i.Status ?? "",
        i.StatusDetails ?? "",
    ]);
    io.out(renderTable(["Instance", "Name", "Status", "Details"], rows));
    const failed = invocations.filter((i) => i.Status !== "Success");
    io.out(
        `${invocations.length - failed.length} of ${invocations.length} succeeded${failed.length ? `; ${failed.length} did not (${failed.map((i) => `${i.InstanceId} ${i.Status}`).join(", ")})` : ""}.\n`,
    );
    return failed.length > 0 ? EXIT.failed : 0;
}

/**
 * Waits with the SDK's waiter (exponential backoff with jitter) until the command is done,
 * printing each instance whenever its status changes; returns the final invocations.
 */
export async function waitForCommand(
    ssm: SSMClient,
    commandId: string,
    timeoutSeconds: number,
    delays: PollDelays,
    io: Io,
): Promise<CommandInvocation[]> {
    const seen = new Map<string, string>();
    const result = await createWaiter<SSMClient, string, CommandInvocation[]>(
        { client: ssm, maxWaitTime: timeoutSeconds, minDelay: delays.minDelay, maxDelay: delays.maxDelay },
        commandId,
        async (client, id) => {
            const invocations = await collect(
                "ssm:ListCommandInvocations",
                paginateListCommandInvocations({ client }, { CommandId: id }),
                (p) => p.CommandInvocations,
            );
            for (const invocation of invocations) {
                const key = invocation.InstanceId ?? "";
                if (seen.get(key) !== invocation.Status) {
                    seen.set(key, invocation.Status ?? "");
                    io.err(`  ${key}  ${invocation.InstanceName ?? ""}  ${invocation.Status}\n`);
                }
            }
            const listed = await call("ssm:ListCommands", () =>
                client.send(new ListCommandsCommand({ CommandId: id })),
            );
            const status = listed.Commands?.[0]?.Status ?? "";
            return TERMINAL.has(status) && invocations.length > 0
                ? { state: WaiterState.SUCCESS, reason: invocations }
                : { state: WaiterState.RETRY };
        },
    );
    if (result.state !== WaiterState.SUCCESS) {
        throw new OpsError(
            `Stopped waiting after ${timeoutSeconds} s; the command goes on. Follow it with: aws ssm list-command-invocations --command-id ${commandId}`,
            EXIT.failed,
        );
    }
    return result.reason as CommandInvocation[];
}
