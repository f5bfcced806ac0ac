import * as assert from "assert";
import {
    OPERATING_SYSTEM_SPECS,
    OperatingSystem,
    PATCH_OPERATING_SYSTEM_SPECS,
    PatchOperatingSystem,
} from "../components/operatingSystems";
import { ALL_STACKS, mockAmiId, ofType, RecordedResource, runStack, single, StackRun } from "./harness";
import { associationReaches, registrations, windowTargetReaches } from "./targets";

/**
 * Fleets beyond the lab's: Pulumi.mixed.yaml (Amazon Linux 2023, Ubuntu on Graviton, Windows
 * Server in one stack) and Pulumi.existing.yaml (instances the stack does not create).
 */

const INSTANCE = "aws:ec2/instance:Instance";
const BASELINE = "aws:ssm/patchBaseline:PatchBaseline";

/** The OS an instance runs, read back from its AMI (each OS and architecture has its own public parameter). */
const OS_OF_AMI = new Map<string, OperatingSystem>(
    (
        Object.entries(OPERATING_SYSTEM_SPECS) as [OperatingSystem, (typeof OPERATING_SYSTEM_SPECS)[OperatingSystem]][]
    ).flatMap(([os, spec]) =>
        Object.values(spec.amiParameter).map((parameter) => [mockAmiId(parameter), os] as [string, OperatingSystem]),
    ),
);

function operatingSystemOf(instance: RecordedResource): OperatingSystem {
    const os = OS_OF_AMI.get(instance.inputs.ami);
    assert.ok(os, `${instance.name}: AMI ${instance.inputs.ami} is no OS's`);
    return os;
}

describe("a mixed fleet (Pulumi.mixed.yaml)", () => {
    let run: StackRun;
    before(async () => {
        run = await runStack("mixed");
    });

    it("creates each group's instances from its OS's AMI, for its type's architecture", () => {
        const seen = ofType(run, INSTANCE).map(
            (i) =>
                `${i.inputs.tags.Name} ${i.inputs.instanceType} ${operatingSystemOf(i)} ${i.inputs.tags.InstanceRole}`,
        );
        assert.deepStrictEqual(seen.sort(), [
            "Mixed-App1 t4g.micro UBUNTU_24_04 AppServer",
            "Mixed-App2 t4g.micro UBUNTU_24_04 AppServer",
            "Mixed-Web1 t3.micro AMAZON_LINUX_2023 WebServer",
            "Mixed-Web2 t3.micro AMAZON_LINUX_2023 WebServer",
            "Mixed-Win1 t3.small WINDOWS_SERVER_2022 WebServer",
        ]);
        assert.strictEqual(
            single(run, INSTANCE, "lab-fleet-app1").inputs.ami,
            mockAmiId("/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id"),
        );
        assert.strictEqual(
            single(run, INSTANCE, "lab-fleet-win1").inputs.ami,
            mockAmiId("/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base"),
        );
    });

    it("serves the web page with httpd on Linux and IIS through PowerShell on Windows; app servers get no user data", () => {
        assert.match(
            single(run, INSTANCE, "lab-fleet-web1").inputs.userData,
            /^#!\/bin\/bash\n[\s\S]*dnf install -y httpd\nsystemctl enable --now httpd\n/,
        );
        assert.strictEqual(
            single(run, INSTANCE, "lab-fleet-win1").inputs.userData,
            "<powershell>\nInstall-WindowsFeature -Name Web-Server -IncludeManagementTools\nSet-Content -Path C:\\inetpub\\wwwroot\\index.html -Value '<h1>OE Lab IPM: Mixed-Win1</h1>'\n</powershell>\n",
        );
        assert.strictEqual(single(run, INSTANCE, "lab-fleet-app1").inputs.userData, undefined);
    });

    it("makes one baseline per OS, with the stack file's Windows rule and each OS's defaults otherwise", () => {
        const baselines = ofType(run, BASELINE)
            .map((b) => [b.inputs.operatingSystem, b.inputs.name, b.inputs.approvalRules])
            .sort((a, b) => a[0].localeCompare(b[0]));
        assert.deepStrictEqual(baselines, [
            [
                "AMAZON_LINUX_2023",
                "AmazonLinuxSecAndNonSecBaseline-Mixed",
                [
                    {
                        approveAfterDays: 3,
                        complianceLevel: "CRITICAL",
                        enableNonSecurity: true,
                        patchFilters: [
                            { key: "PRODUCT", values: ["*"] },
                            { key: "CLASSIFICATION", values: ["*"] },
                            { key: "SEVERITY", values: ["*"] },
                        ],
                    },
                ],
            ],
            // Ubuntu: Patch Manager takes no approval delay, so none is sent (the stack's 3 days do not apply).
            [
                "UBUNTU",
                "UbuntuSecAndNonSecBaseline-Mixed",
                [
                    {
                        complianceLevel: "CRITICAL",
                        enableNonSecurity: true,
                        patchFilters: [
                            { key: "PRODUCT", values: ["*"] },
                            { key: "SECTION", values: ["*"] },
                            { key: "PRIORITY", values: ["*"] },
                        ],
                    },
                ],
            ],
            [
                "WINDOWS",
                "WindowsSecAndNonSecBaseline-Mixed",
                [
                    {
                        // EnableNonSecurity applies to Linux only: not sent for Windows.
                        approveAfterDays: 7,
                        complianceLevel: "CRITICAL",
                        // In the order the CLI passes the stack file's map: sorted (Go's json.Marshal).
                        patchFilters: [
                            { key: "CLASSIFICATION", values: ["CriticalUpdates", "SecurityUpdates"] },
                            { key: "MSRC_SEVERITY", values: ["*"] },
                            { key: "PRODUCT", values: ["*"] },
                        ],
                    },
                ],
            ],
        ]);
    });

    it("registers every instance's Patch Group with the baseline of its own OS, once per OS", () => {
        const registered = registrations(run.resources);
        for (const instance of ofType(run, INSTANCE)) {
            const os = OPERATING_SYSTEM_SPECS[operatingSystemOf(instance)].patchOperatingSystem;
            const matching = registered.filter(
                (r) => r.os === os && r.patchGroup === instance.inputs.tags["Patch Group"],
            );
            assert.strictEqual(
                matching.length,
                1,
                `${instance.inputs.tags.Name} (${os}, ${instance.inputs.tags["Patch Group"]}): ${JSON.stringify(registered)}`,
            );
        }
        assert.deepStrictEqual(registered.map((r) => `${r.os}/${r.patchGroup}`).sort(), [
            "AMAZON_LINUX_2023/Critical-Mixed",
            "UBUNTU/Critical-Mixed",
            "WINDOWS/Critical-Mixed",
        ]);
    });

    it("patches its web servers, Linux and Windows, in the install window; inventories and scans all five", () => {
        const instances = ofType(run, INSTANCE);
        const install = single(run, "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget");
        assert.deepStrictEqual(windowTargetReaches(install, instances), ["Mixed-Web1", "Mixed-Web2", "Mixed-Win1"]);
        const groups = ofType(run, "aws:resourcegroups/group:Group");
        for (const name of ["lab-inventory-association", "lab-patch-scan-association"]) {
            assert.strictEqual(
                associationReaches(single(run, "aws:ssm/association:Association", name), groups, instances).length,
                5,
                name,
            );
        }
    });
});

