import {
    DescribeInstanceInformationCommand,
    DescribeInstancePatchesCommand,
    ListInventoryEntriesCommand,
    ListResourceComplianceSummariesCommand,
    PatchComplianceDataState,
    SendCommandCommand,
} from "@aws-sdk/client-ssm";
import { ListTopicsCommand, PublishCommand } from "@aws-sdk/client-sns";
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { EXIT } from "../tools/ops/aws";
import { ops } from "./opsSession";

import {
    ssm,
    sns,
    WEB1,
    APP1,
    respond,
    fleetRequests,
    invocationRequests,
    complianceRequests,
    sent,
} from "./opsFixtures";

describe("ops: reads and errors", () => {
    beforeEach(() => {
        ssm.reset();
        sns.reset();
        for (const requests of [fleetRequests, invocationRequests, complianceRequests]) requests.length = 0;
    });
    describe("compliance", () => {
        function recordedCompliance() {
            ssm.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [WEB1, APP1] });
            respond(
                ListResourceComplianceSummariesCommand,
                [
                    {
                        ResourceComplianceSummaryItems: [
                            { ResourceId: WEB1.InstanceId, ComplianceType: "Patch", Status: "NON_COMPLIANT" },
                        ],
                        NextToken: "n",
                    },
                    {
                        ResourceComplianceSummaryItems: [
                            { ResourceId: APP1.InstanceId, ComplianceType: "Patch", Status: "COMPLIANT" },
                        ],
                    },
                ],
                complianceRequests,
            );
            const patch = (State: PatchComplianceDataState, Severity: string, n: number) =>
                Array.from({ length: n }, (_, i) => ({
                    Title: `${State}-${Severity}-${i}`,
                    KBId: "k",
                    Classification: "Security",
                    Severity,
                    State,
                    InstalledTime: new Date(0),
                }));
            ssm.on(DescribeInstancePatchesCommand, { InstanceId: WEB1.InstanceId })
                .resolvesOnce({
                    Patches: [...patch("MISSING", "Critical", 2), ...patch("MISSING", "Important", 1)],
                    NextToken: "p2",
                })
                .resolvesOnce({
                    Patches: [
                        ...patch("FAILED", "Medium", 1),
                        ...patch("INSTALLED", "Critical", 3),
                        ...patch("NOT_APPLICABLE", "Low", 5),
                    ],
                });
            ssm.on(DescribeInstancePatchesCommand, { InstanceId: APP1.InstanceId }).resolves({
                Patches: [
                    ...patch("INSTALLED_PENDING_REBOOT", "Important", 1),
                    ...patch("INSTALLED", "Critical", 2),
                    ...patch("INSTALLED_OTHER", "", 1),
                ],
            });
        }

        it("tabulates status and patch counts by severity per instance, with a total line", async () => {
            recordedCompliance();
            const s = await ops(["compliance", "--stack", "test"]);
            assert.strictEqual(s.code, 0, s.err);
            assert.strictEqual(
                s.out,
                [
                    "Instance             Computer name  Compliance       Missing                      Failed        Pending reboot   Installed",
                    "-------------------  -------------  ---------------  ---------------------------  ------------  ---------------  ----------------------",
                    `${WEB1.InstanceId}  ip-10-0-0-11   NON_COMPLIANT    3 (Critical 2, Important 1)  1 (Medium 1)  0                3 (Critical 3)`,
                    `${APP1.InstanceId}  ip-10-0-0-21   COMPLIANT        0                            0             1 (Important 1)  3 (Critical 2, None 1)`,
                    "-------------------  -------------  ---------------  ---------------------------  ------------  ---------------  ----------------------",
                    "Total (2)                           1 not compliant  3 (Critical 2, Important 1)  1 (Medium 1)  1 (Important 1)  6 (Critical 5, None 1)",
                    "",
                ].join("\n"),
            );
            const filters = [{ Key: "ComplianceType", Values: ["Patch"], Type: "EQUAL" }];
            assert.deepStrictEqual(complianceRequests, [
                { Filters: filters, MaxResults: 50 },
                { Filters: filters, MaxResults: 50, NextToken: "n" },
            ]);
        });

        it("prints the same as JSON", async () => {
            recordedCompliance();
            const s = await ops(["compliance", "--stack", "test", "--json"]);
            const doc = JSON.parse(s.out);
            assert.deepStrictEqual(doc.instances[0], {
                instanceId: WEB1.InstanceId,
                computerName: "ip-10-0-0-11",
                status: "NON_COMPLIANT",
                counts: {
                    missing: { total: 3, bySeverity: { Critical: 2, Important: 1 } },
                    failed: { total: 1, bySeverity: { Medium: 1 } },
                    installedPendingReboot: { total: 0, bySeverity: {} },
                    installed: { total: 3, bySeverity: { Critical: 3 } },
                },
            });
            assert.deepStrictEqual(doc.total.installed, { total: 6, bySeverity: { Critical: 5, None: 1 } });
            assert.deepStrictEqual([doc.stack, doc.region], ["test", "ap-northeast-1"]);
        });
    });

    describe("inventory", () => {
        it("shows OS, agent and the number of applications per instance, across pages", async () => {
            ssm.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [WEB1, APP1] });
            ssm.on(ListInventoryEntriesCommand, { InstanceId: WEB1.InstanceId })
                .resolvesOnce({ Entries: [{ Name: "httpd" }, { Name: "bash" }], NextToken: "t" })
                .resolvesOnce({ Entries: [{ Name: "openssl" }] });
            ssm.on(ListInventoryEntriesCommand, { InstanceId: APP1.InstanceId }).resolves({
                Entries: [{ Name: "bash" }],
            });
            const s = await ops(["inventory", "--stack", "test"]);
            assert.strictEqual(
                s.out,
                [
                    "Instance             Computer name  OS                 Agent      Applications",
                    "-------------------  -------------  -----------------  ---------  ------------",
                    `${WEB1.InstanceId}  ip-10-0-0-11   Amazon Linux 2023  3.3.987.0             3`,
                    `${APP1.InstanceId}  ip-10-0-0-21   Amazon Linux 2023  3.3.900.0             1`,
                    "",
                ].join("\n"),
            );
            const web1 = ssm
                .commandCalls(ListInventoryEntriesCommand)
                .map(sent)
                .filter((input: any) => input.InstanceId === WEB1.InstanceId);
            assert.deepStrictEqual(web1[1], {
                InstanceId: WEB1.InstanceId,
                TypeName: "AWS:Application",
                MaxResults: 50,
                NextToken: "t",
            });
        });

        it("lists which instances have a package, and its version", async () => {
            ssm.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [WEB1, APP1] });
            ssm.on(ListInventoryEntriesCommand, { InstanceId: WEB1.InstanceId }).resolves({
                Entries: [{ Name: "httpd", Version: "2.4.62" }],
            });
            ssm.on(ListInventoryEntriesCommand, { InstanceId: APP1.InstanceId }).resolves({ Entries: [] });
            const s = await ops(["inventory", "--stack", "test", "--app", "httpd"]);
            assert.strictEqual(
                s.out,
                [
                    "Instance             Computer name  httpd version",
                    "-------------------  -------------  -------------",
                    `${WEB1.InstanceId}  ip-10-0-0-11   2.4.62`,
                    `${APP1.InstanceId}  ip-10-0-0-21   not installed`,
                    "1 of 2 instances have httpd.",
                    "",
                ].join("\n"),
            );
            assert.deepStrictEqual(ssm.commandCalls(ListInventoryEntriesCommand)[0].args[0].input.Filters, [
                { Key: "Name", Values: ["httpd"], Type: "Equal" },
            ]);
        });
    });

    describe("notify-test", () => {
        it("publishes the lab's Test / Hello World! to the stack's topic, found across pages", async () => {
            sns.on(ListTopicsCommand)
                .resolvesOnce({
                    Topics: [{ TopicArn: "arn:aws:sns:ap-northeast-1:111122223333:AdminAlert-Prod" }],
                    NextToken: "x",
                })
                .resolvesOnce({ Topics: [{ TopicArn: "arn:aws:sns:ap-northeast-1:111122223333:AdminAlert-Test" }] });
            sns.on(PublishCommand).resolves({ MessageId: "m-1" });
            const s = await ops(["notify-test", "--stack", "test"]);
            assert.strictEqual(s.code, 0, s.err);
            assert.deepStrictEqual(sns.commandCalls(PublishCommand)[0].args[0].input, {
                TopicArn: "arn:aws:sns:ap-northeast-1:111122223333:AdminAlert-Test",
                Subject: "Test",
                Message: "Hello World!",
            });
            assert.strictEqual(
                s.out,
                'Published "Test" to arn:aws:sns:ap-northeast-1:111122223333:AdminAlert-Test (message m-1). Confirmed subscribers receive it.\n',
            );
        });

        it("says so when the stack's topic does not exist", async () => {
            sns.on(ListTopicsCommand).resolves({ Topics: [] });
            const s = await ops(["notify-test", "--stack", "prod"]);
            assert.deepStrictEqual(
                [s.code, s.err],
                [3, 'No SNS topic named AdminAlert-Prod in ap-northeast-1: is stack "prod" deployed?\n'],
            );
        });
    });

    describe("errors", () => {
        it("docs/operations.md's exit-code table lists exactly the codes the CLI returns", () => {
            const doc = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "operations.md"), "utf8");
            const table = doc.slice(doc.indexOf("## Exit codes"));
            const documented = [...table.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
            assert.deepStrictEqual(
                documented,
                [0, ...Object.values(EXIT)].sort((a, b) => a - b),
            );
        });

        it("no credentials: how to provide them, exit 3", async () => {
            ssm.on(DescribeInstanceInformationCommand).rejects(
                Object.assign(new Error("Could not load credentials from any providers"), {
                    name: "CredentialsProviderError",
                }),
            );
            const s = await ops(["compliance", "--stack", "test"]);
            assert.deepStrictEqual(
                [s.code, s.err],
                [
                    3,
                    "No AWS credentials found: set AWS_PROFILE or pass --profile, run 'aws configure' or 'aws sso login', or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.\n",
                ],
            );
        });

        it("access denied: names the action, exit 3", async () => {
            ssm.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [WEB1] });
            ssm.on(SendCommandCommand).rejects(
                Object.assign(
                    new Error("User: arn:aws:iam::111122223333:user/op is not authorized to perform: ssm:SendCommand"),
                    { name: "AccessDeniedException" },
                ),
            );
            const s = await ops(["scan", "--stack", "test"]);
            assert.deepStrictEqual(
                [s.code, s.err],
                [
                    3,
                    "Access denied: your credentials may not call ssm:SendCommand. User: arn:aws:iam::111122223333:user/op is not authorized to perform: ssm:SendCommand. Nothing was started.\n",
                ],
            );
        });

        it("no instance matches the stack's tags: says which tags, sends nothing", async () => {
            ssm.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [] });
            const s = await ops(["scan", "--stack", "test", "--role", "AppServer"]);
            assert.deepStrictEqual(
                [s.code, s.err],
                [
                    3,
                    'No managed instance in ap-northeast-1 carries the tags of stack "test" (Environment=OELabIPM, Workload=Test, InstanceRole=AppServer). Is the stack deployed, and are its instances online in Systems Manager?\n',
                ],
            );
            assert.strictEqual(ssm.commandCalls(SendCommandCommand).length, 0);
        });

        it("a missing stack file: names it, exit 2, no AWS call", async () => {
            const s = await ops(["inventory", "--stack", "staging"]);
            assert.strictEqual(s.code, 2);
            assert.match(
                s.err,
                /^No stack file .*Pulumi\.staging\.yaml: a stack named "staging" needs a Pulumi\.staging\.yaml beside Pulumi\.yaml\. The stacks here: existing, mixed, prod, reporting, test\.\n$/,
            );
            assert.strictEqual(ssm.calls().length, 0);
        });

        it("honours --region over the stack file's", async () => {
            ssm.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [] });
            const s = await ops(["scan", "--stack", "test", "--region", "eu-west-1"]);
            assert.match(s.err, /No managed instance in eu-west-1 /);
            assert.strictEqual(await ssm.call(0).thisValue.config.region(), "eu-west-1");
        });
    });
});
