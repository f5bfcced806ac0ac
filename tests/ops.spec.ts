import {
    CancelCommandCommand,
    DescribeInstanceInformationCommand,
    ListCommandInvocationsCommand,
    ListCommandsCommand,
    SendCommandCommand,
} from "@aws-sdk/client-ssm";
import * as assert from "assert";
import { ops } from "./opsSession";

import {
    ssm,
    sns,
    WEB1,
    WEB2,
    APP1,
    TEST_FILTERS,
    fleetRequests,
    invocationRequests,
    complianceRequests,
    fleetOnTwoPages,
    sent,
    commandProgress,
} from "./opsFixtures";

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

        it("refuses without --yes when no terminal is attached: exit 2, nothing sent, and says how to proceed", async () => {
            fleetOnTwoPages();
            const s = await ops(["install", "--stack", "test"], { interactive: false });
            assert.deepStrictEqual([s.code, s.out, s.asked], [2, "", []]);
            assert.strictEqual(
                s.err,
                'Nothing installed: --yes must be passed in to proceed when running in non-interactive mode (no terminal to confirm at). Run again with --yes to install patches on every instance of stack "test", which may reboot them.\n',
            );
            assert.strictEqual(ssm.calls().length, 0);
        });

        it("installs without a terminal when --yes is passed", async () => {
            fleetOnTwoPages();
            commandProgress("cmd-6", "Success", [{ id: WEB1.InstanceId, status: "Success" }]);
            const s = await ops(["install", "--stack", "test", "--yes"], { interactive: false });
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
});
