import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { AlertTopic } from "../components/alertTopic";
import { InventoryAssociation } from "../components/inventoryAssociation";
import { LabNetwork } from "../components/labNetwork";
import { ManagedFleet } from "../components/managedFleet";
import { PatchAlerts } from "../components/patchAlerts";
import { PatchingPolicy } from "../components/patchingPolicy";
import { PatchMaintenanceWindow } from "../components/patchMaintenanceWindow";
import { PatchScanAssociation } from "../components/patchScanAssociation";
import { HostManagement } from "../components/hostManagement";
import { ComplianceReporting } from "../components/complianceReporting";
import { mockAmiId, ofType, PROJECT_ROOT, runProgram, single, StackRun } from "./harness";

/**
 * Each component on its own, under the same mocks, with another team's vocabulary (a `Team` tag,
 * `Pay…` names, no lab tags): what a user of the component in another program gets. Everything
 * it creates is its child, and every name and tag comes from its arguments.
 */

const COMPONENT_TYPES = [
    "oe-lab-ipm:index:LabNetwork",
    "oe-lab-ipm:index:ManagedFleet",
    "oe-lab-ipm:index:InventoryAssociation",
    "oe-lab-ipm:index:PatchingPolicy",
    "oe-lab-ipm:index:PatchMaintenanceWindow",
    "oe-lab-ipm:index:PatchScanAssociation",
    "oe-lab-ipm:index:AlertTopic",
    "oe-lab-ipm:index:PatchAlerts",
    "oe-lab-ipm:index:ComplianceReporting",
    "oe-lab-ipm:index:PatchRunbook",
    "oe-lab-ipm:index:HostManagement",
    "oe-lab-ipm:index:CoverageCheck",
];

/** One component and its children only; every child's parent is the component or a child. */
function assertAlone(run: StackRun, type: string, name: string): void {
    const components = run.resources.filter((r) => COMPONENT_TYPES.includes(r.type));
    assert.deepStrictEqual(
        components.map((c) => `${c.type} ${c.name}`),
        [`${type} ${name}`],
    );
    const urns = new Set(run.resources.map((r) => r.urn));
    for (const r of run.resources.filter((x) => x.type !== type))
        assert.ok(r.parent && urns.has(r.parent), `${r.type} ${r.name} is a child`);
}

/** The tags of every taggable resource, by logical name. */
function tagsOf(run: StackRun): Record<string, Record<string, string>> {
    return Object.fromEntries(
        run.resources.filter((r) => r.custom && r.inputs.tags !== undefined).map((r) => [r.name, r.inputs.tags]),
    );
}

