import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { githubMatrix, MAX_MATRIX_JOBS, reportingScope } from "../tools/fleet/matrix";
import { parseTargets, readTargets, selectTargets, stackName, TargetsError } from "../tools/fleet/targets";
import { regionProblem } from "../config";
import { PROJECT_ROOT } from "./harness";

const EXAMPLE = path.join(PROJECT_ROOT, "targets.example.yaml");

/** Every problem a targets file's text has, as the error lists them. */
function problems(text: string): readonly string[] {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "targets-")), "targets.yaml");
    fs.writeFileSync(file, text);
    try {
        readTargets(file);
    } catch (error) {
        if (error instanceof TargetsError) return error.problems;
        throw error;
    }
    assert.fail("the targets file was accepted");
}

describe("fleet targets file", () => {
    it("the example names 22 targets in 6 accounts and 4 Regions, each stack named <prefix>-<account>-<region>", () => {
        const { targets, configs } = readTargets(EXAMPLE);
        assert.strictEqual(targets.length, 22);
        assert.deepStrictEqual(targets[0], {
            stack: "fleet-111122223333-us-east-1",
            account: "111122223333",
            region: "us-east-1",
            base: "existing",
            roleArn: "arn:aws:iam::111122223333:role/OeLabIpmDeployment",
            overrides: {
                workload: "Fleet",
                "tags.CostCenter": "platform-patching",
                protect: true,
                "maintenanceWindow.timezone": "America/New_York",
                "aws:region": "us-east-1",
            },
        });
        assert.deepStrictEqual(reportingScope(targets), {
            accounts: ["111122223333", "123456789012", "210987654321", "444455556666", "555566667777", "777788889999"],
            regions: ["ap-northeast-1", "eu-west-1", "us-east-1", "us-west-2"],
        });
        // Each target's config went through config/: defaults filled, overrides applied.
        const staging = configs.get("fleet-444455556666-eu-west-1")!;
        assert.deepStrictEqual(
            [staging.workload, staging.patching.approveAfterDays, staging.maintenanceWindow.timezone, staging.tags],
            ["Fleet", 0, "Europe/Dublin", { CostCenter: "platform-patching" }],
        );
        assert.deepStrictEqual(configs.get("fleet-777788889999-ap-northeast-1")!.fleet.existing!.targetTags, {
            Environment: "Data",
            PatchWith: "oe-lab-ipm",
        });
        const sandbox = targets.find((t) => t.stack === "fleet-555566667777-eu-west-1")!;
        assert.deepStrictEqual(
            [sandbox.base, sandbox.roleArn, configs.get(sandbox.stack)!.workload],
            ["test", "arn:aws:iam::555566667777:role/SandboxDeployment", "Sandbox"],
        );
        assert.strictEqual(stackName("111122223333", "us-east-1", "org"), "org-111122223333-us-east-1");
    });

    it("reports every problem at once, each naming the target and the key", () => {
        const found = problems(`
defaults:
  base: existing
  colour: blue
targets:
  - account: 111122223333
    region: us-east-1
  - account: "444455556666"
    region: us-east-9
    role: arn:aws:iam::999999999999:role/Deploy
  - account: "444455556666"
    region: eu-west-1
    base: nosuch
  - account: "777788889999"
    region: eu-west-1
    config:
      patching.approveAfterDays: 500
      maintenanceWindow.timezone: Mars/Olympus
  - account: "777788889999"
    region: us-west-2
    role: arn:aws:iam::777788889999:role/Other
    config:
      aws:region: us-east-1
`);
        assert.deepStrictEqual(found, [
            'defaults.colour = "blue": unknown key; allowed keys: base, role, config, stackPrefix',
            "targets[0].account = 111122223333: must be a 12-digit AWS account id in quotes (quote it: YAML reads an unquoted account id as a number and drops leading zeros)",
            `targets[1] (444455556666 us-east-9).region = "us-east-9": ${regionProblem("us-east-9")}`,
            'targets[1] (444455556666 us-east-9).role = "arn:aws:iam::999999999999:role/Deploy": is a role in account 999999999999, not in the target\'s account 444455556666',
            "targets[4] (777788889999 us-west-2).config.aws:region: the target's region is its own key (region), not an override",
            `targets[2] (444455556666 eu-west-1): No stack file ${path.join(PROJECT_ROOT, "Pulumi.nosuch.yaml")}: a stack named "nosuch" needs a Pulumi.nosuch.yaml beside Pulumi.yaml. The stacks here: existing, mixed, prod, reporting, test.`,
            'targets[3] (777788889999 eu-west-1, base existing): oe-lab-ipm:maintenanceWindow.timezone = "Mars/Olympus": must be an IANA time zone name such as Asia/Tokyo or Etc/UTC',
            "targets[3] (777788889999 eu-west-1, base existing): oe-lab-ipm:patching.approveAfterDays = 500: must be a whole number from 0 to 360",
        ]);
    });

    it("refuses a second target in the same account and Region, and a role ARN of another account", () => {
        const found = problems(`
defaults: { base: existing }
targets:
  - { account: "111122223333", region: us-east-1 }
  - { account: "111122223333", region: us-east-1, config: { patching.approveAfterDays: 3 } }
  - { account: "111122223333", region: us-west-2, role: "arn:aws:iam::444455556666:role/Deploy" }
  - { account: "111122223333", region: cn-north-1, role: "arn:aws:iam::111122223333:role/Deploy" }
`);
        assert.deepStrictEqual(found, [
            'targets[2] (111122223333 us-west-2).role = "arn:aws:iam::444455556666:role/Deploy": is a role in account 444455556666, not in the target\'s account 111122223333',
            'targets[3] (111122223333 cn-north-1).role = "arn:aws:iam::111122223333:role/Deploy": is in partition aws, but cn-north-1 is in aws-cn',
            "targets[1] (111122223333 us-east-1): the same account and Region as targets[0]: one stack per account and Region",
        ]);
    });

    it("a file that is not a map, or without targets, is refused with what it must be", () => {
        assert.throws(
            () => parseTargets([1, 2], "t.yaml"),
            (e: TargetsError) => e.problems[0] === "the file must be a map with defaults and targets",
        );
        assert.throws(
            () => parseTargets({ targets: [] }, "t.yaml"),
            (e: TargetsError) =>
                e.problems[0] === "targets = []: must be a list of at least one target (account, region, ...)",
        );
    });

    it("--only picks targets by stack, account or Region, and refuses a value that picks none", () => {
        const { targets } = readTargets(EXAMPLE);
        assert.deepStrictEqual(
            selectTargets(targets, ["555566667777", "fleet-111122223333-us-east-1"]).map((t) => t.stack),
            ["fleet-111122223333-us-east-1", "fleet-555566667777-us-east-1", "fleet-555566667777-eu-west-1"],
        );
        assert.strictEqual(selectTargets(targets, ["eu-west-1"]).length, 6);
        assert.throws(
            () => selectTargets(targets, ["us-east-1", "eu-west-9"]),
            /--only eu-west-9: names no target's stack, account or Region/,
        );
    });

    it("as a GitHub Actions matrix: one entry per target with its role, protected ones marked; refused beyond 256 jobs", () => {
        const { targets, configs } = readTargets(EXAMPLE);
        const matrix = githubMatrix(targets, configs);
        assert.strictEqual(matrix.include.length, 22);
        assert.deepStrictEqual(matrix.include[21], {
            stack: "fleet-555566667777-eu-west-1",
            account: "555566667777",
            region: "eu-west-1",
            base: "test",
            role: "arn:aws:iam::555566667777:role/SandboxDeployment",
            protected: false,
        });
        const many = Array.from({ length: MAX_MATRIX_JOBS + 1 }, (_, i) => ({ ...targets[0], stack: `s${i}` }));
        assert.throws(() => githubMatrix(many, configs), /257 targets: a GitHub Actions matrix runs at most 256 jobs/);
    });
});
