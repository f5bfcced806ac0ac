/**
 * Offline evaluation of a stack: the real program (index.ts) with a stack's real config under
 * Pulumi's runtime mocks, recording every resource it registers with its inputs, parent and
 * dependencies. One module serves the specs (tests/harness.ts) and the offline plan (tools/plan/cli.ts).
 *
 * - Config: the declared values of Pulumi.yaml, overridden per key by Pulumi.<stack>.yaml, as the
 *   CLI does; overrides may set single paths on top (`"network.sourceCidr": "..."`).
 * - Values known only after deployment (ids, ARNs, AMI ids, the account): `realistic` mode gives
 *   realistic ones derived deterministically from the logical name (for the specs); `placeholder`
 *   mode gives clearly marked placeholders such as `<id of lab-fleet-web1>` (for the plan).
 * - Calls (data sources): answered by exact token; an unknown token or an AMI parameter the
 *   project does not know fails loudly.
 * - Each run sets fresh mocks and config and re-evaluates index.ts; runs are serialised.
 */
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { PROJECT } from "../../config";
import { cliConfigStrings, ConfigOverrides, loadStackConfig, stackRegion } from "../../config/stackFiles";
import { CALLS, placeholders, RESOURCES, ValueMode } from "./mockState";
import { observeRegistrations, waitForRegistrations } from "./sdkAdapter";

/** The program, as compiled beside this module (bin/index.js) or as source under ts-node (index.ts). */
const PROGRAM = path.join(__dirname, "..", "..", "index");

export { MOCK_ACCOUNT, MOCK_PARTITION, mockAmiArchitecture, mockAmiId } from "./mockState";
export type { ValueMode } from "./mockState";

export interface RecordedResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    /** False for component resources. */
    readonly custom: boolean;
    /** The parent's URN (components' children), if any. */
    readonly parent?: string;
    /** URNs this resource depends on: explicit dependsOn and the resources its inputs come from. */
    readonly dependencies: readonly string[];
    /** Per input property, the URNs its value comes from. */
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
    readonly inputs: Record<string, any>;
    readonly id: string;
    readonly state: Record<string, any>;
    /** The resource options the engine receives that decide what a later update does. */
    readonly options: ResourceOptionsRecord;
}

/** Of a registration's options, those that decide what later updates and deletes do. */
export interface ResourceOptionsRecord {
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly ignoreChanges: readonly string[];
    readonly replaceOnChanges: readonly string[];
    /** Former identities the engine maps to this resource (aliases), as the SDK sends them. */
    readonly aliases: readonly string[];
}

export interface StackRun {
    readonly stack: string;
    readonly region: string;
    /** Every resource registered, in registration order. */
    readonly resources: readonly RecordedResource[];
    /** The resolved stack outputs. */
    readonly outputs: Record<string, unknown>;
}

export interface FailedRun {
    readonly error: Error;
    readonly resources: readonly RecordedResource[];
}

export interface EvaluationOptions {
    /** Config overrides on top of the stack file. */
    readonly overrides?: ConfigOverrides;
    /** Where Pulumi.yaml and the stack files are. Default: this project. */
    readonly projectDir?: string;
    /** Default `realistic`. */
    readonly values?: ValueMode;
    /** The program to run (its index module). Default: this project's; another checkout's for a release snapshot. */
    readonly program?: string;
    /** The stack file to read, `Pulumi.<stackFile>.yaml`, when not the stack's own (a fleet target follows a base). */
    readonly stackFile?: string;
}

/** What the engine sees of a registration and the mocks do not: its URN, parent and dependencies. */
interface Registration {
    readonly urn: string;
    readonly parent?: string;
    readonly dependencies: string[];
    readonly propertyDependencies: Record<string, string[]>;
    readonly options: ResourceOptionsRecord;
}

const NO_OPTIONS: ResourceOptionsRecord = {
    protect: false,
    retainOnDelete: false,
    ignoreChanges: [],
    replaceOnChanges: [],
    aliases: [],
};

