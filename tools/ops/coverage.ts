/**
 * `coverage`: every EC2 instance that should be patched, whether Systems Manager manages it or not.
 * EC2 lists what is in scope; Systems Manager says which of those report; what is left over is
 * unmanaged, with the reasons the APIs can tell. A stopped instance is stopped, not unmanaged (its
 * agent cannot ping: steampipe-mod-aws-compliance #540). Sources are in docs/operations.md.
 */
import { Instance } from "@aws-sdk/client-ec2";
import { InstanceInformation, InstancePatchState } from "@aws-sdk/client-ssm";
import { fleetTargetTags, LabConfig, TAG } from "../../config";
import {
    CoverageClients,
    describeInstances,
    instancesNow,
    managedNodes,
    patchStates,
    ProfileCheck,
    profileName,
    readProfiles,
} from "./coverageRead";
import { Run } from "./run";

/** Where an in-scope instance stands. */
export const COVERAGE = {
    /** Managed and reporting within the threshold. */
    managed: "managed",
    /** Managed, but not heard from within the threshold (or its ping is not Online) while running. */
    silent: "silent",
    /** Running (or starting) and not a managed node. */
    unmanaged: "unmanaged",
    /** Stopped or stopping: nothing runs on it until it is started. */
    stopped: "stopped",
    /** Listed as running, terminated by the time it was looked at again: no longer in scope. */
    terminated: "terminated",
} as const;
export type Coverage = (typeof COVERAGE)[keyof typeof COVERAGE];

/**
 * The SSM Agent version `AWS-RunPatchBaselineWithHooks` needs ("SSM Agent version 3.0.502 or
 * later", Systems Manager User Guide, patch-manager-aws-runpatchbaselinewithhooks).
 */
export const MIN_AGENT_VERSION = "3.0.502";
/**
 * Hours without a ping after which a running managed instance counts as silent: one default, the
 * coverage check's (components/coverageScript.ts); a stack sets its own in `alerts.silentAfterHours`.
 */
export { DEFAULT_SILENT_HOURS } from "../../components/coverageScript";
/** Managed policies that let the agent register (AmazonEC2RoleforSSM is their deprecated predecessor). */
export const AGENT_POLICIES = [
    "AmazonSSMManagedInstanceCore",
    "AmazonSSMManagedEC2InstanceDefaultPolicy",
    "AmazonEC2RoleforSSM",
];

export interface CoverageInstance {
    readonly instanceId: string;
    /** Its Name tag. */
    readonly name: string;
    /** EC2's state name (pending, running, stopping, stopped; terminated or shutting-down when it went meanwhile). */
    readonly state: string;
    /** Since when it is in that state, ISO 8601: from StateTransitionReason when stopped, LaunchTime when running. */
    readonly since?: string;
    readonly coverage: Coverage;
    readonly managed: boolean;
    readonly pingStatus?: string;
    readonly agentVersion?: string;
    /** LastPingDateTime, ISO 8601. */
    readonly lastSeen?: string;
    readonly platform: string;
    readonly patchGroup?: string;
    /** The last patching operation (Scan or Install) and when it ended. */
    readonly lastOperation?: { readonly operation: string; readonly endedAt: string };
    readonly compliance: "COMPLIANT" | "NON_COMPLIANT" | "NO_PATCH_DATA";
    /** What the APIs tell about why it is not (or not well) covered. */
    readonly reasons: readonly string[];
}

export interface CoverageReport {
    readonly stack: string;
    readonly region: string;
    /** In words: the stack's tags, or the whole account and Region. */
    readonly scope: string;
    readonly generatedAt: string;
    readonly silentAfterHours: number;
    /** A created fleet: how many instances its config creates. */
    readonly expected?: number;
    readonly instances: readonly CoverageInstance[];
    readonly counts: Readonly<Record<Coverage, number>>;
    /** Managed nodes in scope that are no EC2 instance listed (hybrid mi- nodes, or gone meanwhile). */
    readonly otherManagedNodes: readonly string[];
}

export interface CoverageOptions {
    readonly all: boolean;
    readonly silentAfterHours: number;
    readonly now: Date;
}

/** Compares dotted versions numerically (`3.0.1000.0` > `3.0.502`). */
export function versionBelow(version: string, minimum: string): boolean {
    const a = version.split(".").map(Number);
    const b = minimum.split(".").map(Number);
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const [x, y] = [a[i] ?? 0, b[i] ?? 0];
        if (x !== y) return x < y;
    }
    return false;
}

