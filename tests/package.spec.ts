import { getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "yaml";
import * as path from "path";
import * as components from "../components";
import { COMPLIANCE_LEVELS, OPERATING_SYSTEMS, PATCH_OPERATING_SYSTEMS } from "../components/operatingSystems";
import { REBOOT_OPTIONS } from "../components/patchMaintenanceWindow";
import { REJECTED_PATCHES_ACTIONS } from "../components/patchingPolicy";
import { PACKAGE_NAME } from "../components/tokens";
import { SCHEMA_FILE } from "../tools/plan/schema";
import { PROJECT_ROOT, runStack } from "./harness";

/*
 * The package other Pulumi languages use (PulumiPlugin.yaml, package.json main): the schema `npm run schema` infers
 * from the components, committed as docs/schema.json (CI regenerates it with --check), and the
 * examples that use it.
 */

interface Property {
    type?: string;
    $ref?: string;
    items?: Property;
    additionalProperties?: Property;
    plain?: boolean;
    optional?: boolean;
    description?: string;
}
interface ObjectType {
    type: string;
    properties?: Record<string, Property>;
    required?: string[];
    enum?: { name: string; value: string }[];
}
interface Resource {
    isComponent?: boolean;
    description?: string;
    inputProperties: Record<string, Property>;
    requiredInputs?: string[];
    properties: Record<string, Property>;
    required?: string[];
}
interface Schema {
    name: string;
    version: string;
    dependencies?: { name: string; version: string }[];
    resources: Record<string, Resource>;
    types: Record<string, ObjectType>;
}

const schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8")) as Schema;
const packageJson = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8"));
const token = (name: string) => `${PACKAGE_NAME}:index:${name}`;
const typeRef = (name: string) => `#/types/${token(name)}`;
const typeOf = (ref: string) => schema.types[ref.replace("#/types/", "")];

/** The components the package entry exports, by class name. */
const EXPORTED = getPulumiComponents(components)
    .map((c) => c.name)
    .sort();

describe("the component package (docs/schema.json)", () => {
    it("is the package.json's: name, version, and the @pulumi/aws it depends on", () => {
        assert.strictEqual(schema.name, packageJson.name);
        assert.strictEqual(PACKAGE_NAME, packageJson.name);
        assert.strictEqual(schema.version, packageJson.version);
        assert.deepStrictEqual(schema.dependencies, [
            { name: "aws", version: packageJson.dependencies["@pulumi/aws"] },
        ]);
    });

    it("has the entry Pulumi loads: package.json main, the compiled components; pulumi up still runs index.ts", () => {
        // run-plugin does require(<plugin dir>): package.json `main` (tests/launch proves it by launching it).
        assert.strictEqual(require.resolve(PROJECT_ROOT), path.join(PROJECT_ROOT, "bin", "components", "index.js"));
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const entry = getPulumiComponents(require(PROJECT_ROOT)).map((c) => c.name);
        assert.deepStrictEqual(entry.sort(), EXPORTED);
        // The Node.js host runs Pulumi.yaml's `main` and then reads no package.json entry (cmd/run/run.ts).
        const project = yaml.parse(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as { main: string };
        assert.strictEqual(project.main, "index.ts");
        // PulumiPlugin.yaml: only what Pulumi reads (workspace.PluginProject); a `main` there is ignored.
        const plugin = yaml.parse(fs.readFileSync(path.join(PROJECT_ROOT, "PulumiPlugin.yaml"), "utf8"));
        assert.deepStrictEqual(plugin, { runtime: "nodejs" });
    });

    it("has every exported component, the six of the lab among them, each described, with described inputs and outputs", () => {
        assert.deepStrictEqual(Object.keys(schema.resources).sort(), EXPORTED.map(token));
        for (const name of [
            "LabNetwork",
            "ManagedFleet",
            "InventoryAssociation",
            "PatchingPolicy",
            "PatchMaintenanceWindow",
            "AlertTopic",
        ])
            assert.ok(schema.resources[token(name)], name);
        for (const [name, resource] of Object.entries(schema.resources)) {
            assert.strictEqual(resource.isComponent, true, name);
            assert.ok(resource.description && resource.description.length > 20, `${name} has no description`);
            for (const [kind, properties] of [
                ["input", resource.inputProperties],
                ["output", resource.properties],
            ] as const) {
                assert.ok(Object.keys(properties).length > 0, `${name} has no ${kind}s`);
                for (const [property, spec] of Object.entries(properties))
                    assert.ok(spec.description, `${name} ${kind} ${property} has no description`);
            }
        }
        for (const [name, type] of Object.entries(schema.types)) {
            for (const [property, spec] of Object.entries(type.properties ?? {}))
                assert.ok(spec.description, `${name}.${property} has no description`);
        }
    });

    it("gives other languages the inputs and outputs of InventoryAssociation as TypeScript has them", () => {
        const inventory = schema.resources[token("InventoryAssociation")];
        assert.deepStrictEqual(inventory.requiredInputs, ["associationName", "targetTags"]);
        assert.deepStrictEqual(Object.keys(inventory.inputProperties).sort(), [
            "associationName",
            "instanceRoleNames",
            "keepLogsOnDestroy",
            "logPrefix",
            "logRetentionDays",
            "parameters",
            "protect",
            "resourceDataSync",
            "resourceDataSyncDestination",
            "schedule",
            "tags",
            "targetTags",
        ]);
        // A map of plain strings; a list whose items may be other resources' outputs; a number; a nested type.
        assert.deepStrictEqual(inventory.inputProperties.targetTags.additionalProperties, {
            type: "string",
            plain: true,
        });
        assert.deepStrictEqual(inventory.inputProperties.instanceRoleNames.items, { type: "string" });
        assert.strictEqual(inventory.inputProperties.logRetentionDays.type, "number");
        assert.strictEqual(inventory.inputProperties.resourceDataSyncDestination.$ref, typeRef("DataSyncDestination"));
        assert.deepStrictEqual(Object.keys(inventory.properties).sort(), [
            "associationId",
            "associationName",
            "bucketArn",
            "bucketName",
            "resourceGroupName",
        ]);
        assert.deepStrictEqual(schema.resources[token("PatchMaintenanceWindow")].inputProperties.logBucketName, {
            type: "string",
            description: "The bucket for the tasks' output (the inventory's log bucket). Required.",
        });
    });

    it("turns the TypeScript string unions into enums with the same values", () => {
        const enums: [string, readonly string[], string, string, string][] = [
            ["OperatingSystem", OPERATING_SYSTEMS, "FleetGroup", "operatingSystem", "type"],
            ["PatchOperatingSystem", PATCH_OPERATING_SYSTEMS, "Baseline", "operatingSystem", "type"],
            ["ComplianceLevel", COMPLIANCE_LEVELS, "ApprovalRule", "complianceLevel", "type"],
        ];
        for (const [name, values, holder, property] of enums) {
            assert.deepStrictEqual(
                typeOf(typeRef(name)).enum!.map((e) => e.value),
                [...values],
                name,
            );
            assert.strictEqual(
                typeOf(typeRef(holder)).properties![property].$ref,
                typeRef(name),
                `${holder}.${property}`,
            );
        }
        assert.deepStrictEqual(
            typeOf(typeRef("RebootOption")).enum!.map((e) => e.value),
            [...REBOOT_OPTIONS],
        );
        assert.strictEqual(
            schema.resources[token("PatchMaintenanceWindow")].inputProperties.rebootOption.$ref,
            typeRef("RebootOption"),
        );
        assert.deepStrictEqual(
            typeOf(typeRef("RejectedPatchesAction")).enum!.map((e) => e.value),
            [...REJECTED_PATCHES_ACTIONS],
        );
        assert.strictEqual(
            schema.resources[token("PatchingPolicy")].inputProperties.rejectedPatchesAction.$ref,
            typeRef("RejectedPatchesAction"),
        );
    });

    it("registers each component under its package token, aliased to the token deployed stacks know", async () => {
        const run = await runStack("test");
        const registered = run.resources.filter((r) => !r.custom && r.type.startsWith(`${PACKAGE_NAME}:`));
        assert.deepStrictEqual(
            registered.map((r) => [r.type, r.options.aliases]).sort(),
            [
                ["AlertTopic", "alerts"],
                // Added after the package existed: no former token.
                ["CoverageCheck", undefined],
                ["InventoryAssociation", "inventory"],
                ["LabNetwork", "network"],
                ["ManagedFleet", "fleet"],
                ["PatchAlerts", "alerts"],
                ["PatchMaintenanceWindow", "patching"],
                ["PatchScanAssociation", "patching"],
                ["PatchingPolicy", "patching"],
            ].map(([name, module]) => [token(name!), module ? [`type oelab:${module}:${name}`] : []]),
        );
    });
});

/**
 * The problems of a value for a property of the schema; `${a.b}` must be an output of resource a, passed only where
 * outputs are accepted.
 */
function valueProblems(
    where: string,
    value: unknown,
    spec: Property,
    outputsOf: (resource: string) => Record<string, Property> | undefined,
): string[] {
    if (typeof value === "string" && /\$\{[^}]+\}/.test(value)) {
        const problems = spec.plain ? [`${where}: takes a plain value, not an output (${value})`] : [];
        for (const [, reference] of value.matchAll(/\$\{([^}]+)\}/g)) {
            const [resource, output] = reference.split(".");
            const outputs = outputsOf(resource);
            if (!outputs) problems.push(`${where}: no resource ${resource}`);
            else if (!(output in outputs)) problems.push(`${where}: ${resource} has no output ${output}`);
        }
        return problems;
    }
    if (spec.$ref) {
        const type = typeOf(spec.$ref);
        if (!type) return [`${where}: unknown type ${spec.$ref}`];
        if (type.enum)
            return type.enum.some((e) => e.value === value)
                ? []
                : [`${where}: ${JSON.stringify(value)} is none of ${type.enum.map((e) => e.value).join(", ")}`];
        return objectProblems(where, value, type.properties ?? {}, type.required ?? [], outputsOf);
    }
    switch (spec.type) {
        case "string":
            return typeof value === "string" ? [] : [`${where}: ${JSON.stringify(value)} is not a string`];
        case "number":
        case "integer":
            return typeof value === "number" ? [] : [`${where}: ${JSON.stringify(value)} is not a number`];
        case "boolean":
            return typeof value === "boolean" ? [] : [`${where}: ${JSON.stringify(value)} is not a boolean`];
        case "array":
            return Array.isArray(value)
                ? value.flatMap((item, i) => valueProblems(`${where}[${i}]`, item, spec.items!, outputsOf))
                : [`${where}: not a list`];
        case "object":
            if (value === null || typeof value !== "object" || Array.isArray(value)) return [`${where}: not a map`];
            return Object.entries(value).flatMap(([key, item]) =>
                valueProblems(`${where}.${key}`, item, spec.additionalProperties!, outputsOf),
            );
        default:
            return [`${where}: unknown schema type ${JSON.stringify(spec)}`];
    }
}

