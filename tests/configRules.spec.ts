import * as assert from "assert";
import { emailProblem } from "../components/alertTopic";
import { bucketNameProblem } from "../components/buckets";
import { regionProblem } from "../components/complianceReporting";
import { SUBNET_CAPACITY } from "../components/labNetwork";
import { validateManagedFleetArgs } from "../components/managedFleet";
import { ArgumentError } from "../components/validation";
import { targetTagKeyProblem } from "../components/targets";
import { validateLabConfig } from "../config";

/** The problems of a raw config (keys below the namespace), as config reports them. */
const problemsOf = (raw: Record<string, unknown>) => validateLabConfig({ workload: "Test", ...raw }).problems;
const group = (name: string, count: number, more: Record<string, unknown> = {}) => ({
    name,
    role: "WebServer",
    count,
    operatingSystem: "AMAZON_LINUX_2023",
    ...more,
});

describe("the rules of issue 25, each in its component and reused by config", () => {
    it("reports every problem at once: a type error in one group hides neither another group's nor the baselines'", () => {
        const problems = problemsOf({
            fleet: {
                groups: [
                    group("Web", "2" as unknown as number),
                    group("App", 1, { amiId: "ami-12345" }),
                    group("Win", 1, { operatingSystem: "WINDOWS_SERVER_2022", instanceType: "t3.small" }),
                ],
            },
            patching: {
                baselines: {
                    AMAZON_LINUX_2023: {
                        approvalRules: [
                            {
                                patchFilters: { PRODUCT: ["*"] },
                                approveAfterDays: 3,
                                complianceLevel: "HIGH",
                                enableNonSecurity: true,
                            },
                        ],
                    },
                    WINDOWS: {
                        approvalRules: [
                            {
                                patchFilters: { CLASSIFICATION: ["*"] },
                                complianceLevel: "HIGH",
                                enableNonSecurity: true,
                            },
                        ],
                    },
                },
            },
        });
        assert.deepStrictEqual(problems, [
            'oe-lab-ipm:fleet.groups.0.count = "2": must be a whole number from 1 to 500 (written without quotes)',
            'oe-lab-ipm:fleet.groups.1.amiId = "ami-12345": must be ami- and 8 or 17 lower-case hex digits, e.g. ami-0123456789abcdef0',
            'oe-lab-ipm:patching.baselines.WINDOWS.approvalRules.0 = {"patchFilters":{"CLASSIFICATION":["*"]},"complianceLevel":"HIGH","enableNonSecurity":true}: enableNonSecurity applies to Linux only; it must be false for WINDOWS',
        ]);
    });

    it("ManagedFleet refuses what config refuses: colliding names, a malformed AMI, one AMI for two architectures", () => {
        assert.throws(
            () =>
                validateManagedFleetArgs({
                    namePrefix: "Test",
                    roleNamePrefix: "ManagedInstancesRole-Test-",
                    subnetIds: ["subnet-1"],
                    securityGroupIds: [],
                    groups: [
                        { name: "Db", count: 11, operatingSystem: "AMAZON_LINUX_2023", amiId: "ami-0a1b2c3d" },
                        {
                            name: "Db1",
                            count: 1,
                            operatingSystem: "AMAZON_LINUX_2023",
                            instanceType: "t4g.micro",
                            amiId: "ami-0a1b2c3d",
                        },
                        { name: "X", count: 1, operatingSystem: "AMAZON_LINUX_2023", amiId: "ami-XYZ" },
                    ],
                }),
            (e: ArgumentError) =>
                assert.deepStrictEqual(e.problems, [
                    "groups derive the same instance names: db11 (Db and Db1); Pulumi refuses two resources of one name (duplicate URN): rename a group",
                    "amiId ami-0a1b2c3d is pinned for groups of different OS or architecture: Db (AMAZON_LINUX_2023, x86_64), Db1 (AMAZON_LINUX_2023, arm64); an AMI has one of each, so pin one AMI per kind",
                    "groups[2].amiId ami-XYZ must be ami- and 8 or 17 lower-case hex digits, e.g. ami-0123456789abcdef0",
                ]) === undefined,
        );
    });

    it("fills a subnet to its 251 addresses and no further, spreading each group over the zones", () => {
        assert.strictEqual(SUBNET_CAPACITY, 251);
        const zones = (availabilityZones: number, ...counts: number[]) =>
            problemsOf({ network: { availabilityZones }, fleet: { groups: counts.map((c, i) => group(`G${i}`, c)) } });
        assert.deepStrictEqual(zones(1, 200, 51), []);
        // 3 zones: ceil(250/3) + ceil(250/3) + ceil(1/3) = 84 + 84 + 1 instances in the first subnet.
        assert.deepStrictEqual(zones(3, 250, 250, 1), []);
        assert.deepStrictEqual(
            zones(2, 251, 251, 1).map((p) => p.replace(/ = \[.*\]: /, ": ")),
            [
                "oe-lab-ipm:fleet.groups: puts 253 instances in one /24 subnet, which has 251 addresses (AWS reserves 5); use more availability zones or fewer instances",
            ],
        );
    });

    it("holds names and addresses to AWS's forms", () => {
        const ok = (problem: (v: string) => string | undefined, values: string[]) =>
            values.filter((v) => problem(v) !== undefined);
        assert.deepStrictEqual(ok(bucketNameProblem, ["my-sync", "a.b-c", "abc"]), []);
        assert.deepStrictEqual(
            ok(bucketNameProblem, [
                "ab",
                "a..b",
                "10.0.0.1",
                "sthree-x",
                "amzn-s3-demo-x",
                "x--ol-s3",
                "x.mrap",
                "x--x-s3",
                "x--table-s3",
                "-ab",
            ]).length,
            10,
        );
        assert.deepStrictEqual(
            ok(regionProblem, ["ap-northeast-1", "us-gov-west-1", "cn-north-1", "eu-central-2"]),
            [],
        );
        assert.deepStrictEqual(ok(regionProblem, ["ap-northeast-9", "aws-global", "us-east-1a"]).length, 3);
        assert.deepStrictEqual(ok(targetTagKeyProblem, ["Patch Group", "team:name", "a=b@c"]), []);
        assert.deepStrictEqual(ok(targetTagKeyProblem, ["a+b", "x".repeat(160)]).length, 2);
        assert.deepStrictEqual(ok(emailProblem, ["ops@example.com", "o'neil+alerts@mail.example.co.jp"]), []);
        assert.deepStrictEqual(
            ok(emailProblem, [
                "ops@example",
                ".ops@example.com",
                "ops.@example.com",
                "ops@-x.com",
                "ops@example.c0m",
                `${"a".repeat(65)}@example.com`,
            ]).length,
            6,
        );
    });
});
