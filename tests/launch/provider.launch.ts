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
import * as yaml from "yaml";
import * as os from "os";
import * as path from "path";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { specialOutputValueSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import { PROJECT_ROOT } from "../../config/stackFiles";
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
        return Object.fromEntries(
            Object.entries(value).map(([key, item]) => [key, resolveReferences(item, constructed, dependsOn)]),
        );
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
    return {
        [specialSigKey]: specialOutputValueSig,
        ...(known ? { value: source.state[output] } : {}),
        dependencies: [source.urn],
    };
}

function constructRequest(
    settings: DeploymentSettings,
    monitor: string,
    name: string,
    type: string,
    inputs: Record<string, unknown>,
    dependencies: Record<string, string[]>,
) {
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
        request
            .getInputdependenciesMap()
            .set(key, new provproto.ConstructRequest.PropertyDependencies().setUrnsList(urns));
    }
    return request;
}

/** Launches the provider from a fresh empty folder and constructs the example's resources in order. */
export async function deployExample(dryRun: boolean): Promise<Deployment> {
    const program = yaml.parse(fs.readFileSync(EXAMPLE, "utf8")) as YamlProgram;
    const settings: DeploymentSettings = { project: program.name, stack: "production", region: "eu-central-1", dryRun };
    const consumerDir = fs.mkdtempSync(path.join(os.tmpdir(), "oe-lab-ipm-consumer-"));
    const engine = await new FakeEngine(settings).start();
    const provider = await launchProvider(PROJECT_ROOT, engine.address, consumerDir);
    // The engine configures a provider before it constructs anything; this one accepts output values.
    const configured = await call<provproto.ConfigureResponse>(
        provider.client,
        "configure",
        new provproto.ConfigureRequest().setAcceptsecrets(true).setAcceptresources(true),
    );
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
        const response = await call<provproto.ConstructResponse>(provider.client, "construct", request).catch(
            (error: Error) => {
                throw new Error(`Construct ${resource.type} ${name}: ${error.message}\n${provider.stderr()}`);
            },
        );
        const state = (response.getState()?.toJavaScript() ?? {}) as Record<string, unknown>;
        constructed[name] = { urn: response.getUrn(), state, children: engine.descendantsOf(response.getUrn()) };
    }
    return { engine, provider, constructed, consumerDir };
}

function stop(deployment?: Deployment): void {
    deployment?.provider.stop();
    deployment?.engine.stop();
    if (deployment) fs.rmSync(deployment.consumerDir, { recursive: true, force: true });
}

const U = unknownValue;
const program = yaml.parse(fs.readFileSync(EXAMPLE, "utf8")) as YamlProgram;

/** The one child of a constructed component of a type whose inputs include `where`. */
function child(component: Constructed, type: string, where: Record<string, unknown> = {}): Registration {
    const found = component.children.filter(
        (r) => r.type === type && Object.entries(where).every(([k, v]) => r.inputs[k] === v),
    );
    assert.strictEqual(
        found.length,
        1,
        `${type} ${JSON.stringify(where)} under ${component.urn}: found ${found.length}`,
    );
    return found[0];
}

/** What the engine reported for a child: its id or an output. */
function reported(r: Registration, key: string): unknown {
    return key === "id" ? r.id : r.outputs![key];
}

/** Checks common to a preview and an update: the provider started clean, each component has its declared outputs. */
function itConstructsTheExample(deployment: () => Deployment) {
    it("starts in a folder with no tsconfig.json and no node_modules, and logs no warning or error to the engine", () => {
        assert.deepStrictEqual(fs.readdirSync(deployment().consumerDir), []);
        assert.deepStrictEqual(deployment().engine.problems(), []);
    });

    it("constructs every component of examples/yaml-existing-fleet under its token, with its required outputs and only declared ones", () => {
        const { constructed, engine } = deployment();
        assert.deepStrictEqual(Object.keys(constructed), Object.keys(program.resources));
        for (const [name, resource] of Object.entries(program.resources)) {
            const component = engine.registrations.find((r) => r.urn === constructed[name].urn)!;
            assert.deepStrictEqual(
                [component.type, component.name, component.custom, component.parent],
                [resource.type, name, false, stackUrn(engine.settings)],
            );
            // Every required output, and nothing undeclared (an optional output left undefined is absent).
            const { properties, required } = SCHEMA.resources[resource.type];
            const reportedKeys = Object.keys(constructed[name].state);
            assert.deepStrictEqual(
                required.filter((key: string) => !reportedKeys.includes(key)),
                [],
                `${name} lacks required outputs`,
            );
            assert.deepStrictEqual(
                reportedKeys.filter((key) => !(key in properties)),
                [],
                `${name} reports undeclared outputs`,
            );
            assert.ok(constructed[name].children.length > 0, `${name} has no resources`);
        }
    });
}

