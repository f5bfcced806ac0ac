import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { ALL_STACKS, ofType, PROJECT_ROOT, runFailingStack, runStack, StackRun } from "./harness";
import { references } from "./runbookInterpreter";
import { AccountOptions, FakeAccount, FakeInstance, RingState, runWindow } from "./runbookFakes";

/**
 * The patch runbook executed: the documents each stack registers (the real generated JSON), run by
 * tests/runbookInterpreter.ts against a fake account (tests/runbookFakes.ts) through one maintenance
 * window run: the gate once, then the instances one at a time.
 */
const DOCUMENT = "aws:ssm/document:Document";
const TASK = "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask";

/** Each stack with the runbook: prod as committed; the others opted in (mixed's three web servers need 2 hours). */
const RUNBOOK_OVERRIDES: Record<string, Record<string, unknown>> = {
    test: { "maintenanceWindow.installMode": "Runbook" },
    prod: {},
    mixed: { "maintenanceWindow.installMode": "Runbook", "maintenanceWindow.duration": 2 },
    existing: { "maintenanceWindow.installMode": "Runbook" },
};

interface Documents {
    instance: Record<string, unknown>;
    gate?: Record<string, unknown>;
    hook: Record<string, unknown>;
    hookName: string;
}

function documentsOf(run: StackRun): Documents {
    const docs = ofType(run, DOCUMENT);
    const named = (suffix: string) => docs.find((d) => d.inputs.name.endsWith(suffix));
    const hook = named("-HealthCheck")!;
    const gate = named("-PatchGate");
    return {
        instance: JSON.parse(named("-PatchInstance")!.inputs.content),
        gate: gate && JSON.parse(gate.inputs.content),
        hook: JSON.parse(hook.inputs.content),
        hookName: hook.inputs.name,
    };
}

const LINUX_WEB: FakeInstance = { platform: "Linux", webServer: true, httpStatus: 200 };
const WINDOWS_WEB: FakeInstance = { platform: "Windows", webServer: true, httpStatus: 200 };
const IDS = ["i-0aaaaaaaaaaaaaaa1", "i-0aaaaaaaaaaaaaaa2", "i-0aaaaaaaaaaaaaaa3"];
/** Test installed nightly for ten days, all successful: prod's gate opens. */
const HEALTHY_RING: RingState = {
    windowName: "PatchTestWorkloadWebServers",
    executions: Array.from({ length: 10 }, (_, i) => ({ Status: "SUCCESS", daysAgo: i + 1 })),
};

/** The account as `pulumi up` leaves it: the gate's parameter exists, `closed` (PatchRunbook's initial value). */
function account(docs: Documents, options: Partial<AccountOptions> & Pick<AccountOptions, "instances">) {
    const a = new FakeAccount({ hookDocument: docs.hook, hookDocumentName: docs.hookName, ...options });
    const read = (docs.instance.mainSteps as { name: string; inputs: { Name?: string } }[])[0];
    if (read.name === "ReadGateDecision") a.parameters.set(read.inputs.Name!, "closed");
    return a;
}

