import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsManagedPolicyArn, rolePrefixProblem, serviceTrustPolicy } from "./iam";
import { architectureOf, Architecture, OPERATING_SYSTEM_SPECS, OperatingSystem } from "./operatingSystems";
import { ArgumentError, countProblem } from "./validation";

/** The lab's tag keys. `Patch Group` has a space and is case sensitive: Patch Manager reads it. */
export const TAG = {
    name: "Name",
    environment: "Environment",
    workload: "Workload",
    instanceRole: "InstanceRole",
    patchGroup: "Patch Group",
    ssmManaged: "SSMManaged",
    confidentiality: "Confidentiality",
} as const;

export type FleetRole = "WebServer" | "AppServer";

export const DEFAULT_OPERATING_SYSTEM: OperatingSystem = "AMAZON_LINUX_2023";
export const DEFAULT_INSTANCE_COUNT = 2;
export const DEFAULT_INSTANCE_TYPE = "t3.micro";
export const DEFAULT_ENVIRONMENT = "OELabIPM";
export const DEFAULT_PATCH_GROUP = "Critical";
export const DEFAULT_CONFIDENTIALITY = "Public";
/** Instances keep the AMI they were created with. */
export const DEFAULT_FOLLOW_LATEST_AMI = false;

/** The lab's role name, as the prefix of each stack's role and instance profile. */
export const INSTANCE_ROLE_PREFIX = "ManagedInstancesRole-";

/** The AWS managed policy that makes an instance a Systems Manager managed node. */
export const SSM_CORE_POLICY = "AmazonSSMManagedInstanceCore";

/** `Name` tag suffixes, as in the lab: `Test-Web1`, `Test-App2`. */
const NAME_SUFFIX: Record<FleetRole, string> = { WebServer: "Web", AppServer: "App" };

export interface FleetGroupArgs {
    /** How many instances of this role. Default 2 (the lab's). */
    count?: number;
    /** The EC2 instance type. Default `t3.micro` (the lab's `t2.micro` is a previous generation). */
    instanceType?: string;
}

export interface ManagedFleetArgs {
    /** The workload name (`Test`, `Prod`): the `Workload` tag, and part of names. Required. */
    workload: string;
    /** The subnets to spread the instances over, round robin per role. Required. */
    subnetIds: pulumi.Input<string[]>;
    /** Security groups of every instance. Required. */
    securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Picks the AMI (the latest of this OS, from its public SSM parameter). Default `AMAZON_LINUX_2023`. */
    operatingSystem?: OperatingSystem;
    /** Web servers: they install and serve httpd. Default 2 of `t3.micro`. */
    webServers?: FleetGroupArgs;
    /** App servers. Default 2 of `t3.micro`. */
    appServers?: FleetGroupArgs;
    /** Pin an AMI instead of looking up the latest (it must be of `operatingSystem`). A changed pin replaces the instances. */
    amiId?: pulumi.Input<string>;
    /**
     * Without a pinned `amiId`, each instance takes the latest AMI when it is created and keeps it:
     * later AMI releases do not replace it (`ignoreChanges: ["ami"]`). `true` follows the latest
     * AMI, replacing every instance when AWS publishes one: set it for the one `pulumi up` that
     * rolls the fleet (or changes `operatingSystem`), then back. Default `false`.
     */
    followLatestAmi?: boolean;
    /** An existing EC2 key pair for SSH. Default none: Session Manager needs no key. */
    keyName?: pulumi.Input<string>;
    /** The `Environment` tag value. Default `OELabIPM`. */
    environment?: string;
    /** The `Patch Group` tag value. Default `Critical`. */
    patchGroup?: string;
    /** The `Confidentiality` tag value. Default `Public`. */
    confidentiality?: string;
    /** Tags for every taggable resource; the lab's instance tags are added on top. */
    tags?: Record<string, string>;
}

