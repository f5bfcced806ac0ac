import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { main, MAX_ROWS, PreviewDigest, replacementsAndDeletions, report } from "../tools/plan/previewReport";
import { PROJECT_ROOT } from "./harness";

/** The pull request's replacement report, on previews shaped as `pulumi preview --json` prints them. */
const DIR = path.join(PROJECT_ROOT, "tests", "fixtures", "preview");
const file = (name: string) => path.join(DIR, name);
const fixture = (name: string): PreviewDigest => JSON.parse(fs.readFileSync(file(name), "utf8"));

/** Runs the command in this process, capturing its output. */
function command(...args: string[]): { code: number; stdout: string; stderr: string } {
    const out: string[] = [];
    const err: string[] = [];
    const [write, writeErr] = [process.stdout.write, process.stderr.write];
    process.stdout.write = ((chunk: string) => out.push(chunk) > 0) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) => err.push(chunk) > 0) as typeof process.stderr.write;
    try {
        return { code: main(["node", "preview-report", ...args]), stdout: out.join(""), stderr: err.join("") };
    } finally {
        process.stdout.write = write;
        process.stderr.write = writeErr;
    }
}

// The Go structs' JSON fields, in declaration order (pkg/display/json.go, sdk/go/common/apitype/core.go).
const DIGEST = ["config", "steps", "diagnostics", "duration", "changeSummary", "maybeCorrupt"];
const STEP = ["op", "urn", "provider", "oldState", "newState", "diffReasons", "replaceReasons", "detailedDiff"];
const DIAGNOSTIC = ["urn", "prefix", "message", "severity"];
const RESOURCE_V3 = [
    "urn",
    "custom",
    "delete",
    "id",
    "type",
    "inputs",
    "outputs",
    "parent",
    "protect",
    "taint",
    "external",
    "dependencies",
    "initErrors",
    "provider",
    "propertyDependencies",
    "pendingReplacement",
    "additionalSecretOutputs",
    "aliases",
    "customTimeouts",
    "importID",
    "retainOnDelete",
    "deletedWith",
    "replaceWith",
    "created",
    "modified",
    "sourcePosition",
    "stackTrace",
    "ignoreChanges",
];
const OPS = [
    "same",
    "create",
    "update",
    "delete",
    "replace",
    "create-replacement",
    "delete-replaced",
    "read",
    "read-replacement",
    "refresh",
    "discard",
    "discard-replaced",
    "remove-pending-replace",
    "import",
    "import-replacement",
];

/** Problems of a value against a struct: unknown fields, or fields out of the struct's order. */
function structProblems(where: string, value: Record<string, unknown>, fields: string[]): string[] {
    const keys = Object.keys(value);
    const unknown = keys.filter((k) => !fields.includes(k)).map((k) => `${where}: no field ${k}`);
    const order = keys.filter((k) => fields.includes(k));
    const sorted = [...order].sort((a, b) => fields.indexOf(a) - fields.indexOf(b));
    return [
        ...unknown,
        ...(order.join() === sorted.join() ? [] : [`${where}: fields out of order: ${order.join(", ")}`]),
    ];
}

function fixtureProblems(name: string, digest: Record<string, any>): string[] {
    const problems = structProblems(name, digest, DIGEST);
    (digest.steps ?? []).forEach((step: Record<string, any>, i: number) => {
        const at = `${name} steps[${i}]`;
        problems.push(...structProblems(at, step, STEP));
        if (!OPS.includes(step.op)) problems.push(`${at}: op ${step.op}`);
        if (!("detailedDiff" in step)) problems.push(`${at}: detailedDiff is always printed`);
        if (/::pulumi:pulumi:Stack\$/.test(step.urn))
            problems.push(`${at}: the engine never puts the root stack in a URN`);
        for (const key of ["oldState", "newState"]) {
            if (step[key]) problems.push(...structProblems(`${at}.${key}`, step[key], RESOURCE_V3));
            if (step[key] && step[key].urn !== step.urn) problems.push(`${at}.${key}: another URN`);
        }
    });
    (digest.diagnostics ?? []).forEach((d: Record<string, any>, i: number) => {
        problems.push(...structProblems(`${name} diagnostics[${i}]`, d, DIAGNOSTIC));
        if (!["debug", "info", "info#err", "warning", "error"].includes(d.severity))
            problems.push(`${name} diagnostics[${i}]: severity ${d.severity}`);
        if (d.severity === "error" && !/^error: [\s\S]*\n$/.test(d.message))
            problems.push(`${name} diagnostics[${i}]: not "error: <message>\\n"`);
    });
    return problems;
}

