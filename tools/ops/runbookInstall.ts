/**
 * `ops install` on a stack whose maintenanceWindow.installMode is Runbook: "patch now" through the
 * stack's own runbook, as its install window runs it (components/runbookResources.ts). Once per run,
 * the gate document (`OELabIPM-<W>-PatchGate`, when the stack follows a ring or needs an approval)
 * with a fresh WindowExecutionId; if it does not succeed, nothing is installed. Then one execution of
 * `OELabIPM-<W>-PatchInstance` per target instance, with the same WindowExecutionId, driven by the
 * CLI with the stack's concurrency and max errors as Automation's own rate controls define them
 * ("If you specify 0, then the system stops running the automation on additional targets after the
 * first error result is returned"; running executions are allowed to complete: AWS Systems Manager
 * User Guide, running-automations-scale-controls.html). One execution per instance rather than one
 * rate-controlled parent: the API reference of StopAutomationExecution does not say that stopping
 * a parent stops its children, and the CLI must stop what it started (docs/operations.md).
 */
import { randomUUID } from "crypto";
import { LAB_NAMES } from "../../config";
import { AwsCallError, describeCause, EXIT, OpsError } from "./aws";
import { follow, startAutomation, stopAll, succeeded, terminal, Tracked } from "./automation";
import { fleetInstances, StackContext } from "./fleet";
import { Io, renderTable } from "./output";
import { PollDelays, Run } from "./run";

/** The runbook's documents as the stack names them (config/lab.ts LAB_NAMES, index.ts runbookOf). */
export interface RunbookNames {
    readonly instance: string;
    /** Only a stack that follows a ring or needs an approval has a gate (components/patchRunbook.ts). */
    readonly gate?: string;
}

export function runbookNames(context: StackContext): RunbookNames | undefined {
    const w = context.config.maintenanceWindow;
    if (w.installMode !== "Runbook") return undefined;
    const prefix = LAB_NAMES.runbookDocumentPrefix(context.config.workload);
    const gated = w.followRing !== undefined || w.approval !== undefined;
    return { instance: `${prefix}PatchInstance`, gate: gated ? `${prefix}PatchGate` : undefined };
}

export interface RunbookRunOptions {
    readonly role?: string;
    readonly maxConcurrency: string;
    readonly maxErrors: string;
    readonly json: boolean;
}

/** A count or a percentage of `total` (rounded down), at least `minimum`. */
export function rateCount(value: string, total: number, minimum: 0 | 1): number {
    const n = value.endsWith("%") ? Math.floor((total * Number(value.slice(0, -1))) / 100) : Number(value);
    return Math.max(minimum, n);
}

/** What one instance's execution came to, for the table and --json. */
export interface InstanceResult {
    readonly instanceId: string;
    readonly executionId?: string;
    /** The execution's AutomationExecutionStatus, GateClosed, or NotStarted (max errors reached, or stopped). */
    readonly status: string;
    readonly failedStep?: string;
    readonly failure?: string;
    readonly restorePoint?: string;
}

/** The run's outcome, as --json prints it. */
export interface RunbookRun {
    readonly stack: string;
    readonly windowExecutionId: string;
    readonly gate?: { document: string; executionId: string; status: string; failedStep?: string; failure?: string };
    readonly document: string;
    readonly instances: InstanceResult[];
    readonly stopped?: string;
}

function resultOf(instanceId: string, t: Tracked | undefined): InstanceResult {
    if (!t) return { instanceId, status: "NotStarted" };
    // The runbook's closed-gate branch ends the execution successfully with nothing changed.
    const gateClosed = t.steps.get("GateClosedNothingChanged") === "Success";
    const point = t.outputs["TakeRestorePoint.RecoveryPointArn"]?.[0];
    return {
        instanceId,
        executionId: t.id,
        status: gateClosed ? "GateClosed" : t.status,
        failedStep: t.failedStep,
        failure: t.failure,
        restorePoint: point && point !== "{{TakeRestorePoint.RecoveryPointArn}}" ? point : undefined,
    };
}

/** The gate, once per run, followed to its end (or stopped with the run); its outcome goes into `outcome`. */
async function runGate(
    context: StackContext,
    names: RunbookNames & { gate: string },
    outcome: { windowExecutionId: string; gate?: RunbookRun["gate"] },
    run: Run,
    delays: PollDelays,
    io: Io,
): Promise<Tracked> {
    const gate = await startAutomation(context.ssm, "gate", names.gate, {
        WindowExecutionId: [outcome.windowExecutionId],
    });
    io.err(`${names.gate} started: execution ${gate.id} (WindowExecutionId ${outcome.windowExecutionId})\n`);
    await follow(context.ssm, gate, run, delays, io);
    if (run.stopped) await stopAll(context.ssm, [gate], run, io);
    outcome.gate = {
        document: names.gate,
        executionId: gate.id,
        status: gate.status,
        failedStep: gate.failedStep,
        failure: gate.failure,
    };
    return gate;
}

