import * as assert from "assert";
import { OPERATING_SYSTEM_SPECS } from "../components/operatingSystems";
import {
    labGroups,
    MOCK_ACCOUNT,
    mockAmiId,
    ofType,
    RecordedResource,
    runStack,
    single,
    STACK_FILES,
    STACKS,
    StackRun,
} from "./harness";

const INSTANCE = "aws:ec2/instance:Instance";
const AL2023_X86 = OPERATING_SYSTEM_SPECS.AMAZON_LINUX_2023.amiParameter.x86_64;

function instancesByName(run: StackRun): Map<string, RecordedResource> {
    return new Map(ofType(run, INSTANCE).map((i) => [i.inputs.tags.Name as string, i]));
}

for (const stack of STACKS) {
    const { workload, patchGroup } = STACK_FILES[stack];

    describe(`ManagedFleet (${stack} stack)`, () => {
        let run: StackRun;
        let instances: Map<string, RecordedResource>;
        before(async () => {
            run = await runStack(stack);
            instances = instancesByName(run);
        });

        it("creates exactly the lab's four instances: two web servers and two app servers", () => {
            assert.deepStrictEqual([...instances.keys()].sort(), [
                `${workload}-App1`,
                `${workload}-App2`,
                `${workload}-Web1`,
                `${workload}-Web2`,
            ]);
            assert.strictEqual(ofType(run, INSTANCE).length, 4);
        });

        it("tags every instance with the lab's exact keys and values", () => {
            for (const [name, instance] of instances) {
                assert.deepStrictEqual(instance.inputs.tags, {
                    Name: name,
                    Environment: "OELabIPM",
                    Workload: workload,
                    InstanceRole: name.includes("-Web") ? "WebServer" : "AppServer",
                    "Patch Group": patchGroup,
                    SSMManaged: "True",
                    Confidentiality: "Public",
                    Application: `oe-lab-ipm/${stack}`,
                });
            }
        });

        it("runs current-generation t3.micro instances from the latest Amazon Linux 2023 AMI", () => {
            for (const instance of instances.values()) {
                assert.strictEqual(instance.inputs.instanceType, "t3.micro");
                assert.strictEqual(instance.inputs.ami, mockAmiId(AL2023_X86));
            }
        });

        it("spreads each role over the public subnets with public IPs, in the instances' security group", () => {
            const subnets: string[] = single(run, "awsx:ec2:Vpc").state.publicSubnetIds;
            const sg = single(run, "aws:ec2/securityGroup:SecurityGroup").id;
            for (const [name, instance] of instances) {
                const index = Number(name.slice(-1)) - 1;
                assert.strictEqual(instance.inputs.subnetId, subnets[index % subnets.length], name);
                assert.strictEqual(instance.inputs.associatePublicIpAddress, true);
                assert.deepStrictEqual(instance.inputs.vpcSecurityGroupIds, [sg]);
            }
            assert.notStrictEqual(
                instances.get(`${workload}-Web1`)!.inputs.subnetId,
                instances.get(`${workload}-Web2`)!.inputs.subnetId,
            );
        });

        it("requires IMDSv2, encrypts root volumes, and needs no key pair", () => {
            for (const instance of instances.values()) {
                assert.deepStrictEqual(instance.inputs.metadataOptions, {
                    httpEndpoint: "enabled",
                    httpTokens: "required",
                    httpPutResponseHopLimit: 1,
                    instanceMetadataTags: "disabled",
                });
                assert.deepStrictEqual(instance.inputs.rootBlockDevice, {
                    encrypted: true,
                    volumeType: "gp3",
                    deleteOnTermination: true,
                });
                assert.strictEqual(instance.inputs.keyName, undefined);
            }
        });

        it("installs and serves httpd on the web servers only, by plain user data", () => {
            for (const [name, instance] of instances) {
                if (name.includes("-App")) {
                    assert.strictEqual(instance.inputs.userData, undefined);
                    continue;
                }
                assert.strictEqual(
                    instance.inputs.userData,
                    [
                        "#!/bin/bash",
                        "set -euo pipefail",
                        "dnf install -y httpd",
                        "systemctl enable --now httpd",
                        `echo '<h1>OE Lab IPM: ${name}</h1>' > /var/www/html/index.html`,
                        "",
                    ].join("\n"),
                );
            }
        });

        it("gives every instance the profile of a role trusted by EC2 with AmazonSSMManagedInstanceCore", () => {
            const role = single(run, "aws:iam/role:Role", "lab-fleet-role");
            assert.strictEqual(role.inputs.namePrefix, `ManagedInstancesRole-${workload}-`);
            assert.deepStrictEqual(JSON.parse(role.inputs.assumeRolePolicy), {
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
            });
            const attachment = single(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "lab-fleet-ssm-core");
            assert.strictEqual(attachment.inputs.role, role.state.name);
            assert.strictEqual(attachment.inputs.policyArn, "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore");
            const profile = single(run, "aws:iam/instanceProfile:InstanceProfile");
            assert.strictEqual(profile.inputs.role, role.state.name);
            for (const instance of instances.values()) {
                assert.strictEqual(instance.inputs.iamInstanceProfile, profile.state.name);
            }
        });

        it("exports the lab's URLs and the operator's ids", () => {
            const web1 = instances.get(`${workload}-Web1`)!;
            const web2 = instances.get(`${workload}-Web2`)!;
            assert.strictEqual(run.outputs.PrimaryURL, `http://${web1.state.publicIp}`);
            assert.strictEqual(run.outputs.SecondaryURL, `http://${web2.state.publicIp}`);
            assert.deepStrictEqual(run.outputs.WebServerInstanceIds, [web1.id, web2.id]);
            assert.deepStrictEqual(run.outputs.AppServerInstanceIds, [
                instances.get(`${workload}-App1`)!.id,
                instances.get(`${workload}-App2`)!.id,
            ]);
            assert.match(
                String(run.outputs.InstanceRoleArn),
                new RegExp(`^arn:aws:iam::${MOCK_ACCOUNT}:role/ManagedInstancesRole-${workload}-`),
            );
        });
    });
}

