import * as assert from "assert";
import { ConfigError } from "../config";
import {
    labGroups,
    MOCK_ACCOUNT,
    ofType,
    RecordedResource,
    runFailingStack,
    runStack,
    single,
    STACK_FILES,
    STACKS,
    StackRun,
} from "./harness";

const RULE = "aws:cloudwatch/eventRule:EventRule";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";
function rule(run: StackRun, suffix: string): RecordedResource {
    return single(run, RULE, `lab-alert-rules-${suffix}`);
}

function targetOf(run: StackRun, suffix: string): RecordedResource {
    const target = single(run, TARGET, `lab-alert-rules-${suffix}-target`);
    assert.strictEqual(target.inputs.rule, rule(run, suffix).state.name);
    return target;
}

for (const stack of STACKS) {
    const { workload } = STACK_FILES[stack];
    describe(`AlertTopic (${stack} stack)`, () => {
        let run: StackRun;
        let topicArn: string;
        let roleArn: string;
        let checkRoleArn: string;
        let triageRoleArn: string;
        let fromOwnRules: object;
        before(async () => {
            run = await runStack(stack);
            fromOwnRules = {
                StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT },
                ArnLike: {
                    "aws:SourceArn": `arn:aws:events:ap-northeast-1:${MOCK_ACCOUNT}:rule/AdminAlert-${workload}-*`,
                },
            };
            topicArn = single(run, "aws:sns/topic:Topic").state.arn;
            roleArn = single(run, "aws:iam/role:Role", "lab-alerts-notification-role").state.arn;
            checkRoleArn = single(run, "aws:iam/role:Role", "lab-coverage-check-role").state.arn;
            triageRoleArn = single(run, "aws:iam/role:Role", "lab-alerts-automation-role").state.arn;
        });

        it("creates the lab's AdminAlert standard topic, encrypted with its own rotating KMS key", () => {
            const topic = single(run, "aws:sns/topic:Topic");
            const key = single(run, "aws:kms/key:Key");
            assert.strictEqual(topic.inputs.name, `AdminAlert-${workload}`);
            assert.strictEqual(topic.inputs.displayName, "AdminAlert");
            assert.strictEqual(topic.inputs.fifoTopic, undefined);
            assert.strictEqual(topic.inputs.kmsMasterKeyId, key.state.arn);
            assert.strictEqual(key.inputs.enableKeyRotation, true);
            assert.deepStrictEqual([run.outputs.AlertTopicArn, run.outputs.AlertKeyArn], [topicArn, key.state.arn]);
        });

        it("lets exactly EventBridge, the task notification role and the window triage's role use the key, besides the account's IAM", () => {
            assert.deepStrictEqual(JSON.parse(single(run, "aws:kms/key:Key").inputs.policy).Statement, [
                {
                    Sid: "AccountAdministersKeyThroughIam",
                    Effect: "Allow",
                    Principal: { AWS: `arn:aws:iam::${MOCK_ACCOUNT}:root` },
                    Action: "kms:*",
                    Resource: "*",
                },
                {
                    Sid: "EventBridgeEncryptsForTheTopic",
                    Effect: "Allow",
                    Principal: { Service: "events.amazonaws.com" },
                    Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
                    Resource: "*",
                },
                {
                    Sid: "TaskNotificationsPublish",
                    Effect: "Allow",
                    Principal: { AWS: roleArn },
                    Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
                    Resource: "*",
                },
                // The runbooks of the stack publish their findings themselves: the window triage
                // (windowTriage.spec) and the daily coverage check (coverageCheck.spec).
                {
                    Sid: "AutomationPublishes",
                    Effect: "Allow",
                    Principal: { AWS: [triageRoleArn, checkRoleArn] },
                    Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
                    Resource: "*",
                },
            ]);
        });

        it("lets only the stack's own EventBridge rules, the notification role and the window triage's role publish, over TLS only", () => {
            const policy = single(run, "aws:sns/topicPolicy:TopicPolicy");
            assert.strictEqual(policy.inputs.arn, topicArn);
            assert.deepStrictEqual(JSON.parse(policy.inputs.policy).Statement, [
                {
                    Sid: "OwnEventBridgeRulesPublish",
                    Effect: "Allow",
                    Principal: { Service: "events.amazonaws.com" },
                    Action: "sns:Publish",
                    Resource: topicArn,
                    Condition: fromOwnRules,
                },
                {
                    Sid: "TaskNotificationsPublish",
                    Effect: "Allow",
                    Principal: { AWS: roleArn },
                    Action: "sns:Publish",
                    Resource: topicArn,
                },
                {
                    Sid: "AutomationPublishes",
                    Effect: "Allow",
                    Principal: { AWS: [triageRoleArn, checkRoleArn] },
                    Action: "sns:Publish",
                    Resource: topicArn,
                },
                {
                    Sid: "DenyInsecureTransport",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "sns:*",
                    Resource: topicArn,
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
            ]);
        });

        it("gives Run Command a publisher role trusted by ssm.amazonaws.com of this account, allowed to publish to this topic only", () => {
            const role = single(run, "aws:iam/role:Role", "lab-alerts-notification-role");
            assert.deepStrictEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement, [
                {
                    Effect: "Allow",
                    Principal: { Service: "ssm.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT } },
                },
            ]);
            const policy = single(run, "aws:iam/rolePolicy:RolePolicy", "lab-alerts-notification-publish");
            assert.strictEqual(policy.inputs.role, role.state.name);
            assert.deepStrictEqual(JSON.parse(policy.inputs.policy).Statement, [
                { Effect: "Allow", Action: "sns:Publish", Resource: topicArn },
                {
                    Effect: "Allow",
                    Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
                    Resource: single(run, "aws:kms/key:Key").state.arn,
                },
            ]);
        });

        it("subscribes nobody unless configured", () => {
            assert.deepStrictEqual(ofType(run, "aws:sns/topicSubscription:TopicSubscription"), []);
        });

        it("alerts when AWS-RunPatchBaseline ends Failed, TimedOut or Cancelled on one of this stack's instances, naming its output", () => {
            const instanceIds = ofType(run, "aws:ec2/instance:Instance")
                .map((i) => i.id)
                .sort();
            const pattern = JSON.parse(rule(run, "cmd-failed").inputs.eventPattern);
            pattern.detail["instance-id"].sort();
            assert.deepStrictEqual(pattern, {
                source: ["aws.ssm"],
                "detail-type": ["EC2 Command Invocation Status-change Notification"],
                detail: {
                    "document-name": ["AWS-RunPatchBaseline"],
                    status: ["Failed", "TimedOut", "Cancelled"],
                    "instance-id": instanceIds,
                },
            });
            const target = targetOf(run, "cmd-failed");
            assert.strictEqual(target.inputs.arn, topicArn);
            const bucket = single(run, "aws:s3/bucket:Bucket").state.bucket;
            const logGroup = single(run, "aws:cloudwatch/logGroup:LogGroup").state.name;
            assert.deepStrictEqual(target.inputs.inputTransformer, {
                inputPaths: {
                    instance: "$.detail.instance-id",
                    status: "$.detail.status",
                    command: "$.detail.command-id",
                    time: "$.time",
                },
                inputTemplate: JSON.stringify(
                    `[oe-lab-ipm/${stack}] AWS-RunPatchBaseline <status> on instance <instance> at <time> (command <command>). ` +
                        `Output if a window of the stack ran it: s3://${bucket}/patching/install/<command>/<instance>/, log group ${logGroup} (streams <command>/<instance>/...).`,
                ),
            });
        });

        it("alerts when one of this stack's windows ends before its tasks ran to the end (window-failed)", () => {
            const windows = ofType(run, "aws:ssm/maintenanceWindow:MaintenanceWindow").map((w) => w.id);
            assert.strictEqual(windows.length, 1);
            // FAILED follows a failed task, which the instance's command invocation reports; no task event is matched.
            assert.deepStrictEqual(JSON.parse(rule(run, "window-failed").inputs.eventPattern), {
                source: ["aws.ssm"],
                "detail-type": ["Maintenance Window Execution State-change Notification"],
                detail: { status: ["TIMED_OUT", "CANCELLED", "SKIPPED_OVERLAPPING"], "window-id": windows },
            });
            assert.deepStrictEqual(targetOf(run, "window-failed").inputs.inputTransformer.inputPaths, {
                window: "$.detail.window-id",
                execution: "$.detail.window-execution-id",
                status: "$.detail.status",
                time: "$.time",
            });
        });

        it("alerts when the inventory or the patch scan association ends without success on an instance", () => {
            const ids = ["lab-inventory-association", "lab-patch-scan-association"].map(
                (n) => single(run, "aws:ssm/association:Association", n).state.associationId,
            );
            assert.deepStrictEqual(JSON.parse(rule(run, "assoc-failed").inputs.eventPattern), {
                source: ["aws.ssm"],
                "detail-type": ["EC2 State Manager Instance Association State Change"],
                detail: { "association-id": ids, status: ["Failed", "TimedOut", "Cancelled", "Skipped"] },
            });
            assert.deepStrictEqual(
                targetOf(run, "assoc-failed").inputs.inputTransformer.inputTemplate,
                JSON.stringify(
                    `[oe-lab-ipm/${stack}] Association <association> (<document>) ended <status> on instance <instance> at <time>: <detail> <error>. Output: <output>.`,
                ),
            );
        });

        it("alerts when an instance becomes non-compliant against this stack's baseline", () => {
            assert.deepStrictEqual(JSON.parse(rule(run, "noncompliant").inputs.eventPattern), {
                source: ["aws.ssm"],
                "detail-type": ["Configuration Compliance State Change"],
                detail: {
                    "compliance-type": ["Patch"],
                    "compliance-status": [{ "equals-ignore-case": "non_compliant" }],
                    "patch-baseline-id": [single(run, "aws:ssm/patchBaseline:PatchBaseline").id],
                },
            });
            assert.deepStrictEqual(targetOf(run, "noncompliant").inputs.inputTransformer, {
                inputPaths: {
                    instance: "$.detail.resource-id",
                    status: "$.detail.compliance-status",
                    severity: "$.detail.severity",
                    time: "$.time",
                },
                inputTemplate: `"[oe-lab-ipm/${stack}] Instance <instance> is <status> for patches (severity <severity>) at <time>."`,
            });
            assert.deepStrictEqual(
                run.outputs.AlertRuleNames,
                [
                    "cmd-failed",
                    // The runbooks' failed executions: prod's patch runbooks (runbook.spec) and every stack's triage.
                    "runbook-failed",
                    // The daily coverage check's failures (coverageCheck.spec).
                    "check-failed",
                    "window-failed",
                    "assoc-failed",
                    "noncompliant",
                    // A window ending FAILED: its tasks that never started (windowTriage.spec).
                    "window-triage",
                ].map((s) => `AdminAlert-${workload}-patch-${s}`),
            );
            for (const r of ofType(run, RULE)) {
                assert.ok(
                    r.inputs.name.startsWith(`AdminAlert-${workload}-`) && r.inputs.name.length <= 64,
                    r.inputs.name,
                );
            }
        });
    });
}