/** Throws on arguments that cannot make a fleet. */
export function validateManagedFleetArgs(args: ManagedFleetArgs): void {
    ArgumentError.throwIfAny("ManagedFleet", [
        args.workload ? rolePrefixProblem("workload", `${INSTANCE_ROLE_PREFIX}${args.workload}-`) : "workload must be a non-empty name",
        args.operatingSystem === undefined || args.operatingSystem in OPERATING_SYSTEM_SPECS
            ? undefined
            : `operatingSystem ${JSON.stringify(args.operatingSystem)} must be one of ${Object.keys(OPERATING_SYSTEM_SPECS).join(", ")}`,
        countProblem("webServers.count", args.webServers?.count, 1),
        countProblem("appServers.count", args.appServers?.count, 1),
        args.patchGroup === "" ? "patchGroup must not be empty" : undefined,
    ]);
}

/** One instance of the fleet, as the other components and the stack outputs see it. */
export interface FleetInstance {
    readonly role: FleetRole;
    /** The `Name` tag: `Test-Web1`. */
    readonly name: string;
    readonly instance: aws.ec2.Instance;
}

/**
 * The lab's managed instances: web and app servers with the lab's tags, an instance role for
 * Systems Manager, IMDSv2 only, encrypted root volumes, public IPs in the public subnets.
 */
export class ManagedFleet extends pulumi.ComponentResource {
    public readonly instances: readonly FleetInstance[];
    public readonly webServerIds: pulumi.Output<string[]>;
    public readonly appServerIds: pulumi.Output<string[]>;
    /** `http://<public IP>` of every web server, in order. */
    public readonly webServerUrls: pulumi.Output<string[]>;
    public readonly role: aws.iam.Role;
    public readonly roleArn: pulumi.Output<string>;
    /** The OS every instance runs: the patch baseline must be for the same one. */
    public readonly operatingSystem: OperatingSystem;
    /** The `Patch Group` tag value of every instance: register exactly this group to the baseline. */
    public readonly patchGroup: string;
    /** The tags every instance carries whatever its role (what inventory and patching target). */
    public readonly fleetTags: Readonly<Record<string, string>>;