describe("the patch runbook's documents", () => {
    for (const stack of ALL_STACKS) {
        it(`${stack}: every {{ }} reference resolves and every step a step goes to exists`, async () => {
            const run = await runStack(stack, RUNBOOK_OVERRIDES[stack]);
            const docs = documentsOf(run);
            for (const doc of [docs.instance, docs.gate].filter((d) => d !== undefined)) {
                const steps = doc.mainSteps as Record<string, unknown>[];
                const names = steps.map((s) => s.name as string);
                assert.strictEqual(new Set(names).size, names.length, "step names are unique");
                steps.forEach((step, i) => {
                    const known = new Set([
                        ...Object.keys(doc.parameters as object),
                        "automation:EXECUTION_ID",
                        // Outputs of the steps before this one (a step reads only what ran before it).
                        ...steps
                            .slice(0, i)
                            .flatMap((s) =>
                                ((s.outputs as { Name: string }[]) ?? []).map((o) => `${s.name}.${o.Name}`),
                            ),
                    ]);
                    for (const ref of references(step.inputs)) assert.ok(known.has(ref), `${step.name}: {{${ref}}}`);
                    const inputs = step.inputs as Record<string, unknown>;
                    const targets = [
                        step.nextStep,
                        (step.onFailure as string | undefined)?.replace(/^step:/, ""),
                        inputs.Default,
                        ...((inputs.Choices as { NextStep: string }[]) ?? []).map((c) => c.NextStep),
                    ].filter((t) => t !== undefined && t !== "Abort" && t !== "Continue");
                    for (const target of targets)
                        assert.ok(names.includes(target as string), `${step.name} → ${target}`);
                });
                for (const out of (doc.outputs as string[]) ?? []) {
                    const [step, name] = out.split(".");
                    const declared = steps.find((s) => s.name === step)?.outputs as { Name: string }[];
                    assert.ok(
                        declared?.some((o) => o.Name === name),
                        out,
                    );
                }
                assert.strictEqual(steps[steps.length - 1].isEnd, true);
            }
            // The window passes only pseudo parameters AWS documents for AUTOMATION tasks, to declared parameters.
            for (const task of ofType(run, TASK)) {
                const params = task.inputs.taskInvocationParameters.automationParameters.parameters as {
                    name: string;
                    values: string[];
                }[];
                const doc = task.inputs.taskArn.endsWith("-PatchGate") ? docs.gate! : docs.instance;
                for (const p of params) {
                    assert.ok(p.name in (doc.parameters as object), p.name);
                    assert.ok(["{{RESOURCE_ID}}", "{{WINDOW_EXECUTION_ID}}"].includes(p.values[0]), p.values[0]);
                }
            }
        });
    }

    it("registers the gate without targets at priority 1 and the runbook per target at priority 2 (prod)", async () => {
        const run = await runStack("prod");
        const [gate, install] = ofType(run, TASK);
        assert.deepStrictEqual(
            [
                gate.inputs.taskArn,
                gate.inputs.priority,
                gate.inputs.targets,
                gate.inputs.maxConcurrency,
                gate.inputs.maxErrors,
            ],
            ["OELabIPM-Prod-PatchGate", 1, undefined, undefined, undefined],
        );
        assert.deepStrictEqual(
            [install.inputs.taskArn, install.inputs.priority, install.inputs.maxConcurrency, install.inputs.maxErrors],
            ["OELabIPM-Prod-PatchInstance", 2, "1", "0"],
        );
        assert.deepStrictEqual(install.inputs.targets[0].key, "WindowTargetIds");
        // Prod's gate reads test's window and patch group, as Pulumi.test.yaml makes them.
        const gateDoc = documentsOf(run).gate!;
        const steps = gateDoc.mainSteps as { name: string; inputs: Record<string, unknown> }[];
        assert.deepStrictEqual(
            steps.map((s) => s.name),
            [
                "FindRingWindow",
                "ReadRingInstallRuns",
                "CheckRingSoaked",
                "AssertRingNoFailedInstances",
                "AssertRingNoCriticalNonCompliantInstances",
                "AssertRingNoSecurityNonCompliantInstances",
                "OpenGate",
            ],
        );
        assert.deepStrictEqual(steps[0].inputs.Filters, [{ Key: "Name", Values: ["PatchTestWorkloadWebServers"] }]);
        assert.strictEqual(steps[3].inputs.PatchGroup, "Critical");
    });

    it("npm run plan -- --stack prod --check shows the runbooks' steps and the Automation tasks, and passes the contract", () => {
        const cli = path.join(PROJECT_ROOT, "bin", "tools", "plan", "cli.js");
        const run = spawnSync("node", [cli, "--stack", "prod", "--check"], { cwd: PROJECT_ROOT, encoding: "utf8" });
        assert.strictEqual(run.status, 0, run.stderr);
        for (const line of [
            "OELabIPM-Prod-PatchInstance: Automation document, schema 0.3",
            "4. TakeRestorePoint (aws:executeAwsApi backup:StartBackupJob, 60 s)",
            "7. InstallPatches (aws:runCommand AWS-RunPatchBaselineWithHooks, 900 s)",
            "3. CheckRingSoaked (aws:executeScript, 60 s)",
            "PatchProdWorkloadWebServers-Gate: Automation OELabIPM-Prod-PatchGate WindowExecutionId={{WINDOW_EXECUTION_ID}}, priority 1, no targets: once per run",
            "API contract: every request of the 94 resources to create passes AWS's API models",
        ])
            assert.ok(run.stdout.includes(line), line);
    });

    it("alerts once per failed execution of the stack's own runbooks (runbook-failed), never account-wide", async () => {
        const run = await runStack("prod");
        const rule = ofType(run, "aws:cloudwatch/eventRule:EventRule").find((r) => r.name.endsWith("runbook-failed"))!;
        assert.deepStrictEqual(JSON.parse(rule.inputs.eventPattern), {
            source: ["aws.ssm"],
            "detail-type": ["EC2 Automation Execution Status-change Notification"],
            detail: {
                Definition: ["OELabIPM-Prod-PatchInstance", "OELabIPM-Prod-PatchGate", "OELabIPM-Prod-WindowTriage"],
                Status: ["Failed", "TimedOut", "Cancelled"],
            },
        });
        // The install's command is AWS-RunPatchBaselineWithHooks: cmd-failed (AWS-RunPatchBaseline) stays silent.
        const cmd = ofType(run, "aws:cloudwatch/eventRule:EventRule").find((r) => r.name.endsWith("cmd-failed"))!;
        assert.deepStrictEqual(JSON.parse(cmd.inputs.eventPattern).detail["document-name"], ["AWS-RunPatchBaseline"]);
    });

    it("refuses a window the run cannot fit, naming the keys and the numbers, registering nothing", async () => {
        const { error, resources } = await runFailingStack("prod", { "maintenanceWindow.duration": 1 });
        assert.deepStrictEqual(resources, []);
        assert.ok(
            error.message.includes(
                'oe-lab-ipm:maintenanceWindow.duration = 1: a run may take 4260 s (gate 420 s + 1920 s per instance × 2 instances ÷ concurrency 1) but the window starts tasks for 3600 s (duration − cutoff = 1 h); raise maintenanceWindow.duration, lower maintenanceWindow.cutoff (0), installTimeoutMinutes (15) or restorePointTimeoutMinutes (10), or raise maxConcurrency ("1")',
            ),
            error.message,
        );
    });

    it("refuses an approval that outlasts the window", async () => {
        const { error } = await runFailingStack("prod", {
            "maintenanceWindow.approval": { approvers: ["arn:aws:iam::123456789012:role/Approver"], timeoutHours: 3 },
        });
        assert.ok(
            error.message.includes(
                "oe-lab-ipm:maintenanceWindow.approval.timeoutHours = 3: must fit the window: after 2 h (duration − cutoff) no instance task starts, so a later approval installs nothing",
            ),
            error.message,
        );
    });
});

