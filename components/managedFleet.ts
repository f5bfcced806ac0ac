import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsManagedPolicyArn, rolePrefixProblem, serviceTrustPolicy } from "./iam";
import {
    architectureOf,
    instanceTypeProblem,
    isOperatingSystem,
    OPERATING_SYSTEM_SPECS,
    OperatingSystem,
    OperatingSystemSpec,
} from "./operatingSystems";
import { ArgumentError, countProblem, fieldProblem } from "./validation";
import { componentToken, withFormerToken } from "./tokens";

export const DEFAULT_INSTANCE_TYPE = "t3.micro";
/** Instances keep the AMI they were created with. */
export const DEFAULT_FOLLOW_LATEST_AMI = false;
/** The AWS managed policy that makes an instance a Systems Manager managed node. */
export const SSM_CORE_POLICY = "AmazonSSMManagedInstanceCore";
/** Group names make instance names (`Test-Web1`) and logical names (`lab-fleet-web1`). */
const GROUP_NAME = /^[A-Za-z][A-Za-z0-9]{0,15}$/;

export interface FleetGroup {
    /**
     * The group's name: instances are `<namePrefix>-<name><n>` (`Test-Web1`). Letters and digits, starting with a
     * letter. Required.
     */
    name: string;
    /** How many instances. Required, at least 1. */
    count: number;
    /** The OS they run: it picks the AMI (the latest, from its public SSM parameter) and the user data. Required. */
    operatingSystem: OperatingSystem;
    /** The EC2 instance type. Default `t3.micro`. */
    instanceType?: string;
    /** Serve a web page naming the instance (httpd on Linux, IIS on Windows). Default false. */
    webServer?: boolean;
    /** Pin an AMI (of `operatingSystem`) instead of the latest. A changed pin replaces the group's instances. */
    amiId?: pulumi.Input<string>;
    /** Tags of this group's instances only, e.g. `{ InstanceRole: "WebServer" }`. */
    tags?: Record<string, string>;
}

export interface ManagedFleetArgs {
    /** Instances are named `<namePrefix>-<group><n>` (their `Name` tag), like the lab's `Test-Web1`. Required. */
    namePrefix: string;
    /**
     * The prefix of the instance role's and profile's names, like `ManagedInstancesRole-Test-` (IAM adds 26
     * characters). Required.
     */
    roleNamePrefix: string;
    /** The instance groups, each of one OS and type. Required, at least one. */
    groups: FleetGroup[];
    /** The subnets to spread each group over, round robin. Required. */
    subnetIds: pulumi.Input<string[]>;
    /** Security groups of every instance. Required. */
    securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Without a pinned `amiId`, each instance takes the latest AMI when it is created and keeps it:
     * later AMI releases do not replace it (`ignoreChanges: ["ami"]`). `true` follows the latest
     * AMI, replacing every instance when AWS publishes one: set it for the one `pulumi up` that
     * rolls the fleet (or changes an OS), then back. Default `false`.
     */
    followLatestAmi?: boolean;
    /** An existing EC2 key pair for SSH. Default none: Session Manager needs no key. */
    keyName?: pulumi.Input<string>;
    /** Tags of every instance besides `tags`, e.g. the lab's `Environment`, `Patch Group`, `SSMManaged`. */
    instanceTags?: Record<string, string>;
    /** Tags for every taggable resource. */
    tags?: Record<string, string>;
}

/** What a group name may be: it makes instance names (`<namePrefix>-<name><n>`) and child names. */
export const GROUP_NAME_ALLOWED = "must be a letter, then up to 15 letters or digits, e.g. Web";

/** Why a group name cannot name instances, or undefined. */
export function groupNameProblem(name: string): string | undefined {
    return GROUP_NAME.test(name) ? undefined : GROUP_NAME_ALLOWED;
}

/** Group names used more than once (letter case aside: they make instance and resource names), or undefined. */
export function duplicateGroupNamesProblem(names: readonly string[]): string | undefined {
    const lower = names.map((n) => n.toLowerCase());
    const twice = [...new Set(lower.filter((n, i) => lower.indexOf(n) !== i))];
    return twice.length > 0
        ? `names ${twice.join(", ")} more than once (letter case aside); each group needs its own name`
        : undefined;
}

/**
 * EC2 resource ids: `ami-` and 8 hex digits (before 2016) or 17 (since: "Resource IDs", Amazon EC2
 * User Guide). botocore's ImageId carries no pattern, so RunInstances would take any other form and
 * fail at run time (InvalidAMIID.Malformed).
 */
export const AMI_ID_PATTERN = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;

/** Why a pinned AMI id is malformed, or undefined. */
export function amiIdProblem(amiId: string): string | undefined {
    return AMI_ID_PATTERN.test(amiId)
        ? undefined
        : "must be ami- and 8 or 17 lower-case hex digits, e.g. ami-0123456789abcdef0";
}

/** A group as the fleet-wide rules need it. */
type GroupShape = Pick<FleetGroup, "name" | "count" | "operatingSystem" | "instanceType"> & { amiId?: unknown };