function objectProblems(
    where: string,
    value: unknown,
    properties: Record<string, Property>,
    required: string[],
    outputsOf: (resource: string) => Record<string, Property> | undefined,
): string[] {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return [`${where}: not an object`];
    const given = value as Record<string, unknown>;
    return [
        ...required.filter((key) => !(key in given)).map((key) => `${where}: lacks the required ${key}`),
        ...Object.entries(given).flatMap(([key, item]) =>
            properties[key]
                ? valueProblems(`${where}.${key}`, item, properties[key], outputsOf)
                : [`${where}: no property ${key}`],
        ),
    ];
}

/** Every problem of a Pulumi YAML program's use of the package. */
function yamlProblems(program: {
    packages?: Record<string, string>;
    resources: Record<string, { type: string; properties?: Record<string, unknown> }>;
    outputs?: Record<string, unknown>;
}): string[] {
    const outputsOf = (name: string) => {
        const resource = program.resources[name];
        return resource ? schema.resources[resource.type]?.properties : undefined;
    };
    const problems = Object.entries(program.resources).flatMap(([name, resource]) => {
        const component = schema.resources[resource.type];
        if (!component) return [`${name}: no type ${resource.type} in the schema`];
        return objectProblems(
            name,
            resource.properties ?? {},
            component.inputProperties,
            component.requiredInputs ?? [],
            outputsOf,
        );
    });
    for (const [name, value] of Object.entries(program.outputs ?? {}))
        problems.push(...valueProblems(`outputs.${name}`, value, { type: "string" }, outputsOf));
    if (!Object.keys(program.packages ?? {}).includes(schema.name)) problems.push(`packages: no entry ${schema.name}`);
    return problems;
}

