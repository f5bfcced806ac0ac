import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { main, PreviewDigest, replacementsAndDeletions, report } from "../tools/plan/previewReport";
import { PROJECT_ROOT } from "./harness";

/** The pull request's replacement report, on previews in the documented `pulumi preview --json` format. */
const fixture = (name: string): PreviewDigest =>
    JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "tests", "fixtures", "preview", name), "utf8"));
const file = (name: string) => path.join(PROJECT_ROOT, "tests", "fixtures", "preview", name);

/** Runs the command in this process, capturing its output. */
function command(...args: string[]): { code: number; stdout: string } {
    const out: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => out.push(chunk) > 0) as typeof process.stdout.write;
    try {
        return { code: main(["node", "preview-report", ...args]), stdout: out.join("") };
    } finally {
        process.stdout.write = write;
    }
}

describe("preview report: what a pull request would replace or delete", () => {
    it("reads every replacement once per resource, whether as replace or as create-replacement/delete-replaced steps", () => {
        assert.deepStrictEqual(
            replacementsAndDeletions(fixture("prod-new-ami.json")).map(
                (c) => `${c.operation} ${c.type} ${c.name} [${c.reasons.join(",")}]`,
            ),
            [
                "replace aws:ec2/instance:Instance lab-fleet-web1 [ami]",
                "replace aws:ec2/instance:Instance lab-fleet-web2 [ami]",
                "replace aws:ssm/patchGroup:PatchGroup lab-patching-patch-group [patchGroup]",
            ],
        );
    });

    it("fails prod when instances would be replaced, listing each with its reason", () => {
        const result = command(file("prod-new-ami.json"), "--stack", "prod", "--strict");
        assert.strictEqual(result.code, 1);
        assert.strictEqual(
            result.stdout,
            [
                "### Replacements and deletions: `prod`",
                "",
                "| resource | type | would be | because of | what is lost |",
                "|---|---|---|---|---|",
                "| `lab-fleet-web1` | `aws:ec2/instance:Instance` | **replaced** | `ami` | the instance and what is installed on it |",
                "| `lab-fleet-web2` | `aws:ec2/instance:Instance` | **replaced** | `ami` | the instance and what is installed on it |",
                "",
                "Also replaced or deleted: 1 other resource (see the preview).",
                "",
                "**This check fails:** `prod` would lose what its users keep. If that is intended, add the label `allow-replacements` to the pull request.",
                "",
            ].join("\n"),
        );
    });

    it("passes creates and in-place updates, even in prod", () => {
        const result = command(file("prod-updates.json"), "--stack", "prod", "--strict");
        assert.strictEqual(result.code, 0);
        assert.strictEqual(
            result.stdout,
            "### Replacements and deletions: `prod`\n\nNo instance, bucket, key, topic, subscription or log group would be replaced or deleted.\n",
        );
    });

    it("lists a replaced topic, a deleted subscription and a deleted bucket; the label (no --strict) lets them through", () => {
        const strict = report(fixture("prod-topic-renamed.json"), "prod", true);
        assert.strictEqual(strict.blocked, true);
        assert.deepStrictEqual(
            strict.kept.map((c) => `${c.operation} ${c.name}`),
            ["replace lab-alerts-topic", "delete lab-alerts-email-1", "delete lab-inventory-logs"],
        );
        const allowed = command(file("prod-topic-renamed.json"), "--stack", "prod");
        assert.strictEqual(allowed.code, 0);
        assert.match(
            allowed.stdout,
            /^\| `lab-alerts-topic` \| `aws:sns\/topic:Topic` \| \*\*replaced\*\* \| `name` \| the topic and every confirmed subscription \|$/m,
        );
        assert.match(
            allowed.stdout,
            /^\| `lab-inventory-logs` \| `aws:s3\/bucket:Bucket` \| \*\*deleted\*\* \| — \| the bucket's logs \(a new, empty bucket replaces it\) \|$/m,
        );
        assert.match(
            allowed.stdout,
            /\nAllowed: this stack is not checked strictly, or the pull request carries `allow-replacements`\.\n$/,
        );
    });

    it("refuses a file that is not a preview's JSON, with exit code 2", () => {
        const errors: string[] = [];
        const write = process.stderr.write;
        process.stderr.write = ((chunk: string) => errors.push(chunk) > 0) as typeof process.stderr.write;
        try {
            assert.strictEqual(
                main(["node", "preview-report", path.join(PROJECT_ROOT, "README.md"), "--stack", "prod"]),
                2,
            );
        } finally {
            process.stderr.write = write;
        }
        assert.match(errors.join(""), /README\.md: not the JSON of pulumi preview --json \(/);
    });
});
