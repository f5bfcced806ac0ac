/**
 * Three accounts for `fleet coverage`, answered by the coverage specs' fakes (coverageFixtures.ts:
 * EC2 DescribeInstances, Systems Manager DescribeInstanceInformation and DescribePatchStates, IAM)
 * and a fake STS. Each call is answered for the account whose assumed-role credentials the client
 * signs with (its access key names the account), and recorded with that account and the client's
 * Region, so a spec sees which target every read ran in.
 *
 * - 111122223333 us-east-1 (base test): two instances, both managed.
 * - 444455556666 eu-west-1 (base existing): one without a profile, one whose role lacks the agent's
 *   policy, one stopped.
 * - 777788889999 ap-northeast-1: AssumeRole is refused, as STS refuses a role whose trust policy
 *   does not admit the caller (Code AccessDenied, "... is not authorized to perform: sts:AssumeRole
 *   on resource: ...", STS API reference, AssumeRole, Errors; the AWS SDK names the error by its Code).
 */
import { DescribeInstancesCommand, Instance } from "@aws-sdk/client-ec2";
import { GetInstanceProfileCommand, ListAttachedRolePoliciesCommand } from "@aws-sdk/client-iam";
import { DescribeInstanceInformationCommand, DescribeInstancePatchStatesCommand } from "@aws-sdk/client-ssm";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { ec2, FLEET, iam, ID, NODES, patchStatesAnswer } from "./coverageFixtures";
import { ssm } from "./opsFixtures";

export const sts = mockClient(STSClient);

export const ACCOUNT = { managed: "111122223333", mixed: "444455556666", denied: "777788889999" };
/** The runner's own identity: what STS names in its AccessDenied message. */
export const RUNNER = "arn:aws:sts::123456789012:assumed-role/OeLabIpmFleetRunner/ci";

export const TARGETS_YAML = `defaults:
  role: OeLabIpmDeployment
targets:
  - account: "${ACCOUNT.managed}"
    region: us-east-1
    base: test
  - account: "${ACCOUNT.mixed}"
    region: eu-west-1
    base: existing
  - account: "${ACCOUNT.denied}"
    region: ap-northeast-1
    base: test
    config:
      workload: Data
`;

const pick = (ids: string[]) => FLEET.filter((i) => ids.includes(i.InstanceId!));
const INSTANCES: Record<string, Instance[]> = {
    [ACCOUNT.managed]: pick([ID.web1, ID.app1]),
    [ACCOUNT.mixed]: pick([ID.app2, ID.hand, ID.stopped]),
};
const MANAGED: Record<string, string[]> = {
    [ACCOUNT.managed]: [ID.web1, ID.app1],
    [ACCOUNT.mixed]: [ID.stopped],
};

/** Every call a target's client made: the account its credentials are for, its Region, what it sent. */
export interface Call {
    readonly account: string;
    readonly region: string;
    readonly action: string;
    readonly input: any;
}
export const calls: Call[] = [];
export const assumed: any[] = [];
/** Each AssumeRole and read in the order they were sent: `assume <account>`, `<account> <action>`. */
export const sequence: string[] = [];

/** The access key STS hands out for a role of `account`. */
const keyOf = (account: string) => `ASIA${account}EX`;
const accountOfKey = (key: string) => /^ASIA(\d{12})EX$/.exec(key)?.[1] ?? `unknown key ${key}`;

/** The account and Region of the client a fake answers, from the credentials it signs with. */
async function whose(client: () => any): Promise<{ account: string; region: string }> {
    const config = client().config;
    const credentials = await config.credentials();
    return { account: accountOfKey(credentials.accessKeyId), region: await config.region() };
}

function record(action: string, handle: (input: any, account: string) => unknown) {
    return async (input: any, client: () => any) => {
        const where = await whose(client);
        calls.push({ ...where, action, input: JSON.parse(JSON.stringify(input)) });
        sequence.push(`${where.account} ${action}`);
        return handle(input, where.account);
    };
}

