import * as assert from "assert";
import { ofType, RecordedResource, runStack, StackRun } from "./harness";
import { associationReaches, registrations, windowTargetReaches } from "./targets";

/**
 * test, prod and mixed planned together, as if deployed into one account and region (the lab
 * deploys its two stacks side by side; a mixed-OS fleet joins them): nothing they name may
 * collide, no patch group is registered twice for one OS, and nothing one of them targets may
 * reach another's instances.
 */
const STACKS_IN_ONE_ACCOUNT = ["test", "prod", "mixed"];

const INSTANCE = "aws:ec2/instance:Instance";

/**
 * Every optional resource switched on, so that its names are checked too (prod's one sync goes to the reporting stack).
 */
const EVERYTHING = { "maintenanceWindow.adminGroup": "Administrators", "alerts.emails": ["ops@example.com"] };
const OVERRIDES: Record<string, Record<string, unknown>> = {
    test: { ...EVERYTHING, "inventory.resourceDataSync": true },
    prod: EVERYTHING,
    mixed: { ...EVERYTHING, "inventory.resourceDataSync": true },
};

/** Types whose names are unique per account (IAM) or per account and region. */
const UNIQUE_NAMES: Record<string, string> = {
    "aws:iam/role:Role": "account",
    "aws:iam/instanceProfile:InstanceProfile": "account",
    "aws:iam/policy:Policy": "account",
    "aws:sns/topic:Topic": "region",
    "aws:cloudwatch/eventRule:EventRule": "region",
    "aws:cloudwatch/logGroup:LogGroup": "region",
    "aws:ssm/resourceDataSync:ResourceDataSync": "region",
};

/** Names people search the console for: unique per stack even where AWS would allow twins. */
const SEARCHED_NAMES: Record<string, string> = {
    "aws:ssm/patchBaseline:PatchBaseline": "name",
    "aws:ssm/maintenanceWindow:MaintenanceWindow": "name",
    "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget": "name",
    "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask": "name",
    "aws:ssm/association:Association": "associationName",
};

/** What a resource is called in AWS: its explicit name, or its prefix (AWS appends a random suffix). */
function awsName(r: RecordedResource, field = "name"): string | undefined {
    return r.inputs[field] ?? (r.inputs.namePrefix ? `${r.inputs.namePrefix}*` : undefined);
}

describe("the reporting stack beside test, prod and mixed in one account and region", () => {
    it("names its database, workgroup and saved queries apart from every other stack's, and is where prod's sync writes", async () => {
        const [reporting, ...members] = await Promise.all(
            ["reporting", ...STACKS_IN_ONE_ACCOUNT].map((stack) => runStack(stack, OVERRIDES[stack])),
        );
        const all = [reporting, ...members].flatMap((r) => r.resources);
        for (const type of [
            "aws:athena/workgroup:Workgroup",
            "aws:glue/catalogDatabase:CatalogDatabase",
            "aws:ssm/resourceDataSync:ResourceDataSync",
            "aws:athena/namedQuery:NamedQuery",
        ]) {
            const names = all.filter((r) => r.type === type).map((r) => `${r.inputs.workgroup ?? ""}/${r.inputs.name}`);
            assert.ok(names.length >= 1, type);
            assert.strictEqual(new Set(names).size, names.length, `${type}: ${names.join(", ")}`);
        }
        assert.deepStrictEqual(ofType(reporting, INSTANCE), []);
        assert.strictEqual(reporting.outputs.SyncPrefix, "inventory");
        // Members reach the reporting stack by its outputs' names: the ones it exports.
        for (const key of ["SyncBucketName", "SyncBucketRegion", "SyncPrefix", "OrganizationShared"])
            assert.ok(key in reporting.outputs, key);
        const syncs = members.flatMap((r) => ofType(r, "aws:ssm/resourceDataSync:ResourceDataSync"));
        assert.deepStrictEqual(
            syncs
                .filter((s) => s.inputs.s3Destination.bucketName.startsWith("<SyncBucketName of stack"))
                .map((s) => s.inputs.name),
            ["InventoryAllInstances-Prod-sync"],
        );
    });
});

