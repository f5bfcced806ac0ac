import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../tools/plan/cli";
import { awsxVpcChildren } from "../tools/plan/model";
import { runtimeVerdict } from "../tools/runtime";
import { PROJECT_ROOT, STACK_FILES, STACKS } from "./harness";

const CLI = path.join(__dirname, "..", "tools", "plan", "cli.js");

/** Runs the plan in this process (the same code path as the command), capturing what it prints. */
async function plan(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const [write, writeErr] = [process.stdout.write, process.stderr.write];
    process.stdout.write = ((chunk: string) => out.push(chunk) > 0) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) => err.push(chunk) > 0) as typeof process.stderr.write;
    try {
        const code = await main(["node", "plan", ...args]);
        return { code, stdout: out.join(""), stderr: err.join("") };
    } finally {
        [process.stdout.write, process.stderr.write] = [write, writeErr];
    }
}

function tempFile(name: string): string {
    return path.join(fs.mkdtempSync(path.join(os.tmpdir(), "oelab-plan-")), name);
}

/** A lookalike of a real AWS id or the mock account: never acceptable in an offline plan. */
const REAL_LOOKING = /\b(?:i|sg|vpc|subnet|ami|pb|mw|sgr)-[0-9a-f]{8,17}\b|\b\d{12}\b/;