describe("every stack's baselines use only their OS's filters", () => {
    for (const stack of ALL_STACKS) {
        it(`${stack}: filter keys and values, delays and non-security as the OS's Patch Manager supports`, async () => {
            const run = await runStack(stack);
            const baselines = ofType(run, BASELINE);
            assert.ok(baselines.length >= 1);
            for (const b of baselines) {
                const spec = PATCH_OPERATING_SYSTEM_SPECS[b.inputs.operatingSystem as PatchOperatingSystem];
                assert.ok(spec, `${b.inputs.name}: operating system ${b.inputs.operatingSystem}`);
                for (const rule of b.inputs.approvalRules) {
                    for (const { key, values } of rule.patchFilters) {
                        assert.ok(Object.hasOwn(spec.patchFilters, key), `${b.inputs.name}: filter key ${key}`);
                        const allowed = spec.patchFilters[key];
                        if (allowed)
                            assert.deepStrictEqual(
                                values.filter((v: string) => !allowed.includes(v)),
                                [],
                                `${b.inputs.name}: ${key}`,
                            );
                    }
                    assert.strictEqual(
                        "approveAfterDays" in rule,
                        spec.approvalDelays,
                        `${b.inputs.name}: approveAfterDays`,
                    );
                    assert.strictEqual(
                        "enableNonSecurity" in rule,
                        spec.nonSecurity,
                        `${b.inputs.name}: enableNonSecurity`,
                    );
                }
            }
        });
    }
});

