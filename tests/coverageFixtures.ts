/**
 * A fleet for the coverage specs, in the shapes EC2's DescribeInstances (Reservations[].Instances[]:
 * State {Code, Name}, StateTransitionReason, IamInstanceProfile {Arn, Id}, MetadataOptions, Tags;
 * botocore ec2/2016-11-15/service-2.json, shape Instance) and Systems Manager's
 * DescribeInstanceInformation (InstanceInformation) answer, with one instance of each case the
 * issue names: managed, silent, old agent, never registered, no profile, a role without the
 * agent's policy, stopped, terminated while read, and one instance that is not in scope.
 */
import { DescribeInstancesCommand, EC2Client, Instance } from "@aws-sdk/client-ec2";
import { GetInstanceProfileCommand, IAMClient, ListAttachedRolePoliciesCommand } from "@aws-sdk/client-iam";
import { DescribeInstanceInformationCommand, DescribeInstancePatchStatesCommand } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { ssm } from "./opsFixtures";

export const ec2 = mockClient(EC2Client);
export const iam = mockClient(IAMClient);

const ACCOUNT = "123456789012";
const LAB_TAGS = [
    { Key: "Environment", Value: "OELabIPM" },
    { Key: "Workload", Value: "Test" },
];
/** IMDSv2 only, as the stack launches them (MetadataOptions as DescribeInstances returns it). */
const IMDS_V2 = {
    State: "applied" as const,
    HttpTokens: "required" as const,
    HttpPutResponseHopLimit: 2,
    HttpEndpoint: "enabled" as const,
    HttpProtocolIpv6: "disabled" as const,
    InstanceMetadataTags: "disabled" as const,
};
const LAB_PROFILE = {
    Arn: `arn:aws:iam::${ACCOUNT}:instance-profile/ManagedInstancesProfile-Test-1a2b3c4`,
    Id: "AIPAEXAMPLEPROFILE01",
};
const LAUNCHED = new Date("2026-11-20T01:00:00.000Z");
const RUNNING = { Code: 16, Name: "running" as const };

function instance(id: string, name: string, extra: Partial<Instance> = {}): Instance {
    return {
        InstanceId: id,
        InstanceType: "t3.micro",
        LaunchTime: LAUNCHED,
        State: RUNNING,
        StateTransitionReason: "",
        PlatformDetails: "Linux/UNIX",
        IamInstanceProfile: LAB_PROFILE,
        MetadataOptions: IMDS_V2,
        Tags: [{ Key: "Name", Value: name }, ...LAB_TAGS, { Key: "Patch Group", Value: "Critical" }],
        ...extra,
    };
}

export const ID = {
    web1: "i-0c0000000000000a1",
    web2: "i-0c0000000000000a2",
    app1: "i-0c0000000000000b1",
    app2: "i-0c0000000000000b2",
    hand: "i-0c0000000000000c1",
    never: "i-0c0000000000000c2",
    stopped: "i-0c0000000000000d1",
    gone: "i-0c0000000000000e1",
    other: "i-0c0000000000000f1",
};

export const FLEET: Instance[] = [
    instance(ID.web1, "Test-Web1"),
    instance(ID.web2, "Test-Web2"),
    instance(ID.app1, "Test-App1"),
    // Launched without a profile, IMDSv1 allowed.
    instance(ID.app2, "Test-App2", {
        IamInstanceProfile: undefined,
        MetadataOptions: { ...IMDS_V2, HttpTokens: "optional" },
    }),
    // Launched by hand with the stack's tags and a profile whose role lacks the agent's policy.
    instance(ID.hand, "hand-made", {
        IamInstanceProfile: {
            Arn: `arn:aws:iam::${ACCOUNT}:instance-profile/WebOnlyProfile`,
            Id: "AIPAEXAMPLEPROFILE02",
        },
    }),
    // Profile and metadata right, but the agent never registered (no route to the endpoints, say).
    instance(ID.never, "Test-Never"),
    instance(ID.stopped, "Test-Stopped", {
        State: { Code: 80, Name: "stopped" },
        StateTransitionReason: "User initiated (2026-10-01 08:00:00 GMT)",
        StateReason: {
            Code: "Client.UserInitiatedShutdown",
            Message: "Client.UserInitiatedShutdown: User initiated shutdown",
        },
    }),
    instance(ID.gone, "Test-Gone"),
    instance(ID.other, "someone-else", { Tags: [{ Key: "Name", Value: "someone-else" }] }),
];

