#!/usr/bin/env node
/**
 * `npm run preview-report -- preview.json --stack prod [--strict]`: what a real `pulumi preview`
 * would replace or delete among what users keep (instances, buckets, keys, topics and their
 * subscriptions, log groups), as a Markdown section for the pull request. With `--strict` (the
 * PR workflow sets it for prod unless the pull request carries the `allow-replacements` label)
 * it exits 1 when there is any. A preview that failed (any error diagnostic, protect refusals
 * reported as such) or did not finish (no `changeSummary`) exits 1 whatever the flags; a file
 * that is not a preview's JSON exits 2.
 *
 * Input: the JSON of `pulumi preview --json`, Pulumi's PreviewDigest (pkg/display/json.go):
 * `{ config, steps: [{ op, urn, provider, oldState, newState, diffReasons, replaceReasons,
 * detailedDiff }], diagnostics: [{ urn, message, severity }], duration, changeSummary }`.
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

/**
 * The shapes `pulumi preview --json` prints (pulumi/pulumi, checked at v3.259.0): PreviewDigest,
 * PreviewStep and PreviewDiagnostic in pkg/display/json.go; the states are apitype.ResourceV3
 * (sdk/go/common/apitype/core.go). Only what the report reads is typed here.
 */
interface ResourceState {
    readonly type?: string;
    readonly protect?: boolean;
    readonly retainOnDelete?: boolean;
}

interface PreviewStep {
    readonly op: string;
    readonly urn: string;
    readonly replaceReasons?: readonly string[];
    readonly oldState?: ResourceState;
    readonly newState?: ResourceState;
}

export interface PreviewDiagnostic {
    readonly urn?: string;
    /** The severity's prefix (`error: `) and the message (pkg/backend/display/json.go, ShowPreviewDigest). */
    readonly message?: string;
    /** `debug`, `info`, `info#err`, `warning`, `error` (sdk/go/common/diag/sink.go). */
    readonly severity?: string;
}

export interface PreviewDigest {
    readonly steps?: readonly PreviewStep[];
    readonly diagnostics?: readonly PreviewDiagnostic[];
    /** Set from the engine's summary event: missing when the preview was cancelled before it ended. */
    readonly changeSummary?: Readonly<Record<string, number>>;
}

export interface Change {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly operation: "replace" | "delete";
    /** The properties that force the replacement, where the provider says. */
    readonly reasons: readonly string[];
    /** `retainOnDelete`: the engine leaves the old resource in the account; nothing is lost. */
    readonly retained: boolean;
}

/**
 * A replacement is one `replace` step with the default flags; with `--show-replacement-steps` also
 * `create-replacement` and `delete-replaced` (pkg/backend/display/display.go, shouldShow), the
 * delete first when the resource is deleted before it is replaced (step_generator.go).
 */
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
            retained: previous?.retained === true || step.oldState?.retainOnDelete === true,
        });
    }
    return [...changes.values()];
}

/** Why a preview cannot be trusted: its error diagnostics, or no summary. Protect errors apart. */
export interface Failure {
    /** Resources the engine refuses to delete or replace because they are protected (step.go, step_generator.go). */
    readonly protectedRefusals: readonly { readonly name: string; readonly operation: "delete" | "replace" }[];
    /** Every other error diagnostic, and a missing changeSummary. */
    readonly errors: readonly string[];
}

const PROTECT_REFUSALS: readonly [RegExp, "delete" | "replace"][] = [
    // deleteProtectedError (pkg/resource/deploy/step.go)
    [/^(?:error: )?resource "([^"]+)" cannot be deleted\s+because it is protected/, "delete"],
    // a protected replacement (pkg/resource/deploy/step_generator.go)
    [/^(?:error: )?unable to replace resource "([^"]+)"\s+as it is currently marked for protection/, "replace"],
];

/** The failure a digest reports, or undefined when the preview completed without errors. */
export function failureOf(digest: PreviewDigest): Failure | undefined {
    const protectedRefusals: Failure["protectedRefusals"][number][] = [];
    const errors: string[] = [];
    for (const d of digest.diagnostics ?? []) {
        if (d.severity !== "error") continue;
        const message = (d.message ?? "").trim();
        const refusal = PROTECT_REFUSALS.map(
            ([pattern, operation]) => [pattern.exec(message), operation] as const,
        ).find(([m]) => m);
        if (refusal) protectedRefusals.push({ name: typeAndName(refusal[0]![1])[1], operation: refusal[1] });
        else errors.push(message || "(an error diagnostic without a message)");
    }
    if (digest.changeSummary === undefined) {
        errors.push("no changeSummary: the preview did not finish (cancelled, or stopped before its summary)");
    }
    return protectedRefusals.length + errors.length > 0 ? { protectedRefusals, errors } : undefined;
}

