import * as assert from "assert";
import { ConfigError } from "../config";
import { OPERATING_SYSTEM_SPECS } from "../components/operatingSystems";
import {
    labGroups,
    mockAmiId,
    ofType,
    runFailingStack,
    runStack,
    single,
    STACK_FILES,
    STACKS,
    StackRun,
} from "./harness";

const BASELINE = "aws:ssm/patchBaseline:PatchBaseline";
const PATCH_GROUP = "aws:ssm/patchGroup:PatchGroup";
const INSTANCE = "aws:ec2/instance:Instance";

for (const stack of STACKS) {
    const { workload, patchGroup, approveAfterDays } = STACK_FILES[stack];
    describe(`PatchingPolicy (${stack} stack)`, () => {
        let run: StackRun;
        before(async () => {
            run = await runStack(stack);
        });

        it("creates the lab's baseline for Amazon Linux 2023, the OS the fleet runs", () => {
            const baseline = single(run, BASELINE);
            assert.strictEqual(baseline.inputs.name, `AmazonLinuxSecAndNonSecBaseline-${workload}`);
            assert.strictEqual(
                baseline.inputs.description,
                "Amazon Linux patch baseline including security and non-security patches",
            );
            assert.strictEqual(baseline.inputs.operatingSystem, "AMAZON_LINUX_2023");
            for (const instance of ofType(run, INSTANCE)) {
                assert.strictEqual(
                    instance.inputs.ami,
                    mockAmiId(OPERATING_SYSTEM_SPECS.AMAZON_LINUX_2023.amiParameter.x86_64),
                );
            }
        });

        it(`approves all products, classifications and severities after ${approveAfterDays} days at Critical, with non-security updates`, () => {
            assert.deepStrictEqual(single(run, BASELINE).inputs.approvalRules, [
                {
                    approveAfterDays,
                    complianceLevel: "CRITICAL",
                    enableNonSecurity: true,
                    patchFilters: [
                        { key: "PRODUCT", values: ["*"] },
                        { key: "CLASSIFICATION", values: ["*"] },
                        { key: "SEVERITY", values: ["*"] },
                    ],
                },
            ]);
        });

        it("rejects system-release.* (no OS release upgrades), allowing it only as a dependency", () => {
            const baseline = single(run, BASELINE);
            assert.deepStrictEqual(baseline.inputs.rejectedPatches, ["system-release.*"]);
            assert.strictEqual(baseline.inputs.rejectedPatchesAction, "ALLOW_AS_DEPENDENCY");
        });

        it("registers the patch group that every instance's Patch Group tag names", () => {
            const group = single(run, PATCH_GROUP);
            assert.deepStrictEqual(group.inputs, { baselineId: single(run, BASELINE).id, patchGroup });
            const tags = new Set(ofType(run, INSTANCE).map((i) => i.inputs.tags["Patch Group"]));
            assert.deepStrictEqual([...tags], [patchGroup]);
            assert.strictEqual(run.outputs.PatchGroup, patchGroup);
            assert.strictEqual(run.outputs.PatchBaselineId, single(run, BASELINE).id);
        });
    });
}

