#!/usr/bin/env node
/**
 * `npm run preview-report -- preview.json --stack prod [--strict]`: what a real `pulumi preview`
 * would replace or delete among what users keep (instances, buckets, keys, topics and their
 * subscriptions, log groups), as a Markdown section for the pull request. With `--strict` (the
 * PR workflow sets it for prod unless the pull request carries the `allow-replacements` label)
 * it exits 1 when there is any.
 *
 * Input: the JSON of `pulumi preview --json`, Pulumi's PreviewDigest (sdk/go/common/display/json.go):
 * `{ steps: [{ op, urn, provider, oldState, newState, replaceReasons, diffReasons, detailedDiff }],
 *    changeSummary: { create, update, replace, delete, same, ... } }`. A replacement shows as a
 * `replace` step (or `create-replacement` and `delete-replaced` steps) of one URN.
 */
import { Command } from "commander";
import * as fs from "fs";

/** Resource types whose replacement or deletion loses what users keep, and what they lose. */
export const KEPT_TYPES: Readonly<Record<string, string>> = {
    "aws:ec2/instance:Instance": "the instance and what is installed on it",
    "aws:s3/bucket:Bucket": "the bucket's logs (a new, empty bucket replaces it)",
    "aws:kms/key:Key": "the key (what it encrypted can no longer be read)",
    "aws:sns/topic:Topic": "the topic and every confirmed subscription",
    "aws:sns/topicSubscription:TopicSubscription": "a confirmed subscription (the address must confirm again)",
    "aws:cloudwatch/logGroup:LogGroup": "the patching logs in the group",
};

/** The label that says a pull request means to replace or delete what users keep. */
export const ALLOW_LABEL = "allow-replacements";

interface PreviewStep {
    readonly op: string;
    readonly urn: string;
    readonly replaceReasons?: readonly string[];
    readonly oldState?: { readonly type?: string };
    readonly newState?: { readonly type?: string };
}

export interface PreviewDigest {
    readonly steps?: readonly PreviewStep[];
    readonly changeSummary?: Readonly<Record<string, number>>;
}

export interface Change {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly operation: "replace" | "delete";
    /** The properties that force the replacement, where the provider says. */
    readonly reasons: readonly string[];
}

const REPLACING = new Set(["replace", "create-replacement", "delete-replaced"]);

/** `urn:pulumi:<stack>::<project>::<parent types$>type::name` -> [type, name]. */
function typeAndName(urn: string): [string, string] {
    const parts = urn.split("::");
    const types = parts[2] ?? "";
    return [types.split("$").pop() ?? types, parts.slice(3).join("::")];
}

/** Every resource a preview replaces or deletes, once per URN, in the preview's order. */
export function replacementsAndDeletions(digest: PreviewDigest): Change[] {
    const changes = new Map<string, Change>();
    for (const step of digest.steps ?? []) {
        const operation = REPLACING.has(step.op) ? "replace" : step.op === "delete" ? "delete" : undefined;
        if (!operation) continue;
        const [type, name] = typeAndName(step.urn);
        const previous = changes.get(step.urn);
        const reasons = [...new Set([...(previous?.reasons ?? []), ...(step.replaceReasons ?? [])])];
        changes.set(step.urn, {
            urn: step.urn,
            type: step.newState?.type ?? step.oldState?.type ?? type,
            name,
            operation: previous?.operation ?? operation,
            reasons,
        });
    }
    return [...changes.values()];
}

export interface Report {
    readonly markdown: string;
    /** Replacements or deletions of what users keep. */
    readonly kept: readonly Change[];
    readonly blocked: boolean;
}

/** The pull request section for one stack's preview. */
export function report(digest: PreviewDigest, stack: string, strict: boolean): Report {
    const changes = replacementsAndDeletions(digest);
    const kept = changes.filter((c) => c.type in KEPT_TYPES);
    const others = changes.length - kept.length;
    const blocked = strict && kept.length > 0;
    const lines = [`### Replacements and deletions: \`${stack}\``, ""];
    if (kept.length === 0) {
        lines.push("No instance, bucket, key, topic, subscription or log group would be replaced or deleted.");
    } else {
        lines.push("| resource | type | would be | because of | what is lost |", "|---|---|---|---|---|");
        for (const c of kept) {
            lines.push(
                `| \`${c.name}\` | \`${c.type}\` | **${c.operation === "replace" ? "replaced" : "deleted"}** | ${c.reasons.map((r) => `\`${r}\``).join(", ") || "—"} | ${KEPT_TYPES[c.type]} |`,
            );
        }
    }
    if (others > 0)
        lines.push(
            "",
            `Also replaced or deleted: ${others} other resource${others === 1 ? "" : "s"} (see the preview).`,
        );
    if (blocked) {
        lines.push(
            "",
            `**This check fails:** \`${stack}\` would lose what its users keep. If that is intended, add the label \`${ALLOW_LABEL}\` to the pull request.`,
        );
    } else if (kept.length > 0 && strict === false) {
        lines.push("", `Allowed: this stack is not checked strictly, or the pull request carries \`${ALLOW_LABEL}\`.`);
    }
    return { markdown: `${lines.join("\n")}\n`, kept, blocked };
}

export function main(argv: string[]): number {
    const program = new Command("preview-report")
        .description("Report what a pulumi preview --json would replace or delete among what users keep.")
        .argument("<preview.json>", "the output of pulumi preview --json")
        .requiredOption("-s, --stack <name>", "the stack the preview is of")
        .option(
            "--strict",
            `exit 1 when anything users keep would be replaced or deleted (the label ${ALLOW_LABEL} lifts it in the workflow)`,
        )
        .showHelpAfterError()
        .exitOverride();
    let file: string;
    let options: { stack: string; strict?: boolean };
    try {
        program.parse(argv);
        [file] = program.args;
        options = program.opts();
    } catch (error) {
        return (error as { exitCode?: number }).exitCode === 0 ? 0 : 2;
    }
    let digest: PreviewDigest;
    try {
        digest = JSON.parse(fs.readFileSync(file, "utf8")) as PreviewDigest;
    } catch (error) {
        process.stderr.write(`${file}: not the JSON of pulumi preview --json (${(error as Error).message})\n`);
        return 2;
    }
    const result = report(digest, options.stack, options.strict === true);
    process.stdout.write(result.markdown);
    return result.blocked ? 1 : 0;
}

if (require.main === module) {
    process.exitCode = main(process.argv);
}