/** The problems that make a parsed document something other than a PreviewDigest. */
export function digestProblems(value: unknown): string[] {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return ["not a JSON object"];
    const digest = value as Record<string, unknown>;
    const problems: string[] = [];
    for (const key of ["steps", "diagnostics"]) {
        if (digest[key] !== undefined && !Array.isArray(digest[key])) problems.push(`"${key}" is not an array`);
    }
    const steps = Array.isArray(digest.steps) ? digest.steps : [];
    steps.forEach((step, i) => {
        const s = step as Record<string, unknown> | null;
        if (!s || typeof s.op !== "string" || typeof s.urn !== "string")
            problems.push(`steps[${i}] has no "op" and "urn"`);
    });
    const summary = digest.changeSummary;
    if (
        summary !== undefined &&
        (summary === null || typeof summary !== "object" || Object.values(summary).some((n) => typeof n !== "number"))
    ) {
        problems.push(`"changeSummary" is not a map of counts`);
    }
    return problems;
}

export interface Report {
    readonly markdown: string;
    /** Replacements or deletions of what users keep (retained ones included, marked). */
    readonly kept: readonly Change[];
    /** Set when the preview failed or did not finish: the check fails whatever the labels say. */
    readonly failure?: Failure;
    readonly blocked: boolean;
}

/** The most rows a comment lists (GitHub refuses a comment over 65,536 characters). */
export const MAX_ROWS = 100;

function failureLines(failure: Failure): string[] {
    const lines = [
        "**The preview failed:** what it would replace or delete is not known, so this check fails whatever the labels say.",
        "",
    ];
    for (const r of failure.protectedRefusals) {
        lines.push(
            `- \`${r.name}\` is **protected**: the engine refuses to ${r.operation} it (unprotect it on purpose first: docs/changes.md).`,
        );
    }
    for (const error of failure.errors) lines.push(`- ${error.split("\n")[0].slice(0, 300)}`);
    return [...lines, ""];
}

/** The pull request section for one stack's preview. */
export function report(digest: PreviewDigest, stack: string, strict: boolean): Report {
    const failure = failureOf(digest);
    const changes = replacementsAndDeletions(digest);
    const kept = changes.filter((c) => c.type in KEPT_TYPES);
    const lost = kept.filter((c) => !c.retained);
    const others = changes.length - kept.length;
    const blocked = failure !== undefined || (strict && lost.length > 0);
    const lines = [`### Replacements and deletions: \`${stack}\``, ""];
    if (failure) lines.push(...failureLines(failure));
    if (kept.length === 0) {
        lines.push(
            `No instance, bucket, key, topic, subscription or log group would be replaced or deleted${failure ? " as far as the preview got" : ""}.`,
        );
    } else {
        lines.push("| resource | type | would be | because of | what is lost |", "|---|---|---|---|---|");
        for (const c of kept.slice(0, MAX_ROWS)) {
            const what = c.retained
                ? "nothing: `retainOnDelete` leaves it in the account, outside the stack"
                : KEPT_TYPES[c.type];
            lines.push(
                `| \`${c.name}\` | \`${c.type}\` | **${c.operation === "replace" ? "replaced" : "deleted"}** | ${c.reasons.map((r) => `\`${r}\``).join(", ") || "—"} | ${what} |`,
            );
        }
        if (kept.length > MAX_ROWS) lines.push("", `… and ${kept.length - MAX_ROWS} more (see the preview).`);
    }
    if (others > 0)
        lines.push(
            "",
            `Also replaced or deleted: ${others} other resource${others === 1 ? "" : "s"} (see the preview).`,
        );
    if (failure) {
        // Said above.
    } else if (blocked) {
        lines.push(
            "",
            `**This check fails:** \`${stack}\` would lose what its users keep. If that is intended, add the label \`${ALLOW_LABEL}\` to the pull request.`,
        );
    } else if (lost.length > 0 && strict === false) {
        lines.push("", `Allowed: this stack is not checked strictly, or the pull request carries \`${ALLOW_LABEL}\`.`);
    }
    return { markdown: `${lines.join("\n")}\n`, kept, failure, blocked };
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
    let parsed: unknown;
    try {
        parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
        process.stderr.write(`${file}: not the JSON of pulumi preview --json (${(error as Error).message})\n`);
        return 2;
    }
    const problems = digestProblems(parsed);
    if (problems.length > 0) {
        process.stderr.write(`${file}: not the JSON of pulumi preview --json (${problems.join("; ")})\n`);
        return 2;
    }
    const digest = parsed as PreviewDigest;
    const result = report(digest, options.stack, options.strict === true);
    process.stdout.write(result.markdown);
    return result.blocked ? 1 : 0;
}

if (require.main === module) {
    process.exitCode = main(process.argv);
}