/** Runs the instances' executions under the stack's rate controls; every execution started, by instance. */
async function runInstances(
    context: StackContext,
    names: RunbookNames,
    ids: string[],
    settings: { windowExecutionId: string; parallel: number; allowedErrors: number },
    run: Run,
    delays: PollDelays,
    io: Io,
): Promise<Map<string, Tracked>> {
    const started = new Map<string, Tracked>();
    let next = 0;
    let failures = 0;
    let refused: AwsCallError | undefined;
    // An execution this CLI can no longer read: its outcome is unknown, so no further instance is started.
    let lost: OpsError | undefined;
    const worker = async () => {
        while (next < ids.length && !run.stopped && failures <= settings.allowedErrors && !refused && !lost) {
            const id = ids[next++];
            let t: Tracked;
            try {
                t = await startAutomation(context.ssm, id, names.instance, {
                    InstanceId: [id],
                    WindowExecutionId: [settings.windowExecutionId],
                });
            } catch (error) {
                // No other instance is started; the executions already running are followed to their end.
                refused = error as AwsCallError;
                break;
            }
            started.set(id, t);
            io.err(`${names.instance} started on ${id}: execution ${t.id}\n`);
            try {
                await follow(context.ssm, t, run, delays, io);
            } catch (error) {
                lost = error as OpsError;
                break;
            }
            if (terminal(t) && !(succeeded(t) && resultOf(id, t).status !== "GateClosed")) failures++;
        }
    };
    await Promise.all(Array.from({ length: Math.min(settings.parallel, ids.length) }, worker));
    if (run.stopped) await stopAll(context.ssm, [...started.values()], run, io);
    const before = () => [...started.values()].map((t) => `${t.label} ${t.status} (execution ${t.id})`);
    if (refused) {
        const which = before().length ? `Started before it: ${before().join(", ")}.` : "No instance was started.";
        throw new OpsError(`${describeCause(refused)} ${which}`, run.stopped ? run.exitCode() : EXIT.aws);
    }
    if (lost)
        throw new OpsError(
            `${lost.message}\nNo further instance was started. Started by this run, with their last known status: ${before().join(", ")}.`,
            run.stopped ? run.exitCode() : EXIT.aws,
        );
    return started;
}

export async function runbookInstall(
    context: StackContext,
    names: RunbookNames,
    options: RunbookRunOptions,
    run: Run,
    delays: PollDelays,
    io: Io,
): Promise<number> {
    const instances = await fleetInstances(context, options.role, run);
    if (run.stopped)
        throw new OpsError(`${run.describe()} before anything was started in AWS: nothing runs.`, run.exitCode());
    const ids = instances.map((i) => i.InstanceId!);
    // A window execution id is a UUID (DescribeMaintenanceWindowExecutions); the documents accept any string.
    const outcome: RunbookRun = {
        stack: context.stack,
        windowExecutionId: randomUUID(),
        document: names.instance,
        instances: [],
    };
    if (names.gate) {
        const gate = await runGate(context, { ...names, gate: names.gate }, outcome, run, delays, io);
        if (!succeeded(gate)) {
            const result = { ...outcome, instances: ids.map((id) => resultOf(id, undefined)) };
            return report(result, options.json, io, run, run.stopped ? run.exitCode() : EXIT.failed);
        }
    }
    const started = await runInstances(
        context,
        names,
        ids,
        {
            windowExecutionId: outcome.windowExecutionId,
            parallel: rateCount(options.maxConcurrency, ids.length, 1),
            allowedErrors: rateCount(options.maxErrors, ids.length, 0),
        },
        run,
        delays,
        io,
    );
    const result = { ...outcome, instances: ids.map((id) => resultOf(id, started.get(id))) };
    const failed = result.instances.some((i) => !["Success", "CompletedWithSuccess"].includes(i.status));
    return report(result, options.json, io, run, run.stopped ? run.exitCode() : failed ? EXIT.failed : 0);
}

/** The table (or JSON) on stdout, a summary line, and the exit code. */
function report(result: RunbookRun, json: boolean, io: Io, run: Run, code: number): number {
    const stopped = run.stopped ? run.describe() : undefined;
    if (json) {
        io.out(`${JSON.stringify({ ...result, ...(stopped ? { stopped } : {}) }, null, 2)}\n`);
    } else {
        const g = result.gate;
        if (g && !["Success", "CompletedWithSuccess"].includes(g.status))
            io.out(
                `Gate ${g.document} ${g.status}${g.failedStep ? ` at step ${g.failedStep}` : ""}${g.failure ? `: ${g.failure}` : ""}. Nothing was installed.\n`,
            );
        const rows = result.instances.map((i) => [
            i.instanceId,
            i.status,
            i.failedStep ?? "",
            i.restorePoint ?? "",
            i.executionId ?? "",
        ]);
        io.out(renderTable(["Instance", "Status", "Failed step", "Restore point", "Execution"], rows));
        for (const i of result.instances.filter((r) => r.failure))
            io.out(`${i.instanceId} ${i.failedStep ?? i.status}: ${i.failure}\n`);
        io.out(`${summary(result.instances)}\n`);
    }
    if (stopped) io.err(`Stopped (${stopped}): see above which executions were stopped.\n`);
    return code;
}

function summary(instances: InstanceResult[]): string {
    const ok = instances.filter((i) => ["Success", "CompletedWithSuccess"].includes(i.status)).length;
    const notStarted = instances.filter((i) => i.status === "NotStarted").length;
    const others = instances.filter((i) => !["Success", "CompletedWithSuccess", "NotStarted"].includes(i.status));
    const parts = [
        ...(others.length
            ? [`${others.length} did not (${others.map((i) => `${i.instanceId} ${i.status}`).join(", ")})`]
            : []),
        ...(notStarted ? [`${notStarted} not started`] : []),
    ];
    return `${ok} of ${instances.length} patched${parts.length ? `; ${parts.join("; ")}` : ""}.`;
}