describe("AlertTopic options", () => {
    it("subscribes each configured address by e-mail", async () => {
        const run = await runStack("test", { "alerts.emails": ["ops@example.com", "jane.doe+lab@example.org"] });
        const topicArn = single(run, "aws:sns/topic:Topic").state.arn;
        assert.deepStrictEqual(
            ofType(run, "aws:sns/topicSubscription:TopicSubscription").map((s) => s.inputs),
            [
                { topic: topicArn, protocol: "email", endpoint: "ops@example.com" },
                { topic: topicArn, protocol: "email", endpoint: "jane.doe+lab@example.org" },
            ],
        );
    });

    it("splits the command-failure rule so each event pattern stays under EventBridge's 2,048 characters", async () => {
        const run = await runStack("test", { "fleet.groups": labGroups({ Web: { count: 30 }, App: { count: 21 } }) });
        const rules = ofType(run, RULE)
            .filter((r) => r.name.startsWith("lab-alert-rules-cmd-failed"))
            .sort((a, b) => a.name.localeCompare(b.name));
        assert.deepStrictEqual(
            rules.map((r) => r.name),
            ["lab-alert-rules-cmd-failed-1", "lab-alert-rules-cmd-failed-2"],
        );
        const ids = rules.flatMap((r) => JSON.parse(r.inputs.eventPattern).detail["instance-id"]);
        assert.strictEqual(new Set(ids).size, 51);
        for (const r of ofType(run, RULE)) {
            assert.ok(r.inputs.eventPattern.length <= 2048, `${r.name}: ${r.inputs.eventPattern.length} characters`);
        }
    });

    it("refuses a malformed e-mail address, registering nothing", async () => {
        const { error, resources } = await runFailingStack("prod", {
            "alerts.emails": ["ops@example.com", "ops at example.com"],
        });
        assert.ok(error instanceof ConfigError);
        assert.deepStrictEqual(resources, []);
        assert.deepStrictEqual(error.problems, [
            'oe-lab-ipm:alerts.emails.1 = "ops at example.com": must be an e-mail address such as ops@example.com',
        ]);
    });
});