describe("an existing fleet (Pulumi.existing.yaml)", () => {
    let run: StackRun;
    before(async () => {
        run = await runStack("existing");
    });

    it("creates no instance, no network, no instance role or profile", () => {
        const created = run.resources
            .map((r) => r.type)
            .filter((t) =>
                /^aws:ec2|^awsx:|^aws:iam\/instanceProfile|oe-lab-ipm:index:(LabNetwork|ManagedFleet)/.test(t),
            );
        assert.deepStrictEqual(created, []);
        assert.ok(
            !run.resources.some(
                (r) => r.type === "aws:iam/role:Role" && /ManagedInstancesRole/.test(r.inputs.namePrefix ?? ""),
            ),
        );
        for (const key of ["VpcId", "SecurityGroupId", "InstanceIds", "InstanceRoleArn", "PrimaryURL"])
            assert.strictEqual(run.outputs[key], undefined, key);
    });

    it("targets the configured tags with the inventory, the scan, the window and the resource group", () => {
        const tagTargets = [
            { key: "tag:Environment", values: ["Production"] },
            { key: "tag:PatchWith", values: ["oe-lab-ipm"] },
        ];
        for (const target of ofType(run, "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget")) {
            assert.deepStrictEqual(target.inputs.targets, tagTargets, target.name);
            assert.strictEqual(target.inputs.name, "FleetTaggedInstances");
        }
        assert.deepStrictEqual(
            ofType(run, "aws:ssm/maintenanceWindow:MaintenanceWindow")
                .map((w) => w.inputs.name)
                .sort(),
            ["PatchFleetWorkloadTaggedInstances"],
        );
        const group = single(run, "aws:resourcegroups/group:Group");
        for (const association of ofType(run, "aws:ssm/association:Association")) {
            assert.deepStrictEqual(
                association.inputs.targets,
                [{ key: "resource-groups:Name", values: [group.state.name] }],
                association.name,
            );
        }
        const query = JSON.parse(single(run, "aws:resourcegroups/group:Group").inputs.resourceQuery.query);
        assert.deepStrictEqual(query.TagFilters, [
            { Key: "Environment", Values: ["Production"] },
            { Key: "PatchWith", Values: ["oe-lab-ipm"] },
        ]);
    });

    it("makes a baseline per OS listed, each registered to the stack's patch group", () => {
        assert.deepStrictEqual(
            registrations(run.resources)
                .map((r) => `${r.os}/${r.patchGroup}`)
                .sort(),
            ["AMAZON_LINUX_2023/Critical-Fleet", "WINDOWS/Critical-Fleet"],
        );
    });

    it("lets the instances' own role write output to the bucket and log group, with inline policies it removes on destroy", () => {
        const onTheirRole = ofType(run, "aws:iam/rolePolicy:RolePolicy").filter(
            (p) => p.inputs.role === "ProductionAppInstanceRole",
        );
        assert.deepStrictEqual(onTheirRole.map((p) => p.name).sort(), [
            "lab-inventory-write-logs",
            "lab-window-write-output",
        ]);
        const actions = onTheirRole.flatMap((p) =>
            JSON.parse(p.inputs.policy).Statement.flatMap((s: { Action: string[] }) => s.Action),
        );
        // Exactly AWS's documented actions per destination: outputGrants.spec.
        assert.deepStrictEqual([...new Set(actions)].sort(), [
            "logs:CreateLogStream",
            "logs:DescribeLogGroups",
            "logs:DescribeLogStreams",
            "logs:PutLogEvents",
            "s3:GetEncryptionConfiguration",
            "s3:PutObject",
        ]);
        // Auto-named: never the name of a policy the role already has.
        for (const p of onTheirRole) assert.strictEqual(p.inputs.name, undefined);
    });

    it("has no account-wide command rule: Run Command events name no window and carry no tags, so its windows' tasks notify per instance", () => {
        assert.deepStrictEqual(
            ofType(run, "aws:cloudwatch/eventRule:EventRule")
                .map((r) => r.inputs.name)
                .sort(),
            ["assoc-failed", "check-failed", "noncompliant", "runbook-failed", "window-failed", "window-triage"].map(
                (s) => `AdminAlert-Fleet-patch-${s}`,
            ),
        );
        const topicArn = single(run, "aws:sns/topic:Topic").state.arn;
        for (const task of ofType(run, "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask"))
            assert.deepStrictEqual(task.inputs.taskInvocationParameters.runCommandParameters.notificationConfig, {
                notificationArn: topicArn,
                notificationEvents: ["Failed", "TimedOut", "Cancelled"],
                notificationType: "Invocation",
            });
        for (const rule of ofType(run, "aws:cloudwatch/eventRule:EventRule")) {
            const { detail } = JSON.parse(rule.inputs.eventPattern);
            // Each names something of the stack's own: a window, association, baseline or runbook.
            assert.ok(
                detail["window-id"] ?? detail["association-id"] ?? detail["patch-baseline-id"] ?? detail.Definition,
                rule.inputs.name,
            );
        }
    });
});