describe("test, prod and mixed in one account and region", () => {
    let runs: StackRun[];
    let resources: RecordedResource[];
    let instances: RecordedResource[];
    before(async () => {
        runs = await Promise.all(STACKS_IN_ONE_ACCOUNT.map((stack) => runStack(stack, OVERRIDES[stack])));
        resources = runs.flatMap((r) => r.resources);
        instances = runs.flatMap((r) => ofType(r, INSTANCE));
    });

    it("give account- and region-wide names that never collide, each prefix its stack's own", () => {
        for (const [type, scope] of Object.entries(UNIQUE_NAMES)) {
            const names = resources.filter((r) => r.type === type).map((r) => awsName(r));
            assert.ok(
                names.length >= 2 && names.every((n) => n !== undefined),
                `${type}: every one has a ${scope}-wide name`,
            );
            assert.strictEqual(new Set(names).size, names.length, `${type}: ${names.join(", ")}`);
            // A prefix that starts another stack's name could let a wildcard grant (rule/<topic>-*) reach it.
            for (const a of names) {
                for (const b of names.filter((n) => n !== a)) {
                    assert.ok(!b!.startsWith(a!.replace(/\*$/, "")), `${type}: ${a} is a prefix of ${b}`);
                }
            }
        }
    });

    it("name baselines, windows, targets, tasks and associations per workload", () => {
        for (const [type, field] of Object.entries(SEARCHED_NAMES)) {
            const names = resources.filter((r) => r.type === type).map((r) => r.inputs[field]);
            assert.strictEqual(new Set(names).size, names.length, `${type}: ${names.join(", ")}`);
        }
    });

    it("register each patch group once per operating system (AWS allows one baseline per OS for a patch group)", () => {
        // Per stack: a baseline id names a baseline of its own stack.
        const registered = runs.flatMap((run) => registrations(run.resources).map((r) => `${r.os}/${r.patchGroup}`));
        assert.deepStrictEqual(registered.sort(), [
            "AMAZON_LINUX_2023/Critical",
            "AMAZON_LINUX_2023/Critical-Mixed",
            "AMAZON_LINUX_2023/Critical-Prod",
            "UBUNTU/Critical-Mixed",
            "WINDOWS/Critical-Mixed",
        ]);
    });

    it("give every instance exactly one inventory association and one patch scan association", () => {
        const groups = resources.filter((r) => r.type === "aws:resourcegroups/group:Group");
        assert.strictEqual(instances.length, 13);
        for (const document of ["AWS-GatherSoftwareInventory", "AWS-RunPatchBaseline"]) {
            const counts = new Map<string, number>(instances.map((i) => [i.inputs.tags.Name, 0]));
            for (const association of resources.filter(
                (r) => r.type === "aws:ssm/association:Association" && r.inputs.name === document,
            )) {
                for (const name of associationReaches(association, groups, instances))
                    counts.set(name, counts.get(name)! + 1);
            }
            assert.deepStrictEqual(
                [...counts.values()],
                Array(13).fill(1),
                `${document}: ${JSON.stringify([...counts])}`,
            );
        }
        // The lab's single Environment target would have reached all thirteen from each stack: why the group exists.
        const labStyle = {
            inputs: { targets: [{ key: "tag:Environment", values: ["OELabIPM"] }] },
        } as unknown as RecordedResource;
        assert.strictEqual(associationReaches(labStyle, [], instances).length, 13);
    });

    it("let each window target reach its own stack's instances only", () => {
        for (const run of runs) {
            const own = ofType(run, INSTANCE).map((i) => i.inputs.tags.Name);
            for (const target of ofType(run, "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget")) {
                const reached = windowTargetReaches(target, instances);
                assert.ok(
                    reached.length > 0 && reached.every((name) => own.includes(name)),
                    `${run.stack} ${target.inputs.name}: ${reached.join(", ")}`,
                );
            }
        }
    });

    it("scope each stack's alert rules to its own instances, windows and baseline", () => {
        const watched = (run: StackRun) => {
            const details = ofType(run, "aws:cloudwatch/eventRule:EventRule").map(
                (r) => JSON.parse(r.inputs.eventPattern).detail,
            );
            return new Set(
                details.flatMap((d) => [
                    ...(d["instance-id"] ?? []),
                    ...(d["window-id"] ?? []),
                    ...(d["patch-baseline-id"] ?? []),
                ]),
            );
        };
        const [test, prod, mixed] = runs.map(watched);
        assert.strictEqual(test.size, 4 + 1 + 1);
        assert.strictEqual(mixed.size, 5 + 1 + 3);
        for (const [a, b] of [
            [test, prod],
            [test, mixed],
            [prod, mixed],
        ])
            assert.deepStrictEqual(
                [...a].filter((id) => b.has(id)),
                [],
            );
    });
});
