import * as assert from "assert";
import * as aws from "@pulumi/aws";
import { OPERATING_SYSTEM_SPECS } from "../components/operatingSystems";
import { checkContract, formatViolation, Violation } from "../tools/contract";
import { ConstraintContext } from "../tools/contract/constraints";
import { allPatterns, awsPattern, enumOf, MODELS_SOURCE } from "../tools/contract/models";
import { MAPPINGS } from "../tools/contract/requests";
import { EVERY_STACK, mockAmiArchitecture, mockAmiId, runStack, StackRun } from "./harness";

/**
 * The API contract: every request the planned stacks would send to AWS passes AWS's own API
 * models (botocore's, extracted into tools/contract/aws-models.json), the constraints the models do not
 * carry, and IAM's policy grammar. For both committed stacks, and for what-if configs at the
 * edges of what the config schema accepts.
 */

/** The mock AMI ids the harness hands out, by architecture: what the AMI check knows offline. */
const CONTEXT: ConstraintContext = { amiArchitecture: mockAmiArchitecture };

function violationsOf(run: StackRun): Violation[] {
    return checkContract(run, CONTEXT);
}

function assertNone(violations: Violation[]): void {
    assert.deepStrictEqual(violations.map(formatViolation), []);
}

const longest = (length: number, start = "A") => (start + "a".repeat(length)).slice(0, length);

/** Every name at its longest, every option switched on, the largest fleet. */
export const EDGE_LONGEST = {
    workload: "Abcdefghijkl",
    tags: Object.fromEntries(
        Array.from({ length: 42 }, (_, i) => [`Key${String(i).padStart(2, "0")}${"k".repeat(123)}`, "v".repeat(256)]),
    ),
    "network.vpcCidr": "172.16.0.0/16",
    "network.availabilityZones": 4,
    "network.sourceCidr": "203.0.113.10/32",
    "network.httpSourceCidr": "0.0.0.0/0",
    "fleet.groups": [
        {
            name: "W".padEnd(16, "w"),
            role: "R".repeat(256),
            count: 500,
            instanceType: "m7i-flex.large",
            operatingSystem: "AMAZON_LINUX_2023",
            webServer: true,
        },
        {
            name: "A".padEnd(16, "a"),
            role: "AppServer",
            count: 500,
            instanceType: "c7gn.16xlarge",
            operatingSystem: "AMAZON_LINUX_2023",
        },
    ],
    "fleet.keyName": "k".repeat(255),
    "fleet.environment": "e".repeat(256),
    "fleet.confidentiality": "c".repeat(256),
    "inventory.associationName": longest(59),
    "inventory.logPrefix": `${"p".repeat(100)}/${"q".repeat(99)}`,
    "inventory.logRetentionDays": 3650,
    "inventory.resourceDataSync": true,
    "inventory.parameters": { files: JSON.stringify([{ Path: "/etc", Pattern: ["*.conf"], Recursive: false }]) },
    "patching.patchGroup": "g".repeat(256),
    "patching.approveAfterDays": 360,
    "patching.baselines": {
        AMAZON_LINUX_2023: {
            name: longest(128),
            description: "d".repeat(1024),
            rejectedPatches: Array.from({ length: 50 }, (_, i) => `${i}`.padEnd(100, "r")),
            approvalRules: Array.from({ length: 10 }, () => ({
                patchFilters: {
                    PRODUCT: Array.from({ length: 20 }, (_, i) => `P${i}`.padEnd(64, "p")),
                    CLASSIFICATION: ["Security"],
                    SEVERITY: ["Critical", "Important"],
                },
                complianceLevel: "CRITICAL",
                enableNonSecurity: false,
            })),
        },
    },
    "maintenanceWindow.windowName": longest(128),
    "maintenanceWindow.schedule": "cron(0 2 ? * TUE#2 *)",
    "maintenanceWindow.scheduleOffset": 6,
    "maintenanceWindow.duration": 24,
    "maintenanceWindow.cutoff": 23,
    "maintenanceWindow.targetRoles": ["WebServer", "AppServer"],
    "maintenanceWindow.maxConcurrency": "100%",
    "maintenanceWindow.maxErrors": "0",
    "maintenanceWindow.logRetentionDays": 3653,
    "maintenanceWindow.adminGroup": longest(128),
    "alerts.topicName": longest(30),
    "alerts.emails": Array.from({ length: 5 }, (_, i) => `ops${i}@example.com`),
};