for (const stack of STACKS) {
    const { workload, patchGroup, approveAfterDays: days } = STACK_FILES[stack];
    describe(`plan --stack ${stack}`, () => {
        let result: { code: number; stdout: string; stderr: string };
        before(async () => {
            result = await plan("--stack", stack);
        });

        it("prints the components as the tree's roots, each resource under its component", () => {
            assert.strictEqual(result.code, 0);
            assert.strictEqual(result.stderr, "");
            const roots = result.stdout.split("\n").filter((l) => /^[├└]─ /.test(l));
            assert.deepStrictEqual(roots, [
                "├─ oe-lab-ipm:index:AlertTopic  lab-alerts",
                "├─ oe-lab-ipm:index:CoverageCheck  lab-coverage-check",
                "├─ oe-lab-ipm:index:InventoryAssociation  lab-inventory",
                "├─ oe-lab-ipm:index:LabNetwork  lab-network",
                "├─ oe-lab-ipm:index:ManagedFleet  lab-fleet",
                "├─ oe-lab-ipm:index:PatchAlerts  lab-alert-rules",
                "├─ oe-lab-ipm:index:PatchMaintenanceWindow  lab-window",
                ...(stack === "prod" ? ["├─ oe-lab-ipm:index:PatchRunbook  lab-runbook"] : []),
                "├─ oe-lab-ipm:index:PatchScanAssociation  lab-patch-scan",
                ...(stack === "prod"
                    ? [
                          "├─ oe-lab-ipm:index:PatchingPolicy  lab-patching",
                          "└─ pulumi:pulumi:StackReference  organization/oe-lab-ipm/reporting",
                      ]
                    : ["└─ oe-lab-ipm:index:PatchingPolicy  lab-patching"]),
            ]);
            assert.ok(result.stdout.includes(`│  ├─ aws:ec2/instance:Instance  lab-fleet-web1\n`));
        });

        it("shows what a reviewer checks: tags, targets, schedules, rules, ports", () => {
            const text = result.stdout;
            for (const expected of [
                `tags: Application=oe-lab-ipm/${stack}, Confidentiality=Public, Environment=OELabIPM, InstanceRole=WebServer, Name=${workload}-Web1, Patch Group=${patchGroup}, SSMManaged=True, Workload=${workload}`,
                "IMDS tokens required, root volume encrypted gp3",
                `AWS::EC2::Instance with Environment=OELabIPM AND Workload=${workload}`,
                `InventoryAllInstances-${workload}: AWS-GatherSoftwareInventory, rate(30 minutes)`,
                `Patch${workload}WorkloadWebServers: cron(0 2 ? * * *) Asia/Tokyo, ${stack === "prod" ? 2 : 1} h, cutoff 0 h`,
                `${workload}WebServers: tag:Workload = ${workload} AND tag:InstanceRole = WebServer`,
                `approve PRODUCT=*, CLASSIFICATION=*, SEVERITY=* after ${days} days, CRITICAL, non-security too`,
                `patch group "${patchGroup}" -> baseline <id of lab-patching-baseline>`,
                "egress tcp 443-443 to 0.0.0.0/0",
                'where status ["TIMED_OUT","CANCELLED","SKIPPED_OVERLAPPING"], window-id ["<id of lab-window-window>"]',
                `PatchScan-${workload}: AWS-RunPatchBaseline, rate(1 day)`,
                "parameters: Operation=Scan, RebootOption=NoReboot",
            ]) {
                assert.ok(text.includes(expected), `plan shows: ${expected}`);
            }
        });

        it("counts the resources by type and lists the outputs", () => {
            const counts = Object.fromEntries(
                result.stdout
                    .split("\n")
                    .map((l) => /^ {2}(\S+:\S+)\s+(\d+)$/.exec(l))
                    .filter((m): m is RegExpExecArray => m !== null)
                    .map((m) => [m[1], Number(m[2])]),
            );
            assert.strictEqual(counts["aws:ec2/instance:Instance"], 4);
            // awsx's Vpc is counted as what it creates: 2 zones, a public subnet each, no NAT.
            assert.strictEqual(counts["awsx:ec2:Vpc"], undefined);
            assert.deepStrictEqual(
                [
                    counts["aws:ec2/vpc:Vpc"],
                    counts["aws:ec2/internetGateway:InternetGateway"],
                    counts["aws:ec2/subnet:Subnet"],
                    counts["aws:ec2/routeTable:RouteTable"],
                    counts["aws:ec2/routeTableAssociation:RouteTableAssociation"],
                    counts["aws:ec2/route:Route"],
                ],
                [1, 1, 2, 2, 2, 2],
            );
            assert.strictEqual(counts["aws:ec2/natGateway:NatGateway"], undefined);
            assert.ok(
                result.stdout.includes(
                    "expands into (as awsx creates them): 1 Vpc, 1 InternetGateway, 2 Subnet, 2 RouteTable, 2 RouteTableAssociation, 2 Route",
                ),
            );
            assert.strictEqual(counts["aws:iam/role:Role"], stack === "prod" ? 9 : 7);
            assert.strictEqual(counts["aws:ssm/maintenanceWindowTask:MaintenanceWindowTask"], stack === "prod" ? 2 : 1);
            assert.strictEqual(counts["aws:ssm/association:Association"], 2);
            assert.strictEqual(counts["aws:cloudwatch/eventRule:EventRule"], 7);
            const total = Object.values(counts).reduce((a, b) => a + b, 0);
            const withComponents = total + (stack === "prod" ? 12 : 11); // stack + 10 components (prod: its runbook too)
            assert.ok(result.stdout.includes(`\nResources: ${withComponents} to create, `), "+ the stack, components");
            assert.ok(result.stdout.includes("  PrimaryURL: http://<publicIp of lab-fleet-web1>\n"));
            assert.ok(result.stdout.includes(`  PatchGroup: ${patchGroup}\n`));
        });

        it("marks every value known only after deployment, and fakes none", () => {
            assert.ok(
                result.stdout.includes(
                    "ami <latest AMI in /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64>",
                ),
            );
            assert.ok(result.stdout.includes("arn:aws:iam::<account id>:root"));
            assert.doesNotMatch(result.stdout, REAL_LOOKING);
        });
    });
}