/**
 * When a stopped instance stopped: EC2 writes it into StateTransitionReason, e.g. "User initiated
 * (2019-04-08 14:29:07 UTC)" (EC2 API reference, Instance; some Regions write GMT). Undefined when
 * the reason carries no time ("This might be an empty string").
 */
export function stoppedSince(reason: string | undefined): string | undefined {
    const m = /\((\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) (?:UTC|GMT)\)/.exec(reason ?? "");
    return m ? `${m[1]}T${m[2]}.000Z` : undefined;
}

const tagOf = (instance: Instance, key: string) => instance.Tags?.find((t) => t.Key === key)?.Value;

/** Why a running instance that is no managed node is not one, as far as EC2 and IAM can tell. */
export function unmanagedReasons(instance: Instance, profiles: ReadonlyMap<string, ProfileCheck>): string[] {
    const reasons: string[] = [];
    const arn = instance.IamInstanceProfile?.Arn;
    if (!arn) {
        reasons.push("no instance profile");
        if (instance.MetadataOptions?.HttpTokens !== "required")
            reasons.push(
                "IMDSv1 allowed (HttpTokens=optional): Default Host Management Configuration needs IMDSv2 to manage it without a profile",
            );
    } else {
        const check = profiles.get(profileName(arn));
        if (check?.unreadable) reasons.push(check.unreadable);
        else if (check && check.roles.length === 0) reasons.push(`instance profile ${profileName(arn)} has no role`);
        for (const role of check?.roles ?? [])
            if (!role.policies.some((p) => AGENT_POLICIES.includes(p)))
                reasons.push(
                    `role ${role.name} has no AmazonSSMManagedInstanceCore attached (attached: ${role.policies.join(", ") || "none"}; inline policies not read)`,
                );
    }
    if (instance.MetadataOptions?.HttpEndpoint === "disabled")
        reasons.push("instance metadata disabled (HttpEndpoint=disabled): the agent cannot get credentials");
    if (reasons.length === 0)
        reasons.push(
            "never registered: profile and metadata look right; check the agent is installed and running, and its route to the ssm, ssmmessages and ec2messages endpoints",
        );
    return reasons;
}

function compliance(state: InstancePatchState | undefined): CoverageInstance["compliance"] {
    if (!state) return "NO_PATCH_DATA";
    const n = (v: number | undefined) => v ?? 0;
    const behind =
        n(state.MissingCount) +
        n(state.FailedCount) +
        n(state.InstalledPendingRebootCount) +
        n(state.InstalledRejectedCount);
    return behind === 0 ? "COMPLIANT" : "NON_COMPLIANT";
}

/** One instance's row: EC2's view joined with Systems Manager's. */
export function classify(
    instance: Instance,
    node: InstanceInformation | undefined,
    state: InstancePatchState | undefined,
    profiles: ReadonlyMap<string, ProfileCheck>,
    options: CoverageOptions,
): CoverageInstance {
    const stateName = instance.State?.Name ?? "unknown";
    const stopped = stateName === "stopped" || stateName === "stopping";
    const gone = stateName === "terminated" || stateName === "shutting-down";
    const lastSeen = node?.LastPingDateTime ? new Date(node.LastPingDateTime) : undefined;
    const reasons: string[] = [];
    let coverage: Coverage;
    if (gone) {
        coverage = COVERAGE.terminated;
        reasons.push(`${stateName} while coverage was read`);
    } else if (stopped) {
        coverage = COVERAGE.stopped;
    } else if (!node) {
        coverage = COVERAGE.unmanaged;
        reasons.push(...unmanagedReasons(instance, profiles));
    } else {
        const limit = options.now.getTime() - options.silentAfterHours * 3_600_000;
        const silent = node.PingStatus !== "Online" || !lastSeen || lastSeen.getTime() < limit;
        coverage = silent ? COVERAGE.silent : COVERAGE.managed;
        if (silent)
            reasons.push(
                `ping ${node.PingStatus ?? "unknown"}, last seen ${lastSeen?.toISOString() ?? "never"} (threshold ${options.silentAfterHours} h)`,
            );
    }
    if (node?.AgentVersion && versionBelow(node.AgentVersion, MIN_AGENT_VERSION))
        reasons.push(
            `agent ${node.AgentVersion} is below ${MIN_AGENT_VERSION} (AWS-RunPatchBaselineWithHooks needs it)`,
        );
    return {
        instanceId: instance.InstanceId!,
        name: tagOf(instance, TAG.name) ?? "",
        state: stateName,
        // LaunchTime is the last start ("the time that the instance was last launched").
        since: stopped
            ? stoppedSince(instance.StateTransitionReason)
            : gone
              ? undefined
              : instance.LaunchTime?.toISOString(),
        coverage,
        managed: node !== undefined,
        pingStatus: node?.PingStatus,
        agentVersion: node?.AgentVersion,
        lastSeen: lastSeen?.toISOString(),
        platform: node
            ? `${node.PlatformName ?? "?"} ${node.PlatformVersion ?? ""}`.trim()
            : (instance.PlatformDetails ?? "unknown"),
        patchGroup: state?.PatchGroup || tagOf(instance, TAG.patchGroup),
        lastOperation:
            state?.Operation && state.OperationEndTime
                ? { operation: state.Operation, endedAt: new Date(state.OperationEndTime).toISOString() }
                : undefined,
        compliance: compliance(state),
        reasons,
    };
}

