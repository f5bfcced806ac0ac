import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AssumeRoleCommand } from "@aws-sdk/client-sts";
import { DescribeInstanceInformationCommand } from "@aws-sdk/client-ssm";
import { EXIT } from "../tools/common/exit";
import { validateRequest } from "../tools/contract/models";
import { main, runtime } from "../tools/fleet/cli";
import { captured } from "./captured";
import { ec2, iam, ID } from "./coverageFixtures";
import {
    ACCOUNT,
    assumed,
    calls,
    fakeOrganization,
    RUNNER,
    sequence,
    sts,
    TARGETS_YAML,
} from "./fleetCoverageFixtures";
import { ssm } from "./opsFixtures";

const NOW = new Date("2026-11-28T09:00:00.000Z");
const STACK = {
    managed: `fleet-${ACCOUNT.managed}-us-east-1`,
    mixed: `fleet-${ACCOUNT.mixed}-eu-west-1`,
    denied: `fleet-${ACCOUNT.denied}-ap-northeast-1`,
};
const ROLE = (account: string, name = "OeLabIpmDeployment") => `arn:aws:iam::${account}:role/${name}`;
const DENIED = `sts:AssumeRole of ${ROLE(ACCOUNT.denied)} failed: AccessDenied: User: ${RUNNER} is not authorized to perform: sts:AssumeRole on resource: ${ROLE(ACCOUNT.denied)}`;