describe("the examples against the schema", () => {
    const EXAMPLES = path.join(PROJECT_ROOT, "examples");
    const program = yaml.parse(
        fs.readFileSync(path.join(EXAMPLES, "yaml-existing-fleet", "Pulumi.yaml"), "utf8"),
    ) as Parameters<typeof yamlProblems>[0];

    it("YAML: every type token and property exists, with a compatible value, outputs only where outputs are accepted", () => {
        assert.deepStrictEqual(yamlProblems(program), []);
        // It uses the components an existing fleet needs, and no network or instance.
        assert.deepStrictEqual([...new Set(Object.values(program.resources).map((r) => r.type.split(":")[2]))].sort(), [
            "AlertTopic",
            "InventoryAssociation",
            "PatchAlerts",
            "PatchMaintenanceWindow",
            "PatchScanAssociation",
            "PatchingPolicy",
        ]);
    });

    it("the check catches a wrong token, an unknown property, a wrong value, a missing input and an output where a plain value is needed", () => {
        const broken = JSON.parse(JSON.stringify(program));
        broken.resources.alertRules.type = "oe-lab-ipm:index:PatchAlert";
        broken.resources.scan.properties.schedules = "rate(1 day)";
        broken.resources.patching.properties.baselines[0].operatingSystem = "AMAZON_LINUX_2025";
        delete broken.resources.alerts.properties.topicName;
        broken.resources.window.properties.installTargetName = "${alerts.topicArn}";
        broken.resources.alertRules.properties.patchBaselineIds = ["${patching.baselineIdz}"];
        broken.outputs.alertTopic = "${alerts.topicArnz}";
        assert.deepStrictEqual(yamlProblems(broken), [
            "scan: no property schedules",
            'patching.baselines[0].operatingSystem: "AMAZON_LINUX_2025" is none of AMAZON_LINUX_2023, AMAZON_LINUX_2, UBUNTU, WINDOWS',
            "alerts: lacks the required topicName",
            "window.installTargetName: takes a plain value, not an output (${alerts.topicArn})",
            "alertRules: no type oe-lab-ipm:index:PatchAlert in the schema",
            "outputs.alertTopic: alerts has no output topicArnz",
        ]);
        broken.resources.alertRules.type = "oe-lab-ipm:index:PatchAlerts";
        assert.deepStrictEqual(yamlProblems(broken).slice(-2), [
            "alertRules.patchBaselineIds[0]: patching has no output baselineIdz",
            "outputs.alertTopic: alerts has no output topicArnz",
        ]);
    });

    it("Python: every component and keyword argument it uses is in the schema (in snake_case)", () => {
        const source = fs.readFileSync(path.join(EXAMPLES, "python-existing-fleet", "__main__.py"), "utf8");
        const calls = [...source.matchAll(/oe_lab_ipm\.(\w+)\(\s*"[^"]+",([\s\S]*?)\n\)/g)];
        assert.strictEqual(calls.length, 6);
        const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
        for (const [, component, body] of calls) {
            const inputs = Object.keys(schema.resources[token(component)]?.inputProperties ?? {}).map(snake);
            assert.ok(inputs.length > 0, component);
            const keywords = [...body.matchAll(/^\s{4}(\w+)=/gm)].map((m) => m[1]);
            assert.ok(keywords.length > 0, component);
            for (const keyword of keywords)
                assert.ok(inputs.includes(keyword), `${component}(${keyword}=…) is not an input`);
        }
    });
});