describe("plan --stack reporting", () => {
    it("shows the sync bucket and its policy, the projected Glue tables, the guarded workgroup and the saved queries", async () => {
        const result = await plan("--stack", "reporting", "--check");
        assert.strictEqual(result.code, 0, result.stderr);
        const roots = result.stdout.split("\n").filter((l) => /^[├└]─ /.test(l));
        assert.deepStrictEqual(roots, ["└─ oe-lab-ipm:index:ComplianceReporting  reporting"]);
        for (const expected of [
            "Allow s3:PutObject for ssm.amazonaws.com on <arn of reporting-sync>/inventory/*/accountid=<account id>/*",
            "cron(30 23 * * ? *) (UTC): arn:aws:scheduler:::aws-sdk:athena:startQueryExecution as <arn of reporting-history-role>",
            "aws_patchsummary: 20 columns, partitions accountid, region projected (<account id>; ap-northeast-1)",
            "reads s3://<bucket of reporting-sync>/inventory/AWS:PatchSummary/accountid=${accountid}/region=${region}/resourcetype=ManagedInstanceInventory/",
            "oe-lab-ipm-Reporting: results to s3://<bucket of reporting-results>/results/ (SSE_S3)",
            "at most 1073741824 bytes scanned per query, configuration enforced",
            "missing-security-updates in oe-lab-ipm-Reporting: Each patch a node that still reports lacks that is",
            "compliance-by-stack-and-account in oe-lab-ipm-Reporting",
            "instances-with-package in oe-lab-ipm-Reporting",
            "  AthenaWorkgroup: oe-lab-ipm-Reporting\n",
            "\nAPI contract: every request of the 51 resources to create passes AWS's API models",
        ]) {
            assert.ok(result.stdout.includes(expected), `plan shows: ${expected}`);
        }
        assert.doesNotMatch(result.stdout, /aws:ec2|aws:ssm/);
    });
});

describe("plan --stack mixed and --stack existing", () => {
    it("mixed: every group's instances with their OS's AMI and web server, and a baseline per OS", async () => {
        const result = await plan("--stack", "mixed");
        assert.strictEqual(result.code, 0, result.stderr);
        for (const expected of [
            "ami <latest AMI in /aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id>",
            "ami <latest AMI in /aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base>",
            "user data installs IIS",
            "approve PRODUCT=*, SECTION=*, PRIORITY=* without delay, CRITICAL, non-security too",
            "approve CLASSIFICATION=CriticalUpdates|SecurityUpdates, MSRC_SEVERITY=*, PRODUCT=* after 7 days, CRITICAL\n",
            'patch group "Critical-Mixed" -> baseline <id of lab-patching-baseline-ubuntu>',
            'patch group "Critical-Mixed" -> baseline <id of lab-patching-baseline-windows>',
            "MixedWebServers: tag:Workload = Mixed AND tag:InstanceRole = WebServer",
            '  OperatingSystems: ["Amazon Linux 2023","Ubuntu Server 24.04 LTS","Windows Server 2022"]\n',
        ]) {
            assert.ok(result.stdout.includes(expected), `plan shows: ${expected}`);
        }
        assert.match(result.stdout, /^ {2}aws:ec2\/instance:Instance\s+5$/m);
        assert.match(result.stdout, /^ {2}aws:ssm\/patchBaseline:PatchBaseline\s+3$/m);
        assert.doesNotMatch(result.stdout, REAL_LOOKING);
    });

    it("existing: no network, no fleet, and every target is the configured tags", async () => {
        const result = await plan("--stack", "existing");
        assert.strictEqual(result.code, 0, result.stderr);
        const roots = result.stdout.split("\n").filter((l) => /^[├└]─ /.test(l));
        assert.deepStrictEqual(roots, [
            "├─ oe-lab-ipm:index:AlertTopic  lab-alerts",
            "├─ oe-lab-ipm:index:CoverageCheck  lab-coverage-check",
            "├─ oe-lab-ipm:index:InventoryAssociation  lab-inventory",
            "├─ oe-lab-ipm:index:PatchAlerts  lab-alert-rules",
            "├─ oe-lab-ipm:index:PatchMaintenanceWindow  lab-window",
            "├─ oe-lab-ipm:index:PatchScanAssociation  lab-patch-scan",
            "└─ oe-lab-ipm:index:PatchingPolicy  lab-patching",
        ]);
        assert.doesNotMatch(result.stdout, /aws:ec2\/|awsx:/);
        assert.ok(
            result.stdout.includes("FleetTaggedInstances: tag:Environment = Production AND tag:PatchWith = oe-lab-ipm"),
        );
        assert.match(result.stdout, /\nResources: \d+ to create, .*, 7 components, 51 resources in AWS\):\n/);
    });
});

