/**
 * The stack's fleet as Systems Manager sees it: the managed instances that carry the stack's tags.
 */
import { DescribeInstanceInformationCommand, InstanceInformation, SSMClient } from "@aws-sdk/client-ssm";
import { fleetTargetTags, LabConfig, TAG } from "../../config";
import { EXIT, OpsError } from "./aws";
import { allPages, Run } from "./run";

/** What the operations need to know about a stack, from its stack file. */
export interface StackContext {
    readonly stack: string;
    readonly region: string;
    readonly config: LabConfig;
    /** Reads, with the SDK's retries. */
    readonly ssm: SSMClient;
    /** SendCommand only: no SDK retries (sendCommand.ts says why). */
    readonly sender: SSMClient;
}

/** The stack's tags, ANDed: Run Command "targets instances that meet all of the criteria". */
export function fleetTags(context: StackContext, role?: string): Record<string, string> {
    return { ...fleetTargetTags(context.config), ...(role ? { [TAG.instanceRole]: role } : {}) };
}

/** Run Command targets for the stack's fleet (or one role of it). */
export function fleetTargets(context: StackContext, role?: string) {
    return Object.entries(fleetTags(context, role)).map(([key, value]) => ({ Key: `tag:${key}`, Values: [value] }));
}

/** The managed instances carrying the stack's tags; an error naming the tags when there are none. */
export async function fleetInstances(context: StackContext, role?: string, run?: Run): Promise<InstanceInformation[]> {
    const Filters = Object.entries(fleetTags(context, role)).map(([key, value]) => ({
        Key: `tag:${key}`,
        Values: [value],
    }));
    const instances = await allPages(
        "ssm:DescribeInstanceInformation",
        (token) =>
            context.ssm.send(new DescribeInstanceInformationCommand({ Filters, MaxResults: 50, NextToken: token }), {
                abortSignal: run?.signal,
            }),
        (p) => p.InstanceInformationList,
    );
    if (instances.length === 0) {
        const tags = Object.entries(fleetTags(context, role))
            .map(([k, v]) => `${k}=${v}`)
            .join(", ");
        throw new OpsError(
            `No managed instance in ${context.region} carries the tags of stack "${context.stack}" (${tags}). Is the stack deployed, and are its instances online in Systems Manager?`,
            EXIT.aws,
        );
    }
    return instances.sort((a, b) => (a.InstanceId ?? "").localeCompare(b.InstanceId ?? ""));
}
