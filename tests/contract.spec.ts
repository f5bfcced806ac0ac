import * as assert from "assert";
import { Architecture, OPERATING_SYSTEM_SPECS } from "../components/operatingSystems";
import { checkContract, formatViolation, Violation } from "../contract";
import { ConstraintContext } from "../contract/constraints";
import { allPatterns, awsPattern, MODELS_SOURCE } from "../contract/models";
import { MAPPINGS } from "../contract/requests";
import { mockAmiId, runStack, STACKS, StackRun } from "./harness";

/**
 * The API contract: every request the planned stacks would send to AWS passes AWS's own API
 * models (botocore's, extracted into contract/aws-models.json), the constraints the models do not
 * carry, and IAM's policy grammar. For both committed stacks, and for what-if configs at the
 * edges of what the config schema accepts.
 */

/** The mock AMI ids the harness hands out, by architecture: what the AMI check knows offline. */
const MOCK_AMIS = new Map<string, Architecture>(
    Object.values(OPERATING_SYSTEM_SPECS).flatMap((os) => Object.entries(os.amiParameter).map(([arch, parameter]) => [mockAmiId(parameter), arch as Architecture])),
);
const CONTEXT: ConstraintContext = { amiArchitecture: (ami) => MOCK_AMIS.get(ami) };

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
    tags: Object.fromEntries(Array.from({ length: 42 }, (_, i) => [`Key${String(i).padStart(2, "0")}${"k".repeat(123)}`, "v".repeat(256)])),
    "network.vpcCidr": "172.16.0.0/16",
    "network.availabilityZones": 4,
    "network.sourceCidr": "203.0.113.10/32",
    "network.httpSourceCidr": "0.0.0.0/0",
    "fleet.webServerCount": 500,
    "fleet.appServerCount": 500,
    "fleet.webServerInstanceType": "m7i-flex.large",
    "fleet.appServerInstanceType": "c7gn.16xlarge",
    "fleet.keyName": "k".repeat(255),
    "fleet.environment": "e".repeat(256),
    "fleet.confidentiality": "c".repeat(256),
    "inventory.associationName": longest(59),
    "inventory.logPrefix": `${"p".repeat(100)}/${"q".repeat(99)}`,
    "inventory.logRetentionDays": 3650,
    "inventory.resourceDataSync": true,
    "inventory.parameters": { files: JSON.stringify([{ Path: "/etc", Pattern: ["*.conf"], Recursive: false }]) },
    "patching.patchGroup": "g".repeat(256),
    "patching.baselineName": longest(128),
    "patching.description": "d".repeat(1024),
    "patching.approveAfterDays": 360,
    "patching.rejectedPatches": Array.from({ length: 50 }, (_, i) => `${i}`.padEnd(100, "r")),
    "patching.approvalRules": Array.from({ length: 10 }, () => ({
        patchFilters: { PRODUCT: Array.from({ length: 20 }, (_, i) => `P${i}`.padEnd(64, "p")), CLASSIFICATION: ["Security"], SEVERITY: ["Critical", "Important"] },
        complianceLevel: "CRITICAL",
        enableNonSecurity: false,
    })),
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
    "fleet.webServerCount": 1,
    "fleet.appServerCount": 1,
    "fleet.environment": "E",
    "fleet.confidentiality": "",
    "inventory.associationName": "abc",
    "inventory.logPrefix": "l",
    "inventory.logRetentionDays": 1,
    "patching.patchGroup": "g",
    "patching.baselineName": "abc",
    "patching.description": "d",
    "patching.rejectedPatches": [],
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
const EDGE_OPERATING_SYSTEMS = Object.keys(OPERATING_SYSTEM_SPECS).map((os) => ({
    "fleet.operatingSystem": os,
    "fleet.webServerInstanceType": "t4g.micro",
    "fleet.appServerInstanceType": "a1.medium",
    "patching.approvalRules": [{ patchFilters: { CLASSIFICATION: ["Security", "Bugfix"], SEVERITY: ["Critical"] }, complianceLevel: "HIGH", enableNonSecurity: true }],
}));

describe("API contract: every planned request passes AWS's API models", () => {
    it(`reads AWS's models as generated from ${MODELS_SOURCE}, every pattern compiling`, () => {
        assert.match(MODELS_SOURCE, /^botocore \d+\.\d+\.\d+ /);
        for (const pattern of allPatterns()) assert.ok(awsPattern(pattern) instanceof RegExp, pattern);
        // Whole-value matches, as AWS (Java) applies them.
        assert.strictEqual(awsPattern("[a-zA-Z0-9_\\.-]+").test("lab-inventory:x"), false);
        assert.strictEqual(awsPattern("^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$").test("Critical Prod"), true);
    });

    for (const stack of STACKS) {
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

    for (const overrides of EDGE_OPERATING_SYSTEMS) {
        it(`${overrides["fleet.operatingSystem"]} on arm64 and x86_64 types: zero violations`, async () => {
            assertNone(violationsOf(await runStack("test", overrides)));
        });
    }
});