describe("plan: what awsx's Vpc creates, counted as awsx/ec2/vpc.ts creates it", () => {
    it("counts NAT gateways, Elastic IPs and private routes by strategy, and awsx's defaults", () => {
        assert.deepStrictEqual(
            awsxVpcChildren({
                numberOfAvailabilityZones: 3,
                subnetSpecs: [{ type: "Public" }, { type: "Private" }, { type: "Isolated" }],
                natGateways: { strategy: "Single" },
            }),
            {
                "aws:ec2/vpc:Vpc": 1,
                "aws:ec2/internetGateway:InternetGateway": 1,
                "aws:ec2/subnet:Subnet": 9,
                "aws:ec2/routeTable:RouteTable": 9,
                "aws:ec2/routeTableAssociation:RouteTableAssociation": 9,
                "aws:ec2/route:Route": 6,
                "aws:ec2/natGateway:NatGateway": 1,
                "aws:ec2/eip:Eip": 1,
            },
        );
        assert.deepStrictEqual(awsxVpcChildren({}), {
            "aws:ec2/vpc:Vpc": 1,
            "aws:ec2/internetGateway:InternetGateway": 1,
            "aws:ec2/subnet:Subnet": 6,
            "aws:ec2/routeTable:RouteTable": 6,
            "aws:ec2/routeTableAssociation:RouteTableAssociation": 6,
            "aws:ec2/route:Route": 6,
            "aws:ec2/natGateway:NatGateway": 3,
            "aws:ec2/eip:Eip": 3,
        });
    });
});

describe("plan --json", () => {
    it("writes the whole desired state, byte-identical across runs", async () => {
        const [first, second] = [tempFile("a.json"), tempFile("b.json")];
        assert.strictEqual((await plan("--stack", "test", "--quiet", "--json", first)).code, 0);
        assert.strictEqual((await plan("--stack", "test", "--quiet", "--json", second)).code, 0);
        const text = fs.readFileSync(first, "utf8");
        assert.strictEqual(text, fs.readFileSync(second, "utf8"));
        assert.doesNotMatch(text, REAL_LOOKING);
        const doc = JSON.parse(text);
        assert.strictEqual(Object.keys(doc).join(), "counts,expansions,outputs,region,resources,stack,toCreate");
        const vpc = "urn:pulumi:test::oe-lab-ipm::oe-lab-ipm:index:LabNetwork$awsx:ec2:Vpc::lab-network-vpc";
        assert.deepStrictEqual(doc.expansions, {
            [vpc]: {
                "aws:ec2/internetGateway:InternetGateway": 1,
                "aws:ec2/route:Route": 2,
                "aws:ec2/routeTable:RouteTable": 2,
                "aws:ec2/routeTableAssociation:RouteTableAssociation": 2,
                "aws:ec2/subnet:Subnet": 2,
                "aws:ec2/vpc:Vpc": 1,
            },
        });
        const web1 = doc.resources.find((r: any) => r.name === "lab-fleet-web1");
        assert.strictEqual(web1.parent, "urn:pulumi:test::oe-lab-ipm::oe-lab-ipm:index:ManagedFleet::lab-fleet");
        assert.deepStrictEqual(web1.dependencies, [
            "urn:pulumi:test::oe-lab-ipm::oe-lab-ipm:index:LabNetwork$aws:ec2/securityGroup:SecurityGroup::lab-network-instances",
            "urn:pulumi:test::oe-lab-ipm::oe-lab-ipm:index:LabNetwork$awsx:ec2:Vpc::lab-network-vpc",
            "urn:pulumi:test::oe-lab-ipm::oe-lab-ipm:index:ManagedFleet$aws:iam/instanceProfile:InstanceProfile::lab-fleet-profile",
            "urn:pulumi:test::oe-lab-ipm::oe-lab-ipm:index:ManagedFleet$aws:iam/rolePolicyAttachment:RolePolicyAttachment::lab-fleet-ssm-core",
        ]);
        assert.strictEqual(web1.inputs.instanceType, "t3.micro");
        const urns = doc.resources.map((r: any) => r.urn);
        assert.deepStrictEqual(urns, [...urns].sort());
        // Registrations: the counted custom resources, the 9 components and awsx's Vpc (counted as its 10 children).
        assert.strictEqual(
            doc.resources.length,
            Object.values(doc.counts).reduce((a: number, b) => a + (b as number), 0) - 10 + 9 + 1,
        );
    });

    it("quiet prints nothing", async () => {
        assert.deepStrictEqual(await plan("--stack", "prod", "--quiet"), { code: 0, stdout: "", stderr: "" });
    });
});

