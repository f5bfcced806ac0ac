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
        assert.deepStrictEqual(
            problems(() =>
                validateLabNetworkArgs({ vpcCidr: "10.0.0.0/33", sourceCidr: "0.0.0.0/0", availabilityZones: 0 }),
            ),
            [
                "availabilityZones 0 must be a whole number of at least 1",
                'vpcCidr "10.0.0.0/33" must be an IPv4 CIDR block: four octets 0-255 and a prefix length 0-32',
                'sourceCidr "0.0.0.0/0" would open SSH to the whole internet',
            ],
        );
        assert.deepStrictEqual(
            problems(() => validateLabNetworkArgs({ sourceCidr: "203.0.113.10/32", httpSourceCidr: "0.0.0.0/0" })),
            [],
        );
    });

    it("ManagedFleet: groups, counts, operating systems, types per OS, and a role name prefix too long for IAM", () => {
        const base = {
            namePrefix: "Test",
            roleNamePrefix: "ManagedInstancesRole-Test-",
            subnetIds: [],
            securityGroupIds: [],
        };
        assert.deepStrictEqual(
            problems(() =>
                validateManagedFleetArgs({
                    ...base,
                    groups: [
                        { name: "Web", count: 0, operatingSystem: "WINDOWS" as any },
                        { name: "Win", count: 1, operatingSystem: "WINDOWS_SERVER_2022", instanceType: "t3.micro" },
                        { name: "Arm", count: 1, operatingSystem: "WINDOWS_SERVER_2025", instanceType: "t4g.large" },
                        { name: "web", count: 1, operatingSystem: "UBUNTU_24_04" },
                    ],
                }),
            ),
            [
                "groups names web more than once (letter case aside); each group needs its own name",
                "groups[0].count 0 must be a whole number of at least 1",
                'groups[0].operatingSystem "WINDOWS" must be one of AMAZON_LINUX_2023, AMAZON_LINUX_2, UBUNTU_24_04, WINDOWS_SERVER_2022, WINDOWS_SERVER_2025',
                "groups[1].instanceType t3.micro has less than the 2 GiB of memory Windows Server 2022 needs; use t3.small or larger",
                "groups[2].instanceType t4g.large is arm64, and Windows Server 2025 has no arm64 AMI; use an x86_64 type such as t3.medium",
            ],
        );
        assert.deepStrictEqual(
            problems(() =>
                validateManagedFleetArgs({
                    ...base,
                    roleNamePrefix: "ManagedInstancesRole-AVeryLongWorkloadName-",
                    groups: [],
                }),
            ),
            [
                'roleNamePrefix makes the role name prefix "ManagedInstancesRole-AVeryLongWorkloadName-" (43 characters); IAM allows 38 before the 26-character unique suffix',
                "groups must name at least one group",
            ],
        );
    });

    it("InventoryAssociation: schedule, unknown parameters, prefix, retention, targets", () => {
        assert.deepStrictEqual(
            problems(() =>
                validateInventoryAssociationArgs({
                    associationName: "Inventory All",
                    targetTags: {},
                    instanceRoleNames: ["r"],
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

    it("PatchingPolicy: one baseline per OS, each with the filters, delays and non-security updates its OS supports", () => {
        assert.deepStrictEqual(
            problems(() =>
                validatePatchingPolicyArgs({
                    patchGroup: "",
                    approveAfterDays: 400,
                    baselines: [
                        {
                            operatingSystem: "AMAZON_LINUX_2023",
                            name: "b",
                            approvalRules: [
                                {
                                    patchFilters: { MSRC_SEVERITY: ["Critical"] },
                                    complianceLevel: "SEVERE" as any,
                                    enableNonSecurity: true,
                                },
                            ],
                        },
                        {
                            operatingSystem: "UBUNTU",
                            name: "ubuntu",
                            approvalRules: [
                                {
                                    patchFilters: { PRIORITY: ["Required"] },
                                    approveAfterDays: 7,
                                    complianceLevel: "HIGH",
                                    enableNonSecurity: true,
                                },
                            ],
                        },
                        {
                            operatingSystem: "WINDOWS",
                            name: "windows",
                            approvalRules: [
                                {
                                    patchFilters: { CLASSIFICATION: ["SecurityUpdates"] },
                                    complianceLevel: "HIGH",
                                    enableNonSecurity: true,
                                },
                            ],
                        },
                        { operatingSystem: "WINDOWS", name: "windows2" },
                    ],
                }),
            ),
            [
                "patchGroup must not be empty",
                "baselines must be one per operating system (a patch group registers to one baseline per OS); got AMAZON_LINUX_2023, UBUNTU, WINDOWS, WINDOWS",
                "approveAfterDays 400 must be a whole number from 0 to 360",
                'baselines[0].name "b" must be 3-128 letters, digits, _ - or . (no spaces)',
                "baselines[0].approvalRules[0].complianceLevel SEVERE must be one of CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, UNSPECIFIED",
                "baselines[0].approvalRules[0] filter key MSRC_SEVERITY is not valid for AMAZON_LINUX_2023; allowed: PRODUCT, CLASSIFICATION, SEVERITY",
                "baselines[1].approvalRules[0] approveAfterDays is not supported for UBUNTU (Patch Manager approves Ubuntu packages without a delay)",
                "baselines[2].approvalRules[0] enableNonSecurity applies to Linux only; it must be false for WINDOWS",
            ],
        );
    });

    it("PatchMaintenanceWindow: what the API validates, names, targets, and the role name prefix", () => {
        const base = {
            windowName: "PatchWindow",
            installTargetName: "TestWebServers",
            installTargets: { Workload: ["Test"] },
            passRolePolicyNamePrefix: "p-",
            logBucketName: "b",
            logBucketArn: "arn:aws:s3:::b",
        };
        assert.deepStrictEqual(
            problems(() =>
                validatePatchMaintenanceWindowArgs({
                    ...base,
                    roleNamePrefix: "SSMMaintenanceWindowRole-AVeryLongWorkload-",
                    installTargets: { A: ["1"], B: ["1"], C: ["1"], D: ["1"], E: ["1"], F: [] },
                    duration: 2,
                    cutoff: 2,
                    timezone: "Mars/Olympus",
                    maxConcurrency: "0",
                    scheduleOffset: 3,
                    schedule: "rate(1 day)",
                    scan: {
                        windowName: "x",
                        targetName: "TestFleet",
                        targets: { Workload: ["Test"] },
                        schedule: "cron(0 1 * * *)",
                    },
                }),
            ),
            [
                'roleNamePrefix makes the role name prefix "SSMMaintenanceWindowRole-AVeryLongWorkload-" (43 characters); IAM allows 38 before the 26-character unique suffix',
                "installTargets must name 1 to 5 tag keys",
                "installTargets.F must list 1 to 50 values",
                'scan.windowName "x" must be 3-128 letters, digits, _ - or . (no spaces)',
                'scan.schedule "cron(0 1 * * *)" a cron needs six fields: minutes hours day-of-month month day-of-week year (optionally seconds first), e.g. cron(0 2 ? * * *)',
                'timezone "Mars/Olympus" must be an IANA time zone name such as Asia/Tokyo or Etc/UTC',
                "cutoff 2 must be less than the duration (2 hours)",
                "scheduleOffset 3 needs a cron schedule (the schedule is rate(1 day))",
                'maxConcurrency "0" must be a number of instances (1 to 9999999, no leading zeros) or a percentage (1% to 100%), e.g. 1 or 10%',
            ],
        );
    });

    it("AlertTopic: topic name, rule name prefix and e-mail addresses", () => {
        assert.deepStrictEqual(
            problems(() =>
                validateAlertTopicArgs({
                    topicName: "Admin Alert",
                    publishingRuleNamePrefix: "a b",
                    automationPublisher: { roleNamePrefix: "R".repeat(39) },
                    emails: ["ops@example.com", "ops@", "OPS@example.com"],
                }),
            ),
            [
                'topicName "Admin Alert" must be 1-30 letters, digits, _ or -',
                'publishingRuleNamePrefix "a b" must be 1-64 letters, digits and .-_ (an EventBridge rule name prefix)',
                `automationPublisher.roleNamePrefix makes the role name prefix "${"R".repeat(39)}" (39 characters); IAM allows 38 before the 26-character unique suffix`,
                'emails: "ops@" is not an e-mail address',
                'emails: "OPS@example.com" is given twice',
            ],
        );
    });

    it("PatchAlerts: a rule name prefix EventBridge takes, at least one baseline, the triage's document and role names", () => {
        assert.deepStrictEqual(
            problems(() =>
                validatePatchAlertsArgs({
                    topicArn: "t",
                    ruleNamePrefix: "x".repeat(52),
                    stackLabel: "s",
                    instanceIds: [],
                    maintenanceWindowIds: [],
                    patchBaselineIds: [],
                    windowTriage: {
                        documentName: "Window Triage",
                        roleArn: "r",
                        roleName: "r",
                        keyArn: "k",
                        startRoleNamePrefix: "S".repeat(39),
                    },
                }),
            ),
            [
                `ruleNamePrefix "${"x".repeat(52)}" must be 1-51 letters, digits and .-_ (EventBridge allows 64 for the whole name)`,
                "patchBaselineIds must name at least one baseline",
                'windowTriage.documentName "Window Triage" must be 3-128 letters, digits, _ - or . (no spaces)',
                `windowTriage.startRoleNamePrefix makes the role name prefix "${"S".repeat(39)}" (39 characters); IAM allows 38 before the 26-character unique suffix`,
            ],
        );
    });
});