describe("preview report: what a pull request would replace or delete", () => {
    it("every fixture has the CLI's structs: fields, their order, ops, no root stack in URNs", () => {
        const names = fs.readdirSync(DIR).filter((f) => f.endsWith(".json"));
        assert.strictEqual(names.length, 10);
        assert.deepStrictEqual(
            names.flatMap((n) => fixtureProblems(n, fixture(n) as Record<string, any>)),
            [],
        );
    });

    it("reads a replacement once per resource, with the default flags (replace) and with --show-replacement-steps", () => {
        const rows = (name: string) =>
            replacementsAndDeletions(fixture(name)).map((c) => `${c.operation} ${c.name} [${c.reasons.join(",")}]`);
        const expected = [
            "replace lab-fleet-web1 [ami]",
            "replace lab-fleet-web2 [ami]",
            "replace lab-fleet-app1 [ami]",
            "replace lab-fleet-app2 [ami]",
        ];
        assert.deepStrictEqual(rows("test-new-ami.json"), expected);
        assert.deepStrictEqual(rows("test-new-ami-replacement-steps.json"), expected);
        assert.deepStrictEqual(rows("test-delete-before-replace.json"), [
            "replace lab-patching-patch-group [patchGroup]",
        ]);
    });

    it("fails a strict stack when instances would be replaced, listing each with its reason", () => {
        const result = command(file("test-new-ami.json"), "--stack", "test", "--strict");
        assert.strictEqual(result.code, 1);
        const row = (n: string) =>
            `| \`lab-fleet-${n}\` | \`aws:ec2/instance:Instance\` | **replaced** | \`ami\` | the instance and what is installed on it |`;
        assert.strictEqual(
            result.stdout,
            [
                "### Replacements and deletions: `test`",
                "",
                "| resource | type | would be | because of | what is lost |",
                "|---|---|---|---|---|",
                ...["web1", "web2", "app1", "app2"].map(row),
                "",
                "**This check fails:** `test` would lose what its users keep. If that is intended, add the label `allow-replacements` to the pull request.",
                "",
            ].join("\n"),
        );
    });

    it("passes creates, in-place updates and a preview with nothing to do, even strictly", () => {
        for (const name of ["prod-updates.json", "prod-no-changes.json"]) {
            const result = command(file(name), "--stack", "prod", "--strict");
            assert.deepStrictEqual(
                [result.code, result.stdout],
                [
                    0,
                    "### Replacements and deletions: `prod`\n\nNo instance, bucket, key, topic, subscription or log group would be replaced or deleted.\n",
                ],
                name,
            );
        }
    });

    it("lists a replaced topic and subscription; without --strict (the label) they pass", () => {
        const result = command(file("test-topic-renamed.json"), "--stack", "test");
        assert.strictEqual(result.code, 0);
        assert.deepStrictEqual(
            report(fixture("test-topic-renamed.json"), "test", true).kept.map((c) => `${c.operation} ${c.name}`),
            ["replace lab-alerts-topic", "replace lab-alerts-email-1"],
        );
        assert.match(
            result.stdout,
            /^\| `lab-alerts-topic` \| `aws:sns\/topic:Topic` \| \*\*replaced\*\* \| `name` \| the topic and every confirmed subscription \|$/m,
        );
        assert.match(
            result.stdout,
            /\nAllowed: this stack is not checked strictly, or the pull request carries `allow-replacements`\.\n$/,
        );
    });

    it("does not call a retainOnDelete resource lost, and does not fail for it", () => {
        const result = command(file("test-bucket-retained.json"), "--stack", "test", "--strict");
        assert.strictEqual(result.code, 0);
        assert.match(
            result.stdout,
            /^\| `lab-inventory-logs` \| `aws:s3\/bucket:Bucket` \| \*\*deleted\*\* \| — \| nothing: `retainOnDelete` leaves it in the account, outside the stack \|$/m,
        );
    });

    it("reports protect refusals as such and fails, whatever the flags", () => {
        const result = command(file("prod-protect-errors.json"), "--stack", "prod");
        assert.strictEqual(result.code, 1);
        const refusals = result.stdout.split("\n").filter((l) => l.includes("is **protected**"));
        assert.deepStrictEqual(refusals, [
            ...["web1", "web2", "app1", "app2"].map(
                (n) =>
                    `- \`lab-fleet-${n}\` is **protected**: the engine refuses to replace it (unprotect it on purpose first: docs/changes.md).`,
            ),
            "- `lab-alerts-email-1` is **protected**: the engine refuses to delete it (unprotect it on purpose first: docs/changes.md).",
        ]);
        assert.match(result.stdout, /\*\*The preview failed:\*\* what it would replace or delete is not known/);
    });

    it("fails a preview whose program failed, showing its message, even without --strict", () => {
        const result = command(file("prod-failed-program.json"), "--stack", "prod");
        assert.strictEqual(result.code, 1);
        assert.match(
            result.stdout,
            /^- error: Running program '\/home\/runner\/work\/oe-lab-ipm\/oe-lab-ipm' failed with an unhandled exception:$/m,
        );
        assert.match(
            result.stdout,
            /No instance, bucket, key, topic, subscription or log group would be replaced or deleted as far as the preview got\./,
        );
    });

    it("fails a preview without changeSummary (cancelled) and an error diagnostic added to a clean one", () => {
        const cancelled = command(file("prod-cancelled.json"), "--stack", "prod");
        assert.strictEqual(cancelled.code, 1);
        assert.match(
            cancelled.stdout,
            /^- no changeSummary: the preview did not finish \(cancelled, or stopped before its summary\)$/m,
        );
        const clean = fixture("prod-no-changes.json");
        const failed = report(
            { ...clean, diagnostics: [{ message: "error: an unhandled error occurred: boom\n", severity: "error" }] },
            "prod",
            false,
        );
        assert.deepStrictEqual(
            [failed.blocked, failed.failure?.errors],
            [true, ["error: an unhandled error occurred: boom"]],
        );
        const warned = report(
            { ...clean, diagnostics: [{ message: "warning: deprecated\n", severity: "warning" }] },
            "prod",
            true,
        );
        assert.strictEqual(warned.blocked, false);
    });

    it("keeps a large preview's comment under GitHub's 65,536 characters, listing the first rows", () => {
        const base = fixture("test-new-ami.json");
        const template = base.steps![1];
        const steps = Array.from({ length: 600 }, (_, i) => ({
            ...template,
            urn: template.urn.replace("lab-fleet-web1", `lab-fleet-web${i + 1}`),
        }));
        const result = report(
            { ...base, steps: [base.steps![0], ...steps], changeSummary: { replace: 600, same: 50 } },
            "test",
            true,
        );
        assert.strictEqual(result.kept.length, 600);
        assert.ok(result.markdown.length < 65536, `${result.markdown.length} characters`);
        assert.strictEqual(
            result.markdown.split("\n").filter((l) => l.startsWith("| `lab-fleet-web")).length,
            MAX_ROWS,
        );
        assert.match(result.markdown, /\n… and 500 more \(see the preview\)\.\n/);
    });

    it("refuses a file that is not a preview's JSON, or not a PreviewDigest, with exit code 2", () => {
        const readme = command(path.join(PROJECT_ROOT, "README.md"), "--stack", "prod");
        assert.strictEqual(readme.code, 2);
        assert.match(readme.stderr, /README\.md: not the JSON of pulumi preview --json \(/);
        const tmp = path.join(PROJECT_ROOT, "bin", "not-a-digest.json");
        fs.writeFileSync(tmp, JSON.stringify({ steps: {}, changeSummary: { same: "1" } }));
        try {
            const result = command(tmp, "--stack", "prod");
            assert.deepStrictEqual(
                [result.code, result.stderr],
                [
                    2,
                    `${tmp}: not the JSON of pulumi preview --json ("steps" is not an array; "changeSummary" is not a map of counts)\n`,
                ],
            );
        } finally {
            fs.rmSync(tmp);
        }
    });
});
