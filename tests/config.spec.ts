import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ConfigError, parseLabConfig } from "../config";
import { labGroups, PROJECT_ROOT, runFailingStack } from "./harness";
import { parsePulumiYaml } from "../config/stackYaml";

/** Runs the test stack with overrides; asserts that it fails on config alone, having registered nothing. */
async function configProblems(overrides: Record<string, unknown>): Promise<readonly string[]> {
    const { error, resources } = await runFailingStack("test", overrides);
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error.stack}`);
    assert.deepStrictEqual(resources, [], "nothing may be registered when config is invalid");
    return error.problems;
}

describe("stack config", () => {
    it("declares in Pulumi.yaml only the required workload: every default exists once, in the components", () => {
        const declared = (parsePulumiYaml(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as any)
            .config;
        assert.deepStrictEqual(declared, {
            workload: {
                type: "string",
                description: "The lab's WorkloadName (Test, Prod); part of names and the Workload tag.",
            },
        });
    });

    it("requires a workload, and derives the patch group of a stack that sets none from it", async () => {
        assert.strictEqual(
            parseLabConfig({ workload: "Staging" }, { stack: "staging" }).patching.patchGroup,
            "Critical-Staging",
        );
        assert.deepStrictEqual(await configProblems({ workload: undefined }), [
            "oe-lab-ipm:workload = (unset): is required: set it in the stack file, e.g. Test",
        ]);
    });

    it("refuses, for an existing fleet, the keys only a created fleet uses (they would silently do nothing)", async () => {
        const existing = {
            "fleet.mode": "existing",
            "fleet.existing": { targetTags: { Team: "pay" }, operatingSystems: ["AMAZON_LINUX_2023"] },
        };
        assert.deepStrictEqual(
            await configProblems({ ...existing, "network.sourceCidr": "203.0.113.10/32", "fleet.keyName": "OELabIPM" }),
            [
                'oe-lab-ipm:network = {"sourceCidr":"203.0.113.10/32"}: applies to fleet.mode create only (an existing fleet\'s network and instances are not the stack\'s); remove it',
                "oe-lab-ipm:fleet.keyName = \"OELabIPM\": applies to fleet.mode create only (an existing fleet's network and instances are not the stack's); remove it",
            ],
        );
    });

    it("refuses a malformed CIDR, naming key, value and what is allowed", async () => {
        assert.deepStrictEqual(await configProblems({ "network.vpcCidr": "10.0.0/16" }), [
            'oe-lab-ipm:network.vpcCidr = "10.0.0/16": must be an IPv4 CIDR block such as 203.0.113.10/32',
        ]);
        assert.deepStrictEqual(await configProblems({ "network.sourceCidr": "203.0.113.10/24" }), [
            'oe-lab-ipm:network.sourceCidr = "203.0.113.10/24": has host bits set; the block is 203.0.113.0/24',
        ]);
        assert.deepStrictEqual(await configProblems({ "network.vpcCidr": "10.0.0.0/8" }), [
            'oe-lab-ipm:network.vpcCidr = "10.0.0.0/8": prefix length must be from /16 to /22',
        ]);
    });

    it("refuses SSH from the whole internet", async () => {
        assert.deepStrictEqual(await configProblems({ "network.sourceCidr": "0.0.0.0/0" }), [
            'oe-lab-ipm:network.sourceCidr = "0.0.0.0/0": SSH must not be open to the whole internet; use your own address, e.g. 203.0.113.10/32, or leave it unset and use Session Manager',
        ]);
    });

    it("refuses unknown keys at the top and inside an area, listing the allowed ones", async () => {
        assert.deepStrictEqual(await configProblems({ "fleet.webServerCont": 3, region: "eu-west-1" }), [
            'oe-lab-ipm:region = "eu-west-1": unknown key; allowed keys: workload, tags, protect, network, fleet, inventory, maintenanceWindow, alerts, patching, reporting',
            "oe-lab-ipm:fleet.webServerCont = 3: unknown key; allowed keys: mode, groups, existing, followLatestAmi, keyName, environment, confidentiality, defaultHostManagement, agentUpdate, agentUpdateSchedule",
        ]);
    });

    it("refuses counts that are not positive whole numbers", async () => {
        assert.deepStrictEqual(
            await configProblems({
                "fleet.groups": labGroups({ Web: { count: 0 }, App: { count: -2 } }),
                "network.availabilityZones": 1.5,
            }),
            [
                "oe-lab-ipm:network.availabilityZones = 1.5: must be a whole number from 1 to 4",
                "oe-lab-ipm:fleet.groups.0.count = 0: must be a whole number from 1 to 500",
                "oe-lab-ipm:fleet.groups.1.count = -2: must be a whole number from 1 to 500",
            ],
        );
    });

    it("refuses an instance type that is not a string or not an instance type name", async () => {
        assert.deepStrictEqual(
            await configProblems({
                "fleet.groups": labGroups({ Web: { instanceType: 3 }, App: { instanceType: "T3 Micro" } }),
            }),
            [
                "oe-lab-ipm:fleet.groups.0.instanceType = 3: must be an EC2 instance type that RunInstances accepts, such as t3.micro",
                'oe-lab-ipm:fleet.groups.1.instanceType = "T3 Micro": must be an EC2 instance type that RunInstances accepts, such as t3.micro',
            ],
        );
    });

    it("refuses an unknown operating system, a bad workload name and an empty patch group", async () => {
        assert.deepStrictEqual(
            await configProblems({
                workload: "test env",
                "fleet.groups": labGroups({ Web: { operatingSystem: "WINDOWS" } }),
                "patching.patchGroup": "",
            }),
            [
                'oe-lab-ipm:workload = "test env": must start with a capital letter and be 1-12 letters or digits, e.g. Test',
                'oe-lab-ipm:fleet.groups.0.operatingSystem = "WINDOWS": must be one of AMAZON_LINUX_2023, AMAZON_LINUX_2, UBUNTU_24_04, WINDOWS_SERVER_2022, WINDOWS_SERVER_2025',
                'oe-lab-ipm:patching.patchGroup = "": must be 1-256 characters of letters, digits, spaces and _.:/=+-@',
            ],
        );
    });

    it("reports every problem at once, in one message a person can act on", async () => {
        const { error } = await runFailingStack("prod", {
            "network.sourceCidr": "0.0.0.0/0",
            "fleet.groups": labGroups({ Web: { count: 0 } }),
        });
        assert.strictEqual(
            error.message,
            [
                'Invalid config for stack "prod" (2 problems):',
                '  - oe-lab-ipm:network.sourceCidr = "0.0.0.0/0": SSH must not be open to the whole internet; use your own address, e.g. 203.0.113.10/32, or leave it unset and use Session Manager',
                "  - oe-lab-ipm:fleet.groups.0.count = 0: must be a whole number from 1 to 500",
            ].join("\n"),
        );
    });

    it("refuses a structured key that is not an object", async () => {
        assert.deepStrictEqual(await configProblems({ network: "10.0.0.0/16" }), [
            "oe-lab-ipm:network = \"10.0.0.0/16\": must be an object (set it with 'pulumi config set --path network.<field> <value>')",
        ]);
    });
});
