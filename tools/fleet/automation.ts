/**
 * The real FleetWorkspace: Pulumi's Automation API (@pulumi/pulumi/automation) driving the Pulumi
 * CLI on this project's program, one stack per target. Each target's stack config is its base
 * stack file with its overrides (what `fleet plan` evaluates), plus the AWS provider's
 * `aws:assumeRoles` (@pulumi/aws 7: a list of { roleArn, sessionName, ... }, see
 * node_modules/@pulumi/aws/config/vars.d.ts) so every AWS call runs in the target's account.
 *
 * The config is set with `pulumi config set-all --json` (Stack.setAllConfigJson; CLI 3.202.0 or
 * later, pulumi/pulumi CHANGELOG "Add `--json` input support to `pulumi config set-all`"), which
 * takes objects as objects (pkg/cmd/pulumi/config/config.go, configValueJSON.objectValue). Keys the
 * targets file no longer sets are removed, so the targets file stays the one source.
 * Cancelling: the AbortSignal makes the Automation API send SIGINT to the CLI (automation/cmd.js),
 * which cancels the update as Ctrl-C in a terminal does.
 */
import { SSMClient } from "@aws-sdk/client-ssm";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import * as path from "path";
import { loadStackConfig, PROJECT_ROOT } from "../../config/stackFiles";
import { Changes, FleetWorkspace, Operation } from "./orchestrator";
import { Target } from "./targets";

/** The session name CloudTrail shows for the fleet's calls in every target account. */
export const SESSION_NAME = "oe-lab-ipm-fleet";

/** The full stack config of a target, as `pulumi config --json` prints it (the input of `config set-all --json`). */
export function stackConfigJson(
    target: Target,
    options: { assumeRole: boolean; projectDir?: string },
): Record<string, { value: string; objectValue?: unknown; secret: false }> {
    const values: Record<string, unknown> = {
        ...loadStackConfig(target.base, target.overrides, options.projectDir ?? PROJECT_ROOT),
    };
    if (options.assumeRole) values["aws:assumeRoles"] = [{ roleArn: target.roleArn, sessionName: SESSION_NAME }];
    return Object.fromEntries(
        Object.entries(values)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([key, value]) =>
                typeof value === "string"
                    ? [key, { value, secret: false }]
                    : [
                          key,
                          {
                              value: JSON.stringify(value),
                              ...(value !== null && typeof value === "object" ? { objectValue: value } : {}),
                              secret: false,
                          },
                      ],
            ),
    );
}

export interface AutomationOptions {
    /** The AWS provider assumes the target's role (false: the ambient credentials are already the target account's). */
    readonly assumeRole: boolean;
    readonly projectDir?: string;
    /** Policy packs every preview and update runs with (the workflows run `policy`). */
    readonly policyPacks?: readonly string[];
}

/** The Pulumi CLI's install page. */
export const PULUMI_INSTALL = "https://www.pulumi.com/docs/iac/download-install/";

/** What every target needs is missing: said once, before any target (exit 5). */
export class UnavailableError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UnavailableError";
    }
}

/**
 * The ambient AWS credentials every target's provider starts from (it assumes the target's role
 * with them, or uses them as they are with --no-assume-role), and that `fleet coverage` assumes
 * each target's role with: the SDK's default chain, resolved once.
 */
export async function awsCredentials(purpose = "for the targets' providers"): Promise<void> {
    const client = new SSMClient({ region: "us-east-1" });
    try {
        await client.config.credentials();
    } catch (error) {
        throw new UnavailableError(
            `No AWS credentials ${purpose} (${(error as Error).message.split("\n")[0]}): set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run aws sso login (https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html).`,
        );
    } finally {
        client.destroy();
    }
}

/** One PulumiCommand (the CLI found once, its version checked once) for every target. */
export function automationWorkspace(options: AutomationOptions): FleetWorkspace {
    const projectDir = options.projectDir ?? PROJECT_ROOT;
    const policyPacks = (options.policyPacks ?? [path.join(projectDir, "policy")]).map((p) => path.resolve(p));
    let command: Promise<PulumiCommand> | undefined;
    const stackOf = async (target: Target, operation: Operation): Promise<Stack> => {
        const pulumiCommand = await (command ??= PulumiCommand.get());
        const args = { stackName: target.stack, workDir: projectDir };
        // A destroy never creates a stack only to find nothing in it.
        return operation === "destroy"
            ? LocalWorkspace.selectStack(args, { pulumiCommand })
            : LocalWorkspace.createOrSelectStack(args, { pulumiCommand });
    };
    return {
        async preflight(): Promise<void> {
            try {
                await (command ??= PulumiCommand.get());
            } catch (error) {
                command = undefined;
                const why = /ENOENT/.test((error as Error).message)
                    ? "not found on PATH"
                    : ((error as Error).message.split("\n").find((l) => l.startsWith(" stderr: ")) ?? "").trim();
                throw new UnavailableError(
                    `The Pulumi CLI is needed for fleet preview, up and destroy (${why}). Install it: ${PULUMI_INSTALL}\n(fleet plan needs no CLI and no credentials.)`,
                );
            }
            await awsCredentials();
        },
        async run(target, operation, io): Promise<Changes> {
            const notCancelled = () => {
                if (io.signal.aborted) throw new Error("cancelled (Ctrl-C) before the operation started");
            };
            const stack = await stackOf(target, operation);
            notCancelled();
            const config = stackConfigJson(target, { assumeRole: options.assumeRole, projectDir });
            const stale = Object.keys(await stack.getAllConfig()).filter((key) => !(key in config));
            if (stale.length > 0) await stack.removeAllConfig(stale);
            await stack.setAllConfigJson(JSON.stringify(config));
            notCancelled();
            const common = { ...cancellable(io), color: "never" as const };
            if (operation === "preview")
                return (await stack.preview({ ...common, policyPacks: [...policyPacks] })).changeSummary;
            if (operation === "up")
                return (await stack.up({ ...common, policyPacks: [...policyPacks] })).summary.resourceChanges ?? {};
            return (await stack.destroy(common)).summary.resourceChanges ?? {};
        },
    };
}

/**
 * The Automation API listens for the abort only once it has spawned the CLI (automation/cmd.js
 * `exec`): an abort in between would be lost and the update would run on. So the operation gets
 * its own signal, aborted once both have happened: the caller's abort, and the CLI's first output
 * (it prints its header at once), which proves the listener is there.
 */
function cancellable(io: { onOutput: (text: string) => void; signal: AbortSignal }) {
    const inner = new AbortController();
    let spawned = false;
    io.signal.addEventListener("abort", () => spawned && inner.abort(), { once: true });
    const onOutput = (text: string) => {
        if (!spawned) {
            spawned = true;
            if (io.signal.aborted) inner.abort();
        }
        io.onOutput(text);
    };
    return { onOutput, signal: inner.signal };
}