const NOW = new Date("2026-11-28T09:00:00.000Z");
const node = (InstanceId: string, extra: object = {}) => ({
    InstanceId,
    PingStatus: "Online",
    LastPingDateTime: new Date(NOW.getTime() - 5 * 60_000),
    AgentVersion: "3.3.987.0",
    IsLatestVersion: false,
    PlatformType: "Linux",
    PlatformName: "Amazon Linux",
    PlatformVersion: "2023",
    ResourceType: "EC2Instance",
    IPAddress: "10.0.0.11",
    ComputerName: "ip-10-0-0-11.ap-northeast-1.compute.internal",
    AssociationStatus: "Success",
    SourceId: InstanceId,
    SourceType: "AWS::EC2::Instance",
    ...extra,
});

export const NODES = [
    node(ID.web1),
    // Running, but its agent last pinged three days ago.
    node(ID.web2, { PingStatus: "ConnectionLost", LastPingDateTime: new Date("2026-11-25T07:30:00.000Z") }),
    node(ID.app1, { AgentVersion: "2.3.1319.0" }),
    node(ID.stopped, { PingStatus: "ConnectionLost", LastPingDateTime: new Date("2026-10-01T07:59:00.000Z") }),
    node(ID.other),
    // A hybrid node carrying the stack's tags: managed, but no EC2 instance.
    node("mi-0123456789abcdef0", { ResourceType: "ManagedInstance", SourceType: "AWS::SSM::ManagedInstance" }),
];

const tagsOf = (i: Instance) => Object.fromEntries((i.Tags ?? []).map((t) => [t.Key!, t.Value!]));
const scoped = (i: { InstanceId?: string }) => i.InstanceId !== ID.other;

export const requests = { ec2: [] as any[], ssm: [] as any[], states: [] as any[] };

/**
 * DescribeInstances' answer from FLEET: tag, state and id filters ANDed, a page of at most `pageSize`
 * (AWS may return fewer than MaxResults and a NextToken); `gone` is terminated by the time it is asked
 * for by id. Also the canned answers of the coverage check's script (tests/scripts/coverageCheck.script.ts).
 */
export function describeInstancesAnswer(input: any, pageSize: number) {
    const byId = (input.Filters ?? []).some((f: any) => f.Name === "instance-id");
    const list = FLEET.map((i) =>
        byId && i.InstanceId === ID.gone ? ({ ...i, State: { Code: 48, Name: "terminated" } } as Instance) : i,
    ).filter((i) =>
        (input.Filters ?? []).every((f: any) =>
            f.Name === "instance-state-name"
                ? f.Values.includes(i.State!.Name)
                : f.Name === "instance-id"
                  ? f.Values.includes(i.InstanceId)
                  : f.Values.includes(tagsOf(i)[f.Name.slice(4)]),
        ),
    );
    const start = Number(input.NextToken ?? 0);
    const end = start + pageSize;
    const Instances = list.slice(start, end);
    // One reservation per instance, as separate RunInstances calls make.
    return {
        Reservations: Instances.map((i) => ({
            ReservationId: `r-${i.InstanceId!.slice(2)}`,
            OwnerId: ACCOUNT,
            Instances: [i],
        })),
        ...(end < list.length ? { NextToken: String(end) } : {}),
    };
}

/** DescribeInstanceInformation's answer from NODES, 3 a page; with tag filters, the in-scope ones. */
export function instanceInformationAnswer(input: any) {
    const list = input.Filters ? NODES.filter(scoped) : NODES;
    const start = Number(input.NextToken ?? 0);
    const end = start + 3;
    return {
        InstanceInformationList: list.slice(start, end),
        ...(end < list.length ? { NextToken: String(end) } : {}),
    };
}

