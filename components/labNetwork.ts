import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { parseIpv4Cidr } from "./cidr";
import { ArgumentError, countProblem } from "./validation";
import { componentToken, withFormerToken } from "./tokens";

export const DEFAULT_VPC_CIDR = "10.0.0.0/16";
export const DEFAULT_AVAILABILITY_ZONES = 2;
/** Each availability zone gets one public subnet of this size (the lab's subnet is a /24). */
export const SUBNET_CIDR_MASK = 24;
/**
 * AWS reserves the first four addresses and the last of every subnet ("Subnet CIDR blocks", Amazon
 * VPC User Guide): a /24 holds 251 instances.
 */
export const SUBNET_RESERVED_ADDRESSES = 5;
export const SUBNET_CAPACITY = 2 ** (32 - SUBNET_CIDR_MASK) - SUBNET_RESERVED_ADDRESSES;

/** Why a subnet cannot hold this many instances (one address each), or undefined. */
export function subnetCapacityProblem(instances: number): string | undefined {
    return instances > SUBNET_CAPACITY
        ? `puts ${instances} instances in one /${SUBNET_CIDR_MASK} subnet, which has ${SUBNET_CAPACITY} addresses (AWS reserves ${SUBNET_RESERVED_ADDRESSES}); use more availability zones or fewer instances`
        : undefined;
}

/**
 * Egress the instances need: HTTPS to the Systems Manager, S3 and package endpoints, HTTP for
 * package mirrors (the lab's network ACL allows the same two ports out). The AWS provider removes
 * the default allow-all egress rule of a new security group, so these are the only ones.
 */
export const EGRESS_PORTS = [443, 80] as const;

export interface LabNetworkArgs {
    /** The VPC's IPv4 block. Default `10.0.0.0/16` (the lab's). */
    vpcCidr?: string;
    /** Availability zones, one public subnet in each. Default 2. */
    availabilityZones?: number;
    /**
     * The one block allowed in on SSH (22) and HTTP (80): the lab's `SourceLocation`. Unset: no
     * ingress rule at all. A /0 block is refused: SSH must never be open to the internet.
     */
    sourceCidr?: string;
    /** A block allowed in on HTTP (80) only, instead of `sourceCidr` (may be `0.0.0.0/0`). */
    httpSourceCidr?: string;
    /** Tags for every taggable resource. */
    tags?: Record<string, string>;
}

/** Throws on arguments AWS would refuse or that would open SSH to the world. */
export function validateLabNetworkArgs(args: LabNetworkArgs): void {
    const problems: (string | undefined)[] = [countProblem("availabilityZones", args.availabilityZones, 1)];
    for (const field of ["vpcCidr", "sourceCidr", "httpSourceCidr"] as const) {
        const value = args[field];
        const parsed = value === undefined ? undefined : parseIpv4Cidr(value);
        if (typeof parsed === "string") {
            problems.push(`${field} ${JSON.stringify(value)} ${parsed}`);
        }
        if (field === "sourceCidr" && typeof parsed === "object" && parsed.prefix === 0) {
            problems.push(`sourceCidr ${JSON.stringify(value)} would open SSH to the whole internet`);
        }
    }
    ArgumentError.throwIfAny("LabNetwork", problems);
}

/**
 * The lab's network: a VPC with one public subnet per availability zone (no NAT gateway; the
 * instances reach Systems Manager through the internet gateway), and the instances' security
 * group, which admits nothing unless a source block is configured.
 */
export class LabNetwork extends pulumi.ComponentResource {
    /** The VPC's id. */
    public readonly vpcId: pulumi.Output<string>;
    /** The public subnets, one per availability zone. */
    public readonly publicSubnetIds: pulumi.Output<string[]>;
    /** The instances' security group. */
    public readonly securityGroupId: pulumi.Output<string>;

    constructor(name: string, args: LabNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentToken("LabNetwork"), name, {}, withFormerToken("oelab:network:LabNetwork", opts));
        validateLabNetworkArgs(args);
        const vpcCidr = args.vpcCidr ?? DEFAULT_VPC_CIDR;
        const availabilityZones = args.availabilityZones ?? DEFAULT_AVAILABILITY_ZONES;
        const tags = args.tags ?? {};

        const vpc = new awsx.ec2.Vpc(
            `${name}-vpc`,
            {
                cidrBlock: vpcCidr,
                numberOfAvailabilityZones: availabilityZones,
                subnetStrategy: "Auto",
                subnetSpecs: [{ type: "Public", cidrMask: SUBNET_CIDR_MASK }],
                natGateways: { strategy: "None" },
                enableDnsHostnames: true,
                enableDnsSupport: true,
                tags,
            },
            { parent: this },
        );

        const securityGroup = new aws.ec2.SecurityGroup(
            `${name}-instances`,
            {
                vpcId: vpc.vpcId,
                description: "OE lab IPM instances: HTTP and SSH from the configured source only",
                tags,
            },
            { parent: this },
        );

        const ingress: { port: number; cidr: string | undefined; what: string }[] = [
            { port: 22, cidr: args.sourceCidr, what: "SSH" },
            { port: 80, cidr: args.httpSourceCidr ?? args.sourceCidr, what: "HTTP" },
        ];
        for (const rule of ingress.filter((r) => r.cidr !== undefined)) {
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-${rule.what.toLowerCase()}-in`,
                {
                    securityGroupId: securityGroup.id,
                    description: `${rule.what} from the configured source`,
                    ipProtocol: "tcp",
                    fromPort: rule.port,
                    toPort: rule.port,
                    cidrIpv4: rule.cidr,
                    tags,
                },
                { parent: this },
            );
        }
        for (const port of EGRESS_PORTS) {
            new aws.vpc.SecurityGroupEgressRule(
                `${name}-tcp${port}-out`,
                {
                    securityGroupId: securityGroup.id,
                    description:
                        port === 443
                            ? "HTTPS to Systems Manager, S3 and package repositories"
                            : "HTTP to package mirrors",
                    ipProtocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    cidrIpv4: "0.0.0.0/0",
                    tags,
                },
                { parent: this },
            );
        }

        this.vpcId = vpc.vpcId;
        this.publicSubnetIds = vpc.publicSubnetIds;
        this.securityGroupId = securityGroup.id;
        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            securityGroupId: this.securityGroupId,
        });
    }
}
