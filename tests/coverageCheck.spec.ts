import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { validateLabConfig } from "../config";
import { COVERAGE_SCRIPT } from "../components/coverageScript";
import { CoverageCheck, validateCoverageCheckArgs } from "../components/coverageCheck";
import { ArgumentError } from "../components/validation";
import { matches, transform } from "./eventbridge";
import { MOCK_ACCOUNT, ofType, PROJECT_ROOT, runProgram, runStack, single, StackRun } from "./harness";

/**
 * CoverageCheck as each stack registers it: the runbook, its role (exactly the calls its script makes,
 * by tests/fixtures/coverage-check-permissions.json), the schedule and its role, the topic's policies
 * admitting the runbook's role, the check-failed rule; the config keys. The runbook itself runs in
 * tests/scripts/coverageCheck.script.ts (Python: `npm run test:scripts`).
 */
const ROLE = "aws:iam/role:Role";
const POLICY = "aws:iam/rolePolicy:RolePolicy";
const TABLE = JSON.parse(
    fs.readFileSync(path.join(PROJECT_ROOT, "tests", "fixtures", "coverage-check-permissions.json"), "utf8"),
) as { calls: Record<string, { action: string }[]> };

/** The tags of every taggable resource, by logical name. */
const tagsOf = (run: StackRun) =>
    Object.fromEntries(
        run.resources.filter((r) => r.custom && r.inputs.tags !== undefined).map((r) => [r.name, r.inputs.tags]),
    );

const statements = (run: StackRun, name: string) => JSON.parse(single(run, POLICY, name).inputs.policy).Statement;