/** EC2, Systems Manager and IAM answer from FLEET and NODES (describeInstancesAnswer, instanceInformationAnswer). */
export function fakeFleet(pageSize = 4) {
    ec2.on(DescribeInstancesCommand).callsFake((input: any) => {
        requests.ec2.push(JSON.parse(JSON.stringify(input)));
        return describeInstancesAnswer(input, pageSize);
    });
    ssm.on(DescribeInstanceInformationCommand).callsFake((input: any) => {
        requests.ssm.push(JSON.parse(JSON.stringify(input)));
        return instanceInformationAnswer(input);
    });
    ssm.on(DescribeInstancePatchStatesCommand).callsFake((input: any) => {
        requests.states.push(JSON.parse(JSON.stringify(input)));
        return patchStatesAnswer(input);
    });
    iam.on(GetInstanceProfileCommand, { InstanceProfileName: "ManagedInstancesProfile-Test-1a2b3c4" }).resolves({
        InstanceProfile: {
            Path: "/",
            InstanceProfileName: "ManagedInstancesProfile-Test-1a2b3c4",
            InstanceProfileId: "AIPAEXAMPLEPROFILE01",
            Arn: LAB_PROFILE.Arn,
            CreateDate: LAUNCHED,
            Roles: [role("ManagedInstancesRole-Test-9f8e7d6")],
        },
    });
    iam.on(GetInstanceProfileCommand, { InstanceProfileName: "WebOnlyProfile" }).resolves({
        InstanceProfile: {
            Path: "/",
            InstanceProfileName: "WebOnlyProfile",
            InstanceProfileId: "AIPAEXAMPLEPROFILE02",
            Arn: `arn:aws:iam::${ACCOUNT}:instance-profile/WebOnlyProfile`,
            CreateDate: LAUNCHED,
            Roles: [role("WebOnlyRole")],
        },
    });
    iam.on(ListAttachedRolePoliciesCommand, { RoleName: "ManagedInstancesRole-Test-9f8e7d6" }).resolves({
        AttachedPolicies: [
            {
                PolicyName: "AmazonSSMManagedInstanceCore",
                PolicyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
            },
        ],
        IsTruncated: false,
    });
    iam.on(ListAttachedRolePoliciesCommand, { RoleName: "WebOnlyRole" })
        .resolvesOnce({
            AttachedPolicies: [
                { PolicyName: "AmazonS3ReadOnlyAccess", PolicyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" },
            ],
            IsTruncated: true,
            Marker: "m1",
        })
        .resolves({
            AttachedPolicies: [
                {
                    PolicyName: "CloudWatchAgentServerPolicy",
                    PolicyArn: "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
                },
            ],
            IsTruncated: false,
        });
}

function role(RoleName: string) {
    return {
        Path: "/",
        RoleName,
        RoleId: "AROAEXAMPLEROLE00001",
        Arn: `arn:aws:iam::${ACCOUNT}:role/${RoleName}`,
        CreateDate: LAUNCHED,
    };
}

/** DescribeInstancePatchStates' answer: web1 compliant, app1 missing 3, both scanned on 2026-11-28. */
export function patchStatesAnswer(input: { InstanceIds: string[] }) {
    return {
        InstancePatchStates: input.InstanceIds.filter((id: string) => id === ID.web1 || id === ID.app1).map(
            (id: string) => ({
                InstanceId: id,
                PatchGroup: "Critical",
                BaselineId: "pb-0123456789abcdef0",
                Operation: "Scan",
                OperationStartTime: new Date("2026-11-28T02:00:00.000Z"),
                OperationEndTime: new Date("2026-11-28T02:03:00.000Z"),
                InstalledCount: 200,
                MissingCount: id === ID.app1 ? 3 : 0,
                FailedCount: 0,
            }),
        ),
    };
}