/** Every value at its smallest. */
export const EDGE_SMALLEST = {
    workload: "T",
    "network.vpcCidr": "10.0.0.0/22",
    "network.availabilityZones": 1,
    "fleet.groups": [{ name: "W", role: "R", count: 1, instanceType: "t3.nano", operatingSystem: "AMAZON_LINUX_2023" }],
    "fleet.environment": "E",
    "fleet.confidentiality": "",
    "inventory.associationName": "abc",
    "inventory.logPrefix": "l",
    "inventory.logRetentionDays": 1,
    "patching.patchGroup": "g",
    "patching.baselines": { AMAZON_LINUX_2023: { name: "abc", description: "d", rejectedPatches: [] } },
    "maintenanceWindow.windowName": "abc",
    "maintenanceWindow.schedule": "rate(1 day)",
    "maintenanceWindow.duration": 1,
    "maintenanceWindow.cutoff": 0,
    "maintenanceWindow.targetRoles": ["A"],
    "maintenanceWindow.logRetentionDays": 1,
    "maintenanceWindow.scan": false,
    "maintenanceWindow.cloudWatchLogs": false,
    "alerts.topicName": "a",
};

/** Every supported OS, on Graviton (arm64) and x86_64 instance types at once. */
/**
 * Every supported OS in one fleet, each on the types it runs: Linux on arm64 and x86_64, Windows on x86_64 with 2 GiB
 * or more.
 */
const EDGE_OPERATING_SYSTEMS = {
    "fleet.groups": (Object.keys(OPERATING_SYSTEM_SPECS) as (keyof typeof OPERATING_SYSTEM_SPECS)[]).flatMap((os, i) =>
        OPERATING_SYSTEM_SPECS[os].platform === "windows"
            ? [
                  {
                      name: `W${i}`,
                      role: "WebServer",
                      count: 1,
                      instanceType: "t3.small",
                      operatingSystem: os,
                      webServer: true,
                  },
              ]
            : [
                  {
                      name: `G${i}`,
                      role: "WebServer",
                      count: 1,
                      instanceType: "t4g.micro",
                      operatingSystem: os,
                      webServer: true,
                  },
                  { name: `A${i}`, role: "AppServer", count: 1, instanceType: "a1.medium", operatingSystem: os },
                  { name: `X${i}`, role: "AppServer", count: 1, instanceType: "t3.micro", operatingSystem: os },
              ],
    ),
    "patching.baselines": {
        AMAZON_LINUX_2023: {
            approvalRules: [
                {
                    patchFilters: { CLASSIFICATION: ["Security", "Bugfix"], SEVERITY: ["Critical"] },
                    complianceLevel: "HIGH",
                    enableNonSecurity: true,
                },
            ],
        },
        UBUNTU: {
            approvalRules: [
                {
                    patchFilters: { PRODUCT: ["Ubuntu24.04"], PRIORITY: ["Required", "Important"] },
                    complianceLevel: "HIGH",
                    enableNonSecurity: false,
                },
            ],
        },
        WINDOWS: {
            approvalRules: [
                {
                    patchFilters: { CLASSIFICATION: ["SecurityUpdates"], MSRC_SEVERITY: ["Critical"] },
                    approveAfterDays: 3,
                    complianceLevel: "CRITICAL",
                    enableNonSecurity: false,
                },
            ],
        },
    },
};

