import * as assert from "assert";
import { ExpandedEvent, expand, identityOf, SAMPLES_FILE, sample, someInstanceIds, StackIdentity } from "./alertEvents";
import { failureScenarios, Invocation, triageMessages, TriageTask } from "./alertScenarios";
import { InputTransformer, matches, transform } from "./eventbridge";
import { labGroups, ofType, RecordedResource, runStack, StackRun } from "./harness";

/**
 * Every stack's alert rules held against AWS's documented sample events, expanded with every
 * stack's identifiers, as if all five stacks were deployed in one account and region: a stack's
 * rules report each of its own runs that ends without success exactly once, no success, and no
 * event of another stack or of instances no stack manages. Each report's message renders from the
 * event alone.
 */
const STACKS = ["test", "prod", "mixed", "existing", "reporting"] as const;

interface Rule {
    readonly name: string;
    readonly pattern: Record<string, unknown>;
    readonly transformer: InputTransformer;
    /** What the target is: the stack's topic (one message), or a runbook (Automation; it may publish). */
    readonly target: "topic" | "automation";
}

function rulesOf(run: StackRun): Rule[] {
    const targets = ofType(run, "aws:cloudwatch/eventTarget:EventTarget");
    return ofType(run, "aws:cloudwatch/eventRule:EventRule").map((r: RecordedResource) => {
        const target = targets.find((t) => t.inputs.rule === r.state.name);
        assert.ok(target, `${r.name} has no target`);
        return {
            name: r.inputs.name,
            pattern: JSON.parse(r.inputs.eventPattern),
            transformer: target.inputs.inputTransformer,
            target: /:automation-definition\//.test(target.inputs.arn) ? "automation" : "topic",
        };
    });
}

/**
 * The Run Command notifications the stack's window tasks send for these invocations: one per
 * invocation whose status the task's notificationConfig names (notificationType Invocation), to its topic.
 */
function notificationsOf(run: StackRun, invocations: Invocation[]): string[] {
    const sent: string[] = [];
    for (const task of ofType(run, "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask")) {
        const config = task.inputs.taskInvocationParameters?.runCommandParameters?.notificationConfig;
        if (config === undefined) continue;
        assert.strictEqual(config.notificationType, "Invocation", task.name);
        for (const invocation of invocations.filter((i) => i.windowId === task.inputs.windowId))
            if (config.notificationEvents.includes(invocation.status))
                sent.push(`${run.stack} ${task.name} notification (${invocation.instanceId} ${invocation.status})`);
    }
    return sent;
}

/** Scaled to 40 instances, keeping each stack's groups. */
const FORTY: Record<string, Record<string, unknown>> = {
    test: { "fleet.groups": labGroups({ Web: { count: 20 }, App: { count: 20 } }) },
    // Prod's runbook patches its 20 web servers ten at a time to fit its two-hour window (the window's arithmetic).
    prod: {
        "fleet.groups": labGroups({ Web: { count: 20 }, App: { count: 20 } }),
        "maintenanceWindow.maxConcurrency": "50%",
    },
    mixed: {
        "fleet.groups": [
            {
                name: "Web",
                role: "WebServer",
                count: 16,
                instanceType: "t3.micro",
                operatingSystem: "AMAZON_LINUX_2023",
                webServer: true,
            },
            { name: "App", role: "AppServer", count: 16, instanceType: "t4g.micro", operatingSystem: "UBUNTU_24_04" },
            {
                name: "Win",
                role: "WebServer",
                count: 8,
                instanceType: "t3.small",
                operatingSystem: "WINDOWS_SERVER_2022",
                webServer: true,
            },
        ],
    },
    existing: {},
    reporting: {},
};

interface Account {
    readonly runs: Record<string, StackRun>;
    readonly rules: Record<string, Rule[]>;
    readonly events: Record<string, ExpandedEvent[]>;
    readonly identities: Record<string, StackIdentity>;
}

async function account(size: "as committed" | "40 instances"): Promise<Account> {
    const runs = Object.fromEntries(
        await Promise.all(
            STACKS.map(async (s) => [s, await runStack(s, size === "40 instances" ? FORTY[s] : {})] as const),
        ),
    );
    const instances = size === "40 instances" ? 40 : 4;
    const identities = Object.fromEntries(STACKS.map((s) => [s, identityOf(runs[s], instances)]));
    return {
        runs,
        identities,
        rules: Object.fromEntries(STACKS.map((s) => [s, rulesOf(runs[s])])),
        events: Object.fromEntries(STACKS.map((s) => [s, expand(identities[s])])),
    };
}

/**
 * The messages a rule's target sends for one event of a scenario: a topic target one; an Automation
 * target (the window triage) none itself, and its runbook one per task that never started.
 */
