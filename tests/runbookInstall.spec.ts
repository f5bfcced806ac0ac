import {
    DescribeInstanceInformationCommand,
    SendCommandCommand,
    StartAutomationExecutionCommand,
} from "@aws-sdk/client-ssm";
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../config/stackFiles";
import { AutomationFake, healthy, recoveryPoint, Script, unhealthy } from "./automationFake";
import { APP1, sns, ssm, WEB1, WEB2 } from "./opsFixtures";
import { ops } from "./opsSession";

const GATE = "OELabIPM-Prod-PatchGate";
const INSTANCE = "OELabIPM-Prod-PatchInstance";
const PROD_FILTERS = [
    { Key: "tag:Environment", Values: ["OELabIPM"] },
    { Key: "tag:Workload", Values: ["Prod"] },
];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const GATE_OPEN: Script = {
    status: "Success",
    steps: ["FindRingWindow", "ReadRingInstallRuns", "CheckRingSoaked", "OpenGate"].map((name) => ({
        name,
        status: "Success" as const,
    })),
};
const SOAK_FAILURE =
    "Step fails when it is Execute script. Traceback (most recent call last): Exception: ring gate closed: test has soaked 3 of 7 days";
const GATE_CLOSED: Script = {
    status: "Failed",
    failure: SOAK_FAILURE,
    steps: [
        { name: "FindRingWindow", status: "Success" },
        { name: "ReadRingInstallRuns", status: "Success" },
        { name: "CheckRingSoaked", status: "Failed", failure: SOAK_FAILURE },
        { name: "OpenGate", status: "Pending" },
    ],
};
const HANG: Script = { status: "InProgress", hang: true, steps: [{ name: "TakeRestorePoint", status: "Pending" }] };

/** The prod fleet (WEB1, WEB2, APP1 in id order) and Automation answering with these scripts. */
function prod(gate: Script, instances: Record<string, Script>): AutomationFake {
    ssm.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [WEB2, APP1, WEB1] });
    return new AutomationFake((document, parameters) =>
        document === GATE ? gate : instances[parameters.InstanceId[0]],
    );
}