describe("API contract: every planned request passes AWS's API models", () => {
    it(`reads AWS's models as generated from ${MODELS_SOURCE}, every pattern compiling`, () => {
        assert.match(MODELS_SOURCE, /^botocore \d+\.\d+\.\d+ /);
        for (const pattern of allPatterns()) assert.ok(awsPattern(pattern) instanceof RegExp, pattern);
        // Whole-value matches, as AWS (Java) applies them.
        assert.strictEqual(awsPattern("[a-zA-Z0-9_\\.-]+").test("lab-inventory:x"), false);
        assert.strictEqual(awsPattern("^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$").test("Critical Prod"), true);
    });

    for (const stack of EVERY_STACK) {
        it(`${stack}: zero violations`, async () => {
            assertNone(violationsOf(await runStack(stack)));
        });

        it(`${stack}: every resource it plans has a request mapping`, async () => {
            const run = await runStack(stack);
            const unmapped = run.resources.filter((r) => r.custom && !(r.type in MAPPINGS)).map((r) => r.type);
            assert.deepStrictEqual(unmapped, []);
        });
    }

    it("longest names, every option and the largest fleet: zero violations", async function () {
        this.timeout(60000);
        assertNone(violationsOf(await runStack("test", EDGE_LONGEST)));
    });

    it("smallest values: zero violations", async () => {
        assertNone(violationsOf(await runStack("prod", EDGE_SMALLEST)));
    });

    it("every supported OS in one fleet, each on the types it runs: zero violations", async () => {
        assertNone(violationsOf(await runStack("test", EDGE_OPERATING_SYSTEMS)));
    });
});

