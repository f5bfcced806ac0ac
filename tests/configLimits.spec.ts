import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { architectureOf } from "../components/operatingSystems";
import { ConfigError, parseLabConfig } from "../config";
import { loadStackConfig, readStackConfig, StackFileError } from "../config/stackFiles";
import { enumOf } from "../tools/contract/models";
import { labGroups, PROJECT_ROOT, runFailingStack } from "./harness";

/**
 * Config refuses what AWS would refuse, before anything is created: each category of the API
 * contract's findings, with the exact message a user sees.
 */

/** The problems of a raw config (keys without the namespace), parsed as the program parses it. */
function problemsOf(raw: unknown): readonly string[] {
    try {
        parseLabConfig(raw as Record<string, unknown>, { stack: "test" });
    } catch (error) {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${(error as Error).stack}`);
        return error.problems;
    }
    return [];
}

const workload = "Test";

/** A project folder with the real Pulumi.yaml and a stack file of the given text. */
function projectWith(stackFile: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "oe-lab-ipm-"));
    fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.writeFileSync(path.join(dir, "Pulumi.bad.yaml"), stackFile);
    return dir;
}

describe("config refuses what AWS would refuse", () => {
    describe("the region and the provider's keys", () => {
        it("refuses a region AWS does not have, and its pseudo-regions", async () => {
            for (const region of ["xx-north-9", "aws-global", "Tokyo"]) {
                const { error } = await runFailingStack("test", { "aws:region": region });
                assert.deepStrictEqual((error as ConfigError).problems, [
                    `aws:region = ${JSON.stringify(region)}: must be an AWS region such as ap-northeast-1 (one the AWS provider's Region enum lists)`,
                ]);
            }
        });

        it("refuses an unknown aws: key, listing the provider's", async () => {
            const { error } = await runFailingStack("test", { "aws:regoin": "eu-west-1" });
            const [problem] = (error as ConfigError).problems;
            assert.match(
                problem,
                /^aws:regoin = "eu-west-1": unknown key of the AWS provider; allowed keys: accessKey, allowedAccountIds, .*\bregion\b.*, userAgents$/,
            );
        });

        it("plans no stack whose file sets no region", async () => {
            const { error } = await runFailingStack("test", { "aws:region": undefined });
            assert.ok(error instanceof StackFileError);
            assert.strictEqual(
                error.message,
                "Pulumi.test.yaml sets no aws:region: the stack's region is needed to plan it and reach its resources (pulumi config set aws:region ap-northeast-1).",
            );
        });
    });

    describe("stack files", () => {
        it("refuses keys without a namespace, as the Pulumi CLI does", () => {
            const dir = projectWith(
                "config:\n  aws:region: ap-northeast-1\n  workload: Test\n  oe-lab-ipm:fleet:\n    followLatestAmi: true\n",
            );
            assert.throws(
                () => loadStackConfig("bad", {}, dir),
                (error: Error) =>
                    error instanceof StackFileError &&
                    error.message ===
                        'Pulumi.bad.yaml: config key without a namespace: "workload" (write oe-lab-ipm:workload); the Pulumi CLI refuses such a stack file.',
            );
        });

        it("reads zero-padded numbers as the CLI does (010 is octal 8) and refuses zero-padded CIDR octets", () => {
            const dir = projectWith(
                "config:\n  aws:region: ap-northeast-1\n  oe-lab-ipm:workload: Test\n  oe-lab-ipm:network:\n    availabilityZones: 010\n    vpcCidr: 010.0.0.0/16\n",
            );
            assert.throws(
                () => readStackConfig("bad", { projectDir: dir }),
                (error: Error) =>
                    error instanceof ConfigError &&
                    assert.deepStrictEqual(error.problems, [
                        'oe-lab-ipm:network.vpcCidr = "010.0.0.0/16": must be an IPv4 CIDR block written without leading zeros, such as 10.0.0.0/16',
                        "oe-lab-ipm:network.availabilityZones = 8: must be a whole number from 1 to 4",
                    ]) === undefined,
            );
        });
    });

    describe("unknown keys at any depth, whatever their name", () => {
        it("refuses __proto__, toString and constructor as keys, at the top, in an area, in a rule and among patch filters", () => {
            const raw = JSON.parse(`{
                "workload": "Test",
                "__proto__": {"x": 1},
                "toString": 1,
                "fleet": {"constructor": 2},
                "inventory": {"parameters": {"__proto__": "Enabled"}},
                "maintenanceWindow": {"constructor": 1},
                "patching": {"baselines": {"AMAZON_LINUX_2023": {"approvalRules": [{"patchFilters": {"toString": ["*"]}, "complianceLevel": "HIGH", "enableNonSecurity": true}]}}},
                "tags": {"__proto__": "x"}
            }`);
            assert.deepStrictEqual(problemsOf(raw), [
                'oe-lab-ipm:__proto__ = {"x":1}: unknown key; allowed keys: workload, tags, protect, network, fleet, inventory, maintenanceWindow, alerts, patching, reporting',
                "oe-lab-ipm:toString = 1: unknown key; allowed keys: workload, tags, protect, network, fleet, inventory, maintenanceWindow, alerts, patching, reporting",
                'oe-lab-ipm:tags.__proto__ = "x": tag key __proto__ cannot be passed on; choose another key',
                "oe-lab-ipm:fleet.constructor = 2: unknown key; allowed keys: mode, groups, existing, followLatestAmi, keyName, environment, confidentiality, defaultHostManagement, agentUpdate, agentUpdateSchedule",
                'oe-lab-ipm:inventory.parameters.__proto__ = "Enabled": unknown key; allowed keys: applications, awsComponents, files, networkConfig, windowsUpdates, instanceDetailedInformation, services, windowsRegistry, windowsRoles, customInventory, billingInfo',
                "oe-lab-ipm:maintenanceWindow.constructor = 1: unknown key; allowed keys: windowName, schedule, timezone, duration, cutoff, scheduleOffset, targetRoles, maxConcurrency, maxErrors, rebootOption, cloudWatchLogs, kmsKeyId, logRetentionDays, scan, scanSchedule, adminGroup, installMode, followRing, soakDays, approval, restorePointRetentionDays, restorePointTimeoutMinutes, installTimeoutMinutes, healthCheckUrl",
                'oe-lab-ipm:patching.baselines.AMAZON_LINUX_2023.approvalRules.0 = {"patchFilters":{"toString":["*"]},"complianceLevel":"HIGH","enableNonSecurity":true}: filter key toString is not valid for AMAZON_LINUX_2023; allowed: PRODUCT, CLASSIFICATION, SEVERITY',
            ]);
        });

        it("never crashes nor answers with a bare Required or Expected ..., whatever the input", () => {
            const inputs: unknown[] = [
                null,
                [],
                "workload: Test",
                {
                    workload: null,
                    tags: [],
                    network: null,
                    fleet: [],
                    inventory: 3,
                    maintenanceWindow: "x",
                    alerts: { emails: [null, 3] },
                    patching: { baselines: { WINDOWS: { approvalRules: [null, 1, {}] } } },
                },
                {
                    workload: "Test",
                    patching: {
                        baselines: {
                            AMAZON_LINUX_2023: { approvalRules: [{ patchFilters: null }], rejectedPatches: [null] },
                        },
                    },
                    inventory: { parameters: null },
                },
                {
                    workload: "Test",
                    patching: { baselines: null },
                    maintenanceWindow: { targetRoles: [null], cutoff: "1" },
                },
                {
                    workload: 7,
                    tags: { Owner: null },
                    network: { availabilityZones: "2", vpcCidr: null },
                    fleet: { groups: [null, { name: 1 }], existing: { targetTags: null } },
                },
                { workload: "Test", fleet: { mode: "existing", existing: { targetTags: {}, operatingSystems: [] } } },
            ];
            for (const input of inputs) {
                const problems = problemsOf(input);
                assert.ok(problems.length > 0, JSON.stringify(input));
                for (const problem of problems) {
                    assert.match(problem, /^oe-lab-ipm(:\S+| config) = .+: \S.{8,}/, problem);
                    assert.doesNotMatch(problem, /: (Required|Expected|Invalid input)/, problem);
                }
            }
        });
    });

    describe("every problem at once", () => {
        it("a broken area hides neither the other areas nor the cross checks", () => {
            assert.deepStrictEqual(
                problemsOf({
                    workload,
                    network: "10.0.0.0/16",
                    fleet: { groups: labGroups({ Web: { count: "2" } }), mode: "existing" },
                    maintenanceWindow: { duration: 2, cutoff: 2, maxErrors: 5 },
                    alerts: { emails: ["ops@example.com", "OPS@example.com"] },
                }),
                [
                    'oe-lab-ipm:network = "10.0.0.0/16": must be an object of: vpcCidr, availabilityZones, sourceCidr, httpSourceCidr',
                    'oe-lab-ipm:fleet.groups.0.count = "2": must be a whole number from 1 to 500 (written without quotes)',
                    'oe-lab-ipm:maintenanceWindow.maxErrors = 5: must be a string such as "1" or "10%"',
                    "oe-lab-ipm:maintenanceWindow.cutoff = 2: must be less than the duration (2 hours)",
                    "oe-lab-ipm:fleet.existing = (unset): is required with mode existing: the instances' targetTags and operatingSystems",
                    'oe-lab-ipm:alerts.emails = ["ops@example.com","OPS@example.com"]: lists OPS@example.com more than once (letter case aside); each address may appear once',
                ],
            );
        });

        it("runs no cross check on a field that is itself broken (no misleading second message)", () => {
            assert.deepStrictEqual(problemsOf({ workload, maintenanceWindow: { duration: "3", cutoff: 2 } }), [
                'oe-lab-ipm:maintenanceWindow.duration = "3": must be a whole number from 1 to 24 (written without quotes)',
            ]);
        });

        it("a list too long still has its items checked, its own problem first; a string for a list gets one", () => {
            const rule = (complianceLevel: string) => ({ patchFilters: { PRODUCT: ["*"] }, complianceLevel });
            const rules = [rule("SEVERE"), ...Array.from({ length: 10 }, () => rule("HIGH"))];
            const at = "oe-lab-ipm:patching.baselines.AMAZON_LINUX_2023.approvalRules";
            const rejected = [1, ...Array.from({ length: 50 }, () => "kernel*")];
            assert.deepStrictEqual(
                problemsOf({
                    workload,
                    patching: { baselines: { AMAZON_LINUX_2023: { approvalRules: rules, rejectedPatches: rejected } } },
                    maintenanceWindow: { targetRoles: "" },
                }),
                [
                    'oe-lab-ipm:maintenanceWindow.targetRoles = "": must be a list of InstanceRole values',
                    `${at} = ${JSON.stringify(rules)}: must have 1 to 10 rules`,
                    `${at}.0.complianceLevel = "SEVERE": must be one of CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, UNSPECIFIED`,
                    ...rules.map(
                        (_, i) => `${at}.${i}.enableNonSecurity = (unset): is required: it must be true or false`,
                    ),
                    `oe-lab-ipm:patching.baselines.AMAZON_LINUX_2023.rejectedPatches = ${JSON.stringify(rejected)}: must have at most 50 entries`,
                    "oe-lab-ipm:patching.baselines.AMAZON_LINUX_2023.rejectedPatches.0 = 1: must be a package name or pattern of 1-100 characters",
                ],
            );
        });

        it("a map's entries in the order written, each key before its value, and its count beside a refused key", () => {
            const targetTags = { "bad key!": "v", a: "1", b: "2", c: "3", d: "4", e: "" };
            const tags = JSON.parse('{"Ok": "y", "__proto__": "x", "bad key!": 1, "zz": 5}');
            const existing = { targetTags, operatingSystems: ["AMAZON_LINUX_2023"] };
            assert.deepStrictEqual(problemsOf({ workload, tags, fleet: { mode: "existing", existing } }), [
                'oe-lab-ipm:tags.__proto__ = "x": tag key __proto__ cannot be passed on; choose another key',
                "oe-lab-ipm:tags.bad key! = 1: tag keys must be 1-128 characters of letters, digits, spaces and _.:/=+-@",
                "oe-lab-ipm:tags.bad key! = 1: tag values must be 0-256 characters of letters, digits, spaces and _.:/=+-@",
                "oe-lab-ipm:tags.zz = 5: tag values must be 0-256 characters of letters, digits, spaces and _.:/=+-@",
                'oe-lab-ipm:fleet.existing.targetTags.bad key! = "v": tag keys must be 1-128 characters of letters, digits, spaces and _.:/=+-@',
                'oe-lab-ipm:fleet.existing.targetTags.bad key! = "v": tag key bad key! cannot be targeted by Systems Manager (tag:<key> must be up to 163 letters, digits, spaces and _.:/=-@; no +)',
                'oe-lab-ipm:fleet.existing.targetTags.e = "": tag values must be 1-256 characters of letters, digits, spaces and _.:/=+-@',
                `oe-lab-ipm:fleet.existing.targetTags = ${JSON.stringify(targetTags)}: must name 1 to 5 tags (a maintenance window target takes at most 5)`,
            ]);
        });

        it("a number neither whole nor within the limits gets one message, not one per rule", () => {
            assert.deepStrictEqual(problemsOf({ workload, maintenanceWindow: { duration: 24.5, cutoff: -0.5 } }), [
                "oe-lab-ipm:maintenanceWindow.duration = 24.5: must be a whole number from 1 to 24",
                "oe-lab-ipm:maintenanceWindow.cutoff = -0.5: must be a whole number from 0 to 23",
            ]);
        });
    });

    describe("schedules, by the rules of the place they are used", () => {
        const windowCases: [string, string][] = [
            ["cron(0/2 * ? * * *)", "a maintenance window cannot run more often than every 5 minutes"],
            ["cron(0 2 ? * * 2300)", "year 2300: year takes 1970-2199 with , - * /"],
            ["cron(0 2 ? 13 * *)", "month 13: month takes 1-12 or JAN-DEC with , - * /"],
            ["cron(0 2 ? * TUE#6 *)", "day-of-week TUE#6: <day>#<1-5>, e.g. TUE#2"],
            ["cron(0 0 2 ? * * *)", "a maintenance window's seconds field must be 1-59 (0 is not supported)"],
            ["rate(0 days)", "the rate value must be a positive whole number"],
            ["rate(01 day)", "the rate value 01 must be written without leading zeros"],
            [
                "at(2026-12-01T00:00:00)",
                "must be a recurring cron(...) or rate(...) expression, e.g. cron(0 2 ? * * *) or rate(1 day)",
            ],
        ];
        for (const [schedule, message] of windowCases) {
            it(`maintenance window: ${schedule}`, () => {
                assert.deepStrictEqual(problemsOf({ workload, maintenanceWindow: { schedule } }), [
                    `oe-lab-ipm:maintenanceWindow.schedule = ${JSON.stringify(schedule)}: ${message}`,
                ]);
            });
        }

        it("accepts what the two places document, each its own", () => {
            for (const schedule of [
                "cron(30 23 ? * TUE#3 *)",
                "cron(0 2 L * ? *)",
                "cron(15 10 ? * 6L *)",
                "cron(24 30 09 ? * * *)",
                "rate(30 minutes)",
                "rate(25 days)",
            ]) {
                assert.deepStrictEqual(problemsOf({ workload, maintenanceWindow: { schedule } }), [], schedule);
            }
            for (const schedule of [
                "cron(0/30 * * * ? *)",
                "cron(0 0/4 * * ? *)",
                "cron(15 13 ? * MON *)",
                "cron(0 0 ? * THU#2 *)",
                "cron(0 15 13 * * ? *)",
                "rate(30 days)",
            ]) {
                assert.deepStrictEqual(problemsOf({ workload, inventory: { schedule } }), [], schedule);
            }
        });
    });

    describe("tags", () => {
        it("refuses the tags the program sets itself, and aws: in any case", () => {
            assert.deepStrictEqual(
                problemsOf({
                    workload,
                    tags: { Workload: "x", "Patch Group": "y", PatchGroup: "z", "AWS:cost": "1", Owner: "me" },
                }),
                [
                    'oe-lab-ipm:tags.Workload = "x": is a tag the program sets itself (Workload, Application, Name, Environment, InstanceRole, Patch Group, SSMManaged, Confidentiality, PatchGroup); set it through its own config key, or choose another key',
                    'oe-lab-ipm:tags.Patch Group = "y": is a tag the program sets itself (Workload, Application, Name, Environment, InstanceRole, Patch Group, SSMManaged, Confidentiality, PatchGroup); set it through its own config key, or choose another key',
                    'oe-lab-ipm:tags.PatchGroup = "z": is a tag the program sets itself (Workload, Application, Name, Environment, InstanceRole, Patch Group, SSMManaged, Confidentiality, PatchGroup); set it through its own config key, or choose another key',
                    'oe-lab-ipm:tags.AWS:cost = "1": tag key "AWS:cost" starts with aws:, which AWS reserves (in any case)',
                ],
            );
        });

        it("keeps every instance within AWS's 50 tags: 42 of the user's beside the program's 8", () => {
            const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`Key${i}`, "v"]));
            assert.deepStrictEqual(problemsOf({ workload, tags: tags(42) }), []);
            assert.deepStrictEqual(
                problemsOf({ workload, tags: tags(43) }).map((p) => p.replace(/ = \{.*\}: /, " = {…}: ")),
                [
                    "oe-lab-ipm:tags = {…}: has 43 tags; at most 42, because every instance also carries the program's 8 (Workload, Application, Name, Environment, InstanceRole, Patch Group, SSMManaged, Confidentiality) and AWS allows 50 per resource",
                ],
            );
        });
    });

    describe("instance types and the AMI", () => {
        it("takes instance types from the EC2 API model, and no Mac types (Dedicated Hosts only)", () => {
            assert.deepStrictEqual(
                problemsOf({
                    workload,
                    fleet: {
                        groups: labGroups({ Web: { instanceType: "t3.mirco" }, App: { instanceType: "mac2.metal" } }),
                    },
                }),
                [
                    'oe-lab-ipm:fleet.groups.0.instanceType = "t3.mirco": must be an EC2 instance type that RunInstances accepts, such as t3.micro',
                    'oe-lab-ipm:fleet.groups.1.instanceType = "mac2.metal": is a Mac instance type: those run only on EC2 Dedicated Hosts, which this fleet does not allocate',
                ],
            );
        });

        it("refuses types an OS cannot run: Windows under 2 GiB, Windows on arm64", () => {
            assert.deepStrictEqual(
                problemsOf({
                    workload,
                    fleet: {
                        groups: labGroups({
                            Web: { operatingSystem: "WINDOWS_SERVER_2022" },
                            App: { operatingSystem: "WINDOWS_SERVER_2025", instanceType: "m7g.large" },
                        }),
                    },
                }),
                [
                    'oe-lab-ipm:fleet.groups.0.instanceType = "t3.micro": has less than the 2 GiB of memory Windows Server 2022 needs; use t3.small or larger (operatingSystem WINDOWS_SERVER_2022)',
                    'oe-lab-ipm:fleet.groups.1.instanceType = "m7g.large": is arm64, and Windows Server 2025 has no arm64 AMI; use an x86_64 type such as t3.medium (operatingSystem WINDOWS_SERVER_2025)',
                ],
            );
        });

        // Mac types (mac1 x86_64, the others Apple silicon) are refused above, whatever their architecture.
        it("knows every arm64 family of the EC2 model (review this list when the models are regenerated)", () => {
            const families = [
                ...new Set(
                    enumOf("ec2", "InstanceType")
                        .filter((t) => architectureOf(t) === "arm64")
                        .map((t) => t.split(".")[0]),
                ),
            ].sort();
            assert.deepStrictEqual(
                families.join(" "),
                "a1 c6g c6gd c6gn c7g c7gd c7gn c8g c8gb c8gd c8gn g5g hpc7g i4g i8g i8ge im4gn is4gen m6g m6gd m7g m7gd m8g m8gb m8gd m8gn p6e-gb200 r6g r6gd r7g r7gd r8g r8gb r8gd r8gn t4g x2gd x8g",
            );
            for (const x86 of ["g4dn.xlarge", "g5.xlarge", "m7i-flex.large", "u-6tb1.metal", "p6-b200.48xlarge"])
                assert.strictEqual(architectureOf(x86), "x86_64", x86);
        });
    });

    describe("values that look harmless", () => {
        it("refuses empty strings where the API has a minimum length, and limits derived from names", () => {
            assert.deepStrictEqual(
                problemsOf({
                    workload,
                    fleet: { environment: "" },
                    maintenanceWindow: { adminGroup: "", targetRoles: Array.from({ length: 51 }, (_, i) => `R${i}`) },
                    alerts: { emails: [""] },
                    patching: { baselines: { AMAZON_LINUX_2023: { rejectedPatches: [""] } } },
                    inventory: { associationName: "a".repeat(60), resourceDataSync: true, logPrefix: "p".repeat(501) },
                }),
                [
                    'oe-lab-ipm:fleet.environment = "": must be a tag value of letters, digits and _.:/=+-@ (1-256 characters)',
                    `oe-lab-ipm:inventory.logPrefix = "${"p".repeat(501)}": must be an S3 key prefix of at most 500 letters, digits and !_.*'()- in /-separated parts, without leading or trailing /`,
                    `oe-lab-ipm:maintenanceWindow.targetRoles = ${JSON.stringify(Array.from({ length: 51 }, (_, i) => `R${i}`))}: must name 1 to 50 InstanceRole values`,
                    'oe-lab-ipm:maintenanceWindow.adminGroup = "": must be an IAM group name (1-128 letters, digits and +=,.@_-)',
                    'oe-lab-ipm:alerts.emails.0 = "": must be an e-mail address such as ops@example.com',
                    'oe-lab-ipm:patching.baselines.AMAZON_LINUX_2023.rejectedPatches.0 = "": must be a package name or pattern of 1-100 characters',
                    `oe-lab-ipm:inventory.associationName = "${"a".repeat(60)}": at most 59 characters with resourceDataSync, because the data sync is named <name>-sync and AWS allows 64`,
                ],
            );
        });

        it("refuses patch filters with too many, too long or no values", () => {
            const rule = (patchFilters: Record<string, string[]>) => ({
                workload,
                patching: {
                    baselines: {
                        AMAZON_LINUX_2023: {
                            approvalRules: [{ patchFilters, complianceLevel: "HIGH", enableNonSecurity: true }],
                        },
                    },
                },
            });
            assert.deepStrictEqual(
                problemsOf(rule({ PRODUCT: Array.from({ length: 21 }, (_, i) => `P${i}`), SEVERITY: [] })).map((p) =>
                    p.replace(/ = \{.*\}: /, ": "),
                ),
                [
                    'oe-lab-ipm:patching.baselines.AMAZON_LINUX_2023.approvalRules.0.patchFilters: PRODUCT takes 1 to 20 values ("*" for all); it has 21',
                    'oe-lab-ipm:patching.baselines.AMAZON_LINUX_2023.approvalRules.0.patchFilters: SEVERITY takes 1 to 20 values ("*" for all); it has 0',
                ],
            );
            assert.deepStrictEqual(
                problemsOf(rule({ PRODUCT: ["p".repeat(65)] })).map((p) => p.replace(/ = \{.*\}: /, ": ")),
                [
                    `oe-lab-ipm:patching.baselines.AMAZON_LINUX_2023.approvalRules.0.patchFilters: PRODUCT values must be 1 to 64 characters: "${"p".repeat(65)}"`,
                ],
            );
        });

        it("refuses rate controls the API's pattern refuses", () => {
            assert.deepStrictEqual(
                problemsOf({ workload, maintenanceWindow: { maxConcurrency: "01", maxErrors: "00" } }),
                [
                    'oe-lab-ipm:maintenanceWindow.maxConcurrency = "01": must be a number of instances (1 to 9999999, no leading zeros) or a percentage (1% to 100%), e.g. 1 or 10%',
                    'oe-lab-ipm:maintenanceWindow.maxErrors = "00": must be a number of instances (0 to 9999999, no leading zeros) or a percentage (0% to 100%), e.g. 1 or 10%',
                ],
            );
        });
    });
});