describe("CoverageCheck (test stack)", () => {
    let run: StackRun;
    let roleArn: string;
    before(async () => {
        run = await runStack("test");
        roleArn = single(run, ROLE, "lab-coverage-check-role").state.arn;
    });

    it("registers the runbook OELabIPM-Test-CoverageCheck, run daily by EventBridge Scheduler as a role that may start only it", () => {
        const doc = single(run, "aws:ssm/document:Document", "lab-coverage-check-runbook");
        assert.deepStrictEqual(
            [doc.inputs.name, doc.inputs.documentType],
            ["OELabIPM-Test-CoverageCheck", "Automation"],
        );
        const content = JSON.parse(doc.inputs.content);
        assert.strictEqual(content.parameters.AutomationAssumeRole.default, roleArn);
        assert.deepStrictEqual(content.mainSteps[0].inputs.InputPayload.ScopeTags, {
            Environment: "OELabIPM",
            Workload: "Test",
        });
        assert.strictEqual(run.outputs.CoverageCheckName, "OELabIPM-Test-CoverageCheck");
        const schedule = single(run, "aws:scheduler/schedule:Schedule");
        const schedulerRole = single(run, ROLE, "lab-coverage-check-scheduler-role");
        assert.deepStrictEqual(
            [schedule.inputs.scheduleExpression, schedule.inputs.scheduleExpressionTimezone],
            ["cron(0 6 * * ? *)", "UTC"],
        );
        assert.deepStrictEqual(schedule.inputs.target, {
            arn: "arn:aws:scheduler:::aws-sdk:ssm:startAutomationExecution",
            roleArn: schedulerRole.state.arn,
            input: JSON.stringify({ DocumentName: "OELabIPM-Test-CoverageCheck" }),
            retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
        });
        assert.strictEqual(
            JSON.parse(schedulerRole.inputs.assumeRolePolicy).Statement[0].Principal.Service,
            "scheduler.amazonaws.com",
        );
        assert.deepStrictEqual(statements(run, "lab-coverage-check-scheduler-role-policy"), [
            {
                Sid: "StartCheck",
                Effect: "Allow",
                Action: "ssm:StartAutomationExecution",
                Resource: [
                    `arn:aws:ssm:ap-northeast-1:${MOCK_ACCOUNT}:document/OELabIPM-Test-CoverageCheck`,
                    `arn:aws:ssm:ap-northeast-1:${MOCK_ACCOUNT}:automation-execution/*`,
                ],
            },
            {
                Sid: "PassCheckRole",
                Effect: "Allow",
                Action: "iam:PassRole",
                Resource: roleArn,
                Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
            },
        ]);
    });

    it("its role grants exactly what the script calls, by the cited table, on the stack's topic", () => {
        // Every boto3 call in the script: `<client>.<method>(` on the ec2, ssm and sns clients.
        const calls = [...COVERAGE_SCRIPT.matchAll(/\b(ec2|ssm|client\('sns'\))\.([a-z_]+)\b/g)].map(
            ([, client, method]) => `${client.replace("client('sns')", "sns")}.${method}`,
        );
        assert.deepStrictEqual([...new Set(calls)].sort(), Object.keys(TABLE.calls).sort());
        const needed = [...new Set(Object.values(TABLE.calls).flatMap((rows) => rows.map((r) => r.action)))].sort();
        const policy = statements(run, "lab-coverage-check-role-policy") as { Action: string[]; Resource: unknown }[];
        assert.deepStrictEqual([...new Set(policy.flatMap((s) => s.Action))].sort(), needed);
        const topicArn = single(run, "aws:sns/topic:Topic").state.arn;
        assert.deepStrictEqual(
            policy.find((s) => s.Action.includes("sns:Publish"))!.Resource,
            topicArn,
            "publishes to the stack's topic only",
        );
    });

    it("the topic's policy and its key's policy admit the runbook's role, beside the window triage's", () => {
        const topic = JSON.parse(single(run, "aws:sns/topicPolicy:TopicPolicy").inputs.policy).Statement;
        const key = JSON.parse(single(run, "aws:kms/key:Key").inputs.policy).Statement;
        const topicArn = single(run, "aws:sns/topic:Topic").state.arn;
        // One statement names every runbook role that publishes (AlertTopic's publisherRoleArns).
        const runbooks = [single(run, ROLE, "lab-alerts-automation-role").state.arn, roleArn];
        assert.deepStrictEqual(
            topic.find((s: any) => s.Sid === "AutomationPublishes"),
            {
                Sid: "AutomationPublishes",
                Effect: "Allow",
                Principal: { AWS: runbooks },
                Action: "sns:Publish",
                Resource: topicArn,
            },
        );
        assert.deepStrictEqual(
            key.find((s: any) => s.Sid === "AutomationPublishes"),
            {
                Sid: "AutomationPublishes",
                Effect: "Allow",
                Principal: { AWS: runbooks },
                Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
                Resource: "*",
            },
        );
    });

    it("a failed, timed-out or cancelled check alerts the topic once (check-failed), saying nothing was checked", () => {
        const rule = single(run, "aws:cloudwatch/eventRule:EventRule", "lab-alert-rules-check-failed");
        const pattern = JSON.parse(rule.inputs.eventPattern);
        assert.deepStrictEqual(pattern.detail, {
            Definition: ["OELabIPM-Test-CoverageCheck"],
            Status: ["Failed", "TimedOut", "Cancelled"],
        });
        // The event's shape: AWS Systems Manager User Guide, "Amazon EventBridge event examples for Systems
        // Manager", Automation ("EC2 Automation Execution Status-change Notification").
        const event = {
            version: "0",
            id: "d290f1ee-6c54-4b01-90e6-d701748f0851",
            "detail-type": "EC2 Automation Execution Status-change Notification",
            source: "aws.ssm",
            account: MOCK_ACCOUNT,
            time: "2026-12-06T06:00:41Z",
            region: "ap-northeast-1",
            resources: [
                `arn:aws:ssm:ap-northeast-1:${MOCK_ACCOUNT}:automation-execution/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d`,
            ],
            detail: {
                ExecutedBy: `arn:aws:sts::${MOCK_ACCOUNT}:assumed-role/CoverageScheduleRole-Test-x/abc`,
                Definition: "OELabIPM-Test-CoverageCheck",
                EndTime: 1765000841000,
                ExecutionId: "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d",
                Time: 1765000841000,
                Status: "Failed",
                StartTime: 1765000801000,
                DefinitionVersion: 1,
            },
        };
        assert.ok(matches(pattern, event));
        assert.ok(
            !matches(pattern, { ...event, detail: { ...event.detail, Definition: "OELabIPM-Prod-CoverageCheck" } }),
        );
        const target = single(run, "aws:cloudwatch/eventTarget:EventTarget", "lab-alert-rules-check-failed-target");
        assert.strictEqual(
            transform(target.inputs.inputTransformer, event),
            JSON.stringify(
                "[oe-lab-ipm/test] Coverage check OELabIPM-Test-CoverageCheck ended Failed at 2026-12-06T06:00:41Z: the fleet's coverage was not checked today (execution 1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d; the failed step's message: aws ssm get-automation-execution --automation-execution-id 1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d).",
            ),
        );
    });
});

