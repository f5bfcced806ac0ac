import {
    CancelCommandCommand,
    CommandInvocationStatus,
    DescribeInstanceInformationCommand,
    DescribeInstancePatchesCommand,
    ListCommandInvocationsCommand,
    ListCommandsCommand,
    ListInventoryEntriesCommand,
    ListResourceComplianceSummariesCommand,
    PatchComplianceDataState,
    SendCommandCommand,
    SSMClient,
} from "@aws-sdk/client-ssm";
import { ListTopicsCommand, PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import * as assert from "assert";
import { mockClient } from "aws-sdk-client-mock";
import * as fs from "fs";
import * as path from "path";
import { EXIT } from "../tools/ops/aws";
import { ops } from "./opsSession";

const ssm = mockClient(SSMClient);
const sns = mockClient(SNSClient);

const WEB1 = {
    InstanceId: "i-0aaaaaaaaaaaaaaa1",
    ComputerName: "ip-10-0-0-11",
    PlatformName: "Amazon Linux",
    PlatformVersion: "2023",
    AgentVersion: "3.3.987.0",
    PingStatus: "Online" as const,
};
const WEB2 = {
    InstanceId: "i-0aaaaaaaaaaaaaaa2",
    ComputerName: "ip-10-0-128-12",
    PlatformName: "Amazon Linux",
    PlatformVersion: "2023",
    AgentVersion: "3.3.987.0",
    PingStatus: "Online" as const,
};
const APP1 = {
    InstanceId: "i-0bbbbbbbbbbbbbbb1",
    ComputerName: "ip-10-0-0-21",
    PlatformName: "Amazon Linux",
    PlatformVersion: "2023",
    AgentVersion: "3.3.900.0",
    PingStatus: "Online" as const,
};

const TEST_FILTERS = [
    { Key: "tag:Environment", Values: ["OELabIPM"] },
    { Key: "tag:Workload", Values: ["Test"] },
];

/**
 * Answers a command with these responses in turn, recording each request as it was at the time of
 * the call (SDK paginators reuse one input object and update its NextToken).
 */
function respond(command: any, responses: object[], requests: object[]): void {
    (ssm.on(command) as any).callsFake((input: object) => {
        requests.push(JSON.parse(JSON.stringify(input)));
        return responses[Math.min(requests.length, responses.length) - 1];
    });
}

const fleetRequests: object[] = [];
const invocationRequests: object[] = [];
const complianceRequests: object[] = [];

function fleetOnTwoPages() {
    respond(
        DescribeInstanceInformationCommand,
        [{ InstanceInformationList: [WEB1, APP1], NextToken: "page-2" }, { InstanceInformationList: [WEB2] }],
        fleetRequests,
    );
}

/** A request as sent, without the keys the SDK leaves undefined (MaxResults of paginators). */
function sent(call: { args: [{ input: object }] }): object {
    return JSON.parse(JSON.stringify(call.args[0].input));
}

function commandProgress(
    commandId: string,
    finalStatus: "Success" | "Failed",
    invocations: { id: string; status: CommandInvocationStatus }[],
) {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: commandId } });
    // The command's own status first (in progress, then terminal), then its invocations over two pages.
    respond(
        ListCommandInvocationsCommand,
        [
            {
                CommandInvocations: invocations
                    .slice(0, 1)
                    .map((i) => ({ InstanceId: i.id, Status: i.status, StatusDetails: i.status })),
                NextToken: "more",
            },
            {
                CommandInvocations: invocations
                    .slice(1)
                    .map((i) => ({ InstanceId: i.id, Status: i.status, StatusDetails: i.status })),
            },
        ],
        invocationRequests,
    );
    const n = invocations.length;
    const errors = invocations.filter((i) => i.status !== "Success").length;
    ssm.on(ListCommandsCommand)
        .resolvesOnce({
            Commands: [
                { CommandId: commandId, Status: "InProgress", TargetCount: n, CompletedCount: 0, ErrorCount: 0 },
            ],
        })
        .resolves({
            Commands: [
                { CommandId: commandId, Status: finalStatus, TargetCount: n, CompletedCount: n, ErrorCount: errors },
            ],
        });
}