    constructor(name: string, args: ManagedFleetArgs, opts?: pulumi.ComponentResourceOptions) {
        super("oelab:fleet:ManagedFleet", name, {}, opts);
        validateManagedFleetArgs(args);
        const operatingSystem = args.operatingSystem ?? DEFAULT_OPERATING_SYSTEM;
        const os = OPERATING_SYSTEM_SPECS[operatingSystem];
        const tags = args.tags ?? {};
        const fleetTags = {
            ...tags,
            [TAG.environment]: args.environment ?? DEFAULT_ENVIRONMENT,
            [TAG.workload]: args.workload,
            [TAG.patchGroup]: args.patchGroup ?? DEFAULT_PATCH_GROUP,
            [TAG.ssmManaged]: "True",
            [TAG.confidentiality]: args.confidentiality ?? DEFAULT_CONFIDENTIALITY,
        };

        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                // IAM names are account-wide: the workload and a random suffix keep two stacks apart.
                namePrefix: `${INSTANCE_ROLE_PREFIX}${args.workload}-`,
                description: `Lets the ${args.workload} lab instances register with Systems Manager`,
                assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com"),
                tags,
            },
            { parent: this },
        );
        const ssmCore = new aws.iam.RolePolicyAttachment(
            `${name}-ssm-core`,
            { role: role.name, policyArn: awsManagedPolicyArn(partition, SSM_CORE_POLICY) },
            { parent: this },
        );
        const profile = new aws.iam.InstanceProfile(
            `${name}-profile`,
            { namePrefix: `${INSTANCE_ROLE_PREFIX}${args.workload}-`, role: role.name, tags },
            { parent: this },
        );

        const keepAmi = args.amiId === undefined && !(args.followLatestAmi ?? DEFAULT_FOLLOW_LATEST_AMI);
        const amis = new Map<Architecture, pulumi.Input<string>>();
        const amiFor = (architecture: Architecture): pulumi.Input<string> => {
            if (args.amiId !== undefined) {
                return args.amiId;
            }
            if (!amis.has(architecture)) {
                // insecureValue: a public AMI id is no secret, and `value` would mark the instance's ami secret.
                const parameter = aws.ssm.getParameterOutput({ name: os.amiParameter[architecture] }, { parent: this });
                amis.set(architecture, parameter.insecureValue);
            }
            return amis.get(architecture)!;
        };

        const groups: [FleetRole, FleetGroupArgs | undefined][] = [
            ["WebServer", args.webServers],
            ["AppServer", args.appServers],
        ];
        const instances: FleetInstance[] = [];
        for (const [fleetRole, group] of groups) {
            const instanceType = group?.instanceType ?? DEFAULT_INSTANCE_TYPE;
            const count = group?.count ?? DEFAULT_INSTANCE_COUNT;
            for (let i = 0; i < count; i++) {
                const tagName = `${args.workload}-${NAME_SUFFIX[fleetRole]}${i + 1}`;
                const instance = new aws.ec2.Instance(
                    `${name}-${NAME_SUFFIX[fleetRole].toLowerCase()}${i + 1}`,
                    {
                        ami: amiFor(architectureOf(instanceType)),
                        instanceType,
                        subnetId: pulumi.output(args.subnetIds).apply((ids) => ids[i % ids.length]),
                        vpcSecurityGroupIds: args.securityGroupIds,
                        associatePublicIpAddress: true,
                        iamInstanceProfile: profile.name,
                        keyName: args.keyName,
                        metadataOptions: {
                            httpEndpoint: "enabled",
                            httpTokens: "required", // IMDSv2 only
                            httpPutResponseHopLimit: 1,
                            // Tags in instance metadata do not allow keys with spaces, like `Patch Group`.
                            instanceMetadataTags: "disabled",
                        },
                        rootBlockDevice: { encrypted: true, volumeType: "gp3", deleteOnTermination: true },
                        userData: fleetRole === "WebServer" ? webServerUserData(os.packageManager, tagName) : undefined,
                        tags: { ...fleetTags, [TAG.name]: tagName, [TAG.instanceRole]: fleetRole },
                    },
                    // The role must carry its policy before the agent first asks for credentials.
                    // A looked-up AMI is decided when the instance is created; a new release must not
                    // replace it (and what runs on it) in an unrelated update. Pulumi keeps an ignored
                    // property's value from the state, even for a replacement: rolling to a newer AMI
                    // is followLatestAmi (or a pinned amiId), not `pulumi up --replace` alone.
                    { parent: this, dependsOn: [ssmCore], ignoreChanges: keepAmi ? ["ami"] : [] },
                );
                instances.push({ role: fleetRole, name: tagName, instance });
            }
        }

        const idsOf = (fleetRole: FleetRole) => pulumi.all(instances.filter((i) => i.role === fleetRole).map((i) => i.instance.id));
        this.instances = instances;
        this.webServerIds = idsOf("WebServer");
        this.appServerIds = idsOf("AppServer");
        this.webServerUrls = pulumi.all(instances.filter((i) => i.role === "WebServer").map((i) => pulumi.interpolate`http://${i.instance.publicIp}`));
        this.role = role;
        this.roleArn = role.arn;
        this.operatingSystem = operatingSystem;
        this.patchGroup = fleetTags[TAG.patchGroup];
        this.fleetTags = fleetTags;
        this.registerOutputs({
            webServerIds: this.webServerIds,
            appServerIds: this.appServerIds,
            webServerUrls: this.webServerUrls,
            roleArn: this.roleArn,
        });
    }
}

/** Plain user data (no cfn-init): install httpd, start it, serve a page naming the server. */
export function webServerUserData(packageManager: "dnf" | "yum", serverName: string): string {
    return [
        "#!/bin/bash",
        "set -euo pipefail",
        `${packageManager} install -y httpd`,
        "systemctl enable --now httpd",
        `echo '<h1>OE Lab IPM: ${serverName}</h1>' > /var/www/html/index.html`,
        "",
    ].join("\n");
}
