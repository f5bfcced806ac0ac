/**
 * `npm run test:package` (slow: it starts the provider twice, ~10 s each; .ci/run runs it on
 * Node.js 20, 22 and 24). The component package as `pulumi package add` and a deployment use it:
 * the provider launched by run-plugin from an EMPTY consumer folder (no tsconfig.json, no
 * node_modules, as a Python or YAML project), GetSchema, and Construct of every component
 * examples/yaml-existing-fleet uses, in a preview and in an update, against a fake engine.
 */
import * as assert from "assert";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { specialOutputValueSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import { PROJECT_ROOT } from "../harness";
import { DeploymentSettings, FakeEngine, Registration, stackUrn } from "./fakeEngine";
import { call, launchProvider, LaunchedProvider } from "./provider";

const EXAMPLE = path.join(PROJECT_ROOT, "examples", "yaml-existing-fleet", "Pulumi.yaml");
const SCHEMA = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "docs", "schema.json"), "utf8"));
const PACKAGE_VERSION = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")).version;

interface YamlProgram {
    name: string;
    resources: Record<string, { type: string; properties?: Record<string, unknown> }>;
}

export interface Constructed {
    readonly urn: string;
    readonly state: Record<string, unknown>;
    readonly children: Registration[];
}

/** A deployment of the YAML example through the provider: each resource constructed in order, references resolved. */
export interface Deployment {
    readonly engine: FakeEngine;
    readonly provider: LaunchedProvider;
    readonly constructed: Record<string, Constructed>;
    readonly consumerDir: string;
}

/**
 * `${resource.output}` → that output as the engine sends it to a provider that accepts outputs
 * (Configure's acceptOutputs; provider_plugin.go Construct marshals with KeepOutputValues): an
 * output value in place, with its dependency and, unless unknown, its value (plugin/rpc.go).
 */
function resolveReferences(value: unknown, constructed: Record<string, Constructed>, dependsOn: Set<string>): unknown {
    if (Array.isArray(value)) return value.map((item) => resolveReferences(item, constructed, dependsOn));
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveReferences(item, constructed, dependsOn)]));
    }
    if (typeof value !== "string" || !value.includes("${")) return value;
    const whole = /^\$\{(\w+)\.(\w+)\}$/.exec(value);
    if (!whole) throw new Error(`only whole-value references are supported here: ${value}`);
    const [, resource, output] = whole;
    const source = constructed[resource];
    if (!source) throw new Error(`${value}: ${resource} is not constructed yet`);
    if (!(output in source.state)) throw new Error(`${value}: ${resource} reported no output ${output}`);
    dependsOn.add(source.urn);
    const known = source.state[output] !== unknownValue;
    return { [specialSigKey]: specialOutputValueSig, ...(known ? { value: source.state[output] } : {}), dependencies: [source.urn] };
}

function constructRequest(settings: DeploymentSettings, monitor: string, name: string, type: string, inputs: Record<string, unknown>, dependencies: Record<string, string[]>) {
    const request = new provproto.ConstructRequest()
        .setProject(settings.project)
        .setStack(settings.stack)
        .setOrganization("organization")
        .setDryrun(settings.dryRun)
        .setParallel(16)
        .setMonitorendpoint(monitor)
        .setType(type)
        .setName(name)
        .setParent(stackUrn(settings))
        .setInputs(structproto.Struct.fromJavaScript(inputs as Record<string, structproto.JavaScriptValue>))
        .setDependenciesList([...new Set(Object.values(dependencies).flat())]);
    request.getConfigMap().set("aws:region", settings.region);
    for (const [key, urns] of Object.entries(dependencies)) {
        request.getInputdependenciesMap().set(key, new provproto.ConstructRequest.PropertyDependencies().setUrnsList(urns));
    }
    return request;
}

