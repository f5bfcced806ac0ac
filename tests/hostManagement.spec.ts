import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ArgumentError } from "../components/validation";
import { validateHostManagementArgs } from "../components/hostManagement";
import { ConfigError } from "../config";
import { checkContract, formatViolation } from "../tools/contract";
import { readTargets, TargetsError } from "../tools/fleet/targets";
import { ALL_STACKS, MOCK_ACCOUNT, mockAmiArchitecture, ofType, runFailingStack, runStack, single } from "./harness";

const ASSOCIATION = "aws:ssm/association:Association";
const SETTING = "aws:ssm/serviceSetting:ServiceSetting";
const BOTH = { "fleet.defaultHostManagement": true, "fleet.agentUpdate": true };

describe("HostManagement: Default Host Management Configuration and the agent's updates", () => {
    for (const stack of ALL_STACKS) {
        it(`${stack}: neither by default (the account's setting is left alone, the agent changes only when patched)`, async () => {
            const run = await runStack(stack);
            assert.deepStrictEqual(ofType(run, SETTING), []);
            assert.deepStrictEqual(
                ofType(run, ASSOCIATION).filter((a) => a.inputs.name === "AWS-UpdateSSMAgent"),
                [],
            );
            assert.deepStrictEqual(
                run.resources.filter((r) => r.name.startsWith("lab-hosts")),
                [],
            );
            assert.strictEqual(run.outputs.AgentUpdateAssociationId, undefined);
            assert.strictEqual(run.outputs.DefaultHostManagementRoleArn, undefined);
        });
    }

    it("fleet.defaultHostManagement: AWS's role (ssm.amazonaws.com, the managed policy, /service-role/) named in the setting", async () => {
        const run = await runStack("test", { "fleet.defaultHostManagement": true });
        const role = single(run, "aws:iam/role:Role", "lab-hosts-dhmc-role");
        assert.strictEqual(role.inputs.namePrefix, "SSMDefaultHostManagement-Test-");
        assert.strictEqual(role.inputs.path, "/service-role/");
        // AWS's trust policy for the DHMC role (managed-instances-default-host-management.html), as is.
        assert.deepStrictEqual(JSON.parse(role.inputs.assumeRolePolicy), {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "ssm.amazonaws.com" }, Action: "sts:AssumeRole" }],
        });
        const attachment = single(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "lab-hosts-dhmc-policy");
        assert.deepStrictEqual(attachment.inputs, {
            role: role.state.name,
            policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedEC2InstanceDefaultPolicy",
        });
        const setting = single(run, SETTING, "lab-hosts-dhmc-setting");
        assert.deepStrictEqual(setting.inputs, {
            settingId: `arn:aws:ssm:ap-northeast-1:${MOCK_ACCOUNT}:servicesetting/ssm/managed-instance/default-ec2-instance-management-role`,
            settingValue: `service-role/${role.state.name}`,
        });
        // The role has its permissions before any instance is handed it.
        assert.ok(setting.dependencies.includes(attachment.urn));
        assert.strictEqual(run.outputs.DefaultHostManagementRoleArn, role.state.arn);
        // Only what was asked: no agent-update association.
        assert.strictEqual(run.outputs.AgentUpdateAssociationId, undefined);
        assert.deepStrictEqual(
            ofType(run, ASSOCIATION).map((a) => a.name),
            ["lab-patch-scan-association", "lab-inventory-association"],
        );
    });

    for (const stack of ["test", "existing"] as const) {
        it(`${stack}: fleet.agentUpdate: AWS-UpdateSSMAgent every 14 days on the inventory's instances, alerting on failure`, async () => {
            const run = await runStack(stack, { "fleet.agentUpdate": true });
            const update = single(run, ASSOCIATION, "lab-hosts-agent-update");
            const inventory = single(run, ASSOCIATION, "lab-inventory-association");
            const workload = { test: "Test", existing: "Fleet" }[stack];
            assert.strictEqual(update.inputs.name, "AWS-UpdateSSMAgent");
            assert.strictEqual(update.inputs.associationName, `UpdateSSMAgent-${workload}`);
            assert.strictEqual(update.inputs.scheduleExpression, "rate(14 days)");
            assert.deepStrictEqual(update.inputs.targets, inventory.inputs.targets);
            assert.deepStrictEqual([update.inputs.parameters, update.inputs.outputLocation], [undefined, undefined]);
            assert.deepStrictEqual(update.inputs.tags, inventory.inputs.tags);
            // No second resource group: the inventory's (or a single tag target).
            assert.ok(ofType(run, "aws:resourcegroups/group:Group").length <= 1);
            assert.strictEqual(run.outputs.AgentUpdateAssociationId, update.state.associationId);
            const rule = single(run, "aws:cloudwatch/eventRule:EventRule", "lab-alert-rules-assoc-failed");
            assert.deepStrictEqual(JSON.parse(rule.inputs.eventPattern).detail["association-id"], [
                inventory.state.associationId,
                single(run, ASSOCIATION, "lab-patch-scan-association").state.associationId,
                update.state.associationId,
            ]);
            assert.deepStrictEqual(ofType(run, SETTING), []);
        });
    }

    it("takes the schedule from fleet.agentUpdateSchedule, and refuses one State Manager refuses before anything is created", async () => {
        const weekly = await runStack("test", {
            "fleet.agentUpdate": true,
            "fleet.agentUpdateSchedule": "cron(0 4 ? * SUN *)",
        });
        assert.strictEqual(
            single(weekly, ASSOCIATION, "lab-hosts-agent-update").inputs.scheduleExpression,
            "cron(0 4 ? * SUN *)",
        );
        const { error, resources } = await runFailingStack("test", {
            "fleet.agentUpdate": true,
            "fleet.agentUpdateSchedule": "rate(45 days)",
            "fleet.defaultHostManagement": "yes",
        });
        assert.ok(error instanceof ConfigError);
        assert.deepStrictEqual(error.problems, [
            'oe-lab-ipm:fleet.defaultHostManagement = "yes": must be true or false',
            'oe-lab-ipm:fleet.agentUpdateSchedule = "rate(45 days)": an association\'s rate must be at least 30 minutes and less than 31 days',
        ]);
        assert.strictEqual(resources.length, 0);
    });

    for (const stack of ALL_STACKS) {
        it(`${stack}: with both on, every request passes the API contract (UpdateServiceSetting, CreateAssociation)`, async () => {
            const run = await runStack(stack, BOTH);
            assert.strictEqual(ofType(run, SETTING).length, 1);
            assert.deepStrictEqual(
                checkContract(run, { amiArchitecture: mockAmiArchitecture }).map(formatViolation),
                [],
            );
        });
    }

    it("the component refuses what AWS would, every problem at once", () => {
        assert.throws(
            () => validateHostManagementArgs({}),
            (e: ArgumentError) =>
                e.message ===
                "HostManagement: invalid arguments: set defaultHostManagement or agentUpdate (or both): there is nothing to manage",
        );
        assert.throws(
            () =>
                validateHostManagementArgs({
                    defaultHostManagement: { roleNamePrefix: "R".repeat(39) },
                    agentUpdate: { associationName: "Update agent", targetTags: {}, schedule: "rate(10 minutes)" },
                }),
            (e: ArgumentError) => {
                assert.deepStrictEqual(e.problems, [
                    `defaultHostManagement.roleNamePrefix makes the role name prefix "${"R".repeat(39)}" (39 characters); IAM allows 38 before the 26-character unique suffix`,
                    'agentUpdate.associationName "Update agent" must be 3-128 letters, digits, _ - or . (no spaces)',
                    "agentUpdate.targetTags must name at least one tag",
                    'agentUpdate.schedule "rate(10 minutes)" an association\'s rate must be at least 30 minutes and less than 31 days',
                ]);
                return true;
            },
        );
    });
});

