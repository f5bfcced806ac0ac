import * as assert from "assert";
import { ofType, runStack, single, STACK_FILES, STACKS, StackRun } from "./harness";

const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";

/** The rules of the instances' security group as comparable rows. */
function rules(run: StackRun, type: string) {
    const groupId = single(run, SECURITY_GROUP).id;
    return ofType(run, type)
        .map((r) => {
            assert.strictEqual(r.inputs.securityGroupId, groupId, `${r.name} belongs to the instances' group`);
            return {
                protocol: r.inputs.ipProtocol,
                from: r.inputs.fromPort,
                to: r.inputs.toPort,
                cidr: r.inputs.cidrIpv4,
            };
        })
        .sort((a, b) => a.from - b.from);
}

for (const stack of STACKS) {
    describe(`LabNetwork (${stack} stack)`, () => {
        let run: StackRun;
        before(async () => {
            run = await runStack(stack);
        });

        it("builds the VPC through awsx: the lab's CIDR, one public /24 per AZ in two AZs, no NAT gateway", () => {
            const vpc = single(run, "awsx:ec2:Vpc");
            assert.strictEqual(vpc.name, "lab-network-vpc");
            assert.strictEqual(vpc.inputs.cidrBlock, "10.0.0.0/16");
            assert.strictEqual(vpc.inputs.numberOfAvailabilityZones, 2);
            assert.strictEqual(vpc.inputs.subnetStrategy, "Auto");
            assert.deepStrictEqual(vpc.inputs.subnetSpecs, [{ type: "Public", cidrMask: 24 }]);
            assert.deepStrictEqual(vpc.inputs.natGateways, { strategy: "None" });
            assert.strictEqual(vpc.inputs.enableDnsHostnames, true);
            assert.strictEqual(vpc.inputs.tags.Workload, STACK_FILES[stack].workload);
        });

        it("admits nothing when no source CIDR is configured (the committed stack files set none)", () => {
            assert.deepStrictEqual(rules(run, INGRESS), []);
        });

        it("lets the instances out on HTTPS and HTTP only", () => {
            assert.deepStrictEqual(rules(run, EGRESS), [
                { protocol: "tcp", from: 80, to: 80, cidr: "0.0.0.0/0" },
                { protocol: "tcp", from: 443, to: 443, cidr: "0.0.0.0/0" },
            ]);
        });

        it("puts the security group in the lab's VPC", () => {
            assert.strictEqual(single(run, SECURITY_GROUP).inputs.vpcId, run.outputs.VpcId);
            assert.strictEqual(run.outputs.SecurityGroupId, single(run, SECURITY_GROUP).id);
        });
    });
}

describe("LabNetwork ingress from configured sources", () => {
    it("opens SSH (22) and HTTP (80) to exactly the lab's SourceLocation", async () => {
        const run = await runStack("test", { "network.sourceCidr": "203.0.113.10/32" });
        assert.deepStrictEqual(rules(run, INGRESS), [
            { protocol: "tcp", from: 22, to: 22, cidr: "203.0.113.10/32" },
            { protocol: "tcp", from: 80, to: 80, cidr: "203.0.113.10/32" },
        ]);
    });

    it("lets HTTP alone be opened wider, for a public web page, while SSH stays narrow", async () => {
        const run = await runStack("prod", {
            "network.sourceCidr": "198.51.100.0/24",
            "network.httpSourceCidr": "0.0.0.0/0",
        });
        assert.deepStrictEqual(rules(run, INGRESS), [
            { protocol: "tcp", from: 22, to: 22, cidr: "198.51.100.0/24" },
            { protocol: "tcp", from: 80, to: 80, cidr: "0.0.0.0/0" },
        ]);
    });

    it("honours a configured VPC CIDR and number of availability zones", async () => {
        const run = await runStack("test", { "network.vpcCidr": "10.20.0.0/20", "network.availabilityZones": 3 });
        const vpc = single(run, "awsx:ec2:Vpc");
        assert.strictEqual(vpc.inputs.cidrBlock, "10.20.0.0/20");
        assert.strictEqual(vpc.inputs.numberOfAvailabilityZones, 3);
    });
});