describe("API contract: the check can fail, naming resource, field, value and constraint", () => {
    /** The test stack's violations after one mutation of a resource's inputs. */
    async function afterMutation(
        type: string,
        mutate: (inputs: Record<string, any>) => void,
        name?: string,
    ): Promise<string[]> {
        const run = await runStack("test");
        let mutated = 0;
        const resources = run.resources.map((r) => {
            if (r.type !== type || (name !== undefined && r.name !== name) || mutated > 0) return r;
            mutated++;
            const inputs = structuredClone(r.inputs);
            mutate(inputs);
            return { ...r, inputs, state: { ...r.state, ...inputs } };
        });
        assert.strictEqual(mutated, 1, `no ${type} ${name ?? ""} to mutate`);
        return checkContract({ ...run, resources }, CONTEXT).map(formatViolation);
    }

    const policy = (statement: object) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });

    it("a name past the API's length", async () => {
        assert.deepStrictEqual(
            await afterMutation("aws:ssm/maintenanceWindow:MaintenanceWindow", (i) => (i.name = "w".repeat(129))),
            [
                `aws:ssm/maintenanceWindow:MaintenanceWindow lab-window-window: ssm:CreateMaintenanceWindow Name = "${"w".repeat(129)}": must be at most 128 characters long (is 129)`,
                `aws:ssm/maintenanceWindow:MaintenanceWindow lab-window-window: ssm:CreateMaintenanceWindow Name = "${"w".repeat(129)}": must match the pattern ^[a-zA-Z0-9_\\-.]{3,128}$`,
            ],
        );
    });

    it("a role name prefix past the provider's 38 characters", async () => {
        const prefix = "ManagedInstancesRole-TooLongForIam-123-";
        assert.deepStrictEqual(
            await afterMutation("aws:iam/role:Role", (i) => (i.namePrefix = prefix), "lab-fleet-role"),
            [
                `aws:iam/role:Role lab-fleet-role: iam:CreateRole namePrefix = "${prefix}": the AWS provider takes at most 38 characters (the name's limit less its 26-character unique suffix) [provider-name-prefix]`,
            ],
        );
    });

    it("a value its pattern refuses, and an enum value AWS does not have", async () => {
        assert.deepStrictEqual(
            await afterMutation("aws:ssm/patchBaseline:PatchBaseline", (i) => {
                i.operatingSystem = "AMAZON_LINUX_2099";
                i.approvalRules[0].approveAfterDays = 361;
            }),
            [
                'aws:ssm/patchBaseline:PatchBaseline lab-patching-baseline: ssm:CreatePatchBaseline OperatingSystem = "AMAZON_LINUX_2099": must be one of WINDOWS, AMAZON_LINUX, AMAZON_LINUX_2, AMAZON_LINUX_2022, UBUNTU, REDHAT_ENTERPRISE_LINUX, SUSE, CENTOS, … (15 values)',
                "aws:ssm/patchBaseline:PatchBaseline lab-patching-baseline: ssm:CreatePatchBaseline ApprovalRules.PatchRules[0].ApproveAfterDays = 361: must be at most 360",
            ],
        );
    });

    it("a missing required member, a list past its size", async () => {
        assert.deepStrictEqual(
            await afterMutation("aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget", (i) => {
                delete i.windowId;
                i.targets[1].values = Array.from({ length: 51 }, (_, n) => `R${n}`);
            }),
            [
                "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget lab-window-target: ssm:RegisterTargetWithMaintenanceWindow WindowId: is required",
                `aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget lab-window-target: ssm:RegisterTargetWithMaintenanceWindow Targets[1].Values = ${JSON.stringify(Array.from({ length: 51 }, (_, n) => `R${n}`))}: must have at most 50 item(s)`,
            ],
        );
    });

    it("an unknown IAM action, a wildcard that matches none, a Principal in an identity policy", async () => {
        assert.deepStrictEqual(
            await afterMutation(
                "aws:iam/rolePolicy:RolePolicy",
                (i) =>
                    (i.policy = policy({
                        Effect: "Allow",
                        Principal: "*",
                        Action: ["s3:PutObjekt", "ssm:Frobnicate*"],
                        Resource: "*",
                    })),
                "lab-inventory-write-logs",
            ),
            [
                "aws:iam/rolePolicy:RolePolicy lab-inventory-write-logs: iam:PutRolePolicy PolicyDocument Statement[0].Principal: is not allowed in a identity policy [iam-policy-documents]",
                'aws:iam/rolePolicy:RolePolicy lab-inventory-write-logs: iam:PutRolePolicy PolicyDocument Statement[0].Action[0]: "s3:PutObjekt" is not an action of s3 [iam-policy-documents]',
                'aws:iam/rolePolicy:RolePolicy lab-inventory-write-logs: iam:PutRolePolicy PolicyDocument Statement[0].Action[1]: "ssm:Frobnicate*" matches no ssm action [iam-policy-documents]',
            ],
        );
    });

    it("a trust policy with a Resource, an unknown condition key and operator", async () => {
        assert.deepStrictEqual(
            await afterMutation(
                "aws:iam/role:Role",
                (i) =>
                    (i.assumeRolePolicy = policy({
                        Effect: "Allow",
                        Principal: { Service: "ssm" },
                        Action: "sts:AssumeRole",
                        Resource: "*",
                        Condition: { StringEqual: { "aws:SourceAcount": "1" } },
                    })),
                "lab-window-role",
            ),
            [
                "aws:iam/role:Role lab-window-role: iam:CreateRole AssumeRolePolicyDocument Statement[0].Resource: is not allowed in a trust policy [iam-policy-documents]",
                'aws:iam/role:Role lab-window-role: iam:CreateRole AssumeRolePolicyDocument Statement[0].Principal.Service: "ssm" is not a service principal such as ssm.amazonaws.com [iam-policy-documents]',
                "aws:iam/role:Role lab-window-role: iam:CreateRole AssumeRolePolicyDocument Statement[0].Condition.StringEqual: is not a condition operator [iam-policy-documents]",
                'aws:iam/role:Role lab-window-role: iam:CreateRole AssumeRolePolicyDocument Statement[0].Condition.StringEqual.aws:SourceAcount: "aws:SourceAcount" is not a global condition key [iam-policy-documents]',
            ],
        );
    });

    it("an oversized managed policy, counted as IAM counts (no white space)", async () => {
        const resources = Array.from(
            { length: 200 },
            (_, n) => `arn:aws:iam::123456789012:role/SSMMaintenanceWindowRole-Test-${n}`,
        );
        const [violation] = await afterMutation(
            "aws:iam/policy:Policy",
            (i) =>
                (i.policy = JSON.stringify(
                    {
                        Version: "2012-10-17",
                        Statement: [{ Effect: "Allow", Action: "iam:PassRole", Resource: resources }],
                    },
                    null,
                    4,
                )),
        );
        assert.match(
            violation,
            /^aws:iam\/policy:Policy lab-window-pass-role: iam:CreatePolicy PolicyDocument = "\d+ characters": must be at most 6144 characters \(white space not counted\) \[iam-policy-documents\]$/,
        );
    });

    it("too many tags, a tag key AWS reserves", async () => {
        const tags = Object.fromEntries(Array.from({ length: 51 }, (_, n) => [`K${n}`, "v"]));
        assert.deepStrictEqual(
            await afterMutation("aws:sns/topic:Topic", (i) => (i.tags = { ...tags, "Aws:owner": "x" })),
            [
                'aws:sns/topic:Topic lab-alerts-topic: sns:CreateTopic Tags = "52 tags": a resource takes at most 50 user tags [tags-per-resource]',
                'aws:sns/topic:Topic lab-alerts-topic: sns:CreateTopic Tags{Aws:owner} = "Aws:owner": tag key "Aws:owner" starts with aws:, which AWS reserves (in any case) [tags-per-resource]',
            ],
        );
    });

    it("a schedule the association's rules refuse, an event pattern past EventBridge's quota", async () => {
        assert.deepStrictEqual(
            await afterMutation(
                "aws:ssm/association:Association",
                (i) => (i.scheduleExpression = "rate(10 minutes)"),
                "lab-inventory-association",
            ),
            [
                `aws:ssm/association:Association lab-inventory-association: ssm:CreateAssociation ScheduleExpression = "rate(10 minutes)": an association's rate must be at least 30 minutes and less than 31 days [ssm-schedules]`,
            ],
        );
        const pattern = JSON.stringify({
            source: ["aws.ssm"],
            detail: { "instance-id": Array.from({ length: 100 }, (_, n) => `i-${String(n).padStart(17, "0")}`) },
        });
        assert.deepStrictEqual(
            await afterMutation(
                "aws:cloudwatch/eventRule:EventRule",
                (i) => (i.eventPattern = pattern),
                "lab-alert-rules-cmd-failed",
            ),
            [
                `aws:cloudwatch/eventRule:EventRule lab-alert-rules-cmd-failed: events:PutRule EventPattern = "${pattern.length} characters": must be at most 2048 characters (EventBridge's default quota) [event-pattern-size]`,
            ],
        );
    });

    it("user data past 16 KB, an AMI of the other architecture", async () => {
        const arm = mockAmiId(OPERATING_SYSTEM_SPECS.AMAZON_LINUX_2023.amiParameter.arm64);
        assert.deepStrictEqual(
            await afterMutation(
                "aws:ec2/instance:Instance",
                (i) => {
                    i.userData = "#".repeat(16 * 1024 + 1);
                    i.ami = arm;
                },
                "lab-fleet-web1",
            ),
            [
                'aws:ec2/instance:Instance lab-fleet-web1: ec2:RunInstances UserData = "16385 bytes": must be at most 16384 bytes before base64 encoding [ec2-user-data-size]',
                `aws:ec2/instance:Instance lab-fleet-web1: ec2:RunInstances ImageId = "${arm}": is an arm64 AMI; instance type t3.micro needs x86_64 [ami-architecture]`,
            ],
        );
    });

    it("a security group description with characters EC2 refuses", async () => {
        assert.deepStrictEqual(
            await afterMutation(
                "aws:ec2/securityGroup:SecurityGroup",
                (i) => (i.description = "Lab instances — HTTP only"),
            ),
            [
                'aws:ec2/securityGroup:SecurityGroup lab-network-instances: ec2:CreateSecurityGroup Description = "Lab instances — HTTP only": must be up to 255 of a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$* [ec2-security-group-text]',
            ],
        );
    });
});

describe("API contract: config and the models agree on instance types", () => {
    it("config's instance types (the AWS provider's enum) include every type of botocore's RunInstances enum", () => {
        const provider = new Set<string>(Object.values(aws.types.enums.ec2.InstanceType));
        const missing = enumOf("ec2", "InstanceType").filter((type) => !provider.has(type));
        assert.deepStrictEqual(missing, []);
    });
});