describe("targets file: one owner of Default Host Management Configuration per account and Region", () => {
    function write(text: string): string {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "targets-")), "targets.yaml");
        fs.writeFileSync(file, text);
        return file;
    }

    it("refuses two targets of one account and Region that both turn it on, with every other problem", () => {
        const file = write(`
defaults: { base: existing, config: { fleet.defaultHostManagement: true } }
targets:
  - { account: "111122223333", region: us-east-1 }
  - { account: "111122223333", region: us-east-1, config: { fleet.agentUpdate: true } }
  - { account: "111122223333", region: us-west-2, config: { fleet.agentUpdateSchedule: "rate(1 minute)" } }
`);
        assert.throws(
            () => readTargets(file),
            (e: TargetsError) => {
                assert.deepStrictEqual(e.problems, [
                    'targets[2] (111122223333 us-west-2, base existing): oe-lab-ipm:fleet.agentUpdateSchedule = "rate(1 minute)": an association\'s rate must be at least 30 minutes and less than 31 days',
                    // under its own heading, "Duplicate targets", after the file's problems
                    "targets[1] (111122223333 us-east-1): the same account and Region as targets[0]: one stack per account and Region",
                ]);
                return true;
            },
        );
    });

    it("accepts it in each Region of one account: each Region has its own setting", () => {
        const { configs } = readTargets(
            write(`
defaults: { base: existing, config: { fleet.defaultHostManagement: true } }
targets:
  - { account: "111122223333", region: us-east-1 }
  - { account: "111122223333", region: us-west-2 }
`),
        );
        assert.deepStrictEqual(
            [...configs.values()].map((c) => c.fleet.defaultHostManagement),
            [true, true],
        );
    });
});