describe("ops install on a Runbook stack (the stack's patch runbook, on demand)", () => {
    beforeEach(() => {
        ssm.reset();
        sns.reset();
    });

    it("gate open: the gate once, then each instance in order with the same WindowExecutionId; restore points in the table", async () => {
        const aws = prod(GATE_OPEN, {
            [WEB1.InstanceId]: healthy(1),
            [WEB2.InstanceId]: healthy(2),
            [APP1.InstanceId]: healthy(3),
        });
        const s = await ops(["install", "--stack", "prod", "--yes"]);
        assert.strictEqual(s.code, 0, s.err);
        assert.deepStrictEqual(aws.log, [
            "start gate",
            `start ${WEB1.InstanceId}`,
            `start ${WEB2.InstanceId}`,
            `start ${APP1.InstanceId}`,
        ]);
        const starts = aws.requests.filter((r) => r.operation === "StartAutomationExecution").map((r) => r.input);
        const windowExecutionId = starts[0].Parameters.WindowExecutionId[0];
        assert.match(windowExecutionId, UUID);
        assert.deepStrictEqual(
            starts.map(({ ClientToken, ...rest }) => (assert.match(ClientToken, UUID), rest)),
            [
                { DocumentName: GATE, Parameters: { WindowExecutionId: [windowExecutionId] } },
                ...[WEB1, WEB2, APP1].map((i) => ({
                    DocumentName: INSTANCE,
                    Parameters: { InstanceId: [i.InstanceId], WindowExecutionId: [windowExecutionId] },
                })),
            ],
        );
        assert.strictEqual(new Set(starts.map((r) => r.ClientToken)).size, 4);
        assert.deepStrictEqual(
            s.out
                .split("\n")
                .slice(2, 5)
                .map((line) => line.split(/\s+/).slice(0, 3)),
            [
                [WEB1.InstanceId, "Success", recoveryPoint(1)],
                [WEB2.InstanceId, "Success", recoveryPoint(2)],
                [APP1.InstanceId, "Success", recoveryPoint(3)],
            ],
        );
        assert.ok(s.out.endsWith("3 of 3 patched.\n"), s.out);
        // Each step's progress on stderr as it changes: running, then its end.
        assert.ok(s.err.includes("  gate FindRingWindow: InProgress\n  gate FindRingWindow: Success\n"), s.err);
        assert.ok(s.err.includes(`  ${WEB1.InstanceId} InstallPatches: Success\n`), s.err);
        assert.strictEqual(ssm.commandCalls(SendCommandCommand).length, 0);
        assert.deepStrictEqual(
            JSON.parse(JSON.stringify(ssm.commandCalls(DescribeInstanceInformationCommand)[0].args[0].input)),
            {
                Filters: PROD_FILTERS,
                MaxResults: 50,
            },
        );
    });

    it("gate closed: nothing installed, the gate's failed step and message, exit 1", async () => {
        const aws = prod(GATE_CLOSED, {});
        const s = await ops(["install", "--stack", "prod", "--yes"]);
        assert.strictEqual(s.code, 1, s.err);
        assert.deepStrictEqual(aws.log, ["start gate"]);
        assert.ok(
            s.out.startsWith(`Gate ${GATE} Failed at step CheckRingSoaked: ${SOAK_FAILURE}. Nothing was installed.\n`),
            s.out,
        );
        assert.ok(s.out.endsWith("0 of 3 patched; 3 not started.\n"), s.out);
        assert.ok(s.err.includes(`  gate CheckRingSoaked: Failed: ${SOAK_FAILURE}\n`), s.err);
    });

    it("maxErrors 0 (prod): the first unhealthy instance is the canary, the next one is never started", async () => {
        const aws = prod(GATE_OPEN, { [WEB1.InstanceId]: unhealthy(1), [WEB2.InstanceId]: healthy(2) });
        const s = await ops(["install", "--stack", "prod", "--yes", "--json"]);
        assert.strictEqual(s.code, 1, s.err);
        assert.deepStrictEqual(aws.log, ["start gate", `start ${WEB1.InstanceId}`]);
        const result = JSON.parse(s.out);
        assert.deepStrictEqual(
            result.instances.map((i: any) => [i.instanceId, i.status, i.failedStep, i.restorePoint]),
            [
                [WEB1.InstanceId, "Failed", "InstallPatches", recoveryPoint(1)],
                [WEB2.InstanceId, "NotStarted", undefined, undefined],
                [APP1.InstanceId, "NotStarted", undefined, undefined],
            ],
        );
        assert.match(result.instances[0].failure, /unhealthy: http:\/\/localhost\/ answered 503$/);
        assert.strictEqual(result.gate.status, "Success");
    });

    it("--max-errors 1 on the command line starts one more instance after the first failure", async () => {
        const aws = prod(GATE_OPEN, { [WEB1.InstanceId]: unhealthy(1), [WEB2.InstanceId]: unhealthy(2) });
        const s = await ops(["install", "--stack", "prod", "--yes", "--max-errors", "1"]);
        assert.strictEqual(s.code, 1, s.err);
        assert.deepStrictEqual(aws.log, ["start gate", `start ${WEB1.InstanceId}`, `start ${WEB2.InstanceId}`]);
        assert.ok(
            s.out.endsWith(
                `0 of 3 patched; 2 did not (${WEB1.InstanceId} Failed, ${WEB2.InstanceId} Failed); 1 not started.\n`,
            ),
            s.out,
        );
    });

    it("a truncated step list is read whole from DescribeAutomationStepExecutions, page by page", async () => {
        const one = { ...healthy(1), truncated: true };
        const aws = prod(GATE_OPEN, {
            [WEB1.InstanceId]: one,
            [WEB2.InstanceId]: healthy(2),
            [APP1.InstanceId]: healthy(3),
        });
        const s = await ops(["install", "--stack", "prod", "--yes"]);
        assert.strictEqual(s.code, 0, s.err);
        const pages = aws.requests
            .filter((r) => r.operation === "DescribeAutomationStepExecutions")
            .map((r) => r.input);
        const id = aws.executions[1].id;
        assert.deepStrictEqual(pages.slice(-4), [
            { AutomationExecutionId: id, MaxResults: 50 },
            { AutomationExecutionId: id, MaxResults: 50, NextToken: "2" },
            { AutomationExecutionId: id, MaxResults: 50, NextToken: "4" },
            { AutomationExecutionId: id, MaxResults: 50, NextToken: "6" },
        ]);
        assert.ok(s.err.includes(`  ${WEB1.InstanceId} WaitForAgentOnline: Success\n`), s.err);
    });

    it("Ctrl-C stops the running execution (StopAutomationExecution Cancel), says so, starts no other, exit 130", async () => {
        const cancel = new AbortController();
        const aws = prod(GATE_OPEN, { [WEB1.InstanceId]: HANG, [WEB2.InstanceId]: healthy(2) });
        aws.onRead = (e) => e.parameters.InstanceId && e.reads === 3 && cancel.abort();
        const s = await ops(["install", "--stack", "prod", "--yes"], { signal: cancel.signal });
        assert.strictEqual(s.code, 130, s.err);
        assert.deepStrictEqual(aws.log, ["start gate", `start ${WEB1.InstanceId}`, `stop ${WEB1.InstanceId}`]);
        const stop = aws.requests.filter((r) => r.operation === "StopAutomationExecution").map((r) => r.input);
        assert.deepStrictEqual(stop, [{ AutomationExecutionId: aws.executions[1].id, Type: "Cancel" }]);
        assert.ok(
            s.err.includes(
                `interrupted (Ctrl-C): stopped execution ${aws.executions[1].id} (${WEB1.InstanceId}) (ssm:StopAutomationExecution Cancel)\n`,
            ),
            s.err,
        );
        assert.ok(
            s.out.endsWith("0 of 3 patched; 1 did not (" + `${WEB1.InstanceId} Cancelling); 2 not started.\n`),
            s.out,
        );
    });

    it("--timeout stops the gate while it waits (an approval), installs nothing, exit 4", async () => {
        const aws = prod({ ...HANG, steps: [{ name: "ApproveRollout", status: "Pending" }] }, {});
        const s = await ops(["install", "--stack", "prod", "--yes", "--timeout", "1"]);
        assert.strictEqual(s.code, 4, s.err);
        assert.deepStrictEqual(aws.log, ["start gate", "stop gate"]);
        assert.ok(s.err.includes(`--timeout 1 s reached: stopped execution ${aws.executions[0].id} (gate)`), s.err);
        assert.ok(s.out.endsWith("0 of 3 patched; 3 not started.\n"), s.out);
    });

    it("asks with the runbook's words, and installs nothing unless the person answers yes", async () => {
        const aws = prod(GATE_OPEN, {});
        const s = await ops(["install", "--stack", "prod"], { interactive: true, answer: "n" });
        assert.deepStrictEqual([s.code, s.err, aws.log], [1, "Nothing installed.\n", []]);
        assert.deepStrictEqual(s.asked, [
            `Run ${INSTANCE} (restore point, install, health check) on every instance of stack "prod" (ap-northeast-1), after its gate ${GATE} passes, 1 at a time, stopping when more than 0 fail, RebootIfNeeded? [y/N] `,
        ]);
    });

    it("refuses --reboot-option on a Runbook stack and --json on a plain one (exit 2, nothing started)", async () => {
        const runbook = await ops(["install", "--stack", "prod", "--yes", "--reboot-option", "NoReboot"]);
        assert.strictEqual(runbook.code, 2);
        assert.strictEqual(
            runbook.err,
            '--reboot-option does not apply to stack "prod" (maintenanceWindow.installMode = Runbook): its runbook reboots as maintenanceWindow.rebootOption = RebootIfNeeded says. Nothing installed.\n',
        );
        const plain = await ops(["install", "--stack", "test", "--yes", "--json"]);
        assert.strictEqual(plain.code, 2);
        assert.strictEqual(
            plain.err,
            '--json is for a stack whose runbook installs (installMode Runbook); stack "test" has maintenanceWindow.installMode = RunPatchBaseline.\n',
        );
        assert.strictEqual(ssm.calls().length, 0);
    });
    it("a Runbook stack without ring or approval has no gate: each instance's execution starts at once", async () => {
        // A project folder with one such stack (`solo`): the program's Pulumi.yaml and a stack file.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ops-solo-"));
        fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        const stackFile = [
            "config:",
            "  aws:region: ap-northeast-1",
            "  oe-lab-ipm:workload: Solo",
            "  oe-lab-ipm:maintenanceWindow:",
            "    installMode: Runbook",
            "    duration: 3",
            "",
        ];
        fs.writeFileSync(path.join(dir, "Pulumi.solo.yaml"), stackFile.join("\n"));
        ssm.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [WEB1, WEB2] });
        const aws = new AutomationFake((_document, parameters) =>
            parameters.InstanceId[0] === WEB1.InstanceId ? unhealthy(1) : healthy(2),
        );
        const s = await ops(["install", "--stack", "solo", "--project-dir", dir, "--yes"]);
        assert.strictEqual(s.code, 1, s.err);
        // maxErrors 1 (the default): one failure allows the next instance.
        assert.deepStrictEqual(aws.log, [`start ${WEB1.InstanceId}`, `start ${WEB2.InstanceId}`]);
        assert.deepStrictEqual(
            aws.executions.map((e) => e.document),
            ["OELabIPM-Solo-PatchInstance", "OELabIPM-Solo-PatchInstance"],
        );
        assert.ok(s.out.endsWith(`1 of 2 patched; 1 did not (${WEB1.InstanceId} Failed).\n`), s.out);
    });
    it("AWS refusing the second start: no other instance is started, the message says what ran before, exit 3", async () => {
        const aws = prod(GATE_OPEN, { [WEB1.InstanceId]: healthy(1) });
        const denied = Object.assign(
            new Error(
                "User: arn:aws:iam::111122223333:user/ops is not authorized to perform: iam:PassRole on resource: arn:aws:iam::111122223333:role/PatchRunbookRole-Prod-20261201",
            ),
            { name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } },
        );
        let starts = 0;
        ssm.on(StartAutomationExecutionCommand).callsFake((input) => {
            if (++starts === 3) throw denied;
            return aws.startFor(input);
        });
        const s = await ops(["install", "--stack", "prod", "--yes", "--max-errors", "1"]);
        assert.strictEqual(s.code, 3, s.err);
        assert.deepStrictEqual(aws.log, ["start gate", `start ${WEB1.InstanceId}`]);
        assert.ok(
            s.err.endsWith(
                `Access denied: your credentials may not call ssm:StartAutomationExecution. ${denied.message} Started before it: ${WEB1.InstanceId} Success (execution ${aws.executions[1].id}).\n`,
            ),
            s.err,
        );
    });

    it("an execution it can no longer read: no further instance is started, every started one is named, exit 3", async () => {
        const aws = prod(GATE_OPEN, {
            [WEB1.InstanceId]: healthy(1),
            [WEB2.InstanceId]: healthy(2),
            [APP1.InstanceId]: healthy(3),
        });
        const throttled = Object.assign(new Error("Rate exceeded"), {
            name: "ThrottlingException",
            $metadata: { httpStatusCode: 400 },
        });
        aws.onRead = (e) => {
            if (e.parameters.InstanceId?.[0] === WEB1.InstanceId) throw throttled;
        };
        const s = await ops(["install", "--stack", "prod", "--yes", "--concurrency", "2", "--max-errors", "1"]);
        assert.strictEqual(s.code, 3, s.err);
        // WEB2, already running beside it, is followed to its end; APP1 is never started.
        assert.deepStrictEqual(aws.log, ["start gate", `start ${WEB1.InstanceId}`, `start ${WEB2.InstanceId}`]);
        const [, web1, web2] = aws.executions;
        assert.ok(
            s.err.endsWith(
                `No further instance was started. Started by this run, with their last known status: ${WEB1.InstanceId} Pending (execution ${web1.id}), ${WEB2.InstanceId} Success (execution ${web2.id}).\n`,
            ),
            s.err,
        );
        assert.ok(s.err.includes(`stop it: aws ssm stop-automation-execution --automation-execution-id ${web1.id}`));
    });
});