/**
 * An AMI has one architecture and one platform: RunInstances refuses an instance type of another
 * architecture ("The architecture 'arm64' of the specified instance type does not match the
 * architecture 'x86_64' of the specified AMI"), and an AMI pinned for another OS would run the wrong
 * one under its name. Per pinned id used by groups that differ, the problem.
 */
export function pinnedAmiProblems(groups: readonly GroupShape[]): { ami: string; problem: string }[] {
    const byAmi = new Map<string, GroupShape[]>();
    for (const g of groups) if (typeof g.amiId === "string") byAmi.set(g.amiId, [...(byAmi.get(g.amiId) ?? []), g]);
    return [...byAmi].flatMap(([ami, users]) => {
        const kinds = new Set(
            users.map((g) => `${architectureOf(g.instanceType ?? DEFAULT_INSTANCE_TYPE)} ${g.operatingSystem}`),
        );
        if (kinds.size < 2) return [];
        const shown = users
            .map((g) => `${g.name} (${g.operatingSystem}, ${architectureOf(g.instanceType ?? DEFAULT_INSTANCE_TYPE)})`)
            .join(", ");
        return [
            {
                ami,
                problem: `is pinned for groups of different OS or architecture: ${shown}; an AMI has one of each, so pin one AMI per kind`,
            },
        ];
    });
}

/** A group's n-th instance (from 1): `<name>-<group, lower case><n>`, as the constructor names it. */
export function instanceLogicalName(name: string, group: string, n: number): string {
    return `${name}-${group.toLowerCase()}${n}`;
}

/**
 * Instance names two groups would both derive (`Web` × 11 and `Web1` make `web11` twice): Pulumi
 * refuses two resources of one URN ("Duplicate resource URN ...; try giving it a unique name",
 * pulumi/pulumi sdk/go/common/diag/errors.go), after the first has been created.
 */
export function derivedNameCollisionProblem(groups: readonly Pick<GroupShape, "name" | "count">[]): string | undefined {
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    for (const g of groups) {
        for (let n = 1; n <= g.count; n++) {
            const derived = instanceLogicalName("", g.name, n).slice(1);
            const first = owner.get(derived);
            if (first !== undefined && first.toLowerCase() !== g.name.toLowerCase())
                clashes.push(`${derived} (${first} and ${g.name})`);
            else owner.set(derived, g.name);
        }
    }
    return clashes.length === 0
        ? undefined
        : `derive the same instance names: ${clashes.slice(0, 5).join(", ")}${clashes.length > 5 ? `, and ${clashes.length - 5} more` : ""}; Pulumi refuses two resources of one name (duplicate URN): rename a group`;
}

/**
 * The largest fleet: what the API contract's what-if plans (tests/contract.spec.ts) and four /24
 * subnets hold (4 × 251). Larger fleets: manage them as an existing fleet (fleet.mode existing).
 */
export const MAX_FLEET_INSTANCES = 1000;

export function fleetSizeProblem(groups: readonly Pick<GroupShape, "count">[]): string | undefined {
    const total = groups.reduce((sum, g) => sum + g.count, 0);
    return total > MAX_FLEET_INSTANCES
        ? `add up to ${total} instances; at most ${MAX_FLEET_INSTANCES} in one stack (use fleet.mode existing for more)`
        : undefined;
}

/** Instances in the fullest subnet: each group puts its n-th instance in subnet n mod subnets (the constructor). */
export function fullestSubnetLoad(groups: readonly Pick<GroupShape, "count">[], subnets: number): number {
    return groups.reduce((sum, g) => sum + Math.ceil(g.count / subnets), 0);
}

/** Throws on arguments that cannot make a fleet. */
export function validateManagedFleetArgs(args: ManagedFleetArgs): void {
    ArgumentError.throwIfAny("ManagedFleet", [
        args.namePrefix ? undefined : "namePrefix must not be empty",
        rolePrefixProblem("roleNamePrefix", args.roleNamePrefix),
        args.groups.length > 0 ? undefined : "groups must name at least one group",
        duplicateGroupNamesProblem(args.groups.map((g) => g.name))?.replace(/^/, "groups "),
        derivedNameCollisionProblem(args.groups)?.replace(/^/, "groups "),
        fleetSizeProblem(args.groups)?.replace(/^/, "groups "),
        ...pinnedAmiProblems(args.groups).map(({ ami, problem }) => `amiId ${ami} ${problem}`),
        ...args.groups.flatMap((group, i) => {
            const at = `groups[${i}]`;
            const type = group.instanceType ?? DEFAULT_INSTANCE_TYPE;
            return [
                fieldProblem(`${at}.name`, group.name, groupNameProblem(group.name)),
                countProblem(`${at}.count`, group.count, 1),
                typeof group.amiId === "string"
                    ? amiIdProblem(group.amiId)?.replace(/^/, `${at}.amiId ${group.amiId} `)
                    : undefined,
                isOperatingSystem(group.operatingSystem)
                    ? instanceTypeProblem(type, group.operatingSystem)?.replace(/^/, `${at}.instanceType ${type} `)
                    : `${at}.operatingSystem ${JSON.stringify(group.operatingSystem)} must be one of ${Object.keys(OPERATING_SYSTEM_SPECS).join(", ")}`,
            ];
        }),
    ]);
}

