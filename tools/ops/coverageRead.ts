/**
 * The reads behind `coverage`: every EC2 instance in scope (DescribeInstances), the nodes Systems
 * Manager manages (DescribeInstanceInformation), their patch states (DescribeInstancePatchStates),
 * and for instances that never registered, their instance profile's role (GetInstanceProfile,
 * ListAttachedRolePolicies: one call per distinct profile and role, not per instance). Page sizes
 * are the botocore models' limits (tools/contract/aws-models.json, ec2 and ssm service-2.json).
 */
import { DescribeInstancesCommand, EC2Client, Filter, Instance } from "@aws-sdk/client-ec2";
import { GetInstanceProfileCommand, IAMClient, ListAttachedRolePoliciesCommand } from "@aws-sdk/client-iam";
import {
    DescribeInstanceInformationCommand,
    DescribeInstancePatchStatesCommand,
    InstanceInformation,
    InstancePatchState,
    SSMClient,
} from "@aws-sdk/client-ssm";
import { AwsCallError, isAccessProblem } from "./aws";
import { allPages, mapLimit, READ_CONCURRENCY, Run } from "./run";

/**
 * DescribeInstances' MaxResults: 5 to 1000 ("You cannot specify this parameter and the instance IDs
 * parameter in the same request": ids go in an instance-id filter instead).
 */
export const EC2_PAGE = 1000;
/** DescribeInstanceInformation's MaxResults (MaxResultsEC2Compatible): 5 to 50. */
export const SSM_PAGE = 50;
/** DescribeInstancePatchStates: at most 50 InstanceIds a request; MaxResults 10 to 100. */
export const PATCH_STATES_PER_REQUEST = 50;
/** Values of one DescribeInstances filter, at most ("up to 200 values per filter", EC2 API reference, Filter). */
export const FILTER_VALUES = 200;
/** ListAttachedRolePolicies' MaxItems: 1 to 1000. */
const IAM_PAGE = 100;

/** Instance states worth patching (terminated ones are gone; shutting-down is on its way there). */
export const IN_SCOPE_STATES = ["pending", "running", "stopping", "stopped"];

export interface CoverageClients {
    readonly ec2: EC2Client;
    readonly ssm: SSMClient;
    readonly iam: IAMClient;
}

const tagFilters = (tags: Record<string, string> | undefined): Filter[] =>
    Object.entries(tags ?? {}).map(([key, value]) => ({ Name: `tag:${key}`, Values: [value] }));

/** Every instance carrying `tags` (every instance of the Region without), in the states worth patching. */
export function describeInstances(
    ec2: EC2Client,
    tags: Record<string, string> | undefined,
    run: Run,
): Promise<Instance[]> {
    const Filters = [...tagFilters(tags), { Name: "instance-state-name", Values: IN_SCOPE_STATES }];
    return allPages(
        "ec2:DescribeInstances",
        (token) =>
            ec2.send(new DescribeInstancesCommand({ Filters, MaxResults: EC2_PAGE, NextToken: token }), {
                abortSignal: run.signal,
            }),
        (page) => (page.Reservations ?? []).flatMap((r) => r.Instances ?? []),
    );
}

/** These instances as they are now (any state): a re-read of the ones that look unmanaged. */
export async function instancesNow(ec2: EC2Client, ids: readonly string[], run: Run): Promise<Map<string, Instance>> {
    const batches = chunks(ids, FILTER_VALUES);
    const found = await mapLimit(batches, READ_CONCURRENCY, run, (batch) =>
        allPages(
            "ec2:DescribeInstances",
            (token) =>
                ec2.send(
                    new DescribeInstancesCommand({
                        Filters: [{ Name: "instance-id", Values: batch }],
                        MaxResults: EC2_PAGE,
                        NextToken: token,
                    }),
                    { abortSignal: run.signal },
                ),
            (page) => (page.Reservations ?? []).flatMap((r) => r.Instances ?? []),
        ),
    );
    return new Map(found.flatMap((list) => list ?? []).map((i) => [i.InstanceId!, i]));
}

/** The managed nodes carrying `tags` (every managed node without). */
export function managedNodes(
    ssm: SSMClient,
    tags: Record<string, string> | undefined,
    run: Run,
): Promise<InstanceInformation[]> {
    const Filters = Object.entries(tags ?? {}).map(([key, value]) => ({ Key: `tag:${key}`, Values: [value] }));
    return allPages(
        "ssm:DescribeInstanceInformation",
        (token) =>
            ssm.send(
                new DescribeInstanceInformationCommand({
                    ...(Filters.length > 0 ? { Filters } : {}),
                    MaxResults: SSM_PAGE,
                    NextToken: token,
                }),
                { abortSignal: run.signal },
            ),
        (page) => page.InstanceInformationList,
    );
}