const accessDenied = (roleArn: string) =>
    Object.assign(new Error(`User: ${RUNNER} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`), {
        name: "AccessDenied",
        $metadata: { httpStatusCode: 403 },
    });

/** The fakes of the three accounts; `denied` lists the accounts whose role STS refuses. */
export function fakeOrganization(denied: readonly string[] = [ACCOUNT.denied]): void {
    calls.length = 0;
    assumed.length = 0;
    sequence.length = 0;
    sts.on(AssumeRoleCommand).callsFake(async (input: any, client: () => any) => {
        assumed.push({ ...JSON.parse(JSON.stringify(input)), region: await client().config.region() });
        const account = /^arn:aws[\w-]*:iam::(\d{12}):role\//.exec(input.RoleArn)![1];
        sequence.push(`assume ${account}`);
        if (denied.includes(account)) throw accessDenied(input.RoleArn);
        const role = input.RoleArn.slice(input.RoleArn.lastIndexOf("/") + 1);
        return {
            Credentials: {
                AccessKeyId: keyOf(account),
                SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                SessionToken: "FwoGZXIvYXdzEXAMPLETOKEN",
                // AWS sets it from its own clock: an hour from the real now, whatever the report's date.
                Expiration: new Date(Date.now() + input.DurationSeconds * 1000),
            },
            AssumedRoleUser: {
                AssumedRoleId: `AROA3XFRBF535PLBIFPI4:${input.RoleSessionName}`,
                Arn: `arn:aws:sts::${account}:assumed-role/${role}/${input.RoleSessionName}`,
            },
        };
    });
    const states = (input: any) => (i: Instance) =>
        (input.Filters ?? []).every(
            (f: any) =>
                f.Name === "instance-state-name"
                    ? f.Values.includes(i.State!.Name)
                    : f.Name === "instance-id"
                      ? f.Values.includes(i.InstanceId)
                      : true, // tag filters: each target's are asserted by the spec
        );
    ec2.on(DescribeInstancesCommand).callsFake(
        record("ec2:DescribeInstances", (input, account) => ({
            Reservations: (INSTANCES[account] ?? []).filter(states(input)).map((i) => ({
                ReservationId: `r-${i.InstanceId!.slice(2)}`,
                OwnerId: account,
                Instances: [i],
            })),
        })),
    );
    ssm.on(DescribeInstanceInformationCommand).callsFake(
        record("ssm:DescribeInstanceInformation", (_input, account) => ({
            InstanceInformationList: NODES.filter((n) => (MANAGED[account] ?? []).includes(n.InstanceId)),
        })),
    );
    ssm.on(DescribeInstancePatchStatesCommand).callsFake(
        record("ssm:DescribeInstancePatchStates", (input) => patchStatesAnswer(input)),
    );
    iam.on(GetInstanceProfileCommand).callsFake(
        record("iam:GetInstanceProfile", (input, account) => ({
            InstanceProfile: {
                Path: "/",
                InstanceProfileName: input.InstanceProfileName,
                InstanceProfileId: "AIPAEXAMPLEPROFILE02",
                Arn: `arn:aws:iam::${account}:instance-profile/${input.InstanceProfileName}`,
                CreateDate: new Date("2026-11-20T01:00:00.000Z"),
                Roles: [
                    {
                        Path: "/",
                        RoleName: "WebOnlyRole",
                        RoleId: "AROAEXAMPLEROLE00002",
                        Arn: `arn:aws:iam::${account}:role/WebOnlyRole`,
                        CreateDate: new Date("2026-11-20T01:00:00.000Z"),
                    },
                ],
            },
        })),
    );
    iam.on(ListAttachedRolePoliciesCommand).callsFake(
        record("iam:ListAttachedRolePolicies", () => ({
            AttachedPolicies: [
                { PolicyName: "AmazonS3ReadOnlyAccess", PolicyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" },
            ],
            IsTruncated: false,
        })),
    );
}
