/**
 * An in-process Pulumi engine for launching the component provider as the CLI does: the Engine
 * service (logs) and the ResourceMonitor service (registrations, invokes) over real gRPC, from
 * @pulumi/pulumi's own bindings (proto/engine.proto, proto/resource.proto), with the same grpc-js
 * those bindings load. Custom resources get what AWS would report (tools/plan/mockState.ts, the specs' mock state)
 * in an update, and only their inputs in a preview, as the engine does: what the provider did not
 * send is unknown until the resource exists.
 */
import type * as grpcTypes from "@grpc/grpc-js";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as path from "path";
import * as enginerpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineproto from "@pulumi/pulumi/proto/engine_pb";
import * as resrpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import { CALLS, RESOURCES } from "../../tools/plan/mockState";

/** grpc-js as @pulumi/pulumi resolves it (the proto bindings require it from there). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const grpc: typeof grpcTypes = require(
    require.resolve("@grpc/grpc-js", { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] }),
);

/** The monitor features the Pulumi engine reports (pkg/resource/deploy/source_eval.go supportsFeatureID). */
const FEATURES = new Set([
    "secrets",
    "resourceReferences",
    "outputValues",
    "aliasSpecs",
    "replacementTrigger",
    "deletedWith",
    "replaceWith",
    "transforms",
    "invokeTransforms",
    "parameterization",
    "resourceHooks",
    "errorHooks",
    "sendsOptionsToHooks",
]);

export interface Registration {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly parent: string;
    readonly inputs: Record<string, unknown>;
    /** What the engine answered: the id and the state (inputs only in a preview). */
    id?: string;
    outputs?: Record<string, unknown>;
}

export interface EngineLog {
    readonly severity: engineproto.LogSeverity;
    readonly message: string;
    readonly urn: string;
}

export interface DeploymentSettings {
    readonly project: string;
    readonly stack: string;
    readonly region: string;
    readonly dryRun: boolean;
}

/** The stack resource's URN, the parent the engine gives a top-level component. */
export function stackUrn(settings: DeploymentSettings): string {
    return `urn:pulumi:${settings.stack}::${settings.project}::pulumi:pulumi:Stack::${settings.project}-${settings.stack}`;
}

type Unary<Req, Res> = (call: { request: Req }, callback: (error: Error | null, response?: Res) => void) => void;

/** Answers a unary call with `respond`'s result, or its error (the provider sees it as a gRPC error). */
function unary<Req, Res>(respond: (request: Req) => Res): Unary<Req, Res> {
    return (call, callback) => {
        try {
            callback(null, respond(call.request));
        } catch (error) {
            callback(error as Error);
        }
    };
}

export class FakeEngine {
    readonly registrations: Registration[] = [];
    readonly invokes: string[] = [];
    readonly logs: EngineLog[] = [];
    private readonly qualifiedTypes = new Map<string, string>();
    private server?: grpcTypes.Server;
    /** host:port of the Engine and ResourceMonitor services. */
    address = "";

    constructor(readonly settings: DeploymentSettings) {}

    async start(): Promise<this> {
        const server = new grpc.Server();
        server.addService(enginerpc.EngineService, {
            log: unary((req: engineproto.LogRequest) => {
                this.logs.push({ severity: req.getSeverity(), message: req.getMessage(), urn: req.getUrn() });
                return new emptyproto.Empty();
            }),
            getRootResource: unary(() => new engineproto.GetRootResourceResponse().setUrn(stackUrn(this.settings))),
            setRootResource: unary(() => new engineproto.SetRootResourceResponse()),
        });
        server.addService(resrpc.ResourceMonitorService, {
            supportsFeature: unary((req: resproto.SupportsFeatureRequest) =>
                new resproto.SupportsFeatureResponse().setHassupport(FEATURES.has(req.getId())),
            ),
            registerResource: unary((req: resproto.RegisterResourceRequest) => this.register(req)),
            registerResourceOutputs: unary(() => new emptyproto.Empty()),
            invoke: unary((req: resproto.ResourceInvokeRequest) => {
                this.invokes.push(req.getTok());
                const answer = CALLS[req.getTok()];
                if (!answer) throw new Error(`fake engine: unexpected invoke ${req.getTok()}`);
                const result = answer(
                    (req.getArgs()?.toJavaScript() ?? {}) as Record<string, unknown>,
                    this.settings.region,
                    "realistic",
                );
                // Since @pulumi/pulumi 3.256.0 (pulumi/pulumi#24100) the monitor answers an invoke with its own
                // ResourceInvokeResponse (proto/pulumi/resource.proto); a provider InvokeResponse no longer serializes.
                return new resproto.ResourceInvokeResponse().setReturn(
                    structproto.Struct.fromJavaScript(result as Record<string, structproto.JavaScriptValue>),
                );
            }),
        });
        const port = await new Promise<number>((resolve, reject) =>
            server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
                error ? reject(error) : resolve(bound),
            ),
        );
        this.server = server;
        this.address = `127.0.0.1:${port}`;
        return this;
    }

    stop(): void {
        this.server?.forceShutdown();
    }

    /** The registered resources under a URN (children, grandchildren, ...). */
    descendantsOf(urn: string): Registration[] {
        const children = this.registrations.filter((r) => r.parent === urn);
        return children.flatMap((child) => [child, ...this.descendantsOf(child.urn)]);
    }

    /** Errors and warnings the provider logged to the engine. */
    problems(): EngineLog[] {
        return this.logs.filter((log) => log.severity >= engineproto.LogSeverity.WARNING);
    }

    private register(req: resproto.RegisterResourceRequest): resproto.RegisterResourceResponse {
        const type = req.getType();
        const name = req.getName();
        const parent = req.getParent();
        // The engine's URN: the parent's type chain, then this type (pkg/resource/deploy/source_eval.go).
        const parentType = this.qualifiedTypes.get(parent);
        const qualifiedType = parentType ? `${parentType}$${type}` : type;
        const urn = `urn:pulumi:${this.settings.stack}::${this.settings.project}::${qualifiedType}::${name}`;
        if (this.registrations.some((r) => r.urn === urn)) throw new Error(`duplicate URN ${urn}`);
        this.qualifiedTypes.set(urn, qualifiedType);
        const inputs = (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
        const registration: Registration = { urn, type, name, custom: req.getCustom(), parent, inputs };
        this.registrations.push(registration);
        const response = new resproto.RegisterResourceResponse().setUrn(urn);
        if (!req.getCustom()) return response.setObject(new structproto.Struct());
        if (this.settings.dryRun) {
            registration.id = "";
            registration.outputs = inputs;
        } else {
            const stateOf = RESOURCES[type];
            if (!stateOf) throw new Error(`fake engine: no state for resource type ${type} (${name})`);
            const { id, state } = stateOf({
                region: this.settings.region,
                name,
                inputs,
                seed: `${this.settings.stack}/${type}/${name}`,
            });
            registration.id = id;
            registration.outputs = { ...inputs, ...state };
        }
        const object = structproto.Struct.fromJavaScript(
            registration.outputs as Record<string, structproto.JavaScriptValue>,
        );
        return response.setId(registration.id).setObject(object);
    }
}
