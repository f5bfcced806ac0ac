import { DescribeInstancesCommand } from "@aws-sdk/client-ec2";
import { GetInstanceProfileCommand, ListAttachedRolePoliciesCommand } from "@aws-sdk/client-iam";
import { DescribeInstanceInformationCommand } from "@aws-sdk/client-ssm";
import * as assert from "assert";
import { EXIT } from "../tools/ops/aws";
import { stoppedSince, versionBelow } from "../tools/ops/coverage";
import { printCoverage } from "../tools/ops/coverageCli";
import { Service, validateRequest } from "../tools/contract/models";
import { ec2, fakeFleet, iam, ID, requests } from "./coverageFixtures";
import { ssm, sns } from "./opsFixtures";
import { ops } from "./opsSession";

const STATES = { Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped"] };
const TAGS = [
    { Name: "tag:Environment", Values: ["OELabIPM"] },
    { Name: "tag:Workload", Values: ["Test"] },
];

describe("ops coverage", () => {
    beforeEach(() => {
        for (const mock of [ssm, sns, ec2, iam]) mock.reset();
        for (const list of Object.values(requests)) list.length = 0;
    });

    it("lists every in-scope instance: managed, silent, old agent, unmanaged (and why), stopped, terminated while read", async () => {
        fakeFleet();
        const s = await ops(["coverage", "--stack", "test", "--json"]);
        assert.strictEqual(s.code, EXIT.failed, s.err);
        const report = JSON.parse(s.out);
        const rows = report.instances.map((i: any) => [i.instanceId, i.coverage, i.state, i.compliance, i.reasons]);
        assert.deepStrictEqual(rows, [
            [ID.web1, "managed", "running", "COMPLIANT", []],
            [
                ID.web2,
                "silent",
                "running",
                "NO_PATCH_DATA",
                ["ping ConnectionLost, last seen 2026-11-25T07:30:00.000Z (threshold 24 h)"],
            ],
            [
                ID.app1,
                "managed",
                "running",
                "NON_COMPLIANT",
                ["agent 2.3.1319.0 is below 3.0.502 (AWS-RunPatchBaselineWithHooks needs it)"],
            ],
            [
                ID.app2,
                "unmanaged",
                "running",
                "NO_PATCH_DATA",
                [
                    "no instance profile",
                    "IMDSv1 allowed (HttpTokens=optional): Default Host Management Configuration needs IMDSv2 to manage it without a profile",
                ],
            ],
            [
                ID.hand,
                "unmanaged",
                "running",
                "NO_PATCH_DATA",
                [
                    "role WebOnlyRole has no AmazonSSMManagedInstanceCore attached (attached: AmazonS3ReadOnlyAccess, CloudWatchAgentServerPolicy; inline policies not read)",
                ],
            ],
            [
                ID.never,
                "unmanaged",
                "running",
                "NO_PATCH_DATA",
                [
                    "never registered: profile and metadata look right; check the agent is installed and running, and its route to the ssm, ssmmessages and ec2messages endpoints",
                ],
            ],
            [ID.stopped, "stopped", "stopped", "NO_PATCH_DATA", []],
            [ID.gone, "terminated", "terminated", "NO_PATCH_DATA", ["terminated while coverage was read"]],
        ]);
        assert.deepStrictEqual(report.counts, { managed: 2, silent: 1, unmanaged: 3, stopped: 1, terminated: 1 });
        assert.strictEqual(report.expected, 4);
        assert.deepStrictEqual(report.otherManagedNodes, ["mi-0123456789abcdef0"]);
        assert.strictEqual(report.scope, "instances tagged Environment=OELabIPM, Workload=Test");
        const web1 = report.instances[0];
        assert.deepStrictEqual(web1, {
            instanceId: ID.web1,
            name: "Test-Web1",
            state: "running",
            since: "2026-11-20T01:00:00.000Z",
            coverage: "managed",
            managed: true,
            pingStatus: "Online",
            agentVersion: "3.3.987.0",
            lastSeen: "2026-11-28T08:55:00.000Z",
            platform: "Amazon Linux 2023",
            patchGroup: "Critical",
            lastOperation: { operation: "Scan", endedAt: "2026-11-28T02:03:00.000Z" },
            compliance: "COMPLIANT",
            reasons: [],
        });
        // Stopped since the time EC2 wrote into StateTransitionReason; not called unmanaged.
        assert.strictEqual(report.instances[6].since, "2026-10-01T08:00:00.000Z");
        assert.strictEqual(report.instances[6].managed, true);
        assert.strictEqual(report.instances[7].since, undefined); // terminated: no longer in any state since
        // An unmanaged instance: EC2's platform and the Patch Group tag.
        assert.strictEqual(report.instances[3].platform, "Linux/UNIX");
        assert.strictEqual(report.instances[3].patchGroup, "Critical");
        assert.match(
            s.err,
            /4 in-scope instance\(s\) not covered by Systems Manager: i-0c0000000000000a2 \(silent\), /,
        );
    });

    it("pages both lists with their documented limits, re-reads the unmanaged ones, reads each profile and role once", async () => {
        fakeFleet();
        await ops(["coverage", "--stack", "test", "--json"]);
        assert.deepStrictEqual(requests.ec2, [
            { Filters: [...TAGS, STATES], MaxResults: 1000 },
            { Filters: [...TAGS, STATES], MaxResults: 1000, NextToken: "4" },
            {
                Filters: [{ Name: "instance-id", Values: [ID.app2, ID.hand, ID.never, ID.gone] }],
                MaxResults: 1000,
            },
        ]);
        const ssmTags = [
            { Key: "tag:Environment", Values: ["OELabIPM"] },
            { Key: "tag:Workload", Values: ["Test"] },
        ];
        assert.deepStrictEqual(requests.ssm, [
            { Filters: ssmTags, MaxResults: 50 },
            { Filters: ssmTags, MaxResults: 50, NextToken: "3" },
        ]);
        assert.deepStrictEqual(requests.states, [
            { InstanceIds: [ID.web1, ID.web2, ID.app1, ID.stopped], MaxResults: 50 },
        ]);
        assert.deepStrictEqual(
            iam.commandCalls(GetInstanceProfileCommand).map((c) => c.args[0].input.InstanceProfileName),
            ["WebOnlyProfile", "ManagedInstancesProfile-Test-1a2b3c4"],
        );
        assert.deepStrictEqual(
            iam.commandCalls(ListAttachedRolePoliciesCommand).map((c) => JSON.parse(JSON.stringify(c.args[0].input))),
            [
                { RoleName: "WebOnlyRole", MaxItems: 100 },
                { RoleName: "ManagedInstancesRole-Test-9f8e7d6", MaxItems: 100 },
                { RoleName: "WebOnlyRole", MaxItems: 100, Marker: "m1" },
            ],
        );
    });

    it("prints a table, the reasons and a summary line", async () => {
        fakeFleet();
        const s = await ops(["coverage", "--stack", "test"]);
        const lines = s.out.split("\n");
        assert.strictEqual(
            lines[0],
            "Coverage of stack test in ap-northeast-1: instances tagged Environment=OELabIPM, Workload=Test",
        );
        assert.deepStrictEqual(lines[1].split(/ {2,}/), [
            "Instance",
            "Name",
            "State",
            "Coverage",
            "Ping",
            "Agent",
            "Last seen (UTC)",
            "Platform",
            "Patch group",
            "Last operation (UTC)",
            "Compliance",
        ]);
        assert.ok(
            lines.includes(
                `  ${ID.app2} (unmanaged): no instance profile; IMDSv1 allowed (HttpTokens=optional): Default Host Management Configuration needs IMDSv2 to manage it without a profile`,
            ),
        );
        assert.ok(s.out.includes("stopped since 2026-10-01 08:00"), s.out);
        assert.ok(s.out.includes("Managed nodes in scope that are no listed EC2 instance: mi-0123456789abcdef0"));
        assert.strictEqual(
            lines.at(-2),
            "7 in scope (its config creates 4): 2 managed, 1 silent (over 24 h), 3 unmanaged, 1 stopped; 1 terminated while read.",
        );
    });

    it("--all: every instance of the account and Region, with no tag filter", async () => {
        fakeFleet();
        const s = await ops(["coverage", "--stack", "test", "--all", "--json"]);
        const report = JSON.parse(s.out);
        assert.deepStrictEqual(requests.ec2[0], { Filters: [STATES], MaxResults: 1000 });
        assert.deepStrictEqual(requests.ssm[0], { MaxResults: 50 });
        assert.strictEqual(report.scope, "every instance in the account, ap-northeast-1");
        assert.strictEqual(report.expected, undefined);
        // Not in the stack's scope, but in the account's.
        const other = report.instances.find((i: any) => i.instanceId === ID.other);
        assert.strictEqual(other.coverage, "managed");
        assert.strictEqual(report.instances.length, 9);
    });

    it("--silent-hours: a longer threshold turns the silent one back to managed only if its ping is Online", async () => {
        fakeFleet();
        const s = await ops(["coverage", "--stack", "test", "--silent-hours", "100", "--json"]);
        // ConnectionLost is silent whatever the threshold.
        assert.strictEqual(JSON.parse(s.out).instances[1].coverage, "silent");
        const bad = await ops(["coverage", "--stack", "test", "--silent-hours", "0"]);
        assert.strictEqual(bad.code, EXIT.usage);
        assert.match(bad.err, /--silent-hours <hours>' argument '0' is invalid. must be a whole number of hours/);
    });

    it("exits 0 when every in-scope instance is managed", async () => {
        fakeFleet();
        ec2.on(DescribeInstancesCommand).resolves({
            Reservations: [
                {
                    Instances: [
                        {
                            InstanceId: ID.web1,
                            State: { Code: 16, Name: "running" },
                            LaunchTime: new Date("2026-11-20T01:00:00.000Z"),
                        },
                    ],
                },
            ],
        });
        const s = await ops(["coverage", "--stack", "test"]);
        assert.strictEqual(s.code, 0, s.err);
        assert.ok(
            s.out.includes(
                "1 in scope (its config creates 4): 1 managed, 0 silent (over 24 h), 0 unmanaged, 0 stopped.",
            ),
        );
    });

    it("an IAM read denied becomes a reason, not a failure", async () => {
        fakeFleet();
        iam.on(GetInstanceProfileCommand).rejects(
            Object.assign(new Error("User is not authorized to perform: iam:GetInstanceProfile"), {
                name: "AccessDenied",
            }),
        );
        const s = await ops(["coverage", "--stack", "test", "--json"]);
        const hand = JSON.parse(s.out).instances.find((i: any) => i.instanceId === ID.hand);
        assert.deepStrictEqual(hand.reasons, [
            "its profile WebOnlyProfile could not be read (iam:GetInstanceProfile denied)",
        ]);
    });

    it("EC2 denied: one clear message naming the action, exit 3", async () => {
        fakeFleet();
        ec2.on(DescribeInstancesCommand).rejects(
            Object.assign(new Error("You are not authorized to perform this operation."), {
                name: "UnauthorizedOperation",
            }),
        );
        const s = await ops(["coverage", "--stack", "test"]);
        assert.strictEqual(s.code, EXIT.aws);
        assert.strictEqual(
            s.err,
            "Access denied: your credentials may not call ec2:DescribeInstances. You are not authorized to perform this operation.\n",
        );
    });

    it("Ctrl-C while reading: exit 130, no table", async () => {
        fakeFleet();
        const cancel = new AbortController();
        ssm.on(DescribeInstanceInformationCommand).callsFake(async () => {
            cancel.abort();
            throw Object.assign(new Error("Request aborted"), { name: "AbortError" });
        });
        const s = await ops(["coverage", "--stack", "test"], { signal: cancel.signal });
        assert.strictEqual(s.code, EXIT.interrupted);
        assert.strictEqual(s.out, "");
        assert.strictEqual(s.err, "interrupted (Ctrl-C) while reading: nothing was started or changed in AWS.\n");
    });

    it("reads versions and stop times as EC2 and the agent write them", () => {
        assert.strictEqual(versionBelow("3.0.431.0", "3.0.502"), true);
        assert.strictEqual(versionBelow("3.0.1000.0", "3.0.502"), false);
        assert.strictEqual(versionBelow("3.0.502.0", "3.0.502"), false);
        assert.strictEqual(stoppedSince("User initiated (2019-04-08 14:29:07 UTC)"), "2019-04-08T14:29:07.000Z");
        assert.strictEqual(stoppedSince(""), undefined);
    });

    it("names at most 20 uncovered instances on stderr (the table has them all)", () => {
        const instances = Array.from({ length: 25 }, (_, k) => ({
            instanceId: `i-${String(k).padStart(17, "0")}`,
            name: "",
            state: "running",
            coverage: "unmanaged" as const,
            managed: false,
            platform: "Linux/UNIX",
            compliance: "NO_PATCH_DATA" as const,
            reasons: ["no instance profile"],
        }));
        const counts = { managed: 0, silent: 0, unmanaged: 25, stopped: 0, terminated: 0 };
        let err = "";
        const report = {
            stack: "test",
            region: "r",
            scope: "s",
            generatedAt: "",
            silentAfterHours: 24,
            instances,
            counts,
            otherManagedNodes: [],
        };
        const code = printCoverage(report, true, { out: () => undefined, err: (t) => (err += t) });
        assert.strictEqual(code, EXIT.failed);
        assert.match(
            err,
            /^25 in-scope instance\(s\) not covered by Systems Manager: i-00000000000000000 \(unmanaged\), .* i-00000000000000019 \(unmanaged\) and 5 more \(above\)\.\n$/,
        );
    });

    it("an existing fleet's scope is its target tags; none found is said, not an error", async () => {
        fakeFleet();
        const s = await ops(["coverage", "--stack", "existing", "--json"]);
        assert.strictEqual(s.code, 0, s.err);
        const tags = [
            { Name: "tag:Environment", Values: ["Production"] },
            { Name: "tag:PatchWith", Values: ["oe-lab-ipm"] },
        ];
        assert.deepStrictEqual(requests.ec2, [{ Filters: [...tags, STATES], MaxResults: 1000 }]);
        const report = JSON.parse(s.out);
        assert.strictEqual(report.expected, undefined); // the stack creates none
        assert.strictEqual(
            s.err,
            "No instance in scope (instances tagged Environment=Production, PatchWith=oe-lab-ipm) in ap-northeast-1.\n",
        );
    });

    it("every request it sends passes botocore's models (tools/contract/aws-models.json)", async () => {
        fakeFleet();
        await ops(["coverage", "--stack", "test", "--json"]);
        const iamCalls = (command: any) =>
            iam.commandCalls(command).map((c: any) => JSON.parse(JSON.stringify(c.args[0].input)));
        const sentRequests: [Service, string, object[]][] = [
            ["ec2", "DescribeInstances", requests.ec2],
            ["ssm", "DescribeInstanceInformation", requests.ssm],
            ["ssm", "DescribeInstancePatchStates", requests.states],
            ["iam", "GetInstanceProfile", iamCalls(GetInstanceProfileCommand)],
            ["iam", "ListAttachedRolePolicies", iamCalls(ListAttachedRolePoliciesCommand)],
        ];
        for (const [service, operation, list] of sentRequests) {
            assert.ok(list.length > 0, operation);
            for (const request of list)
                assert.deepStrictEqual(validateRequest(service, operation, request), [], operation);
        }
    });
});