/** One instance of the fleet, as the other components and the stack outputs see it. */
export interface FleetInstance {
    /** The group's name. */
    readonly group: string;
    /** The `Name` tag: `Test-Web1`. */
    readonly name: string;
    /** The OS it runs. */
    readonly operatingSystem: OperatingSystem;
    /** Whether it serves the web page. */
    readonly webServer: boolean;
    /** The EC2 instance. */
    readonly instance: aws.ec2.Instance;
}

/**
 * Managed instances in groups, each of one OS and type: an instance role for Systems Manager,
 * IMDSv2 only, encrypted root volumes, public IPs in the given subnets, the AMI each instance
 * was created with kept until a deliberate roll.
 */
export class ManagedFleet extends pulumi.ComponentResource {
    /** Every instance, with its group, Name tag and OS. */
    public readonly instances: FleetInstance[];
    /** Every instance's id, in group order. */
    public readonly instanceIds: pulumi.Output<string[]>;
    /** `http://<public IP>` of every web server, in order. */
    public readonly webServerUrls: pulumi.Output<string[]>;
    /** The instance role (AmazonSSMManagedInstanceCore attached). */
    public readonly role: aws.iam.Role;
    /** The instance role's ARN. */
    public readonly roleArn: pulumi.Output<string>;
    /** Every OS the fleet runs, once each, in the order of its groups. */
    public readonly operatingSystems: OperatingSystem[];

    constructor(name: string, args: ManagedFleetArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentToken("ManagedFleet"), name, {}, withFormerToken("oelab:fleet:ManagedFleet", opts));
        validateManagedFleetArgs(args);
        const tags = args.tags ?? {};
        const followLatestAmi = args.followLatestAmi ?? DEFAULT_FOLLOW_LATEST_AMI;

        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                // IAM names are account-wide: the caller's prefix and a random suffix keep two stacks apart.
                namePrefix: args.roleNamePrefix,
                description: `Lets the ${args.namePrefix} instances register with Systems Manager`,
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
            { namePrefix: args.roleNamePrefix, role: role.name, tags },
            { parent: this },
        );

        // One lookup per OS and architecture, shared by the groups that need it.
        const amis = new Map<string, pulumi.Output<string>>();
        const latestAmi = (operatingSystem: OperatingSystem, instanceType: string) => {
            const parameter = (OPERATING_SYSTEM_SPECS[operatingSystem] as OperatingSystemSpec).amiParameter[
                architectureOf(instanceType)
            ]!;
            if (!amis.has(parameter)) {
                // insecureValue: a public AMI id is no secret, and `value` would mark the instance's ami secret.
                amis.set(parameter, aws.ssm.getParameterOutput({ name: parameter }, { parent: this }).insecureValue);
            }
            return amis.get(parameter)!;
        };

        const instances: FleetInstance[] = [];
        for (const group of args.groups) {
            const os = OPERATING_SYSTEM_SPECS[group.operatingSystem] as OperatingSystemSpec;
            const instanceType = group.instanceType ?? DEFAULT_INSTANCE_TYPE;
            // A looked-up AMI is decided when the instance is created; a new release must not replace it
            // (and what runs on it) in an unrelated update. Pulumi keeps an ignored property's value from
            // the state, even for a replacement: rolling to a newer AMI is followLatestAmi or a pinned amiId.
            const keepAmi = group.amiId === undefined && !followLatestAmi;
            for (let i = 0; i < group.count; i++) {
                const tagName = `${args.namePrefix}-${group.name}${i + 1}`;
                const instance = new aws.ec2.Instance(
                    instanceLogicalName(name, group.name, i + 1),
                    {
                        ami: group.amiId ?? latestAmi(group.operatingSystem, instanceType),
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
                        userData: group.webServer ? os.webServerUserData(tagName) : undefined,
                        tags: { ...tags, ...args.instanceTags, ...group.tags, Name: tagName },
                    },
                    // The role must carry its policy before the agent first asks for credentials.
                    { parent: this, dependsOn: [ssmCore], ignoreChanges: keepAmi ? ["ami"] : [] },
                );
                instances.push({
                    group: group.name,
                    name: tagName,
                    operatingSystem: group.operatingSystem,
                    webServer: group.webServer === true,
                    instance,
                });
            }
        }

        this.instances = instances;
        this.instanceIds = pulumi.all(instances.map((i) => i.instance.id));
        this.webServerUrls = pulumi.all(
            instances.filter((i) => i.webServer).map((i) => pulumi.interpolate`http://${i.instance.publicIp}`),
        );
        this.role = role;
        this.roleArn = role.arn;
        this.operatingSystems = [...new Set(args.groups.map((g) => g.operatingSystem))];
        this.registerOutputs({
            instanceIds: this.instanceIds,
            webServerUrls: this.webServerUrls,
            roleArn: this.roleArn,
        });
    }
}
