/**
 * Everything the offline evaluation (tools/plan/evaluate.ts) needs from `@pulumi/pulumi` beyond its
 * public API, in one place:
 *
 * - `runtime.getMonitor()`: under `setMocks` the mock monitor; its `registerResource(request, cb)`
 *   receives each registration as a protobuf `RegisterResourceRequest`, whose getters give what
 *   the public mocks API leaves out (parent, dependencies, protect, ignoreChanges, ...), and its
 *   `newUrn(parent, type, name)` computes the URN;
 * - `runtime.waitForRPCs()`: resolves when every registration has been answered.
 *
 * Each accessor checks the internal it relies on and throws an `SdkInternalError` naming it, so an
 * SDK upgrade that changes one fails in tests/sdkAdapter.spec.ts with its name, instead of every
 * spec failing somewhere else.
 */
import * as pulumi from "@pulumi/pulumi";

export class SdkInternalError extends Error {
    constructor(internal: string, what: string) {
        super(
            `@pulumi/pulumi internal ${internal} ${what}: tools/plan/sdkAdapter.ts must be adapted to this SDK version`,
        );
        this.name = "SdkInternalError";
    }
}

/** What the evaluation reads of one registration. */
export interface RegistrationView {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly parent?: string;
    readonly dependencies: string[];
    readonly propertyDependencies: Record<string, string[]>;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly ignoreChanges: string[];
    readonly replaceOnChanges: string[];
    /** Former identities (aliases): URNs, or `type <token>` for an alias spec that changes the type. */
    readonly aliases: string[];
}

/** The getters of RegisterResourceRequest the evaluation calls. */
export const REQUEST_GETTERS = [
    "getType",
    "getName",
    "getParent",
    "getDependenciesList",
    "getPropertydependenciesMap",
    "getProtect",
    "getRetainondelete",
    "getIgnorechangesList",
    "getReplaceonchangesList",
    "getAliasurnsList",
    "getAliasesList",
    "getTransformsList",
] as const;

type Runtime = Record<string, unknown>;
type Monitor = {
    registerResource: (request: unknown, callback: unknown) => unknown;
    readResource: (request: unknown, callback: unknown) => unknown;
    newUrn: (parent: string | undefined, type: string, name: string) => string;
};

/** The mock monitor, checked: `runtime.getMonitor()` with `registerResource` and `newUrn`. */
export function mockMonitor(runtime: Runtime = pulumi.runtime as unknown as Runtime): Monitor {
    if (typeof runtime.getMonitor !== "function") throw new SdkInternalError("runtime.getMonitor", "is not a function");
    const monitor = (runtime.getMonitor as () => Record<string, unknown> | undefined)();
    if (!monitor) throw new SdkInternalError("runtime.getMonitor()", "returned no monitor (call setMocks first)");
    for (const method of ["registerResource", "newUrn", "readResource"]) {
        if (typeof monitor[method] !== "function")
            throw new SdkInternalError(`MockMonitor.${method}`, "is not a function");
    }
    return monitor as unknown as Monitor;
}

/** A RegisterResourceRequest as plain data, every getter checked. */
export function readRequest(request: Record<string, unknown>, newUrn: Monitor["newUrn"]): RegistrationView {
    for (const getter of REQUEST_GETTERS) {
        if (typeof request[getter] !== "function")
            throw new SdkInternalError(`RegisterResourceRequest.${getter}`, "is not a function");
    }
    const r = request as unknown as {
        getType(): string;
        getName(): string;
        getParent(): string;
        getDependenciesList(): string[];
        getPropertydependenciesMap(): {
            forEach(callback: (dependencies: { getUrnsList(): string[] }, property: string) => void): void;
        };
        getProtect(): boolean | undefined;
        getRetainondelete(): boolean | undefined;
        getIgnorechangesList(): string[];
        getReplaceonchangesList(): string[];
        getAliasurnsList(): string[];
        getAliasesList(): { getUrn(): string; getSpec(): { getType(): string } | undefined }[];
        getTransformsList(): unknown[];
    };
    // Since 3.260.0 (pulumi/pulumi#24415) the mocks accept transforms and never run them: a plan that
    // ignored one would differ from what `pulumi up` creates, so a transform is refused, by name.
    if (r.getTransformsList().length > 0)
        throw new Error(
            `${r.getType()} ${r.getName()} has a transform: the offline plan cannot apply it (Pulumi's mocks register transforms without running them)`,
        );
    const parent = r.getParent() || undefined;
    const propertyDependencies: Record<string, string[]> = {};
    r.getPropertydependenciesMap().forEach((dependencies, property) => {
        propertyDependencies[property] = [...new Set(dependencies.getUrnsList())].sort();
    });
    return {
        type: r.getType(),
        name: r.getName(),
        urn: newUrn(parent, r.getType(), r.getName()),
        parent,
        dependencies: [...new Set(r.getDependenciesList())].sort(),
        propertyDependencies,
        protect: r.getProtect() === true,
        retainOnDelete: r.getRetainondelete() === true,
        ignoreChanges: r.getIgnorechangesList(),
        replaceOnChanges: r.getReplaceonchangesList(),
        aliases: [
            ...r.getAliasurnsList(),
            ...r.getAliasesList().map((a) => a.getUrn() || `type ${a.getSpec()?.getType() ?? ""}`),
        ],
    };
}

/**
 * A ReadResourceRequest (a StackReference, a `get`) as a registration: its URN as the mock monitor
 * makes it, its parent and dependencies; a read resource has no options of its own.
 */
function readReadRequest(request: Record<string, unknown>, newUrn: Monitor["newUrn"]): RegistrationView {
    const r = request as unknown as {
        getType(): string;
        getName(): string;
        getParent(): string;
        getDependenciesList(): string[];
    };
    for (const getter of ["getType", "getName", "getParent", "getDependenciesList"]) {
        if (typeof request[getter] !== "function")
            throw new SdkInternalError(`ReadResourceRequest.${getter}`, "is not a function");
    }
    const parent = r.getParent() || undefined;
    return {
        type: r.getType(),
        name: r.getName(),
        urn: newUrn(parent, r.getType(), r.getName()),
        parent,
        dependencies: [...new Set(r.getDependenciesList())].sort(),
        propertyDependencies: {},
        protect: false,
        retainOnDelete: false,
        ignoreChanges: [],
        replaceOnChanges: [],
        aliases: [],
    };
}

/** Calls `observe` with every registration (and every read) before the mock monitor handles it. */
export function observeRegistrations(observe: (registration: RegistrationView) => void, runtime?: Runtime): void {
    const monitor = mockMonitor(runtime);
    const register = monitor.registerResource.bind(monitor);
    const newUrn = monitor.newUrn.bind(monitor);
    monitor.registerResource = (request: unknown, callback: unknown) => {
        observe(readRequest(request as Record<string, unknown>, newUrn));
        return register(request, callback);
    };
    const read = monitor.readResource.bind(monitor);
    monitor.readResource = (request: unknown, callback: unknown) => {
        observe(readReadRequest(request as Record<string, unknown>, newUrn));
        return read(request, callback);
    };
}

/** Resolves when every registration the program made has been answered. */
export function waitForRegistrations(runtime: Runtime = pulumi.runtime as unknown as Runtime): Promise<void> {
    if (typeof runtime.waitForRPCs !== "function")
        throw new SdkInternalError("runtime.waitForRPCs", "is not a function");
    return (runtime.waitForRPCs as () => Promise<void>)();
}