/** The stack's scope: its tags (a created fleet's Environment and Workload, an existing fleet's target tags). */
export function scopeTags(config: LabConfig, all: boolean): Record<string, string> | undefined {
    return all ? undefined : fleetTargetTags(config);
}

/** Every instance in scope, joined with Systems Manager's view, classified. */
export async function readCoverage(
    clients: CoverageClients,
    target: { stack: string; region: string; config: LabConfig },
    options: CoverageOptions,
    run: Run,
): Promise<CoverageReport> {
    const tags = scopeTags(target.config, options.all);
    // The two lists are independent: page through both at once.
    const [listed, nodes] = await Promise.all([
        describeInstances(clients.ec2, tags, run),
        managedNodes(clients.ssm, tags, run),
    ]);
    const nodeOf = new Map(nodes.map((n) => [n.InstanceId!, n]));
    const listedIds = new Set(listed.map((i) => i.InstanceId!));
    // Running but no managed node: look again, it may have been terminated since it was listed.
    const running = (i: Instance) => i.State?.Name === "running" || i.State?.Name === "pending";
    const suspects = listed.filter((i) => running(i) && !nodeOf.has(i.InstanceId!)).map((i) => i.InstanceId!);
    const now = suspects.length > 0 ? await instancesNow(clients.ec2, suspects, run) : new Map<string, Instance>();
    const reread = new Set(suspects);
    const current = listed.map((i) =>
        reread.has(i.InstanceId!) ? (now.get(i.InstanceId!) ?? { ...i, State: { Name: "terminated" as const } }) : i,
    );
    const unmanaged = current.filter((i) => running(i) && !nodeOf.has(i.InstanceId!));
    const profileArns = unmanaged.flatMap((i) => (i.IamInstanceProfile?.Arn ? [i.IamInstanceProfile.Arn] : []));
    const [states, profiles] = await Promise.all([
        patchStates(
            clients.ssm,
            current.filter((i) => nodeOf.has(i.InstanceId!)).map((i) => i.InstanceId!),
            run,
        ),
        profileArns.length > 0 ? readProfiles(clients.iam, profileArns, run) : new Map<string, ProfileCheck>(),
    ]);
    const instances = current
        .map((i) => classify(i, nodeOf.get(i.InstanceId!), states.get(i.InstanceId!), profiles, options))
        .sort((a, b) => a.instanceId.localeCompare(b.instanceId));
    const counts = Object.fromEntries(Object.values(COVERAGE).map((c) => [c, 0])) as Record<Coverage, number>;
    for (const i of instances) counts[i.coverage] += 1;
    const created = target.config.fleet.mode === "existing" || options.all ? undefined : target.config.fleet.groups;
    return {
        stack: target.stack,
        region: target.region,
        scope: tags
            ? `instances tagged ${Object.entries(tags)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(", ")}`
            : `every instance in the account, ${target.region}`,
        generatedAt: options.now.toISOString(),
        silentAfterHours: options.silentAfterHours,
        expected: created?.reduce((n, g) => n + g.count, 0),
        instances,
        counts,
        otherManagedNodes: nodes
            .map((n) => n.InstanceId!)
            .filter((id) => !listedIds.has(id))
            .sort(),
    };
}

/** Instances in scope that should be patched and are not covered: unmanaged or silent. */
export const uncovered = (report: CoverageReport) =>
    report.instances.filter((i) => i.coverage === COVERAGE.unmanaged || i.coverage === COVERAGE.silent);