function mocksFor(
    recorded: RecordedResource[],
    registrations: Map<string, Registration>,
    stack: string,
    region: string,
    mode: ValueMode,
): pulumi.runtime.Mocks {
    return {
        newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, any> } {
            const stateFn = RESOURCES[args.type];
            if (!stateFn && args.custom !== false) {
                throw new Error(
                    `mock: no state for resource type ${args.type} (${args.name}); add it to tools/plan/mockState.ts`,
                );
            }
            const c = { region, name: args.name, inputs: args.inputs, seed: `${stack}/${args.type}/${args.name}` };
            const made = stateFn ? stateFn(c) : { id: "", state: {} };
            const { id, state } =
                mode === "realistic" ? made : placeholders(args.name, args.inputs, made.id, made.state);
            const full = { ...args.inputs, ...state };
            const registration = registrations.get(`${args.type}::${args.name}`);
            recorded.push({
                type: args.type,
                name: args.name,
                urn: registration?.urn ?? "",
                custom: args.custom !== false,
                parent: registration?.parent,
                dependencies: registration?.dependencies ?? [],
                propertyDependencies: registration?.propertyDependencies ?? {},
                options: registration?.options ?? NO_OPTIONS,
                inputs: args.inputs,
                id,
                state: full,
            });
            return { id, state: full };
        },
        call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
            const call = CALLS[args.token];
            if (!call) {
                throw new Error(`mock: unexpected call ${args.token}; add it to tools/plan/mockState.ts`);
            }
            return call(args.inputs, region, mode);
        },
    };
}

// ---------------------------------------------------------------------------------------------
// Running the program.

/** Resolves any Input, including Outputs, to its plain value. */
export function resolve<T>(value: pulumi.Input<T>): Promise<pulumi.Unwrap<T>> {
    return new Promise((done) => pulumi.output(value).apply((v) => done(v as pulumi.Unwrap<T>)));
}

/** Runs share the process-wide Pulumi runtime: one at a time, whatever the caller awaits. */
let queue: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    const result = queue.then(work, work);
    queue = result.catch(() => undefined);
    return result;
}

/** Evaluates a stack; the recorded list is filled as resources register (also when the program fails). */
export function evaluateStack(
    stack: string,
    recorded: RecordedResource[],
    options: EvaluationOptions = {},
): Promise<StackRun> {
    return oneAtATime(() => evaluateNow(stack, recorded, options));
}

async function evaluateNow(stack: string, recorded: RecordedResource[], options: EvaluationOptions): Promise<StackRun> {
    const file = options.stackFile ?? stack;
    const values = loadStackConfig(file, options.overrides, options.projectDir);
    const region = stackRegion(file, values);
    return runMocked({ stack, region, config: values, recorded, mode: options.values ?? "realistic" }, () => {
        // A fresh evaluation of the real program for every run (an import would be cached).
        const program = options.program ?? PROGRAM;
        delete require.cache[require.resolve(program)];
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return require(program) as Record<string, unknown>;
    });
}

/**
 * Evaluates a program other than index.ts under the same mocks: `build` creates resources (one
 * component, say, as pulumi-awsx's tests do) and returns the outputs to resolve. No stack file
 * and no project config are read; only `aws:region` is set.
 */
export function evaluateProgram(
    build: () => Record<string, unknown>,
    options: { stack?: string; region?: string; values?: ValueMode } = {},
): Promise<StackRun> {
    const stack = options.stack ?? "component";
    const region = options.region ?? "ap-northeast-1";
    return oneAtATime(() =>
        runMocked(
            { stack, region, config: { "aws:region": region }, recorded: [], mode: options.values ?? "realistic" },
            build,
        ),
    );
}

interface MockedRun {
    readonly stack: string;
    readonly region: string;
    readonly config: Record<string, unknown>;
    readonly recorded: RecordedResource[];
    readonly mode: ValueMode;
}

async function runMocked(run: MockedRun, program: () => Record<string, unknown>): Promise<StackRun> {
    const { stack, region, recorded } = run;
    const registrations = new Map<string, Registration>();
    pulumi.runtime.setAllConfig(cliConfigStrings(run.stack, run.config));
    await pulumi.runtime.setMocks(mocksFor(recorded, registrations, stack, region, run.mode), PROJECT, stack, false);
    // The public mocks API leaves out parents, dependencies and options: read them off each request.
    observeRegistrations((r) =>
        registrations.set(`${r.type}::${r.name}`, {
            urn: r.urn,
            parent: r.parent,
            dependencies: r.dependencies,
            propertyDependencies: r.propertyDependencies,
            options: {
                protect: r.protect,
                retainOnDelete: r.retainOnDelete,
                ignoreChanges: r.ignoreChanges,
                replaceOnChanges: r.replaceOnChanges,
                aliases: r.aliases,
            },
        }),
    );
    // The SDK captures a stack trace for every promise it makes (debuggablePromise) and every
    // resource: under mocks nobody reads them, and they were 70% of an evaluation's time
    // (9.3 s -> 2.1 s for 500 instances). Errors the program throws keep their messages.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
        const exported = program();
        const outputs: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(exported)) {
            outputs[key] = await resolve(value as pulumi.Input<unknown>);
        }
        return { stack, region, resources: recorded, outputs };
    } finally {
        // Even a failed program may have registrations in flight: let them land before the next run.
        await waitForRegistrations();
        Error.stackTraceLimit = stackTraceLimit;
    }
}