describe("components alone under mocks", () => {
    it("LabNetwork: a VPC of the given block and zones, SSH and HTTP from the given block only", async () => {
        const run = await runProgram(() => {
            const n = new LabNetwork("net", {
                vpcCidr: "10.20.0.0/20",
                availabilityZones: 3,
                sourceCidr: "198.51.100.0/24",
                tags: { Team: "payments" },
            });
            return { subnets: n.publicSubnetIds };
        });
        assertAlone(run, "oe-lab-ipm:index:LabNetwork", "net");
        const vpc = single(run, "awsx:ec2:Vpc");
        assert.strictEqual(vpc.inputs.cidrBlock, "10.20.0.0/20");
        assert.strictEqual(vpc.inputs.numberOfAvailabilityZones, 3);
        assert.strictEqual((run.outputs.subnets as string[]).length, 3);
        const ingress = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map(
            (r) => `${r.inputs.fromPort} ${r.inputs.cidrIpv4}`,
        );
        assert.deepStrictEqual(ingress.sort(), ["22 198.51.100.0/24", "80 198.51.100.0/24"]);
        for (const tags of Object.values(tagsOf(run))) assert.strictEqual(tags.Team, "payments");
    });

    it("ManagedFleet: Ubuntu on Graviton and Windows Server 2025 instances, named and tagged as told", async () => {
        const run = await runProgram(() => {
            const f = new ManagedFleet("fleet", {
                namePrefix: "Pay",
                roleNamePrefix: "PayFleetRole-",
                groups: [
                    {
                        name: "Api",
                        count: 2,
                        operatingSystem: "UBUNTU_24_04",
                        instanceType: "t4g.small",
                        tags: { Tier: "api" },
                    },
                    {
                        name: "Iis",
                        count: 1,
                        operatingSystem: "WINDOWS_SERVER_2025",
                        instanceType: "t3.medium",
                        webServer: true,
                    },
                ],
                subnetIds: ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
                securityGroupIds: ["sg-0cccccccccccccccc"],
                instanceTags: { "Patch Group": "PayCritical" },
                tags: { Team: "payments" },
            });
            return { ids: f.instanceIds, os: f.operatingSystems };
        });
        assertAlone(run, "oe-lab-ipm:index:ManagedFleet", "fleet");
        assert.deepStrictEqual(run.outputs.os, ["UBUNTU_24_04", "WINDOWS_SERVER_2025"]);
        const api1 = single(run, "aws:ec2/instance:Instance", "fleet-api1");
        assert.deepStrictEqual(api1.inputs.tags, {
            Team: "payments",
            "Patch Group": "PayCritical",
            Tier: "api",
            Name: "Pay-Api1",
        });
        assert.strictEqual(
            api1.inputs.ami,
            mockAmiId("/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id"),
        );
        assert.strictEqual(api1.inputs.subnetId, "subnet-0aaaaaaaaaaaaaaaa");
        const iis1 = single(run, "aws:ec2/instance:Instance", "fleet-iis1");
        assert.strictEqual(
            iis1.inputs.ami,
            mockAmiId("/aws/service/ami-windows-latest/Windows_Server-2025-English-Full-Base"),
        );
        assert.match(iis1.inputs.userData, /^<powershell>\nInstall-WindowsFeature -Name Web-Server/);
        assert.deepStrictEqual(iis1.inputs.metadataOptions, {
            httpEndpoint: "enabled",
            httpTokens: "required",
            httpPutResponseHopLimit: 1,
            instanceMetadataTags: "disabled",
        });
        assert.strictEqual(single(run, "aws:iam/role:Role").inputs.namePrefix, "PayFleetRole-");
    });

    it("InventoryAssociation: the given name and tag target, its own hardened bucket, output allowed to the given role", async () => {
        const run = await runProgram(() => {
            const i = new InventoryAssociation("inv", {
                associationName: "PayInventory",
                targetTags: { Team: "payments" },
                instanceRoleNames: ["PayFleetRole"],
                keepLogsOnDestroy: false,
            });
            return { name: i.associationName };
        });
        assertAlone(run, "oe-lab-ipm:index:InventoryAssociation", "inv");
        const association = single(run, "aws:ssm/association:Association");
        assert.strictEqual(association.inputs.associationName, "PayInventory");
        assert.strictEqual(association.inputs.name, "AWS-GatherSoftwareInventory");
        assert.deepStrictEqual(association.inputs.targets, [{ key: "tag:Team", values: ["payments"] }]);
        assert.strictEqual(association.inputs.scheduleExpression, "rate(30 minutes)");
        assert.strictEqual(
            single(run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs.restrictPublicBuckets,
            true,
        );
        assert.strictEqual(single(run, "aws:iam/rolePolicy:RolePolicy").inputs.role, "PayFleetRole");
    });

    it("HostManagement: the DHMC role and setting, and AWS-UpdateSSMAgent on one tag, named and tagged from its arguments", async () => {
        const run = await runProgram(() => {
            const h = new HostManagement("hosts", {
                defaultHostManagement: { roleNamePrefix: "PayDefaultHostRole-" },
                agentUpdate: { associationName: "PayAgentUpdate", targetTags: { Team: "payments" } },
                tags: { Team: "payments" },
            });
            return { role: h.roleArn, id: h.agentUpdateAssociationId };
        });
        assertAlone(run, "oe-lab-ipm:index:HostManagement", "hosts");
        const role = single(run, "aws:iam/role:Role");
        assert.strictEqual(role.inputs.namePrefix, "PayDefaultHostRole-");
        assert.strictEqual(
            single(run, "aws:ssm/serviceSetting:ServiceSetting").inputs.settingValue,
            `service-role/${role.state.name}`,
        );
        const association = single(run, "aws:ssm/association:Association");
        assert.deepStrictEqual(
            [association.inputs.associationName, association.inputs.name, association.inputs.scheduleExpression],
            ["PayAgentUpdate", "AWS-UpdateSSMAgent", "rate(14 days)"],
        );
        assert.deepStrictEqual(association.inputs.targets, [{ key: "tag:Team", values: ["payments"] }]);
        assert.deepStrictEqual(ofType(run, "aws:resourcegroups/group:Group"), []);
        assert.deepStrictEqual(tagsOf(run), {
            "hosts-dhmc-role": { Team: "payments" },
            "hosts-agent-update": { Team: "payments" },
        });
        assert.strictEqual(run.outputs.id, association.state.associationId);
    });

    it("PatchScanAssociation: scans the instances carrying every given tag through its own group, output nowhere unless given", async () => {
        const run = await runProgram(() => {
            const s = new PatchScanAssociation("scan", {
                associationName: "PayScan",
                targetTags: { Team: "payments", Env: "prod" },
                schedule: "cron(0 4 ? * * *)",
            });
            return { id: s.associationId };
        });
        assertAlone(run, "oe-lab-ipm:index:PatchScanAssociation", "scan");
        const association = single(run, "aws:ssm/association:Association");
        assert.deepStrictEqual(
            [
                association.inputs.associationName,
                association.inputs.name,
                association.inputs.parameters,
                association.inputs.scheduleExpression,
                association.inputs.outputLocation,
            ],
            [
                "PayScan",
                "AWS-RunPatchBaseline",
                { Operation: "Scan", RebootOption: "NoReboot" },
                "cron(0 4 ? * * *)",
                undefined,
            ],
        );
        const group = single(run, "aws:resourcegroups/group:Group");
        assert.deepStrictEqual(association.inputs.targets, [
            { key: "resource-groups:Name", values: [group.state.name] },
        ]);
        assert.deepStrictEqual(JSON.parse(group.inputs.resourceQuery.query).TagFilters, [
            { Key: "Team", Values: ["payments"] },
            { Key: "Env", Values: ["prod"] },
        ]);
        assert.throws(
            () => new PatchScanAssociation("bad", { associationName: "has space", targetTags: {}, maxErrors: "01" }),
            /associationName "has space" must be 3-128.*; targetTags must name at least one tag; maxErrors "01" must be/,
        );
    });

    it("ComplianceReporting: two accounts and two Regions, their own prefixes, projected tables, a guarded workgroup", async () => {
        const run = await runProgram(() => {
            const r = new ComplianceReporting("rep", {
                databaseName: "pay_compliance",
                workgroupName: "pay",
                accounts: ["111111111111", "222222222222"],
                regions: ["us-east-1", "eu-west-1"],
                syncPrefix: "ssm",
            });
            return { bucket: r.syncBucketName };
        });
        assertAlone(run, "oe-lab-ipm:index:ComplianceReporting", "rep");
        const bucket = single(run, "aws:s3/bucket:Bucket", "rep-sync");
        // One statement per account: each admitted to its own prefix only.
        const delivery = JSON.parse(
            single(run, "aws:s3/bucketPolicy:BucketPolicy", "rep-sync-policy").inputs.policy,
        ).Statement.slice(2);
        assert.deepStrictEqual(
            delivery.map((d: { Resource: string; Condition: { StringEquals: Record<string, string> } }) => [
                d.Resource,
                d.Condition.StringEquals["aws:SourceAccount"],
            ]),
            [
                [`${bucket.state.arn}/ssm/*/accountid=111111111111/*`, "111111111111"],
                [`${bucket.state.arn}/ssm/*/accountid=222222222222/*`, "222222222222"],
            ],
        );
        const table = single(run, "aws:glue/catalogTable:CatalogTable", "rep-aws-patchsummary");
        assert.strictEqual(table.inputs.parameters["projection.accountid.values"], "111111111111,222222222222");
        assert.strictEqual(table.inputs.parameters["projection.region.values"], "eu-west-1,us-east-1");
        assert.strictEqual(
            table.inputs.parameters["storage.location.template"],
            `s3://${bucket.state.bucket}/ssm/AWS:PatchSummary/accountid=\${accountid}/region=\${region}/resourcetype=ManagedInstanceInventory/`,
        );
        assert.strictEqual(single(run, "aws:athena/workgroup:Workgroup").inputs.name, "pay");
        assert.throws(
            () =>
                new ComplianceReporting("bad", {
                    databaseName: "Pay-DB",
                    workgroupName: "pay",
                    accounts: ["1234"],
                    regions: [],
                    bytesScannedCutoffPerQuery: 1e19,
                }),
            /databaseName "Pay-DB" must be 1-255 lower-case.*; accounts "1234" must be a 12-digit account id; regions must name at least one Region; bytesScannedCutoffPerQuery 10000000000000000000 must be a whole number of bytes from 10485760 \(the AWS provider's minimum\) to 9223372036854775807 \(a 64-bit integer\)/,
        );
    });

    it("PatchingPolicy: a baseline per OS given, each with that OS's rules, all registered to the given group", async () => {
        const run = await runProgram(() => {
            const p = new PatchingPolicy("pol", {
                patchGroup: "PayCritical",
                baselines: [
                    { operatingSystem: "UBUNTU", name: "PayUbuntu" },
                    { operatingSystem: "WINDOWS", name: "PayWindows" },
                ],
                approveAfterDays: 5,
            });
            return { ids: p.baselineIds };
        });
        assertAlone(run, "oe-lab-ipm:index:PatchingPolicy", "pol");
        const baselines = ofType(run, "aws:ssm/patchBaseline:PatchBaseline");
        assert.deepStrictEqual(
            baselines.map((b) => [b.inputs.name, b.inputs.operatingSystem, b.inputs.approvalRules[0].approveAfterDays]),
            [
                ["PayUbuntu", "UBUNTU", undefined],
                ["PayWindows", "WINDOWS", 5],
            ],
        );
        const ids = run.outputs.ids as Record<string, string>;
        assert.deepStrictEqual(
            ofType(run, "aws:ssm/patchGroup:PatchGroup").map((g) => g.inputs),
            [
                { baselineId: ids.UBUNTU, patchGroup: "PayCritical" },
                { baselineId: ids.WINDOWS, patchGroup: "PayCritical" },
            ],
        );
    });

    it("PatchMaintenanceWindow: the given window, target and role names, no scan window unless asked", async () => {
        const run = await runProgram(() => {
            const w = new PatchMaintenanceWindow("win", {
                windowName: "PayPatch",
                installTargets: { Team: ["payments"], Tier: ["api"] },
                installTargetName: "PayApi",
                roleNamePrefix: "PayWindowRole-",
                passRolePolicyNamePrefix: "PayPassRole-",
                logBucketName: "pay-logs",
                logBucketArn: "arn:aws:s3:::pay-logs",
            });
            return { id: w.windowId };
        });
        assertAlone(run, "oe-lab-ipm:index:PatchMaintenanceWindow", "win");
        assert.strictEqual(single(run, "aws:ssm/maintenanceWindow:MaintenanceWindow").inputs.name, "PayPatch");
        const target = single(run, "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget");
        assert.strictEqual(target.inputs.name, "PayApi");
        assert.deepStrictEqual(target.inputs.targets, [
            { key: "tag:Team", values: ["payments"] },
            { key: "tag:Tier", values: ["api"] },
        ]);
        const task = single(run, "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask");
        assert.strictEqual(task.inputs.taskArn, "AWS-RunPatchBaseline");
        assert.deepStrictEqual(task.inputs.taskInvocationParameters.runCommandParameters.parameters, [
            { name: "Operation", values: ["Install"] },
            { name: "RebootOption", values: ["RebootIfNeeded"] },
        ]);
        assert.strictEqual(single(run, "aws:iam/role:Role").inputs.namePrefix, "PayWindowRole-");
        assert.strictEqual(single(run, "aws:iam/policy:Policy").inputs.namePrefix, "PayPassRole-");
    });

    it("AlertTopic: the given topic name, encrypted with its own key, one subscription per address", async () => {
        const run = await runProgram(() => {
            const t = new AlertTopic("topic", { topicName: "PayAlerts", emails: ["ops@example.com"] });
            return { arn: t.topicArn };
        });
        assertAlone(run, "oe-lab-ipm:index:AlertTopic", "topic");
        const topic = single(run, "aws:sns/topic:Topic");
        assert.strictEqual(topic.inputs.name, "PayAlerts");
        assert.strictEqual(topic.inputs.kmsMasterKeyId, single(run, "aws:kms/key:Key").state.arn);
        assert.deepStrictEqual(
            ofType(run, "aws:sns/topicSubscription:TopicSubscription").map((s) => [
                s.inputs.protocol,
                s.inputs.endpoint,
            ]),
            [["email", "ops@example.com"]],
        );
    });

    it("PatchAlerts: rules named from the given prefix, watching the given windows and baselines", async () => {
        const run = await runProgram(() => {
            const r = new PatchAlerts("rules", {
                topicArn: "arn:aws:sns:ap-northeast-1:123456789012:PayAlerts",
                ruleNamePrefix: "PayAlerts-patch-",
                stackLabel: "payments",
                maintenanceWindowIds: ["mw-0123456789abcdef0"],
                patchBaselineIds: ["pb-0123456789abcdef0"],
            });
            return { names: r.ruleNames };
        });
        assertAlone(run, "oe-lab-ipm:index:PatchAlerts", "rules");
        // No instance ids (a fleet it does not create): no command rule, which could only be account-wide.
        assert.deepStrictEqual(run.outputs.names, ["PayAlerts-patch-window-failed", "PayAlerts-patch-noncompliant"]);
        const window = JSON.parse(
            single(run, "aws:cloudwatch/eventRule:EventRule", "rules-window-failed").inputs.eventPattern,
        );
        assert.deepStrictEqual(window.detail["window-id"], ["mw-0123456789abcdef0"]);
        for (const target of ofType(run, "aws:cloudwatch/eventTarget:EventTarget"))
            assert.strictEqual(target.inputs.arn, "arn:aws:sns:ap-northeast-1:123456789012:PayAlerts");
    });
});

describe("component files", () => {
    const DIR = path.join(PROJECT_ROOT, "components");
    /**
     * Files that hold data and pure functions for components, shared by several, or build one
     * component's children for it (patchWindowResources.ts, reportingWorkgroup.ts): none a component.
     */
    const HELPERS = [
        "buckets.ts",
        "cidr.ts",
        "complianceHistory.ts",
        "coverageScript.ts",
        "documents.ts",
        "iam.ts",
        "logsKey.ts",
        "operatingSystems.ts",
        "patchWindowResources.ts",
        "reportingQueries.ts",
        "reportingWorkgroup.ts",
        "runbookArgs.ts",
        "runbookDocuments.ts",
        "runbookPolicy.ts",
        "runbookResources.ts",
        "schedules.ts",
        "targets.ts",
        "tokens.ts",
        "validation.ts",
        "windowTriage.ts",
        "windowTriageResources.ts",
    ];
    /** The package's entry point: it re-exports every component and defines none. */
    const ENTRY = "index.ts";
    const files = fs.readdirSync(DIR).filter((f) => f.endsWith(".ts") && f !== ENTRY);

    it("define one component each, or are helpers that define none", () => {
        for (const file of files) {
            const text = fs.readFileSync(path.join(DIR, file), "utf8");
            const components = text.match(/extends pulumi\.ComponentResource/g)?.length ?? 0;
            assert.strictEqual(components, HELPERS.includes(file) ? 0 : 1, file);
        }
        assert.strictEqual(files.length - HELPERS.length, COMPONENT_TYPES.length);
    });

    it("import no other component, nor the project's config", () => {
        const components = files.filter((f) => !HELPERS.includes(f)).map((f) => f.replace(/\.ts$/, ""));
        for (const file of files) {
            const imports = [...fs.readFileSync(path.join(DIR, file), "utf8").matchAll(/from "([^"]+)"/g)].map(
                (m) => m[1],
            );
            const wrong = imports.filter(
                (i) => (i.startsWith("./") && components.includes(i.slice(2))) || i.startsWith("../"),
            );
            assert.deepStrictEqual(wrong, [], `${file} imports ${wrong.join(", ")}`);
        }
    });
});
