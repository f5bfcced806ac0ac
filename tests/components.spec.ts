import * as assert from "assert";
import { validateAlertTopicArgs } from "../components/alertTopic";
import { validateInventoryAssociationArgs } from "../components/inventoryAssociation";
import { validateLabNetworkArgs } from "../components/labNetwork";
import { validatePatchAlertsArgs } from "../components/patchAlerts";
import { validateManagedFleetArgs } from "../components/managedFleet";
import { validatePatchingPolicyArgs } from "../components/patchingPolicy";
import { validatePatchMaintenanceWindowArgs } from "../components/patchMaintenanceWindow";
import { ArgumentError } from "../components/validation";

/**
 * The components are usable outside this program: each checks its own plain arguments before
 * its first child, naming the field and the value, whatever config layer sits above it.
 */
function problems(validate: () => void): readonly string[] {
    try {
        validate();
    } catch (error) {
        assert.ok(error instanceof ArgumentError, String(error));
        return error.problems;
    }
    return [];
}

describe("component argument checks", () => {
    it("LabNetwork: malformed CIDRs, SSH from the world, zero zones", () => {
        assert.deepStrictEqual(problems(() => validateLabNetworkArgs({ vpcCidr: "10.0.0.0/33", sourceCidr: "0.0.0.0/0", availabilityZones: 0 })), [
            "availabilityZones 0 must be a whole number of at least 1",
            'vpcCidr "10.0.0.0/33" must be an IPv4 CIDR block: four octets 0-255 and a prefix length 0-32',
            'sourceCidr "0.0.0.0/0" would open SSH to the whole internet',
        ]);
        assert.deepStrictEqual(problems(() => validateLabNetworkArgs({ sourceCidr: "203.0.113.10/32", httpSourceCidr: "0.0.0.0/0" })), []);
    });

    it("ManagedFleet: counts, operating system, and a workload too long for IAM's role name prefix", () => {
        const base = { subnetIds: [], securityGroupIds: [] };
        assert.deepStrictEqual(problems(() => validateManagedFleetArgs({ ...base, workload: "Test", webServers: { count: 0 }, operatingSystem: "WINDOWS" as any })), [
            'operatingSystem "WINDOWS" must be one of AMAZON_LINUX_2023, AMAZON_LINUX_2',
            "webServers.count 0 must be a whole number of at least 1",
        ]);
        assert.deepStrictEqual(problems(() => validateManagedFleetArgs({ ...base, workload: "AVeryLongWorkloadName" })), [
            'workload makes the role name prefix "ManagedInstancesRole-AVeryLongWorkloadName-" (43 characters); IAM allows 38 before the 26-character unique suffix',
        ]);
    });

    it("InventoryAssociation: schedule, unknown parameters, prefix, retention, targets", () => {
        assert.deepStrictEqual(
            problems(() =>
                validateInventoryAssociationArgs({
                    associationName: "Inventory All",
                    targetTags: {},
                    instanceRoleName: "r",
                    schedule: "rate(5 minutes)",
                    parameters: { packages: "Enabled" } as any,
                    logPrefix: "/x",
                    logRetentionDays: 0,
                }),
            ),
            [
                'associationName "Inventory All" must be 3-128 letters, digits, _ - or . (no spaces)',
                "targetTags must name at least one tag",
                `schedule "rate(5 minutes)" an association's rate must be at least 30 minutes and less than 31 days`,
                "parameters packages are not parameters of AWS-GatherSoftwareInventory",
                `logPrefix "/x" must be an S3 key prefix of at most 500 letters, digits and !_.*'()- in /-separated parts, without leading or trailing /`,
                "logRetentionDays 0 must be a whole number of at least 1",
            ],
        );
    });

    it("PatchingPolicy: operating system, filter keys for that OS, delays, compliance levels", () => {
        assert.deepStrictEqual(
            problems(() =>
                validatePatchingPolicyArgs({
                    baselineName: "b",
                    operatingSystem: "AMAZON_LINUX_2023",
                    patchGroup: "",
                    approveAfterDays: 400,
                    approvalRules: [{ patchFilters: { MSRC_SEVERITY: ["Critical"] }, complianceLevel: "SEVERE" as any, enableNonSecurity: true }],
                }),
            ),
            [
                "patchGroup must not be empty",
                "approveAfterDays 400 must be a whole number from 0 to 360",
                "approvalRules[0].complianceLevel SEVERE must be one of CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, UNSPECIFIED",
                "approvalRules[0] filter key MSRC_SEVERITY is not valid for AMAZON_LINUX_2023; allowed: PRODUCT, CLASSIFICATION, SEVERITY",
            ],
        );
    });

    it("PatchMaintenanceWindow: what the API validates, and the role name prefix", () => {
        const base = { windowName: "PatchWindow", instanceRoleName: "r", logBucketName: "b", logBucketArn: "arn:aws:s3:::b" };
        assert.deepStrictEqual(
            problems(() => validatePatchMaintenanceWindowArgs({ ...base, workload: "AVeryLongWorkload", duration: 2, cutoff: 2, timezone: "Mars/Olympus", maxConcurrency: "0", scheduleOffset: 3, schedule: "rate(1 day)" })),
            [
                'workload makes the role name prefix "SSMMaintenanceWindowRole-AVeryLongWorkload-" (43 characters); IAM allows 38 before the 26-character unique suffix',
                'timezone "Mars/Olympus" must be an IANA time zone name such as Asia/Tokyo or Etc/UTC',
                "cutoff 2 must be less than duration 2",
                "scheduleOffset needs a cron schedule",
                'maxConcurrency "0" must be a number of instances (1 to 9999999, no leading zeros) or a percentage (1% to 100%), e.g. 1 or 10%',
            ],
        );
    });

    it("AlertTopic: topic name, rule name prefix and e-mail addresses", () => {
        assert.deepStrictEqual(problems(() => validateAlertTopicArgs({ topicName: "Admin Alert", publishingRuleNamePrefix: "a b", emails: ["ops@example.com", "ops@", "OPS@example.com"] })), [
            'topicName "Admin Alert" must be 1-30 letters, digits, _ or -',
            'publishingRuleNamePrefix "a b" must be 1-64 letters, digits and .-_ (an EventBridge rule name prefix)',
            'emails: "ops@" is not an e-mail address',
            'emails: "OPS@example.com" is given twice',
        ]);
    });

    it("PatchAlerts: a rule name prefix EventBridge takes, at least one baseline", () => {
        assert.deepStrictEqual(
            problems(() => validatePatchAlertsArgs({ topicArn: "t", ruleNamePrefix: "x".repeat(52), stackLabel: "s", instanceIds: [], maintenanceWindowIds: [], patchBaselineIds: [] })),
            [`ruleNamePrefix "${"x".repeat(52)}" must be 1-51 letters, digits and .-_ (EventBridge allows 64 for the whole name)`, "patchBaselineIds must name at least one baseline"],
        );
    });
});