/** Launches the provider from a fresh empty folder and constructs the example's resources in order. */
export async function deployExample(dryRun: boolean): Promise<Deployment> {
    const program = yaml.load(fs.readFileSync(EXAMPLE, "utf8")) as YamlProgram;
    const settings: DeploymentSettings = { project: program.name, stack: "production", region: "eu-central-1", dryRun };
    const consumerDir = fs.mkdtempSync(path.join(os.tmpdir(), "oe-lab-ipm-consumer-"));
    const engine = await new FakeEngine(settings).start();
    const provider = await launchProvider(PROJECT_ROOT, engine.address, consumerDir);
    // The engine configures a provider before it constructs anything; this one accepts output values.
    const configured = await call<provproto.ConfigureResponse>(provider.client, "configure", new provproto.ConfigureRequest().setAcceptsecrets(true).setAcceptresources(true));
    assert.ok(configured.getAcceptoutputs(), "the provider accepts output values");
    const constructed: Record<string, Constructed> = {};
    for (const [name, resource] of Object.entries(program.resources)) {
        const inputs: Record<string, unknown> = {};
        const dependencies: Record<string, string[]> = {};
        for (const [key, value] of Object.entries(resource.properties ?? {})) {
            const dependsOn = new Set<string>();
            inputs[key] = resolveReferences(value, constructed, dependsOn);
            if (dependsOn.size > 0) dependencies[key] = [...dependsOn];
        }
        const request = constructRequest(settings, engine.address, name, resource.type, inputs, dependencies);
        if (process.env.DUMP) console.log(name, JSON.stringify(inputs), JSON.stringify(dependencies));
        const response = await call<provproto.ConstructResponse>(provider.client, "construct", request).catch((error: Error) => {
            throw new Error(`Construct ${resource.type} ${name}: ${error.message}\n${provider.stderr()}`);
        });
        const state = (response.getState()?.toJavaScript() ?? {}) as Record<string, unknown>;
        constructed[name] = { urn: response.getUrn(), state, children: engine.descendantsOf(response.getUrn()) };
        if (process.env.DUMP) console.log("=>", JSON.stringify(state));
    }
    return { engine, provider, constructed, consumerDir };
}

function stop(deployment?: Deployment): void {
    deployment?.provider.stop();
    deployment?.engine.stop();
    if (deployment) fs.rmSync(deployment.consumerDir, { recursive: true, force: true });
}

describe("the component package, launched as the Pulumi CLI launches it, from an empty consumer folder", function () {
    this.timeout(120_000);

    describe("preview", () => {
        let preview: Deployment | undefined;
        before(async () => (preview = await deployExample(true)));
        after(() => stop(preview));

        it("starts in a folder with no tsconfig.json and no node_modules, and logs no warning or error", () => {
            assert.deepStrictEqual(fs.readdirSync(preview!.consumerDir), []);
            assert.deepStrictEqual(preview!.engine.problems(), []);
        });

        it("GetSchema returns docs/schema.json, and GetPluginInfo package.json's version", async () => {
            const { client } = preview!.provider;
            const schema = await call<provproto.GetSchemaResponse>(client, "getSchema", new provproto.GetSchemaRequest());
            assert.deepStrictEqual(JSON.parse(schema.getSchema()), SCHEMA);
            const info = await call<plugproto.PluginInfo>(client, "getPluginInfo", new emptyproto.Empty());
            assert.strictEqual(info.getVersion(), PACKAGE_VERSION);
        });

        it("dump", () => {
            for (const [name, c] of Object.entries(preview!.constructed)) console.log(name, c.urn, JSON.stringify(c.state), c.children.map((r) => r.type));
            console.log(unknownValue);
        });
    });

    describe("update", () => {
        let update: Deployment | undefined;
        before(async () => (update = await deployExample(false)));
        after(() => stop(update));

        it("dump", () => {
            for (const [name, c] of Object.entries(update!.constructed)) console.log(name, c.urn, JSON.stringify(c.state), c.children.map((r) => r.type));
            console.log(update!.engine.invokes);
        });
    });
});