describe("ops", () => {
    beforeEach(() => {
        ssm.reset();
        sns.reset();
        for (const requests of [fleetRequests, invocationRequests, complianceRequests]) requests.length = 0;
    });

    describe("scan", () => {
        it("sends AWS-RunPatchBaseline Scan to the stack's tags, waits for every instance, summarises", async () => {
            fleetOnTwoPages();
            commandProgress("cmd-1", "Success", [
                { id: WEB1.InstanceId, status: "Success" },
                { id: WEB2.InstanceId, status: "Success" },
                { id: APP1.InstanceId, status: "Success" },
            ]);
            const s = await ops(["scan", "--stack", "test"]);
            assert.strictEqual(s.code, 0, s.err);
            assert.deepStrictEqual(fleetRequests, [
                { Filters: TEST_FILTERS, MaxResults: 50 },
                { Filters: TEST_FILTERS, MaxResults: 50, NextToken: "page-2" },
            ]);
            const { Comment, ...input } = ssm.commandCalls(SendCommandCommand)[0].args[0].input;
            // A unique comment (at most 100 characters), so a resend can first look the command up.
            assert.match(
                Comment!,
                /^oe-lab-ipm test: Scan [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
            );
            assert.deepStrictEqual(input, {
                DocumentName: "AWS-RunPatchBaseline",
                Targets: TEST_FILTERS,
                Parameters: { Operation: ["Scan"], RebootOption: ["NoReboot"] },
                MaxConcurrency: "100%",
                MaxErrors: "100%",
                TimeoutSeconds: 600,
            });
            // The command polled until terminal, then its invocations read once, across pages.
            assert.strictEqual(ssm.commandCalls(ListCommandsCommand).length, 2);
            assert.deepStrictEqual(invocationRequests, [
                { CommandId: "cmd-1", MaxResults: 50 },
                { CommandId: "cmd-1", MaxResults: 50, NextToken: "more" },
            ]);
            assert.strictEqual(
                s.err,
                [
                    'AWS-RunPatchBaseline Scan sent to 3 instance(s) of stack "test": command cmd-1',
                    "  InProgress: 0 of 3 done, 0 error(s)",
                    "  Success: 3 of 3 done, 0 error(s)",
                    "",
                ].join("\n"),
            );
            assert.strictEqual(
                s.out,
                [
                    "Instance             Name  Status   Details",
                    "-------------------  ----  -------  -------",
                    `${WEB1.InstanceId}        Success  Success`,
                    `${WEB2.InstanceId}        Success  Success`,
                    `${APP1.InstanceId}        Success  Success`,
                    "3 of 3 succeeded.",
                    "",
                ].join("\n"),
            );
        });

        it("narrows to one role with --role", async () => {
            ssm.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [WEB1] });
            commandProgress("cmd-2", "Success", [{ id: WEB1.InstanceId, status: "Success" }]);
            const s = await ops(["scan", "--stack", "prod", "--role", "WebServer"]);
            assert.strictEqual(s.code, 0, s.err);
            const prod = [
                { Key: "tag:Environment", Values: ["OELabIPM"] },
                { Key: "tag:Workload", Values: ["Prod"] },
                { Key: "tag:InstanceRole", Values: ["WebServer"] },
            ];
            assert.deepStrictEqual(sent(ssm.commandCalls(DescribeInstanceInformationCommand)[0]), {
                Filters: prod,
                MaxResults: 50,
            });
            assert.deepStrictEqual(ssm.commandCalls(SendCommandCommand)[0].args[0].input.Targets, prod);
        });

        it("targets an existing fleet by the tags its stack file names", async () => {
            ssm.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [WEB1] });
            commandProgress("cmd-3", "Success", [{ id: WEB1.InstanceId, status: "Success" }]);
            const s = await ops(["scan", "--stack", "existing"]);
            assert.strictEqual(s.code, 0, s.err);
            const tags = [
                { Key: "tag:Environment", Values: ["Production"] },
                { Key: "tag:PatchWith", Values: ["oe-lab-ipm"] },
            ];
            assert.deepStrictEqual(sent(ssm.commandCalls(DescribeInstanceInformationCommand)[0]), {
                Filters: tags,
                MaxResults: 50,
            });
            assert.deepStrictEqual(ssm.commandCalls(SendCommandCommand)[0].args[0].input.Targets, tags);
        });

        it("exits non-zero when an invocation failed or timed out", async () => {
            fleetOnTwoPages();
            commandProgress("cmd-3", "Failed", [
                { id: WEB1.InstanceId, status: "Success" },
                { id: WEB2.InstanceId, status: "TimedOut" },
                { id: APP1.InstanceId, status: "Failed" },
            ]);
            const s = await ops(["scan", "--stack", "test"]);
            assert.strictEqual(s.code, 1);
            assert.ok(
                s.out.endsWith(
                    `1 of 3 succeeded; 2 did not (${WEB2.InstanceId} TimedOut, ${APP1.InstanceId} Failed).\n`,
                ),
                s.out,
            );
        });

        it("cancels the command at --timeout and prints what finished and what did not", async () => {
            ssm.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [WEB1, WEB2] });
            ssm.on(SendCommandCommand).resolves({ Command: { CommandId: "cmd-slow" } });
            let cancelled = false;
            ssm.on(CancelCommandCommand).callsFake(() => ((cancelled = true), {}));
            ssm.on(ListCommandsCommand).callsFake(() => ({
                Commands: [{ CommandId: "cmd-slow", Status: cancelled ? "Cancelled" : "InProgress" }],
            }));
            ssm.on(ListCommandInvocationsCommand).callsFake(() => ({
                CommandInvocations: [
                    { InstanceId: WEB1.InstanceId, Status: "Success", StatusDetails: "Success" },
                    {
                        InstanceId: WEB2.InstanceId,
                        Status: cancelled ? "Cancelled" : "InProgress",
                        StatusDetails: cancelled ? "Cancelled" : "InProgress",
                    },
                ],
            }));
            const s = await ops(["scan", "--stack", "test", "--timeout", "1"]);
            assert.strictEqual(s.code, 4, s.err);
            assert.deepStrictEqual(ssm.commandCalls(CancelCommandCommand)[0].args[0].input, { CommandId: "cmd-slow" });
            assert.ok(s.out.endsWith("1 of 2 finished (1 succeeded); 1 cancelled, 0 not yet stopped.\n"), s.out);
            assert.ok(
                s.err.endsWith(
                    "Command cmd-slow cancelled (--timeout 1 s reached). AWS reports the command Cancelled.\n",
                ),
                s.err,
            );
            assert.ok(ssm.commandCalls(ListCommandsCommand).length > 1);
        });
    });

    describe("install", () => {
        it("installs with the lab's rate control (1 at a time, 1 error) and RebootIfNeeded when confirmed", async () => {
            fleetOnTwoPages();
            commandProgress("cmd-4", "Success", [{ id: WEB1.InstanceId, status: "Success" }]);
            const s = await ops(["install", "--stack", "test"], { interactive: true, answer: "y" });
            assert.strictEqual(s.code, 0, s.err);
            assert.deepStrictEqual(s.asked, [
                'Install patches on every instance of stack "test" (ap-northeast-1), 1 at a time, stopping when more than 1 fail, RebootIfNeeded? [y/N] ',
            ]);
            const input = ssm.commandCalls(SendCommandCommand)[0].args[0].input;
            assert.deepStrictEqual(
                [input.Parameters, input.MaxConcurrency, input.MaxErrors],
                [{ Operation: ["Install"], RebootOption: ["RebootIfNeeded"] }, "1", "1"],
            );
        });

        it("takes rate control and the reboot option as flags, and --yes skips the question", async () => {
            fleetOnTwoPages();
            commandProgress("cmd-5", "Success", [{ id: WEB1.InstanceId, status: "Success" }]);
            const s = await ops(
                [
                    "install",
                    "--stack",
                    "test",
                    "--concurrency",
                    "50%",
                    "--max-errors",
                    "0",
                    "--reboot-option",
                    "NoReboot",
                    "--yes",
                ],
                { interactive: true },
            );
            assert.strictEqual(s.code, 0, s.err);
            assert.deepStrictEqual(s.asked, []);
            const input = ssm.commandCalls(SendCommandCommand)[0].args[0].input;
            assert.deepStrictEqual(
                [input.Parameters, input.MaxConcurrency, input.MaxErrors],
                [{ Operation: ["Install"], RebootOption: ["NoReboot"] }, "50%", "0"],
            );
        });

        it("installs nothing unless the person answers yes", async () => {
            const s = await ops(["install", "--stack", "test"], { interactive: true, answer: "" });
            assert.strictEqual(s.code, 1);
            assert.strictEqual(s.err, "Nothing installed.\n");
            assert.strictEqual(ssm.commandCalls(SendCommandCommand).length, 0);
        });

        it("Ctrl-C at the prompt installs nothing, exit 130", async () => {
            const cancel = new AbortController();
            cancel.abort();
            const s = await ops(["install", "--stack", "test"], {
                interactive: true,
                answer: "",
                signal: cancel.signal,
            });
            assert.deepStrictEqual([s.code, s.err], [130, "\nNothing installed (interrupted (Ctrl-C)).\n"]);
            assert.strictEqual(ssm.commandCalls(SendCommandCommand).length, 0);
        });

        it("does not prompt when not on a terminal", async () => {
            fleetOnTwoPages();
            commandProgress("cmd-6", "Success", [{ id: WEB1.InstanceId, status: "Success" }]);
            const s = await ops(["install", "--stack", "test"], { interactive: false });
            assert.strictEqual(s.code, 0, s.err);
            assert.deepStrictEqual(s.asked, []);
            assert.strictEqual(ssm.commandCalls(SendCommandCommand).length, 1);
        });

        it("refuses rate controls Run Command would refuse", async () => {
            const s = await ops(["install", "--stack", "test", "--concurrency", "0", "--yes"]);
            assert.strictEqual(s.code, 2);
            assert.match(
                s.err,
                /option '--concurrency <n>' argument '0' is invalid\. must be a number of instances \(1 to 9999999, no leading zeros\) or a percentage \(1% to 100%\), e\.g\. 1 or 10%/,
            );
            assert.strictEqual(ssm.commandCalls(SendCommandCommand).length, 0);
        });
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
                /^No stack file .*Pulumi\.staging\.yaml: a stack named "staging" needs a Pulumi\.staging\.yaml beside Pulumi\.yaml\.\n$/,
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