describe("CoverageCheck: config and arguments", () => {
    it("alerts.coverageCheck: false creates none of it, and the topic admits no role of it", async () => {
        const run = await runStack("test", { "alerts.coverageCheck": false });
        assert.deepStrictEqual(
            run.resources.filter((r) => r.name.startsWith("lab-coverage-check") || r.name.endsWith("check-failed")),
            [],
        );
        assert.deepStrictEqual(ofType(run, "aws:scheduler/schedule:Schedule"), []);
        const topic = JSON.parse(single(run, "aws:sns/topicPolicy:TopicPolicy").inputs.policy).Statement;
        assert.deepStrictEqual(
            topic.map((s: any) => s.Sid),
            ["OwnEventBridgeRulesPublish", "TaskNotificationsPublish", "AutomationPublishes", "DenyInsecureTransport"],
        );
        // Only the window triage's role publishes as a runbook.
        assert.deepStrictEqual(topic[2].Principal, {
            AWS: [single(run, ROLE, "lab-alerts-automation-role").state.arn],
        });
        assert.strictEqual(run.outputs.CoverageCheckName, undefined);
    });

    it("an existing fleet's check is scoped to its target tags", async () => {
        const run = await runStack("existing");
        const doc = JSON.parse(single(run, "aws:ssm/document:Document", "lab-coverage-check-runbook").inputs.content);
        const payload = doc.mainSteps[0].inputs.InputPayload;
        // Pulumi.existing.yaml's fleet.existing.targetTags: the same scope as `ops coverage --stack existing`.
        assert.deepStrictEqual(payload.ScopeTags, { Environment: "Production", PatchWith: "oe-lab-ipm" });
        assert.deepStrictEqual(payload.Stack, "oe-lab-ipm/existing");
    });

    it("refuses a bad threshold or switch, every problem at once, naming key and value", () => {
        const { problems } = validateLabConfig({
            workload: "Test",
            alerts: { coverageCheck: "yes", silentAfterHours: 0 },
        });
        assert.deepStrictEqual(problems, [
            'oe-lab-ipm:alerts.coverageCheck = "yes": must be true or false',
            "oe-lab-ipm:alerts.silentAfterHours = 0: must be a whole number from 1 to 720",
        ]);
    });

    it("the component refuses what AWS would, every problem at once", () => {
        assert.throws(
            () =>
                validateCoverageCheckArgs({
                    stack: "s",
                    documentName: "AWS-Check",
                    roleNamePrefix: "R".repeat(39),
                    schedulerRoleNamePrefix: "S-",
                    topicArn: "arn:aws:sns:ap-northeast-1:123456789012:T",
                    scopeTags: {},
                    silentAfterHours: 721,
                }),
            (e: ArgumentError) => {
                assert.deepStrictEqual(e.problems, [
                    'documentName "AWS-Check" must be 3-128 letters, digits, _ - or . (no spaces), and not begin with AWS or Amazon',
                    `roleNamePrefix makes the role name prefix "${"R".repeat(39)}" (39 characters); IAM allows 38 before the 26-character unique suffix`,
                    "scopeTags must name 1 to 5 tags (it names 0)",
                    "silentAfterHours 721 must be a whole number from 1 to 720",
                ]);
                return true;
            },
        );
    });
});

describe("CoverageCheck alone, with another team's names", () => {
    it("CoverageCheck: its runbook, roles and schedule named, scoped and tagged from its arguments", async () => {
        const run = await runProgram(() => {
            const c = new CoverageCheck("coverage", {
                stack: "payments",
                documentName: "PayCoverageCheck",
                roleNamePrefix: "PayCoverageRole-",
                schedulerRoleNamePrefix: "PayCoverageSchedule-",
                topicArn: "arn:aws:sns:ap-northeast-1:123456789012:PayAlerts",
                scopeTags: { Team: "payments" },
                tags: { Team: "payments" },
            });
            return { name: c.documentName };
        });
        // Every resource is the component's child (standalone.spec holds the other components to the same).
        const component = single(run, "oe-lab-ipm:index:CoverageCheck");
        for (const r of run.resources.filter((x) => x !== component))
            assert.strictEqual(r.parent, component.urn, r.name);
        const doc = single(run, "aws:ssm/document:Document");
        const step = JSON.parse(doc.inputs.content).mainSteps[0].inputs;
        assert.deepStrictEqual(
            [doc.inputs.name, step.InputPayload.ScopeTags, step.InputPayload.TopicArn, step.InputPayload.Details],
            [
                "PayCoverageCheck",
                { Team: "payments" },
                "arn:aws:sns:ap-northeast-1:123456789012:PayAlerts",
                "Fleet Manager in the Systems Manager console",
            ],
        );
        assert.deepStrictEqual(
            ofType(run, "aws:iam/role:Role").map((r) => r.inputs.namePrefix),
            ["PayCoverageRole-", "PayCoverageSchedule-"],
        );
        assert.deepStrictEqual(tagsOf(run), {
            "coverage-role": { Team: "payments" },
            "coverage-runbook": { Team: "payments" },
            "coverage-scheduler-role": { Team: "payments" },
        });
        assert.strictEqual(run.outputs.name, "PayCoverageCheck");
    });
});
