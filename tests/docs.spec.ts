import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "./harness";
import { PAGES, read } from "./docPages";

/** The shell commands of a page's ```sh blocks, comments and alignment dropped. */
function commands(markdown: string): string[] {
    return [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) =>
        m[1]
            .split("\n")
            .map((line) => line.replace(/\s+#.*$/, "").trim())
            .filter((line) => line !== ""),
    );
}

/** GitHub's anchor of a heading. */
function slug(heading: string): string {
    return heading
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, "")
        .replace(/\s/g, "-");
}

describe("README and docs", () => {
    it("keep the README short: at most 16,000 characters, its first screen reaching a working command", () => {
        const readme = read("README.md");
        assert.ok(readme.length <= 16000, `${readme.length} characters`);
        const firstScreen = readme.split("\n").slice(0, 40).join("\n");
        assert.match(firstScreen, /npm run plan -- --stack test/);
        for (const section of [
            "## Quick start",
            "## Deploy, preview, destroy",
            "## What a stack creates",
            "## Cost",
            "## Where the rest lives",
        ]) {
            assert.ok(readme.includes(`\n${section}\n`), section);
        }
        assert.ok(
            readme.includes(
                "https://wellarchitectedlabs.com/operational-excellence/100_labs/100_inventory_patch_management/",
            ),
        );
        assert.ok(readme.includes("[README.ja.md](README.ja.md)"));
    });

    it("README.ja.md gives the same commands as the README", () => {
        assert.deepStrictEqual(commands(read("README.ja.md")), commands(read("README.md")));
        assert.ok(commands(read("README.md")).includes("pulumi destroy --stack test"));
    });

    it("say what a stack costs, with prices, region and date, and what costs after destroy", () => {
        const cost = read("README.md").split("## Cost")[1].split("\n## ")[0];
        for (const fact of [
            "ap-northeast-1",
            "November 2026",
            "$0.0136 per hour",
            "$0.096 per GiB-month",
            "$0.005 per hour",
            "$1.00 per key-month",
            "**about $59**",
            "After `pulumi destroy`",
            "$0.0108 per hour",
            "$0.0456 per hour",
            "**about $95**",
        ]) {
            assert.ok(cost.includes(fact), fact);
        }
    });

    it("cover the first deployment's troubles", () => {
        const text = read("docs/troubleshooting.md");
        for (const topic of [
            "Fleet Manager",
            "PendingConfirmation",
            "already registered",
            "passphrase",
            "replace every instance",
            "is protected",
        ]) {
            assert.ok(text.includes(topic), topic);
        }
    });

    for (const page of PAGES) {
        it(`${page}: every table renders (no blank line inside one) and every link to this repository resolves`, () => {
            const lines = read(page).split("\n");
            lines.forEach((line, i) => {
                // A table row after a blank line starts a new table: it must be a header, with its |---| line next.
                if (line.startsWith("|") && i > 0 && lines[i - 1].trim() === "") {
                    assert.match(
                        lines[i + 1] ?? "",
                        /^\|[-| :]+\|$/,
                        `${page}:${i + 1} is a table row cut off from its table`,
                    );
                }
            });
            for (const [, target] of read(page).matchAll(/\]\(((?!https?:)[^)\s]+)\)/g)) {
                const [file, anchor] = target.split("#");
                const resolved =
                    file === "" ? path.join(PROJECT_ROOT, page) : path.join(PROJECT_ROOT, path.dirname(page), file);
                assert.ok(fs.existsSync(resolved), `${page}: ${target} does not exist`);
                if (anchor && resolved.endsWith(".md")) {
                    const anchors = fs
                        .readFileSync(resolved, "utf8")
                        .split("\n")
                        .filter((l) => /^#{1,6} /.test(l))
                        .map((l) => slug(l.replace(/^#+ /, "")));
                    assert.ok(anchors.includes(anchor), `${page}: ${target} has no heading #${anchor}`);
                }
            }
        });
    }
});
