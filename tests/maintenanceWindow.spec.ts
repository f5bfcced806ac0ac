import * as assert from "assert";
import { ConfigError } from "../config";
import { MOCK_ACCOUNT, ofType, runFailingStack, runStack, single, STACK_FILES, STACKS, StackRun } from "./harness";

const WINDOW = "aws:ssm/maintenanceWindow:MaintenanceWindow";
const TARGET = "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget";
const TASK = "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask";

for (const stack of STACKS) {
    const { workload } = STACK_FILES[stack];
    describe(`PatchMaintenanceWindow (${stack} stack)`, () => {
        let run: StackRun;
        before(async () => {
            run = await runStack(stack);
        });

        it("gives the window a service role trusted by ssm.amazonaws.com for this account only, with AmazonSSMMaintenanceWindowRole", () => {
            const role = single(run, "aws:iam/role:Role", "lab-window-role");
            assert.strictEqual(role.inputs.namePrefix, `SSMMaintenanceWindowRole-${workload}-`);
            assert.deepStrictEqual(JSON.parse(role.inputs.assumeRolePolicy), {
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { Service: "ssm.amazonaws.com" },
                        Action: "sts:AssumeRole",
                        Condition: { StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT } },
                    },
                ],
            });
            const attachment = single(
                run,
                "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                "lab-window-role-policy",
            );
            assert.deepStrictEqual(attachment.inputs, {
                role: role.state.name,
                policyArn: "arn:aws:iam::aws:policy/service-role/AmazonSSMMaintenanceWindowRole",
            });
            assert.strictEqual(run.outputs.MaintenanceWindowRoleArn, role.state.arn);
        });

        it("creates the lab's PassRole policy for exactly that role, only towards ssm.amazonaws.com, attached to no group by default", () => {
            const role = single(run, "aws:iam/role:Role", "lab-window-role");
            const policy = single(run, "aws:iam/policy:Policy");
            assert.strictEqual(policy.inputs.namePrefix, `SSMMaintenanceWindowPassRole-${workload}-`);
            assert.deepStrictEqual(JSON.parse(policy.inputs.policy), {
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Action: "iam:PassRole",
                        Resource: role.state.arn,
                        Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
                    },
                ],
            });
            assert.deepStrictEqual(ofType(run, "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"), []);
        });

        it("opens the lab's window every day at 02:00 Tokyo time for 1 hour (prod: 2, for its runbook), cutoff 0, unregistered targets allowed", () => {
            const window = single(run, WINDOW, "lab-window-window");
            assert.strictEqual(window.inputs.name, `Patch${workload}WorkloadWebServers`);
            assert.strictEqual(window.inputs.schedule, "cron(0 2 ? * * *)");
            assert.strictEqual(window.inputs.scheduleTimezone, "Asia/Tokyo");
            assert.strictEqual(window.inputs.duration, stack === "prod" ? 2 : 1);
            assert.strictEqual(window.inputs.cutoff, 0);
            assert.strictEqual(window.inputs.allowUnassociatedTargets, true);
            assert.strictEqual(window.inputs.scheduleOffset, undefined);
            assert.strictEqual(run.outputs.MaintenanceWindowId, window.id);
        });

        it("targets the workload's web servers: Workload AND InstanceRole=WebServer", () => {
            const target = single(run, TARGET, "lab-window-target");
            assert.strictEqual(target.inputs.windowId, single(run, WINDOW, "lab-window-window").id);
            assert.strictEqual(target.inputs.name, `${workload}WebServers`);
            assert.strictEqual(target.inputs.resourceType, "INSTANCE");
            assert.deepStrictEqual(target.inputs.targets, [
                { key: "tag:Workload", values: [workload] },
                { key: "tag:InstanceRole", values: ["WebServer"] },
            ]);
            assert.strictEqual(run.outputs.MaintenanceWindowTargetId, target.id);
        });

        it("installs with AWS-RunPatchBaseline at priority 1, concurrency 1, error threshold 1, the service role, RebootIfNeeded (prod: its runbook, runbook.spec)", () => {
            if (stack === "prod") {
                assert.deepStrictEqual(
                    ofType(run, TASK).map((t) => [t.name, t.inputs.taskType]),
                    [
                        ["lab-runbook-gate-task", "AUTOMATION"],
                        ["lab-runbook-install-task", "AUTOMATION"],
                    ],
                );
                return;
            }
            const task = single(run, TASK, "lab-window-install");
            const role = single(run, "aws:iam/role:Role", "lab-window-role");
            const bucket = single(run, "aws:s3/bucket:Bucket");
            const logGroup = single(run, "aws:cloudwatch/logGroup:LogGroup");
            assert.strictEqual(task.inputs.windowId, single(run, WINDOW, "lab-window-window").id);
            assert.strictEqual(task.inputs.name, `Patch${workload}WorkloadWebServers`);
            assert.strictEqual(task.inputs.taskType, "RUN_COMMAND");
            assert.strictEqual(task.inputs.taskArn, "AWS-RunPatchBaseline");
            assert.strictEqual(task.inputs.priority, 1);
            assert.strictEqual(task.inputs.serviceRoleArn, role.state.arn);
            assert.deepStrictEqual(task.inputs.targets, [
                { key: "WindowTargetIds", values: [single(run, TARGET, "lab-window-target").id] },
            ]);
            assert.strictEqual(task.inputs.maxConcurrency, "1");
            assert.strictEqual(task.inputs.maxErrors, "1");
            assert.deepStrictEqual(task.inputs.taskInvocationParameters.runCommandParameters, {
                parameters: [
                    { name: "Operation", values: ["Install"] },
                    { name: "RebootOption", values: ["RebootIfNeeded"] },
                ],
                outputS3Bucket: bucket.state.bucket,
                outputS3KeyPrefix: "patching/install",
                cloudwatchConfig: { cloudwatchLogGroupName: logGroup.state.name, cloudwatchOutputEnabled: true },
                // No notifications of its own: the cmd-failed rule reports each instance's failure, once.
            });
            assert.strictEqual(run.outputs.InstallTaskId, task.id);
        });

        it("owns the CloudWatch log group (30 days) so destroy leaves nothing, and lets the instances write output there and under patching/", () => {
            const logGroup = single(run, "aws:cloudwatch/logGroup:LogGroup");
            assert.strictEqual(logGroup.inputs.namePrefix, `/oe-lab-ipm/${workload}/patching-`);
            assert.strictEqual(logGroup.inputs.retentionInDays, 30);
            const bucket = single(run, "aws:s3/bucket:Bucket");
            const policy = single(run, "aws:iam/rolePolicy:RolePolicy", "lab-window-write-output");
            assert.strictEqual(policy.inputs.role, single(run, "aws:iam/role:Role", "lab-fleet-role").state.name);
            assert.deepStrictEqual(JSON.parse(policy.inputs.policy).Statement, [
                { Effect: "Allow", Action: ["s3:PutObject"], Resource: `${bucket.state.arn}/patching/*` },
                { Effect: "Allow", Action: ["s3:GetEncryptionConfiguration"], Resource: bucket.state.arn },
                { Effect: "Allow", Action: ["logs:DescribeLogGroups"], Resource: "*" },
                { Effect: "Allow", Action: ["logs:DescribeLogStreams"], Resource: logGroup.state.arn },
                {
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                    Resource: `${logGroup.state.arn}:log-stream:*`,
                },
            ]);
        });

        it("has no scan window by default: the scan association scans (patchScan.spec)", () => {
            assert.deepStrictEqual(
                ofType(run, WINDOW).map((w) => w.name),
                ["lab-window-window"],
            );
        });

        it("with maintenanceWindow.scan, scans the whole fleet daily at 01:00 in a second window: Scan, NoReboot", async () => {
            const run = await runStack(stack, { "maintenanceWindow.scan": true });
            const window = single(run, WINDOW, "lab-window-scan-window");
            assert.strictEqual(window.inputs.name, `Scan${workload}Workload`);
            assert.strictEqual(window.inputs.schedule, "cron(0 1 ? * * *)");
            assert.strictEqual(window.inputs.scheduleTimezone, "Asia/Tokyo");
            const target = single(run, TARGET, "lab-window-scan-target");
            assert.deepStrictEqual(target.inputs.targets, [{ key: "tag:Workload", values: [workload] }]);
            const task = single(run, TASK, "lab-window-scan");
            assert.strictEqual(task.inputs.taskArn, "AWS-RunPatchBaseline");
            assert.strictEqual(task.inputs.windowId, window.id);
            assert.deepStrictEqual(task.inputs.targets, [{ key: "WindowTargetIds", values: [target.id] }]);
            assert.strictEqual(
                task.inputs.serviceRoleArn,
                single(run, "aws:iam/role:Role", "lab-window-role").state.arn,
            );
            assert.deepStrictEqual([task.inputs.maxConcurrency, task.inputs.maxErrors], ["100%", "100%"]);
            const params = task.inputs.taskInvocationParameters.runCommandParameters;
            assert.deepStrictEqual(params.parameters, [
                { name: "Operation", values: ["Scan"] },
                { name: "RebootOption", values: ["NoReboot"] },
            ]);
            assert.strictEqual(params.outputS3KeyPrefix, "patching/scan");
            // The cmd-failed rule reports the scan's failures per instance; the task does not notify as well.
            assert.deepStrictEqual([params.serviceRoleArn, params.notificationConfig], [undefined, undefined]);
            assert.strictEqual(run.outputs.ScanTaskId, task.id);
        });
    });
}