/** The patch state of each instance that has one, 50 ids a request, a bounded number at a time. */
export async function patchStates(
    ssm: SSMClient,
    ids: readonly string[],
    run: Run,
): Promise<Map<string, InstancePatchState>> {
    const states = new Map<string, InstancePatchState>();
    await mapLimit(chunks(ids, PATCH_STATES_PER_REQUEST), READ_CONCURRENCY, run, async (batch) => {
        const found = await allPages(
            "ssm:DescribeInstancePatchStates",
            (token) =>
                ssm.send(
                    new DescribeInstancePatchStatesCommand({ InstanceIds: batch, MaxResults: 50, NextToken: token }),
                    {
                        abortSignal: run.signal,
                    },
                ),
            (page) => page.InstancePatchStates,
        );
        for (const state of found) states.set(state.InstanceId!, state);
    });
    return states;
}

/** What an instance profile gives the agent: its role and that role's managed policies, or why it is unknown. */
export interface ProfileCheck {
    readonly roles: readonly { name: string; policies: readonly string[] }[];
    /** Why the profile could not be read (it was deleted, or iam:GetInstanceProfile was denied). */
    readonly unreadable?: string;
}

/** The profile's name from its ARN (`arn:aws:iam::123456789012:instance-profile/path/Name`). */
export const profileName = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1);

/**
 * Each distinct profile once, and each distinct role once: IAM's reads are global and rate-limited,
 * and one profile usually serves a whole fleet.
 */
export async function readProfiles(
    iam: IAMClient,
    profileArns: readonly string[],
    run: Run,
): Promise<Map<string, ProfileCheck>> {
    const names = [...new Set(profileArns.map(profileName))];
    const policiesOf = new Map<string, Promise<string[]>>();
    const rolePolicies = (role: string) => {
        if (!policiesOf.has(role))
            policiesOf.set(
                role,
                collectMarked("iam:ListAttachedRolePolicies", (Marker) =>
                    iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role, MaxItems: IAM_PAGE, Marker }), {
                        abortSignal: run.signal,
                    }),
                ).then((list) => list.map((p) => p.PolicyName ?? "")),
            );
        return policiesOf.get(role)!;
    };
    const checks = await mapLimit(names, READ_CONCURRENCY, run, async (name): Promise<ProfileCheck> => {
        try {
            const profile = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }), {
                abortSignal: run.signal,
            });
            const roles = profile.InstanceProfile?.Roles ?? [];
            return {
                roles: await Promise.all(
                    roles.map(async (r) => ({ name: r.RoleName!, policies: await rolePolicies(r.RoleName!) })),
                ),
            };
        } catch (error) {
            if (run.stopped) throw error;
            const cause = error instanceof AwsCallError ? error.cause : (error as Error);
            const action = error instanceof AwsCallError ? error.action : "iam:GetInstanceProfile";
            if (cause.name === "NoSuchEntityException" && action === "iam:GetInstanceProfile")
                return { roles: [], unreadable: `instance profile ${name} does not exist (NoSuchEntity)` };
            if (isAccessProblem(cause))
                return { roles: [], unreadable: `its profile ${name} could not be read (${action} denied)` };
            throw error instanceof AwsCallError ? error : new AwsCallError(action, cause);
        }
    });
    return new Map(names.map((name, i) => [name, checks[i] ?? { roles: [], unreadable: "not read (stopped)" }]));
}

/** Every item of an IAM list call, paged by Marker/IsTruncated. */
async function collectMarked<T>(
    action: string,
    send: (marker: string | undefined) => Promise<{ AttachedPolicies?: T[]; IsTruncated?: boolean; Marker?: string }>,
): Promise<T[]> {
    const all: T[] = [];
    let marker: string | undefined;
    try {
        do {
            const page = await send(marker);
            all.push(...(page.AttachedPolicies ?? []));
            marker = page.IsTruncated ? page.Marker : undefined;
        } while (marker);
    } catch (error) {
        throw new AwsCallError(action, error as Error);
    }
    return all;
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
    return Array.from({ length: Math.ceil(items.length / size) }, (_, b) => items.slice(b * size, (b + 1) * size));
}