/** The ambient credentials the runner assumes the roles with (fake; the fakes never see them). */
const RUNNER_ENV = { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMIEXAMPLEKEY" };

describe("fleet coverage", () => {
    let dir: string;
    let targets: string;
    const saved = { ...process.env };
    const originalNow = runtime.now;
    const fleet = (...args: string[]) =>
        captured(() => main(["node", "fleet", "coverage", "--targets", targets, ...args]));

    beforeEach(() => {
        for (const mock of [ssm, ec2, iam, sts]) mock.reset();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-coverage-"));
        targets = path.join(dir, "targets.yaml");
        fs.writeFileSync(targets, TARGETS_YAML);
        Object.assign(process.env, RUNNER_ENV);
        runtime.now = () => NOW;
        fakeOrganization();
    });
    afterEach(() => {
        runtime.now = originalNow;
        for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
        Object.assign(process.env, saved);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("three targets: one table with each target's counts, the refused role's error, totals; exit 1", async () => {
        const r = await fleet();
        assert.strictEqual(r.code, EXIT.failed, r.stderr);
        const lines = r.stdout.split("\n");
        assert.deepStrictEqual(
            lines.slice(0, 6).map((l) => l.split(/ {2,}/)),
            [
                ["stack", "account", "region", "in scope", "managed", "silent", "unmanaged", "stopped", "error"],
                lines[1].split(/ {2,}/),
                [STACK.managed, ACCOUNT.managed, "us-east-1", "2", "2", "0", "0", "0"],
                [STACK.mixed, ACCOUNT.mixed, "eu-west-1", "3", "0", "0", "2", "1"],
                [STACK.denied, ACCOUNT.denied, "ap-northeast-1", "sts:AssumeRole: AccessDenied"],
                ["total", "5", "2", "0", "2", "1"],
            ],
        );
        assert.ok(
            r.stdout.includes(
                `\nWhy:\n  ${STACK.managed} ${ID.app1} (managed): agent 2.3.1319.0 is below 3.0.502 (AWS-RunPatchBaselineWithHooks needs it)\n  ${STACK.mixed} ${ID.app2} (unmanaged): no instance profile; IMDSv1`,
            ),
        );
        assert.ok(
            r.stdout.includes(
                `  ${STACK.mixed} ${ID.hand} (unmanaged): role WebOnlyRole has no AmazonSSMManagedInstanceCore attached (attached: AmazonS3ReadOnlyAccess; inline policies not read)\n`,
            ),
        );
        assert.ok(r.stdout.includes(`\nNot read:\n  ${STACK.denied}: ${DENIED}\n`));
        assert.ok(
            r.stdout.endsWith(
                "\n3 target(s), 2 read, 1 not read: 5 in scope, 2 managed, 0 silent (over 24 h), 2 unmanaged, 1 stopped.\n",
            ),
            r.stdout,
        );
        assert.ok(
            r.stderr.endsWith(
                `2 in-scope instance(s) not covered by Systems Manager in 1 target(s).\n1 of 3 target(s) not read: ${STACK.denied} (AccessDenied).\n`,
            ),
            r.stderr,
        );
    });

    it("assumes each target's role in its Region with the tool's session name and one hour, and reads with it", async () => {
        await fleet();
        const request = (account: string, region: string) => ({
            RoleArn: ROLE(account),
            RoleSessionName: "oe-lab-ipm-fleet-coverage",
            DurationSeconds: 3600,
            region,
        });
        assert.deepStrictEqual(
            [...assumed].sort((a, b) => a.RoleArn.localeCompare(b.RoleArn)),
            [
                request(ACCOUNT.managed, "us-east-1"),
                request(ACCOUNT.mixed, "eu-west-1"),
                request(ACCOUNT.denied, "ap-northeast-1"),
            ],
        );
        // Every read ran with the target's assumed credentials, in its Region; none in the refused account.
        const where = [...new Set(calls.map((c) => `${c.account} ${c.region} ${c.action}`))].sort();
        assert.deepStrictEqual(where, [
            `${ACCOUNT.managed} us-east-1 ec2:DescribeInstances`,
            `${ACCOUNT.managed} us-east-1 ssm:DescribeInstanceInformation`,
            `${ACCOUNT.managed} us-east-1 ssm:DescribeInstancePatchStates`,
            `${ACCOUNT.mixed} eu-west-1 ec2:DescribeInstances`,
            `${ACCOUNT.mixed} eu-west-1 iam:GetInstanceProfile`,
            `${ACCOUNT.mixed} eu-west-1 iam:ListAttachedRolePolicies`,
            `${ACCOUNT.mixed} eu-west-1 ssm:DescribeInstanceInformation`,
            `${ACCOUNT.mixed} eu-west-1 ssm:DescribeInstancePatchStates`,
        ]);
        // Each target's scope is its own config: a created fleet by its tags, an existing one by targetTags.
        const listed = (account: string) =>
            calls.find((c) => c.account === account && c.action === "ec2:DescribeInstances")!.input.Filters;
        const states = { Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped"] };
        assert.deepStrictEqual(listed(ACCOUNT.managed), [
            { Name: "tag:Environment", Values: ["OELabIPM"] },
            { Name: "tag:Workload", Values: ["Test"] },
            states,
        ]);
        assert.deepStrictEqual(listed(ACCOUNT.mixed), [
            { Name: "tag:Environment", Values: ["Production"] },
            { Name: "tag:PatchWith", Values: ["oe-lab-ipm"] },
            states,
        ]);
    });

    it("--parallel: at most that many targets at once (1: each target's reads end before the next is assumed)", async () => {
        await fleet("--parallel", "1");
        const [m, x, d] = [ACCOUNT.managed, ACCOUNT.mixed, ACCOUNT.denied];
        const owner = (event: string) => (event.startsWith("assume ") ? event.slice(7) : event.slice(0, 12));
        // One block per target, in the file's order.
        const blocks = sequence.map(owner).filter((a, i, all) => i === 0 || all[i - 1] !== a);
        assert.deepStrictEqual(blocks, [m, x, d]);
        fakeOrganization();
        await fleet(); // 8 at once: the three targets' reads interleave
        assert.ok(
            sequence.map(owner).filter((a, i, all) => i === 0 || all[i - 1] !== a).length > 3,
            sequence.join("\n"),
        );
    });

    it("--json: every target's row with its coverage, and the totals", async () => {
        const r = await fleet("--json");
        assert.strictEqual(r.code, EXIT.failed);
        const out = JSON.parse(r.stdout);
        assert.deepStrictEqual(
            { ...out, targets: undefined },
            {
                generatedAt: "2026-11-28T09:00:00.000Z",
                silentAfterHours: 24,
                session: { roleSessionName: "oe-lab-ipm-fleet-coverage", durationSeconds: 3600 },
                targets: undefined,
                totals: {
                    targets: 3,
                    read: 2,
                    failed: 1,
                    notRead: 0,
                    inScope: 5,
                    managed: 2,
                    silent: 0,
                    unmanaged: 2,
                    stopped: 1,
                },
            },
        );
        assert.deepStrictEqual(
            out.targets.map((t: any) => [
                t.stack,
                t.account,
                t.region,
                t.base,
                t.roleArn,
                t.status,
                t.failedCall,
                t.errorCode,
            ]),
            [
                [STACK.managed, ACCOUNT.managed, "us-east-1", "test", ROLE(ACCOUNT.managed), "read", null, null],
                [STACK.mixed, ACCOUNT.mixed, "eu-west-1", "existing", ROLE(ACCOUNT.mixed), "read", null, null],
                [
                    STACK.denied,
                    ACCOUNT.denied,
                    "ap-northeast-1",
                    "test",
                    ROLE(ACCOUNT.denied),
                    "failed",
                    "sts:AssumeRole",
                    "AccessDenied",
                ],
            ],
        );
        assert.deepStrictEqual(out.targets[2].error, DENIED);
        assert.strictEqual(out.targets[2].coverage, null);
        // The coverage of a target is what `ops coverage --json` prints for its stack.
        const mixed = out.targets[1].coverage;
        assert.deepStrictEqual(
            [mixed.stack, mixed.region, mixed.scope, mixed.counts],
            [
                STACK.mixed,
                "eu-west-1",
                "instances tagged Environment=Production, PatchWith=oe-lab-ipm",
                { managed: 0, silent: 0, unmanaged: 2, stopped: 1, terminated: 0 },
            ],
        );
        assert.deepStrictEqual(
            mixed.instances.map((i: any) => [i.instanceId, i.coverage]),
            [
                [ID.app2, "unmanaged"],
                [ID.hand, "unmanaged"],
                [ID.stopped, "stopped"],
            ],
        );
        assert.strictEqual(out.targets[0].coverage.expected, 4); // the test stack's config creates 4
    });

    it("--report: one page with every target, its counts or its error, and the instances not covered", async () => {
        const file = path.join(dir, "coverage.html");
        const r = await fleet("--report", file);
        assert.strictEqual(r.code, EXIT.failed);
        const html = fs.readFileSync(file, "utf8");
        const row = (stack: string) => new RegExp(`<tr data-target="${stack}"[^\\n]*</tr>`).exec(html)?.[0];
        assert.strictEqual(
            row(STACK.managed),
            `<tr data-target="${STACK.managed}" data-status="read"><td>${STACK.managed}</td><td>${ACCOUNT.managed}</td><td>us-east-1</td><td class="n">2</td><td class="n">2</td><td class="n">0</td><td class="n">0</td><td class="n">0</td><td></td></tr>`,
        );
        assert.ok(row(STACK.mixed)?.includes('data-status="read"'));
        assert.ok(row(STACK.denied)?.includes(`data-status="failed"`));
        assert.ok(row(STACK.denied)?.includes("AccessDenied: User: arn:aws:sts::123456789012:assumed-role/"));
        assert.ok(html.includes('<tr data-target="total"><td>Total</td><td></td><td></td><td class="n">5</td>'));
        assert.match(
            html,
            /<p class="headline" id="headline">1 of 5 in-scope instances compliant: 1 not compliant or without patch data, 2 unmanaged or silent \(over 24 h\), 1 stopped. 1 of 3 targets not read: their instances are not counted.<\/p>/,
        );
        // The report's coverage section, each row labelled with its account and its patch group in its Region.
        assert.ok(
            html.includes(
                "<h2>Coverage: every in-scope instance (5: 2 managed, 0 silent, 2 unmanaged, 1 stopped)</h2>",
            ),
        );
        assert.ok(
            html.includes(
                `<tr data-coverage="unmanaged"><td>${ACCOUNT.mixed}</td><td>Critical (eu-west-1)</td><td>${ID.app2}</td>`,
            ),
        );
        const chart = JSON.parse(/<script id="coverage-data" type="application\/json">(.*)<\/script>/.exec(html)![1]);
        assert.deepStrictEqual(chart.labels, [
            `${ACCOUNT.managed} Critical (us-east-1)`,
            `${ACCOUNT.mixed} Critical (eu-west-1)`,
        ]);
        assert.ok(r.stderr.includes(`Wrote ${file}.\n`));
    });

    it("--only: that target alone is assumed and read; all managed: exit 0", async () => {
        const r = await fleet("--only", ACCOUNT.managed);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.deepStrictEqual(
            assumed.map((a) => a.RoleArn),
            [ROLE(ACCOUNT.managed)],
        );
        assert.ok(
            r.stdout.endsWith(
                "1 target(s), 1 read: 2 in scope, 2 managed, 0 silent (over 24 h), 0 unmanaged, 0 stopped.\n",
            ),
        );
    });

    it("every target refused: exit 3, each row naming its role and AWS's error code", async () => {
        fakeOrganization(Object.values(ACCOUNT));
        const r = await fleet("--json");
        assert.strictEqual(r.code, EXIT.aws);
        const out = JSON.parse(r.stdout);
        assert.deepStrictEqual(
            out.targets.map((t: any) => [
                t.status,
                t.errorCode,
                t.error.startsWith(`sts:AssumeRole of ${t.roleArn} failed: AccessDenied: `),
            ]),
            [
                ["failed", "AccessDenied", true],
                ["failed", "AccessDenied", true],
                ["failed", "AccessDenied", true],
            ],
        );
        assert.deepStrictEqual(calls, []);
    });

    it("a read denied in one target is that target's row (the call, the role, the code); the others go on", async () => {
        ssm.on(DescribeInstanceInformationCommand).callsFake(async (_input: any, client: () => any) => {
            if ((await client().config.region()) === "eu-west-1")
                throw Object.assign(
                    new Error(
                        "User: arn:aws:sts::444455556666:assumed-role/OeLabIpmDeployment/oe-lab-ipm-fleet-coverage is not authorized to perform: ssm:DescribeInstanceInformation",
                    ),
                    { name: "AccessDeniedException" },
                );
            return { InstanceInformationList: [] };
        });
        const r = await fleet("--json", "--only", `${ACCOUNT.managed},${ACCOUNT.mixed}`);
        const out = JSON.parse(r.stdout);
        assert.deepStrictEqual(
            out.targets.map((t: any) => [t.stack, t.status, t.errorCode]),
            [
                [STACK.managed, "read", null],
                [STACK.mixed, "failed", "AccessDeniedException"],
            ],
        );
        assert.match(
            out.targets[1].error,
            new RegExp(
                `^ssm:DescribeInstanceInformation as ${ROLE(ACCOUNT.mixed)} failed: AccessDeniedException: User: `,
            ),
        );
        assert.strictEqual(r.code, EXIT.failed);
    });

    it("the role refused when its credentials are renewed during the reads: the row names sts:AssumeRole and AWS's code", async () => {
        let assumes = 0;
        const denied = Object.assign(new Error(`User: ${RUNNER} is not authorized`), { name: "AccessDenied" });
        sts.on(AssumeRoleCommand).callsFake(async (input: any) => {
            if (++assumes > 1) throw denied;
            const Expiration = new Date(Date.now() + 60_000); // within 5 minutes of expiry: the next read renews them
            const [AccessKeyId, SecretAccessKey, SessionToken] = [
                "ASIAIOSFODNN7EXAMPLE",
                "wJalrEXAMPLEKEY",
                "FwoGEXAMPLE",
            ];
            const AssumedRoleId = `AROA3XFRBF535PLBIFPI4:${input.RoleSessionName}`;
            return {
                Credentials: { AccessKeyId, SecretAccessKey, SessionToken, Expiration },
                AssumedRoleUser: { AssumedRoleId, Arn: RUNNER },
            };
        });
        const row = JSON.parse((await fleet("--json", "--only", ACCOUNT.managed)).stdout).targets[0];
        assert.deepStrictEqual(
            [row.status, row.failedCall, row.errorCode],
            ["failed", "sts:AssumeRole", "AccessDenied"],
        );
        assert.strictEqual(assumes, 2);
    });

    it("--role: that role name in every target's account, in the Region's partition", async () => {
        await fleet("--role", "OeLabIpmCoverageReader", "--json");
        assert.deepStrictEqual(
            assumed.map((a) => a.RoleArn).sort(),
            Object.values(ACCOUNT).map((a) => ROLE(a, "OeLabIpmCoverageReader")),
        );
        const bad = await fleet("--role", "arn:aws:iam::111122223333:role/X");
        assert.strictEqual(bad.code, EXIT.usage);
        assert.match(
            bad.stderr,
            /option '--role <name>' argument 'arn:aws:iam::111122223333:role\/X' is invalid. must be an IAM role name/,
        );
    });

    it("no AWS credentials: one message, exit 5, no target started, nothing printed", async () => {
        for (const name of Object.keys(process.env))
            if (name.startsWith("AWS_") && name !== "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED")
                delete process.env[name];
        Object.assign(process.env, {
            AWS_CONFIG_FILE: path.join(dir, "none"),
            AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "none"),
            AWS_EC2_METADATA_DISABLED: "true",
        });
        const r = await fleet("--report", path.join(dir, "out.html"));
        assert.strictEqual(r.code, EXIT.unavailable);
        assert.strictEqual(r.stdout, "");
        assert.match(
            r.stderr,
            /^No AWS credentials to assume the targets' roles with \(.+\): set AWS_PROFILE or AWS_ACCESS_KEY_ID/,
        );
        assert.deepStrictEqual([assumed, calls, fs.existsSync(path.join(dir, "out.html"))], [[], [], false]);
    });

    it("Ctrl-C while reading: the targets not read say so, no report is written, exit 130", async () => {
        const file = path.join(dir, "coverage.html");
        ssm.on(DescribeInstanceInformationCommand).callsFake(async () => {
            process.emit("SIGINT");
            throw Object.assign(new Error("Request aborted"), { name: "AbortError" });
        });
        const r = await fleet("--report", file, "--parallel", "1");
        assert.strictEqual(r.code, EXIT.interrupted);
        assert.deepStrictEqual(
            assumed.map((a) => a.RoleArn),
            [ROLE(ACCOUNT.managed)],
        ); // no target started after
        const rows = r.stdout
            .split("\n")
            .slice(2, 5)
            .map((l) => l.split(/ {2,}/));
        assert.deepStrictEqual(rows, [
            [STACK.managed, ACCOUNT.managed, "us-east-1", "interrupted (Ctrl-C)"],
            [STACK.mixed, ACCOUNT.mixed, "eu-west-1", "interrupted (Ctrl-C) before it started"],
            [STACK.denied, ACCOUNT.denied, "ap-northeast-1", "interrupted (Ctrl-C) before it started"],
        ]);
        assert.strictEqual(fs.existsSync(file), false);
        assert.ok(r.stderr.includes(`No report written to ${file}: interrupted (Ctrl-C).`));
    });

    it("--timeout: the reads stop at the deadline, exit 4, the rows say so", async () => {
        ssm.on(DescribeInstanceInformationCommand).callsFake(async () => {
            await new Promise((resolve) => setTimeout(resolve, 1200)); // the SDK aborts it at the deadline
            throw Object.assign(new Error("Request aborted"), { name: "AbortError" });
        });
        const r = await fleet("--timeout", "1", "--parallel", "1", "--json");
        assert.strictEqual(r.code, EXIT.timeout);
        assert.deepStrictEqual(
            JSON.parse(r.stdout).targets.map((t: any) => [t.status, t.error]),
            [
                ["not read", "--timeout 1 s reached"],
                ["not read", "--timeout 1 s reached before it started"],
                ["not read", "--timeout 1 s reached before it started"],
            ],
        );
    });

    it("every request it sends passes botocore's models (tools/contract/aws-models.json)", async () => {
        await fleet();
        const requests: [string, string, object][] = [
            ...sts
                .commandCalls(AssumeRoleCommand)
                .map(
                    (c) =>
                        ["sts", "AssumeRole", JSON.parse(JSON.stringify(c.args[0].input))] as [string, string, object],
                ),
            ...calls.map((c) => [c.action.split(":")[0], c.action.split(":")[1], c.input] as [string, string, object]),
        ];
        // 3 AssumeRole; the managed target: its two lists and its patch states; the mixed one: the same,
        // the re-read of its two unmanaged instances, one profile and its role's policies.
        assert.strictEqual(requests.length, 3 + 3 + 6);
        for (const [service, operation, request] of requests)
            assert.deepStrictEqual(validateRequest(service as any, operation, request), [], `${service}:${operation}`);
    });
});