describe("ManagedFleet options", () => {
    it("scales each role and its instance type through config", async () => {
        const run = await runStack("test", {
            "fleet.groups": labGroups({
                Web: { count: 3, instanceType: "t3.small" },
                App: { count: 1, instanceType: "m7i.large" },
            }),
        });
        const types = [...instancesByName(run)].map(([name, i]) => `${name}:${i.inputs.instanceType}`).sort();
        assert.deepStrictEqual(types, [
            "Test-App1:m7i.large",
            "Test-Web1:t3.small",
            "Test-Web2:t3.small",
            "Test-Web3:t3.small",
        ]);
        assert.strictEqual(run.outputs.PrimaryURL, `http://${instancesByName(run).get("Test-Web1")!.state.publicIp}`);
    });

    it("takes the arm64 AMI for Graviton instance types", async () => {
        const run = await runStack("test", { "fleet.groups": labGroups({ App: { instanceType: "t4g.micro" } }) });
        const amis = instancesByName(run);
        assert.strictEqual(
            amis.get("Test-App1")!.inputs.ami,
            mockAmiId(OPERATING_SYSTEM_SPECS.AMAZON_LINUX_2023.amiParameter.arm64),
        );
        assert.strictEqual(amis.get("Test-Web1")!.inputs.ami, mockAmiId(AL2023_X86));
    });

    it("switches AMI and package manager together with the operating system", async () => {
        const run = await runStack("test", {
            "fleet.groups": labGroups({
                Web: { operatingSystem: "AMAZON_LINUX_2" },
                App: { operatingSystem: "AMAZON_LINUX_2" },
            }),
        });
        const web1 = instancesByName(run).get("Test-Web1")!;
        assert.strictEqual(web1.inputs.ami, mockAmiId(OPERATING_SYSTEM_SPECS.AMAZON_LINUX_2.amiParameter.x86_64));
        assert.match(web1.inputs.userData, /^yum install -y httpd$/m);
    });

    it("uses a pinned AMI and an existing key pair when configured", async () => {
        const pinned = { amiId: "ami-0123456789abcdef0" };
        const run = await runStack("prod", {
            "fleet.groups": labGroups({ Web: pinned, App: pinned }),
            "fleet.keyName": "OELabIPM",
        });
        for (const instance of ofType(run, INSTANCE)) {
            assert.strictEqual(instance.inputs.ami, "ami-0123456789abcdef0");
            assert.strictEqual(instance.inputs.keyName, "OELabIPM");
        }
    });

    it("adds the user's stack tags (the lab's Owner) to every taggable resource", async () => {
        const run = await runStack("test", { tags: { Owner: "jane@example.com" } });
        const tagged = run.resources.filter((r) => r.inputs.tags !== undefined);
        assert.ok(tagged.length >= 8, `${tagged.length} tagged resources`);
        for (const resource of tagged) {
            assert.strictEqual(resource.inputs.tags.Owner, "jane@example.com", resource.name);
        }
    });
});

describe("ManagedFleet day 2: a later pulumi up keeps the instances' AMI", () => {
    for (const stack of STACKS) {
        it(`${stack}: every instance takes the latest AMI when created, and ignores later releases (ignoreChanges: ami)`, async () => {
            const instances = ofType(await runStack(stack), INSTANCE);
            assert.strictEqual(instances.length, 4);
            for (const instance of instances) {
                assert.strictEqual(instance.inputs.ami, mockAmiId(AL2023_X86));
                assert.deepStrictEqual(instance.options.ignoreChanges, ["ami"], instance.name);
            }
        });
    }

    it("follows new AMIs only when told to (fleet.followLatestAmi: the instances are replaced)", async () => {
        for (const instance of ofType(await runStack("test", { "fleet.followLatestAmi": true }), INSTANCE)) {
            assert.deepStrictEqual(instance.options.ignoreChanges, [], instance.name);
            assert.strictEqual(instance.inputs.ami, mockAmiId(AL2023_X86));
        }
    });

    it("applies a pinned amiId, and a changed pin, to every instance (nothing ignored)", async () => {
        for (const pin of ["ami-0123456789abcdef0", "ami-0fedcba9876543210"]) {
            for (const instance of ofType(
                await runStack("prod", { "fleet.groups": labGroups({ Web: { amiId: pin }, App: { amiId: pin } }) }),
                INSTANCE,
            )) {
                assert.strictEqual(instance.inputs.ami, pin);
                assert.deepStrictEqual(instance.options.ignoreChanges, [], instance.name);
            }
        }
    });
});
