import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ALL_STACKS, ofType, PROJECT_ROOT, runStack, single, StackRun } from "./harness";

/**
 * The window triage (components/windowTriage.ts, windowTriageResources.ts) on every lab stack: a rule
 * on the stack's own windows ending FAILED, whose target starts the stack's triage runbook with a role
 * that may start that document only and pass its role only; the runbook's role grants exactly the
 * cited table (tests/fixtures/triage-permissions.json); the topic and its key admit that one role.
 * The runbook itself runs in `npm run test:scripts` (tests/scripts/windowTriage.script.ts).
 */
const TABLE = JSON.parse(
    fs.readFileSync(path.join(PROJECT_ROOT, "tests", "fixtures", "triage-permissions.json"), "utf8"),
) as { calls: { call: string }[]; extra: Record<string, { action: string }[]> };

const statements = (policy: string) =>
    JSON.parse(policy).Statement as { Sid?: string; Action: string | string[]; Resource: unknown; Principal?: any }[];
const WORKLOAD = { test: "Test", prod: "Prod", mixed: "Mixed", existing: "Fleet" } as const;

for (const stack of ALL_STACKS) {
    describe(`the window triage of ${stack}`, () => {
        let run: StackRun;
        before(async () => {
            run = await runStack(stack);
        });
        const w = WORKLOAD[stack];

        it("a rule on the stack's windows ending FAILED starts the stack's triage runbook with the window and execution", () => {
            const rule = single(run, "aws:cloudwatch/eventRule:EventRule", "lab-alert-rules-window-triage");
            const windows = ofType(run, "aws:ssm/maintenanceWindow:MaintenanceWindow").map((m) => m.id);
            assert.strictEqual(rule.inputs.name, `AdminAlert-${w}-patch-window-triage`);
            assert.deepStrictEqual(JSON.parse(rule.inputs.eventPattern), {
                source: ["aws.ssm"],
                "detail-type": ["Maintenance Window Execution State-change Notification"],
                detail: { status: ["FAILED"], "window-id": windows },
            });
            const target = single(
                run,
                "aws:cloudwatch/eventTarget:EventTarget",
                "lab-alert-rules-window-triage-target",
            );
            assert.strictEqual(
                target.inputs.arn,
                `arn:aws:ssm:ap-northeast-1:123456789012:automation-definition/OELabIPM-${w}-WindowTriage:$DEFAULT`,
            );
            assert.strictEqual(
                target.inputs.roleArn,
                single(run, "aws:iam/role:Role", "lab-alert-rules-triage-start-role").state.arn,
            );
            assert.deepStrictEqual(target.inputs.inputTransformer, {
                inputPaths: { window: "$.detail.window-id", execution: "$.detail.window-execution-id" },
                inputTemplate: '{"WindowId":[<window>],"WindowExecutionId":[<execution>]}',
            });
            const doc = single(run, "aws:ssm/document:Document", "lab-alert-rules-triage-runbook");
            assert.deepStrictEqual(
                [doc.inputs.name, doc.inputs.documentType],
                [`OELabIPM-${w}-WindowTriage`, "Automation"],
            );
            assert.deepStrictEqual(Object.keys(JSON.parse(doc.inputs.content).parameters), [
                "WindowId",
                "WindowExecutionId",
                "AutomationAssumeRole",
            ]);
        });

        it("EventBridge's role may start that document only, and pass the runbook's role only, to Systems Manager", () => {
            const startRole = single(run, "aws:iam/role:Role", "lab-alert-rules-triage-start-role");
            assert.strictEqual(
                JSON.parse(startRole.inputs.assumeRolePolicy).Statement[0].Principal.Service,
                "events.amazonaws.com",
            );
            const runbookRole = single(run, "aws:iam/role:Role", "lab-alerts-automation-role");
            const policy = single(run, "aws:iam/rolePolicy:RolePolicy", "lab-alert-rules-triage-start-policy");
            assert.strictEqual(policy.inputs.role, startRole.state.name);
            assert.deepStrictEqual(JSON.parse(policy.inputs.policy).Statement, [
                {
                    Sid: "StartTriage",
                    Effect: "Allow",
                    Action: ["ssm:StartAutomationExecution"],
                    Resource: [
                        `arn:aws:ssm:ap-northeast-1:123456789012:automation-definition/OELabIPM-${w}-WindowTriage:$DEFAULT`,
                        `arn:aws:ssm:ap-northeast-1:123456789012:document/OELabIPM-${w}-WindowTriage`,
                        "arn:aws:ssm:ap-northeast-1:123456789012:automation-execution/*",
                    ],
                },
                {
                    Sid: "PassTriageRole",
                    Effect: "Allow",
                    Action: ["iam:PassRole"],
                    Resource: runbookRole.state.arn,
                    Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
                },
            ]);
            const doc = JSON.parse(
                single(run, "aws:ssm/document:Document", "lab-alert-rules-triage-runbook").inputs.content,
            );
            assert.strictEqual(doc.parameters.AutomationAssumeRole.default, runbookRole.state.arn);
        });

        it("the runbook's role grants exactly the table's actions: its calls, and the key for publishing", () => {
            const role = single(run, "aws:iam/role:Role", "lab-alerts-automation-role");
            assert.strictEqual(role.inputs.namePrefix, `WindowTriageRole-${w}-`);
            const policy = single(run, "aws:iam/rolePolicy:RolePolicy", "lab-alert-rules-triage-policy");
            assert.strictEqual(policy.inputs.role, role.state.name);
            const granted = statements(policy.inputs.policy).flatMap((s) => s.Action);
            const needed = TABLE.calls.flatMap((c) => [c.call, ...(TABLE.extra[c.call] ?? []).map((e) => e.action)]);
            assert.deepStrictEqual([...granted].sort(), [...needed].sort());
            const resources = Object.fromEntries(statements(policy.inputs.policy).map((s) => [s.Sid, s.Resource]));
            assert.deepStrictEqual(resources, {
                ReadWindowExecution: "*",
                Publish: single(run, "aws:sns/topic:Topic").state.arn,
                PublishEncrypted: single(run, "aws:kms/key:Key").state.arn,
            });
        });

        it("the topic's policy and its key's policy admit that one role (by its ARN), with the coverage check's", () => {
            const role = single(run, "aws:iam/role:Role", "lab-alerts-automation-role").state.arn;
            // AlertTopic names every runbook role that publishes in one statement: this one, then CoverageCheck's.
            const runbooks = [role, single(run, "aws:iam/role:Role", "lab-coverage-check-role").state.arn];
            const topicPolicy = statements(single(run, "aws:sns/topicPolicy:TopicPolicy").inputs.policy);
            assert.deepStrictEqual(
                topicPolicy.filter((s) => JSON.stringify(s.Principal?.AWS ?? "").includes(role)),
                [
                    {
                        Sid: "AutomationPublishes",
                        Effect: "Allow",
                        Principal: { AWS: runbooks },
                        Action: "sns:Publish",
                        Resource: single(run, "aws:sns/topic:Topic").state.arn,
                    },
                ],
            );
            const keyPolicy = statements(single(run, "aws:kms/key:Key").inputs.policy);
            assert.deepStrictEqual(
                keyPolicy
                    .filter((s) => JSON.stringify(s.Principal?.AWS ?? "").includes(role))
                    .map((s) => [s.Sid, s.Principal.AWS, s.Action, s.Resource]),
                [["AutomationPublishes", runbooks, ["kms:GenerateDataKey*", "kms:Decrypt"], "*"]],
            );
        });

        it("a failed triage execution alerts through runbook-failed", () => {
            const rule = single(run, "aws:cloudwatch/eventRule:EventRule", "lab-alert-rules-runbook-failed");
            assert.ok(JSON.parse(rule.inputs.eventPattern).detail.Definition.includes(`OELabIPM-${w}-WindowTriage`));
        });
    });
}