describe("PatchingPolicy options", () => {
    it("changes the AMI and the baseline's OS together with the groups' operating system", async () => {
        const al2 = { operatingSystem: "AMAZON_LINUX_2" };
        const run = await runStack("test", { "fleet.groups": labGroups({ Web: al2, App: al2 }) });
        assert.strictEqual(single(run, BASELINE).inputs.operatingSystem, "AMAZON_LINUX_2");
        for (const instance of ofType(run, INSTANCE)) {
            assert.strictEqual(
                instance.inputs.ami,
                mockAmiId(OPERATING_SYSTEM_SPECS.AMAZON_LINUX_2.amiParameter.x86_64),
            );
        }
    });

    it("expresses the original lab's two rules, with per-rule delays and BLOCK", async () => {
        const run = await runStack("prod", {
            "patching.baselines": {
                AMAZON_LINUX_2023: {
                    approvalRules: [
                        {
                            patchFilters: {
                                PRODUCT: ["*"],
                                CLASSIFICATION: ["Security"],
                                SEVERITY: ["Critical", "Important"],
                            },
                            complianceLevel: "CRITICAL",
                            enableNonSecurity: false,
                        },
                        {
                            patchFilters: { PRODUCT: ["*"], CLASSIFICATION: ["*"], SEVERITY: ["*"] },
                            approveAfterDays: 14,
                            complianceLevel: "MEDIUM",
                            enableNonSecurity: true,
                        },
                    ],
                },
            },
            "patching.rejectedPatchesAction": "BLOCK",
        });
        const baseline = single(run, BASELINE);
        // Filters in the order the CLI passes a stack file's map: keys sorted (CLASSIFICATION first).
        assert.deepStrictEqual(
            baseline.inputs.approvalRules.map((r: any) => [
                r.approveAfterDays,
                r.complianceLevel,
                r.enableNonSecurity,
                r.patchFilters[0].values,
            ]),
            [
                [7, "CRITICAL", false, ["Security"]],
                [14, "MEDIUM", true, ["*"]],
            ],
        );
        assert.strictEqual(baseline.inputs.rejectedPatchesAction, "BLOCK");
    });

    it("refuses an unknown OS, 400 days, a bad filter key, a bad compliance level and an empty patch group, registering nothing", async () => {
        const { error, resources } = await runFailingStack("test", {
            "fleet.groups": labGroups({ App: { operatingSystem: "AMAZON_LINUX" } }),
            "patching.patchGroup": "",
            "patching.approveAfterDays": 400,
            "patching.baselines": {
                AMAZON_LINUX_2023: {
                    approvalRules: [
                        { patchFilters: { PATCH_SET: ["OS"] }, complianceLevel: "SEVERE", enableNonSecurity: true },
                    ],
                },
            },
        });
        assert.ok(error instanceof ConfigError);
        assert.deepStrictEqual(resources, []);
        assert.deepStrictEqual(error.problems, [
            'oe-lab-ipm:fleet.groups.1.operatingSystem = "AMAZON_LINUX": must be one of AMAZON_LINUX_2023, AMAZON_LINUX_2, UBUNTU_24_04, WINDOWS_SERVER_2022, WINDOWS_SERVER_2025',
            'oe-lab-ipm:patching.patchGroup = "": must be 1-256 characters of letters, digits, spaces and _.:/=+-@',
            "oe-lab-ipm:patching.approveAfterDays = 400: must be a whole number from 0 to 360",
            'oe-lab-ipm:patching.baselines.AMAZON_LINUX_2023.approvalRules.0.complianceLevel = "SEVERE": must be one of CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, UNSPECIFIED',
        ]);
    });

    it("refuses filter keys and values the fleet's OS does not have", async () => {
        const { error, resources } = await runFailingStack("test", {
            "patching.baselines": {
                AMAZON_LINUX_2023: {
                    approvalRules: [
                        {
                            patchFilters: { PATCH_SET: ["OS"], SEVERITY: ["Urgent"] },
                            complianceLevel: "HIGH",
                            enableNonSecurity: false,
                        },
                    ],
                },
            },
        });
        assert.deepStrictEqual(resources, []);
        assert.deepStrictEqual((error as ConfigError).problems, [
            'oe-lab-ipm:patching.baselines.AMAZON_LINUX_2023.approvalRules.0 = {"complianceLevel":"HIGH","enableNonSecurity":false,"patchFilters":{"PATCH_SET":["OS"],"SEVERITY":["Urgent"]}}: filter key PATCH_SET is not valid for AMAZON_LINUX_2023; allowed: PRODUCT, CLASSIFICATION, SEVERITY',
            'oe-lab-ipm:patching.baselines.AMAZON_LINUX_2023.approvalRules.0 = {"complianceLevel":"HIGH","enableNonSecurity":false,"patchFilters":{"PATCH_SET":["OS"],"SEVERITY":["Urgent"]}}: SEVERITY values Urgent are not valid for AMAZON_LINUX_2023; allowed: *, Critical, Important, Medium, Low, None',
        ]);
    });
});