describe("plan --diagram", () => {
    let diagram: string;
    before(async () => {
        const file = tempFile("test.mmd");
        await plan("--stack", "test", "--quiet", "--diagram", file);
        diagram = fs.readFileSync(file, "utf8");
    });

    it("groups resources by component and draws how things reach each other", () => {
        for (const group of [
            "lab_alerts",
            "lab_alert_rules",
            "lab_fleet",
            "lab_inventory",
            "lab_network",
            "lab_window",
            "lab_patch_scan",
            "lab_patching",
        ]) {
            assert.match(diagram, new RegExp(`^    subgraph ${group}\\["`, "m"));
        }
        const edges = diagram.split("\n").filter((l) => l.includes("->"));
        const has = (edge: string) => assert.ok(edges.includes(`    ${edge}`), `edge ${edge}`);
        // Window target to instances by tags: the web servers only.
        has("lab_window_target -- tags match --> lab_fleet_web1");
        has("lab_window_target -- tags match --> lab_fleet_web2");
        assert.ok(!edges.some((e) => e.startsWith("    lab_window_target -- tags match --> lab_fleet_app")));
        // Both associations reach all four through the inventory's group.
        for (const i of ["app1", "app2", "web1", "web2"]) {
            has(`lab_inventory_targets -- tags match --> lab_fleet_${i}`);
            has(`lab_patching_patch_group -- Patch Group tag --> lab_fleet_${i}`);
        }
        has("lab_inventory_association -- targets --> lab_inventory_targets");
        has("lab_patch_scan_association -- targets --> lab_inventory_targets");
        has("lab_patch_scan_association -- logs to --> lab_inventory_logs");
        has("lab_alert_rules_assoc_failed -. watches .-> lab_patch_scan_association");
        has("lab_patching_baseline -- applies to --> lab_patching_patch_group");
        has("lab_window_window -- runs --> lab_window_install");
        has("lab_window_install -- runs on --> lab_window_target");
        // A created fleet's tasks do not notify: the cmd-failed rule reports their failures, once per instance.
        assert.ok(!edges.some((e) => e.includes(" notifies ")));
        for (const rule of ["cmd_failed", "window_failed", "assoc_failed", "noncompliant"])
            has(`lab_alert_rules_${rule} -- alerts --> lab_alerts_topic`);
        has("lab_alert_rules_window_failed -. watches .-> lab_window_window");
    });

    it("is committed as docs/test-stack.mmd and shown in docs/plan.md, up to date", () => {
        const hint = "out of date: regenerate with npm run diagram";
        assert.strictEqual(fs.readFileSync(path.join(PROJECT_ROOT, "docs", "test-stack.mmd"), "utf8"), diagram, hint);
        assert.ok(
            fs
                .readFileSync(path.join(PROJECT_ROOT, "docs", "plan.md"), "utf8")
                .includes("```mermaid\n" + diagram + "```\n"),
            hint,
        );
    });
});