function sentBy(rule: Rule, tasks: readonly TriageTask[] | undefined): number {
    return rule.target === "topic" ? 1 : triageMessages(tasks ?? []);
}

/** The runbook parameters an Automation target passes for an event: the JSON template rendered. */
function parameters(rule: Rule, event: unknown): Record<string, string[]> {
    return JSON.parse(transform(rule.transformer, event));
}

/** The message a rule sends for an event: the input template rendered, a JSON string literal parsed. */
function message(rule: Rule, event: unknown): string {
    const rendered = transform(rule.transformer, event);
    const text = JSON.parse(rendered);
    assert.strictEqual(typeof text, "string", `${rule.name}: ${rendered}`);
    assert.doesNotMatch(text, /<[A-Za-z0-9_.-]+>/, `${rule.name} left a variable unfilled: ${text}`);
    return text;
}

for (const size of ["as committed", "40 instances"] as const) {
    describe(`alert rules of five stacks in one account (${size}), against AWS's sample events`, () => {
        let acc: Account;
        before(async function () {
            this.timeout(60000);
            acc = await account(size);
        });

        it("has the fleets it claims to have", () => {
            const count = size === "40 instances" ? 40 : { test: 4, prod: 4, mixed: 5, existing: 4, reporting: 0 };
            for (const s of ["test", "prod", "mixed"])
                assert.strictEqual(
                    acc.identities[s].instanceIds.length,
                    typeof count === "number" ? count : count[s as "test"],
                );
            assert.deepStrictEqual(acc.rules.reporting, []);
        });

        for (const owner of STACKS) {
            it(`${owner}: each run that ends without success is reported once by ${owner}, with the stack, the run and its output in the message`, () => {
                const own = acc.events[owner];
                let reported = 0;
                for (const { what, event, ownRules } of own) {
                    const hits = acc.rules[owner].filter((r) => matches(r.pattern, event));
                    assert.strictEqual(
                        hits.length,
                        ownRules,
                        `${owner} ${what}: matched by ${hits.map((r) => r.name).join(", ") || "no rule"}`,
                    );
                    for (const rule of hits) {
                        if (rule.target === "automation") {
                            assert.deepStrictEqual(parameters(rule, event), {
                                WindowId: [event.detail["window-id"]],
                                WindowExecutionId: [event.detail["window-execution-id"]],
                            });
                            reported++;
                            continue;
                        }
                        const text = message(rule, event);
                        assert.ok(text.startsWith(`[oe-lab-ipm/${owner}] `), text);
                        const status = event.detail.status ?? event.detail.Status ?? event.detail["compliance-status"];
                        assert.ok(text.includes(status), text);
                        const instance = event.detail["instance-id"] ?? event.detail["resource-id"];
                        if (instance !== undefined) assert.ok(text.includes(instance), text);
                        reported++;
                    }
                }
                if (owner !== "reporting") assert.ok(reported > 0);
            });

            it(`${owner}: each failure scenario of its runs sends exactly one message in the account (rules and task notifications)`, () => {
                const scenarios = failureScenarios(acc.identities[owner]);
                const id = acc.identities[owner];
                // Per window: three install (or scan) failures, a task that never started, a timeout, a
                // cancellation, a skip; per association four; in Runbook mode, a failed per-instance runbook.
                const runbooks = id.runbookNames.filter((r) => r.endsWith("-PatchInstance")).length;
                assert.strictEqual(scenarios.length, 7 * id.windows.length + 4 * id.associationIds.length + runbooks);
                for (const { what, events, invocations, tasks } of scenarios) {
                    const sent = STACKS.flatMap((s) => [
                        ...events.flatMap((event) =>
                            acc.rules[s]
                                .filter((r) => matches(r.pattern, event))
                                .flatMap((r) => Array.from({ length: sentBy(r, tasks) }, () => `${s} ${r.name}`)),
                        ),
                        ...notificationsOf(acc.runs[s], invocations),
                    ]);
                    assert.strictEqual(sent.length, 1, `${owner} ${what}: ${sent.join("; ") || "no message"}`);
                    assert.ok(sent[0].startsWith(`${owner} `), `${owner} ${what}: ${sent[0]}`);
                }
            });

            it(`${owner}: no other stack reports its events, nor any stack the events of instances nobody manages`, () => {
                for (const other of STACKS.filter((s) => s !== owner)) {
                    for (const { what, event } of acc.events[owner]) {
                        const hits = acc.rules[other].filter((r) => matches(r.pattern, event));
                        assert.deepStrictEqual(
                            hits.map((r) => r.name),
                            [],
                            `${other} reports ${owner}'s ${what}`,
                        );
                    }
                }
            });
        }

        it("no stack reports failures of instances no stack manages, nor AWS's samples as published", () => {
            const stray = expand({
                stack: "nobody",
                instanceIds: someInstanceIds("nobody", 3),
                createdFleet: true,
                windows: [{ id: "mw-0ed7251d3fcf6e0c2", targetIds: ["e7265f13-3cc5-4f2f-97a9-123456789012"] }],
                associationIds: ["34fcb7e0-9a14-4984-9989-0e04e3f60bd8"],
                baselineIds: ["PB789"],
                runbookNames: ["runcommand1", "OELabIPM-Nobody-WindowTriage"],
            });
            const published = SAMPLES_FILE.samples.map((s) => ({ what: s.example, event: JSON.parse(s.text) }));
            for (const { what, event } of [...stray, ...published]) {
                for (const s of STACKS)
                    assert.deepStrictEqual(
                        acc.rules[s].filter((r) => matches(r.pattern, event)).map((r) => r.name),
                        [],
                        `${s} reports ${what}`,
                    );
            }
        });
    });
}

