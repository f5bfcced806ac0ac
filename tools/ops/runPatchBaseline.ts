/**
 * `scan` and `install`: Run Command AWS-RunPatchBaseline on the stack's fleet (lab 5.4, 5.6).
 * Sends the command once (sendCommand.ts), follows the command's own status until it is terminal,
 * then reads every invocation (the command's terminal status first, so the invocations read
 * after it are final too), and prints a row per instance and a summary. Ctrl-C and --timeout
 * cancel the command (CancelCommand) and print what finished and what did not.
 */
import {
    CancelCommandCommand,
    Command,
    CommandInvocation,
    ListCommandInvocationsCommand,
    ListCommandsCommand,
    SendCommandCommandInput,
    SSMClient,
} from "@aws-sdk/client-ssm";
import { PATCH_DOCUMENT } from "../../components/documents";
import { RebootOption } from "../../components/patchMaintenanceWindow";
import { AwsCallError, call, describeCause, EXIT, OpsError } from "./aws";
import { fleetInstances, fleetTargets, StackContext } from "./fleet";
import { Io, renderTable } from "./output";
import { allPages, backoff, PollDelays, Run } from "./run";
import { sendOnce } from "./sendCommand";

export type { PollDelays } from "./run";

/** Command and invocation statuses after which nothing changes any more (CommandStatus, CommandInvocationStatus). */
const TERMINAL = new Set(["Success", "Failed", "TimedOut", "Cancelled"]);
/** How long to wait, after CancelCommand, for AWS to report where the command ended up. */
const SETTLE_SECONDS = 20;

export interface RunOptions {
    readonly operation: "Scan" | "Install";
    readonly role?: string;
    readonly maxConcurrency: string;
    readonly maxErrors: string;
    readonly rebootOption: RebootOption;
}

export async function runPatchBaseline(
    context: StackContext,
    options: RunOptions,
    run: Run,
    delays: PollDelays,
    io: Io,
): Promise<number> {
    const instances = await fleetInstances(context, options.role, run);
    if (run.stopped)
        throw new OpsError(`${run.describe()} before anything was sent to AWS: nothing runs.`, run.exitCode());
    const input: SendCommandCommandInput = {
        DocumentName: PATCH_DOCUMENT,
        Targets: fleetTargets(context, options.role),
        Parameters: { Operation: [options.operation], RebootOption: [options.rebootOption] },
        MaxConcurrency: options.maxConcurrency,
        MaxErrors: options.maxErrors,
        TimeoutSeconds: 600,
    };
    const commandId = await sendOnce(
        context,
        input,
        `oe-lab-ipm ${context.stack.slice(0, 40)}: ${options.operation}`,
        run,
        delays,
        io,
    );
    io.err(
        `${PATCH_DOCUMENT} ${options.operation} sent to ${instances.length} instance(s) of stack "${context.stack}": command ${commandId}\n`,
    );
    const final = await follow(context.ssm, commandId, run, delays, io);
    if (!final) return stopCommand(context.ssm, commandId, run, delays, io);
    const invocations = await readInvocations(context.ssm, commandId, delays);
    printInvocations(invocations, io);
    const failed = invocations.filter((i) => i.Status !== "Success");
    io.out(
        `${invocations.length - failed.length} of ${invocations.length} succeeded${failed.length ? `; ${failed.length} did not (${failed.map((i) => `${i.InstanceId} ${i.Status}`).join(", ")})` : ""}.\n`,
    );
    return failed.length > 0 || invocations.length === 0 ? EXIT.failed : 0;
}

/** How to follow and cancel a command the CLI no longer watches. */
export function stillRunning(commandId: string): string {
    return `Command ${commandId} was sent and goes on in AWS without this CLI. Follow it: aws ssm list-command-invocations --command-id ${commandId}; cancel it: aws ssm cancel-command --command-id ${commandId}`;
}

/**
 * Polls the command itself (one request, whatever the fleet's size) with backoff until its status
 * is terminal, printing its counts when they change; undefined when the run was stopped first.
 * A failed poll ends with what still runs.
 */