describe("PatchMaintenanceWindow options", () => {
    it("takes the lab's fast mode, original durations, Patch Tuesday offset, rate control and reboot option from config", async () => {
        const run = await runStack("prod", {
            "maintenanceWindow.schedule": "cron(0 2 ? * TUE#2 *)",
            "maintenanceWindow.scheduleOffset": 3,
            "maintenanceWindow.timezone": "Europe/Berlin",
            "maintenanceWindow.duration": 3,
            "maintenanceWindow.cutoff": 1,
            "maintenanceWindow.maxConcurrency": "50%",
            "maintenanceWindow.maxErrors": "0",
            "maintenanceWindow.rebootOption": "NoReboot",
            "maintenanceWindow.targetRoles": ["WebServer", "AppServer"],
            "maintenanceWindow.adminGroup": "Administrators",
            "maintenanceWindow.cloudWatchLogs": false,
            "maintenanceWindow.scan": false,
            "maintenanceWindow.installMode": "RunPatchBaseline",
        });
        const window = single(run, WINDOW);
        assert.deepStrictEqual(
            [
                window.inputs.schedule,
                window.inputs.scheduleOffset,
                window.inputs.scheduleTimezone,
                window.inputs.duration,
                window.inputs.cutoff,
            ],
            ["cron(0 2 ? * TUE#2 *)", 3, "Europe/Berlin", 3, 1],
        );
        const task = single(run, TASK);
        assert.deepStrictEqual([task.inputs.maxConcurrency, task.inputs.maxErrors], ["50%", "0"]);
        assert.deepStrictEqual(task.inputs.taskInvocationParameters.runCommandParameters.parameters[1], {
            name: "RebootOption",
            values: ["NoReboot"],
        });
        assert.strictEqual(task.inputs.taskInvocationParameters.runCommandParameters.cloudwatchConfig, undefined);
        assert.deepStrictEqual(single(run, TARGET).inputs.targets[1], {
            key: "tag:InstanceRole",
            values: ["WebServer", "AppServer"],
        });
        assert.deepStrictEqual(ofType(run, "aws:cloudwatch/logGroup:LogGroup"), []);
        const attachment = single(run, "aws:iam/groupPolicyAttachment:GroupPolicyAttachment");
        assert.deepStrictEqual(attachment.inputs, {
            group: "Administrators",
            policyArn: single(run, "aws:iam/policy:Policy").state.arn,
        });
        assert.strictEqual(run.outputs.ScanTaskId, undefined);
    });

    it("accepts the lab's fast mode (every 30 minutes)", async () => {
        const run = await runStack("test", { "maintenanceWindow.schedule": "cron(0/30 * * * ? *)" });
        assert.strictEqual(single(run, WINDOW, "lab-window-window").inputs.schedule, "cron(0/30 * * * ? *)");
    });

    it("refuses what the API refuses, naming key, value and what is allowed, registering nothing", async () => {
        const { error, resources } = await runFailingStack("test", {
            "maintenanceWindow.duration": 25,
            "maintenanceWindow.maxConcurrency": "0",
            "maintenanceWindow.maxErrors": "101%",
            "maintenanceWindow.timezone": "Tokyo/Japan",
            "maintenanceWindow.schedule": "cron(0 2 * * *)",
            "maintenanceWindow.rebootOption": "Always",
            "maintenanceWindow.logRetentionDays": 10,
        });
        assert.ok(error instanceof ConfigError);
        assert.deepStrictEqual(resources, []);
        assert.deepStrictEqual(error.problems, [
            'oe-lab-ipm:maintenanceWindow.schedule = "cron(0 2 * * *)": a cron needs six fields: minutes hours day-of-month month day-of-week year (optionally seconds first), e.g. cron(0 2 ? * * *)',
            'oe-lab-ipm:maintenanceWindow.timezone = "Tokyo/Japan": must be an IANA time zone name such as Asia/Tokyo or Etc/UTC',
            "oe-lab-ipm:maintenanceWindow.duration = 25: must be a whole number from 1 to 24",
            'oe-lab-ipm:maintenanceWindow.maxConcurrency = "0": must be a number of instances (1 to 9999999, no leading zeros) or a percentage (1% to 100%), e.g. 1 or 10%',
            'oe-lab-ipm:maintenanceWindow.maxErrors = "101%": must be a number of instances (0 to 9999999, no leading zeros) or a percentage (0% to 100%), e.g. 1 or 10%',
            'oe-lab-ipm:maintenanceWindow.rebootOption = "Always": must be one of RebootIfNeeded, NoReboot',
            "oe-lab-ipm:maintenanceWindow.logRetentionDays = 10: must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
        ]);
    });

    it("refuses a cutoff that is not below the duration, a malformed cron and an offset without cron", async () => {
        const cutoff = await runFailingStack("test", { "maintenanceWindow.cutoff": 1 });
        assert.deepStrictEqual((cutoff.error as ConfigError).problems, [
            "oe-lab-ipm:maintenanceWindow.cutoff = 1: must be less than the duration (1 hour)",
        ]);
        const cron = await runFailingStack("test", { "maintenanceWindow.schedule": "cron(0 2 * * * *)" });
        assert.deepStrictEqual((cron.error as ConfigError).problems, [
            'oe-lab-ipm:maintenanceWindow.schedule = "cron(0 2 * * * *)": a cron needs ? in exactly one of day-of-month and day-of-week, e.g. cron(0 2 ? * * *)',
        ]);
        const offset = await runFailingStack("test", {
            "maintenanceWindow.schedule": "rate(1 day)",
            "maintenanceWindow.scheduleOffset": 2,
        });
        assert.deepStrictEqual((offset.error as ConfigError).problems, [
            "oe-lab-ipm:maintenanceWindow.scheduleOffset = 2: needs a cron schedule (the schedule is rate(1 day))",
        ]);
        assert.deepStrictEqual([cutoff.resources, cron.resources, offset.resources], [[], [], []]);
    });
});