describe("alert messages, rendered from AWS's sample events", () => {
    it("say which stack, which instance or window, what ended how, and where the output is", async () => {
        const run = await runStack("test", { "maintenanceWindow.scan": true });
        const rules = rulesOf(run);
        const bucket = ofType(run, "aws:s3/bucket:Bucket")[0].state.bucket;
        const logGroup = ofType(run, "aws:cloudwatch/logGroup:LogGroup")[0].state.name;
        const render = (suffix: string, event: Record<string, any>) =>
            message(
                rules.find((r) => r.name.endsWith(suffix))!,
                event,
            );

        const command = sample("Run Command Invocation Status-change Notification");
        Object.assign(command.detail, { status: "TimedOut" });
        assert.strictEqual(
            render("-cmd-failed", command),
            "[oe-lab-ipm/test] AWS-RunPatchBaseline TimedOut on instance i-9bb89e2b at 2016-07-10T21:51:32Z (command e8d3c0e4-71f7-4491-898f-c9b35bee5f3b). " +
                `Output if a window of the stack ran it: s3://${bucket}/patching/install/e8d3c0e4-71f7-4491-898f-c9b35bee5f3b/i-9bb89e2b/ ` +
                `or s3://${bucket}/patching/scan/e8d3c0e4-71f7-4491-898f-c9b35bee5f3b/i-9bb89e2b/, ` +
                `log group ${logGroup} (streams e8d3c0e4-71f7-4491-898f-c9b35bee5f3b/i-9bb89e2b/...).`,
        );
        assert.strictEqual(
            render("-window-failed", sample("Window Execution Type")),
            "[oe-lab-ipm/test] Maintenance window mw-0ed7251d3fcf6e0c2 ended TIMED_OUT at 2016-11-16T01:00:57Z (execution b60fb56e-776c-4e5c-84ee-123456789012; " +
                "its tasks: aws ssm describe-maintenance-window-execution-tasks --window-execution-id b60fb56e-776c-4e5c-84ee-123456789012).",
        );
        const association = sample("State Manager Instance Association State Change");
        Object.assign(association.detail, { status: "Failed" });
        assert.strictEqual(
            render("-assoc-failed", association),
            "[oe-lab-ipm/test] Association 34fcb7e0-9a14-4984-9989-0e04e3f60bd8 (my-custom-document) ended Failed on instance i-12345678 " +
                "at 2017-02-23T15:23:48Z:  testErrorCode. Output: sampleurl.",
        );
        const automation = sample("Automation Execution Status-change Notification");
        Object.assign(automation.detail, { Definition: "OELabIPM-Test-WindowTriage", Status: "Failed" });
        assert.strictEqual(
            render("-runbook-failed", automation),
            "[oe-lab-ipm/test] Runbook OELabIPM-Test-WindowTriage ended Failed at 2016-11-29T19:43:35Z (execution 333ba70b-2333-48db-b17e-a5e69c6f4d1c; " +
                "its failed step, and for a patch runbook its instance and restore point: aws ssm get-automation-execution --automation-execution-id 333ba70b-2333-48db-b17e-a5e69c6f4d1c).",
        );
        const failedWindow = sample("Window Execution Type");
        Object.assign(failedWindow.detail, { status: "FAILED" });
        assert.deepStrictEqual(
            parameters(
                rules.find((r) => r.name.endsWith("-window-triage"))!,
                failedWindow,
            ),
            {
                WindowId: ["mw-0ed7251d3fcf6e0c2"],
                WindowExecutionId: ["b60fb56e-776c-4e5c-84ee-123456789012"],
            },
        );
        assert.strictEqual(
            render("-noncompliant", sample("Patch Non-Compliant")),
            "[oe-lab-ipm/test] Instance i-01234567890abcdef is non_compliant for patches (severity critical) at 2017-07-17T19:02:31Z.",
        );
    });
});