describe("the component package, launched as the Pulumi CLI launches it, from an empty consumer folder", function () {
    this.timeout(120_000);

    describe("preview (a provider for pulumi preview)", () => {
        let preview: Deployment | undefined;
        before(async () => (preview = await deployExample(true)));
        after(() => stop(preview));
        itConstructsTheExample(() => preview!);

        it("GetSchema returns docs/schema.json, GetPluginInfo package.json's version", async () => {
            const { client } = preview!.provider;
            const schema = await call<provproto.GetSchemaResponse>(
                client,
                "getSchema",
                new provproto.GetSchemaRequest(),
            );
            assert.deepStrictEqual(JSON.parse(schema.getSchema()), SCHEMA);
            const info = await call<plugproto.PluginInfo>(client, "getPluginInfo", new emptyproto.Empty());
            assert.strictEqual(info.getVersion(), PACKAGE_VERSION);
        });

        it("reports the outputs known before deployment, and the others as unknown", () => {
            const states = Object.fromEntries(Object.entries(preview!.constructed).map(([name, c]) => [name, c.state]));
            assert.deepStrictEqual(states, {
                inventory: {
                    associationId: U,
                    associationName: "InventoryProduction",
                    bucketArn: U,
                    bucketName: U,
                    resourceGroupName: U,
                },
                scan: { associationId: U, associationName: "PatchScanProduction" },
                patching: {
                    baselineId: U,
                    baselineIdList: [U, U],
                    baselineIds: U,
                    operatingSystems: ["AMAZON_LINUX_2023", "WINDOWS"],
                    patchGroup: "Critical-Production",
                },
                alerts: { keyArn: U, notificationRoleArn: U, topicArn: U },
                window: {
                    installTaskId: U,
                    passRolePolicyArn: U,
                    roleArn: U,
                    targetId: U,
                    windowId: U,
                    windowIds: [U],
                },
                alertRules: { ruleNames: preview!.constructed.alertRules.state.ruleNames },
            });
            // The rule names are known before deployment: the example's prefix, one per rule created.
            const { alertRules } = preview!.constructed;
            const rules = alertRules.children.filter((r) => r.type === "aws:cloudwatch/eventRule:EventRule");
            const names = alertRules.state.ruleNames as string[];
            assert.deepStrictEqual([...names].sort(), rules.map((r) => r.inputs.name).sort());
            // An existing fleet: no command rule; the window task's own notifications report each instance.
            assert.deepStrictEqual(
                names,
                ["window-failed", "assoc-failed", "noncompliant"].map((s) => `PatchAlerts-Production-patch-${s}`),
            );
        });
    });

    describe("update (a provider for pulumi up)", () => {
        let update: Deployment | undefined;
        before(async () => (update = await deployExample(false)));
        after(() => stop(update));
        itConstructsTheExample(() => update!);

        it("reports each output from the resource it names", () => {
            const { inventory, scan, patching, alerts, window, alertRules } = update!.constructed;
            const bucket = child(inventory, "aws:s3/bucket:Bucket");
            assert.deepStrictEqual(inventory.state, {
                associationId: reported(child(inventory, "aws:ssm/association:Association"), "associationId"),
                associationName: "InventoryProduction",
                bucketArn: reported(bucket, "arn"),
                bucketName: reported(bucket, "bucket"),
                resourceGroupName: reported(child(inventory, "aws:resourcegroups/group:Group"), "name"),
            });
            assert.deepStrictEqual(scan.state, {
                associationId: reported(child(scan, "aws:ssm/association:Association"), "associationId"),
                associationName: "PatchScanProduction",
            });
            const linux = reported(
                child(patching, "aws:ssm/patchBaseline:PatchBaseline", { name: "AmazonLinux2023-Production" }),
                "id",
            );
            const windows = reported(
                child(patching, "aws:ssm/patchBaseline:PatchBaseline", { name: "Windows-Production" }),
                "id",
            );
            assert.deepStrictEqual(patching.state, {
                baselineId: linux,
                baselineIdList: [linux, windows],
                baselineIds: { AMAZON_LINUX_2023: linux, WINDOWS: windows },
                operatingSystems: ["AMAZON_LINUX_2023", "WINDOWS"],
                patchGroup: "Critical-Production",
            });
            assert.deepStrictEqual(alerts.state, {
                keyArn: reported(child(alerts, "aws:kms/key:Key"), "arn"),
                notificationRoleArn: reported(child(alerts, "aws:iam/role:Role"), "arn"),
                topicArn: "arn:aws:sns:eu-central-1:123456789012:PatchAlerts-Production",
            });
            const windowId = reported(child(window, "aws:ssm/maintenanceWindow:MaintenanceWindow"), "id");
            assert.deepStrictEqual(window.state, {
                installTaskId: reported(child(window, "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask"), "id"),
                passRolePolicyArn: reported(child(window, "aws:iam/policy:Policy"), "arn"),
                roleArn: reported(child(window, "aws:iam/role:Role"), "arn"),
                targetId: reported(child(window, "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget"), "id"),
                windowId,
                windowIds: [windowId],
            });
            const rules = alertRules.children.filter((r) => r.type === "aws:cloudwatch/eventRule:EventRule");
            assert.deepStrictEqual(Object.keys(alertRules.state), ["ruleNames"]);
            assert.deepStrictEqual(
                [...(alertRules.state.ruleNames as string[])].sort(),
                rules.map((r) => reported(r, "name")).sort(),
            );
        });

        it("passes one component's outputs into the next as the YAML program references them", () => {
            const { inventory, scan, patching, window, alertRules } = update!.constructed;
            const scanAssociation = child(scan, "aws:ssm/association:Association");
            assert.strictEqual(
                (scanAssociation.inputs.outputLocation as Record<string, unknown>).s3BucketName,
                inventory.state.bucketName,
            );
            const patterns = alertRules.children
                .filter((r) => r.type === "aws:cloudwatch/eventRule:EventRule")
                .map((r) => String(r.inputs.eventPattern));
            for (const id of [window.state.windowId, scan.state.associationId, patching.state.baselineId]) {
                assert.ok(
                    patterns.some((pattern) => pattern.includes(`"${id}"`)),
                    `no alert rule matches ${id}`,
                );
            }
        });
    });
});