describe("plan --diagram of the reporting stack and of a member", () => {
    async function edgesOf(stack: string): Promise<string[]> {
        const file = tempFile(`${stack}.mmd`);
        assert.strictEqual((await plan("--stack", stack, "--quiet", "--diagram", file)).code, 0);
        return fs
            .readFileSync(file, "utf8")
            .split("\n")
            .filter((l) => l.includes("->"))
            .map((l) => l.trim());
    }

    it("reporting: each table in the database, reading the sync bucket; each saved query in the workgroup; results to their bucket", async () => {
        const edges = await edgesOf("reporting");
        for (const table of ["application", "complianceitem", "instanceinformation", "patchsummary", "tag"]) {
            assert.ok(edges.includes(`reporting_aws_${table} -- in --> reporting_database`), table);
            assert.ok(edges.includes(`reporting_aws_${table} -- reads --> reporting_sync`), table);
        }
        assert.strictEqual(edges.filter((e) => e.endsWith("-- saved in --> reporting_workgroup")).length, 9);
        assert.ok(edges.includes("reporting_workgroup -- results to --> reporting_results"));
    });

    it("prod: its Resource Data Sync goes to the bucket of the reporting stack it references", async () => {
        assert.ok(
            (await edgesOf("prod")).includes(
                "lab_inventory_sync -- syncs to the bucket of --> organization_oe_lab_ipm_reporting",
            ),
        );
    });
});

describe("plan as a command", () => {
    it("exits non-zero with the validation message and nothing else for a broken stack file", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "oelab-project-"));
        fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        fs.writeFileSync(
            path.join(dir, "Pulumi.broken.yaml"),
            [
                "config:",
                "  aws:region: ap-northeast-1",
                "  oe-lab-ipm:workload: Broken",
                "  oe-lab-ipm:network:",
                "    sourceCidr: 0.0.0.0/0",
                "  oe-lab-ipm:maintenanceWindow:",
                "    cutoff: 2",
                "",
            ].join("\n"),
        );
        const args = [CLI, "--stack", "broken", "--project-dir", dir];
        const result = spawnSync(process.execPath, args, { encoding: "utf8" });
        assert.strictEqual(result.status, 2);
        assert.strictEqual(result.stdout, "");
        assert.strictEqual(
            result.stderr,
            [
                ...[runtimeVerdict(process.versions.node)?.message ?? []].flat(), // Node.js 20: one line says so
                'Invalid config for stack "broken" (2 problems):',
                '  - oe-lab-ipm:network.sourceCidr = "0.0.0.0/0": SSH must not be open to the whole internet; use your own address, e.g. 203.0.113.10/32, or leave it unset and use Session Manager',
                "  - oe-lab-ipm:maintenanceWindow.cutoff = 2: must be less than the duration (1 hour)",
                "",
            ].join("\n"),
        );
    });
    it("names a missing stack file", async () => {
        const result = await plan("--stack", "staging");
        assert.strictEqual(result.code, 2);
        assert.strictEqual(
            result.stderr,
            `No stack file ${path.join(PROJECT_ROOT, "Pulumi.staging.yaml")}: a stack named "staging" needs a Pulumi.staging.yaml beside Pulumi.yaml. The stacks here: existing, mixed, prod, reporting, test.\n`,
        );
    });
    it("--check holds the stack's requests against AWS's API models, for what-if configs too", async () => {
        const whatIf = ["-c", "fleet.groups.0.count=60", "-c", "maintenanceWindow.maxConcurrency=50%"];
        const result = await plan("--stack", "prod", "--check", ...whatIf);
        assert.strictEqual(result.code, 0, result.stderr);
        assert.match(
            result.stdout,
            /\nAPI contract: every request of the 154 resources to create passes AWS's API models \(botocore \d+\.\d+\.\d+ \(generated by tools\/contract\/generate-models\.py\)\)\.\n$/,
        );
    });
    it("takes config overrides for what-if plans", async () => {
        const result = await plan(
            "--stack",
            "test",
            "-c",
            "fleet.groups.0.count=3",
            "-c",
            "alerts.emails=[ops@example.com]",
        );
        assert.match(result.stdout, /^ {2}aws:ec2\/instance:Instance\s+5$/m);
        assert.ok(result.stdout.includes("email ops@example.com (pending until confirmed)"));
    });
});