describe("the patch runbook, run", () => {
    let prod: Documents;
    let test: Documents;
    before(async () => {
        prod = documentsOf(await runStack("prod"));
        test = documentsOf(await runStack("test", RUNBOOK_OVERRIDES.test));
    });
    const two = { [IDS[0]]: LINUX_WEB, [IDS[1]]: LINUX_WEB };

    it("test (no gate): a restore point per instance, tagged, then the install with the health hook; all healthy", () => {
        const a = account(test, { instances: two });
        const run = runWindow(test, a, IDS.slice(0, 2), 1);
        assert.strictEqual(run.gate, undefined);
        assert.deepStrictEqual(
            Object.values(run.instances).map((e) => e.status),
            ["Success", "Success"],
        );
        assert.deepStrictEqual(run.instances[IDS[0]].executed, [
            "TakeRestorePoint",
            "WaitForRestorePoint",
            "AssertRestorePointCompleted",
            "InstallPatches",
            "WaitForAgentOnline",
        ]);
        assert.deepStrictEqual(a.installed, IDS.slice(0, 2));
        assert.deepStrictEqual([...a.backupJobs.values()][0].tags, {
            Stack: "oe-lab-ipm/test",
            InstanceId: IDS[0],
            WindowExecutionId: "11111111-2222-3333-4444-555555555555",
        });
        assert.strictEqual(run.failedExecutions, 0);
    });

    it("prod, gate open (test succeeded and soaked 7 days): the gate decides once, then each instance is patched", () => {
        const a = account(prod, { instances: two, ring: HEALTHY_RING });
        const run = runWindow(prod, a, IDS.slice(0, 2), 0);
        assert.strictEqual(run.gate!.status, "Success");
        assert.deepStrictEqual(a.installed, IDS.slice(0, 2));
        assert.strictEqual(a.calls.filter((c) => c.api === "DescribeMaintenanceWindowExecutions").length, 1);
        assert.deepStrictEqual(run.instances[IDS[1]].executed.slice(0, 3), [
            "ReadGateDecision",
            "CheckGateDecision",
            "TakeRestorePoint",
        ]);
    });

    const closed: [string, RingState, string, string][] = [
        [
            "test's last install failed",
            { ...HEALTHY_RING, executions: [{ Status: "FAILED", daysAgo: 1 }, ...HEALTHY_RING.executions.slice(1)] },
            "CheckRingSoaked",
            "ring gate closed: test's last install run 00000000-aaaa-bbbb-cccc-dddddddddddd ended FAILED",
        ],
        [
            "test has soaked 3 of 7 days",
            { ...HEALTHY_RING, executions: HEALTHY_RING.executions.slice(0, 3) },
            "CheckRingSoaked",
            "ring gate closed: test has soaked 3 of 7 days",
        ],
        [
            "an instance of test has failed patches",
            { ...HEALTHY_RING, failedInstances: 1 },
            "AssertRingNoFailedInstances",
            '$.InstancesWithFailedPatches is 1; expected one of ["0"]',
        ],
        [
            "an instance of test is non-compliant",
            { ...HEALTHY_RING, criticalNonCompliant: 2 },
            "AssertRingNoCriticalNonCompliantInstances",
            '$.InstancesWithCriticalNonCompliantPatches is 2; expected one of ["0"]',
        ],
    ];
    for (const [why, ring, step, message] of closed) {
        it(`prod, gate closed (${why}): nothing is touched, the message says which condition, one failed execution`, () => {
            const a = account(prod, { instances: two, ring });
            const run = runWindow(prod, a, IDS.slice(0, 2), 0);
            assert.deepStrictEqual(
                [run.gate!.status, run.gate!.failedStep, run.gate!.failureMessage],
                ["Failed", step, message],
            );
            assert.deepStrictEqual(
                Object.values(run.instances).map((e) => e.executed.at(-1)),
                ["GateClosedNothingChanged", "GateClosedNothingChanged"],
            );
            assert.deepStrictEqual([a.backupJobs.size, a.installed.length], [0, 0]);
            assert.strictEqual(run.failedExecutions, 1);
        });
    }

    for (const answer of ["Approved", "Rejected", "TimedOut"] as const) {
        it(`prod with an approval, ${answer}: ${answer === "Approved" ? "patched after one approval for the whole run" : "nothing installed, and it says why"}`, async () => {
            const docs = documentsOf(
                await runStack("prod", {
                    // An hour for the approval: the window grows by it (the window's arithmetic).
                    "maintenanceWindow.duration": 3,
                    "maintenanceWindow.approval": {
                        approvers: ["arn:aws:iam::123456789012:role/PatchApprover"],
                        emails: ["ops@example.com"],
                    },
                }),
            );
            const a = account(docs, { instances: two, ring: HEALTHY_RING, approval: answer });
            const run = runWindow(docs, a, IDS.slice(0, 2), 0);
            assert.strictEqual(a.approvals.length, 1);
            assert.match(String(a.approvals[0].NotificationArn), /^arn:aws:sns:ap-northeast-1:\d{12}:Automation-/);
            assert.deepStrictEqual(a.approvals[0].Approvers, ["arn:aws:iam::123456789012:role/PatchApprover"]);
            if (answer === "Approved") {
                assert.deepStrictEqual(a.installed, IDS.slice(0, 2));
                return;
            }
            assert.deepStrictEqual(
                [run.gate!.status, run.gate!.failedStep, run.gate!.failureMessage],
                answer === "Rejected"
                    ? ["Failed", "ApproveRollout", "the approvers rejected the rollout"]
                    : ["TimedOut", "ApproveRollout", "no approval before the timeout"],
            );
            assert.deepStrictEqual([a.backupJobs.size, a.installed.length], [0, 0]);
        });
    }

    for (const [how, backup, step] of [
        ["StartBackupJob is refused", "refused", "TakeRestorePoint"],
        ["the backup job fails", "FAILED", "AssertRestorePointCompleted"],
    ] as const) {
        it(`restore point failing (${how}): nothing is installed and the window stops (prod)`, () => {
            const a = account(prod, { instances: two, ring: HEALTHY_RING, backup });
            const run = runWindow(prod, a, IDS.slice(0, 2), 0);
            assert.deepStrictEqual(Object.keys(run.instances), [IDS[0]]);
            assert.deepStrictEqual([run.instances[IDS[0]].status, run.instances[IDS[0]].failedStep], ["Failed", step]);
            assert.deepStrictEqual(a.installed, []);
            assert.strictEqual(run.failedExecutions, 1);
        });
    }

    it("unhealthy after reboot (HTTP 503): the hook fails the install, the window stops at the canary, one failed execution", () => {
        const a = account(prod, {
            instances: { [IDS[0]]: { ...LINUX_WEB, httpStatus: 503 }, [IDS[1]]: LINUX_WEB },
            ring: HEALTHY_RING,
        });
        const run = runWindow(prod, a, IDS.slice(0, 2), 0);
        const first = run.instances[IDS[0]];
        assert.deepStrictEqual([first.status, first.failedStep], ["Failed", "InstallPatches"]);
        assert.match(first.failureMessage!, /unhealthy: http:\/\/localhost\/ answered 503$/);
        assert.deepStrictEqual(Object.keys(run.instances), [IDS[0]]);
        assert.deepStrictEqual([a.installed, a.rebooted], [[IDS[0]], [IDS[0]]]);
        assert.strictEqual(run.failedExecutions, 1);
    });

    it("test keeps the lab's error threshold 1: one more instance is tried after a failure (MaxErrors semantics)", () => {
        const a = account(test, { instances: { [IDS[0]]: { ...LINUX_WEB, installFails: true }, [IDS[1]]: LINUX_WEB } });
        const run = runWindow(test, a, IDS.slice(0, 2), 1);
        assert.deepStrictEqual(
            Object.values(run.instances).map((e) => e.status),
            ["Failed", "Success"],
        );
    });

    it("an agent that does not come back fails the run at WaitForAgentOnline (timed out)", () => {
        const a = account(test, { instances: { [IDS[0]]: { ...LINUX_WEB, agentBack: false } } });
        const run = runWindow(test, a, [IDS[0]], 0);
        assert.deepStrictEqual(
            [run.instances[IDS[0]].status, run.instances[IDS[0]].failedStep],
            ["TimedOut", "WaitForAgentOnline"],
        );
    });

    it("an app server (no httpd) passes the hook: only web servers must answer", () => {
        const a = account(test, { instances: { [IDS[0]]: { platform: "Linux", webServer: false, httpStatus: 0 } } });
        assert.strictEqual(runWindow(test, a, [IDS[0]], 0).instances[IDS[0]].status, "Success");
    });

    for (const stack of ["mixed", "existing"] as const) {
        it(`${stack}: Linux and Windows web servers, healthy then a Windows one unhealthy`, async () => {
            const docs = documentsOf(await runStack(stack, RUNBOOK_OVERRIDES[stack]));
            const fleet = { [IDS[0]]: LINUX_WEB, [IDS[1]]: LINUX_WEB, [IDS[2]]: WINDOWS_WEB };
            const healthy = runWindow(docs, account(docs, { instances: fleet }), IDS, 1);
            assert.deepStrictEqual(
                Object.values(healthy.instances).map((e) => e.status),
                ["Success", "Success", "Success"],
            );
            const sick = account(docs, { instances: { ...fleet, [IDS[2]]: { ...WINDOWS_WEB, httpStatus: 500 } } });
            const run = runWindow(docs, sick, IDS, 1);
            assert.deepStrictEqual(
                [run.instances[IDS[2]].status, run.instances[IDS[2]].failedStep],
                ["Failed", "InstallPatches"],
            );
            assert.match(run.instances[IDS[2]].failureMessage!, /unhealthy: 500$/);
        });
    }
});