async function follow(
    ssm: SSMClient,
    commandId: string,
    run: Run,
    delays: PollDelays,
    io: Io,
): Promise<Command | undefined> {
    let last = "";
    for (let attempt = 0; !run.stopped; attempt++) {
        let command: Command | undefined;
        try {
            command = (await ssm.send(new ListCommandsCommand({ CommandId: commandId }), { abortSignal: run.signal }))
                .Commands?.[0];
        } catch (error) {
            if (run.stopped) return undefined;
            throw new OpsError(
                `${describeCause(new AwsCallError("ssm:ListCommands", error as Error))}\n${stillRunning(commandId)}`,
                EXIT.aws,
            );
        }
        const status = command?.Status ?? "Pending";
        const line = `  ${status}: ${command?.CompletedCount ?? 0} of ${command?.TargetCount ?? "?"} done, ${command?.ErrorCount ?? 0} error(s)\n`;
        if (line !== last) io.err(line);
        last = line;
        if (command && TERMINAL.has(status)) return command;
        await run.sleep(backoff(delays, attempt));
    }
    return undefined;
}

/** Every invocation of a terminal command; read again (a few times) if one is not final yet. */
async function readInvocations(ssm: SSMClient, commandId: string, delays: PollDelays): Promise<CommandInvocation[]> {
    let invocations: CommandInvocation[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, backoff(delays, attempt - 1)));
        invocations = await allPages(
            "ssm:ListCommandInvocations",
            (token) =>
                ssm.send(new ListCommandInvocationsCommand({ CommandId: commandId, MaxResults: 50, NextToken: token })),
            (page) => page.CommandInvocations,
        );
        if (invocations.every((i) => TERMINAL.has(i.Status ?? ""))) break;
    }
    return invocations.sort((a, b) => (a.InstanceId ?? "").localeCompare(b.InstanceId ?? ""));
}

function printInvocations(invocations: CommandInvocation[], io: Io): void {
    const rows = invocations.map((i) => [
        i.InstanceId ?? "",
        i.InstanceName ?? "",
        i.Status ?? "",
        i.StatusDetails ?? "",
    ]);
    io.out(renderTable(["Instance", "Name", "Status", "Details"], rows));
}

/**
 * Ctrl-C or --timeout after the send: CancelCommand, then AWS's own account of where the command
 * ended up (CancelCommand "attempts to cancel ... there is no guarantee"): what finished, what not.
 */
async function stopCommand(ssm: SSMClient, commandId: string, run: Run, delays: PollDelays, io: Io): Promise<number> {
    io.err(`${run.describe()}: cancelling command ${commandId} (ssm:CancelCommand)\n`);
    try {
        await call("ssm:CancelCommand", () => ssm.send(new CancelCommandCommand({ CommandId: commandId })));
    } catch (error) {
        const cause = describeCause(error as AwsCallError);
        throw new OpsError(
            `${run.describe()}, and the command could not be cancelled: ${cause}\n${stillRunning(commandId)}`,
            run.exitCode(),
        );
    }
    let status = "";
    const settleBy = Date.now() + SETTLE_SECONDS * 1000;
    for (let attempt = 0; Date.now() < settleBy; attempt++) {
        const listed = await call("ssm:ListCommands", () =>
            ssm.send(new ListCommandsCommand({ CommandId: commandId })),
        );
        status = listed.Commands?.[0]?.Status ?? "";
        if (TERMINAL.has(status)) break;
        await new Promise((resolve) =>
            setTimeout(resolve, Math.min(backoff(delays, attempt), Math.max(0, settleBy - Date.now()))),
        );
    }
    const invocations = await readInvocations(ssm, commandId, delays);
    printInvocations(invocations, io);
    const finished = invocations.filter((i) => TERMINAL.has(i.Status ?? "") && i.Status !== "Cancelled");
    const succeeded = finished.filter((i) => i.Status === "Success").length;
    const open = invocations.filter((i) => !TERMINAL.has(i.Status ?? ""));
    const cancelled = invocations.length - finished.length - open.length;
    io.out(
        `${finished.length} of ${invocations.length} finished (${succeeded} succeeded); ${cancelled} cancelled, ${open.length} not yet stopped.\n`,
    );
    const after = TERMINAL.has(status)
        ? `AWS reports the command ${status}.`
        : `AWS still reports the command ${status || "unknown"} after ${SETTLE_SECONDS} s: ${open.length} invocation(s) may still run. Check: aws ssm list-command-invocations --command-id ${commandId}`;
    io.err(`Command ${commandId} cancelled (${run.describe()}). ${after}\n`);
    return run.exitCode();
}
