/**
 * `npm run test:fleet` (slow: ~45 evaluations of the program; .ci/run runs it after the SQL spec): the
 * committed targets file planned as a user runs it, a fresh process of the real entry point.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "./harness";

describe("fleet plan of targets.example.yaml", () => {
    it("writes one plan per target and summary.json, every target planned and within AWS's API models; exit 0", () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-example-"));
        const cli = path.join(PROJECT_ROOT, "bin", "tools", "fleet", "cli.js");
        const run = spawnSync(process.execPath, [cli, "plan", "--targets", "targets.example.yaml", "--out", out], {
            cwd: PROJECT_ROOT,
            encoding: "utf8",
        });
        assert.strictEqual(run.status, 0, run.stderr + run.stdout);
        const summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8"));
        assert.strictEqual(summary.length, 22);
        assert.deepStrictEqual(
            fs.readdirSync(out).sort(),
            [...summary.map((r: { stack: string }) => `${r.stack}.json`), "summary.json"].sort(),
        );
        const counts = summary.map(
            (r: { base: string; status: string; resources: number; problems: string[] }) =>
                `${r.base} ${r.status} ${r.resources} ${r.problems.length}`,
        );
        // Each row's count is its plan's (what pulumi preview counts), the same for every target of a base.
        for (const r of summary as { stack: string; resources: number }[]) {
            assert.strictEqual(
                r.resources,
                JSON.parse(fs.readFileSync(path.join(out, `${r.stack}.json`), "utf8")).toCreate,
            );
        }
        assert.deepStrictEqual([...new Set(counts.map((c: string) => c.replace(/ \d+ /, " n ")))].sort(), [
            "existing planned n 0",
            "test planned n 0",
        ]);
        assert.strictEqual(new Set(counts).size, 2);
        assert.match(run.stdout, /\n22 targets planned; every request passes AWS's API models\.\n$/);
        fs.rmSync(out, { recursive: true, force: true });
    });
});
