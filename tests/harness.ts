/**
 * The one harness every spec uses: evaluates the real program with a stack's real config under
 * Pulumi's mocks (tools/plan/evaluate.ts, shared with the offline plan) with realistic values, and
 * offers lookups into the recorded resources.
 */
import { LAB_GROUPS } from "../config/lab";
import { ConfigOverrides } from "../config/stackFiles";
import { evaluateProgram, evaluateStack, FailedRun, RecordedResource, StackRun } from "../tools/plan/evaluate";

export { PROJECT_ROOT } from "../config/stackFiles";
export { MOCK_ACCOUNT, mockAmiArchitecture, mockAmiId } from "../tools/plan/evaluate";
export type { FailedRun, RecordedResource, StackRun } from "../tools/plan/evaluate";

const runs = new Map<string, Promise<StackRun>>();

/**
 * Runs the program for a stack file (with optional overrides); rejects if the program throws.
 * A run is deterministic and its record read-only, so identical runs are evaluated once per process.
 */
export function runStack(stack: string, overrides: ConfigOverrides = {}): Promise<StackRun> {
    const key = JSON.stringify([stack, overrides]);
    if (!runs.has(key)) {
        runs.set(key, evaluateStack(stack, [], { overrides }));
    }
    return runs.get(key)!;
}

/** Runs a program that is expected to fail; returns the error and whatever was registered anyway. */
export async function runFailingStack(stack: string, overrides: ConfigOverrides = {}): Promise<FailedRun> {
    const recorded: RecordedResource[] = [];
    try {
        await evaluateStack(stack, recorded, { overrides });
    } catch (error) {
        return { error: error as Error, resources: recorded };
    }
    throw new Error(`stack ${stack} with ${JSON.stringify(overrides)} was expected to fail, but it evaluated`);
}

// ---------------------------------------------------------------------------------------------
// Looking things up in a run.

export function ofType(run: StackRun, type: string): RecordedResource[] {
    return run.resources.filter((r) => r.type === type);
}

/** The one resource of a type (optionally with a logical name); fails unless exactly one matches. */
export function single(run: StackRun, type: string, name?: string): RecordedResource {
    const found = ofType(run, type).filter((r) => name === undefined || r.name === name);
    if (found.length !== 1) {
        throw new Error(
            `expected exactly one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`,
        );
    }
    return found[0];
}

/** The lab's stacks: the specs of the lab's resources run each of them. */
export const STACKS = ["test", "prod"] as const;

/** Every committed stack file with a fleet: the lab's, a mixed-OS fleet, an existing fleet. */
export const ALL_STACKS = ["test", "prod", "mixed", "existing"] as const;

/**
 * Those and the reporting stack (no fleet: the central store of compliance). Contract, plan and policy specs run each.
 */
export const EVERY_STACK = [...ALL_STACKS, "reporting"] as const;

/** What the committed stack files set, as the specs expect to find it in the resources. */
export const STACK_FILES = {
    test: { workload: "Test", patchGroup: "Critical", approveAfterDays: 0 },
    prod: { workload: "Prod", patchGroup: "Critical-Prod", approveAfterDays: 7 },
} as const;

/**
 * `fleet.groups` of the lab with some fields changed per group, for overrides:
 * `labGroups({ Web: { count: 3 }, App: { instanceType: "t4g.micro" } })`.
 */
export function labGroups(
    changes: Partial<Record<"Web" | "App", Record<string, unknown>>> = {},
): Record<string, unknown>[] {
    return LAB_GROUPS.map((group) => ({ ...group, ...changes[group.name] }));
}

/**
 * Runs a program other than the stack's under the same mocks: the component specs build one
 * component alone (as pulumi-awsx tests its components) and return the outputs to resolve.
 */
export function runProgram(build: () => Record<string, unknown>): Promise<StackRun> {
    return evaluateProgram(build);
}
