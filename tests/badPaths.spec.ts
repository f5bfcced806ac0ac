import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main as fleetMain } from "../tools/fleet/cli";
import { main as planMain } from "../tools/plan/cli";
import { ops } from "./opsSession";
import { PROJECT_ROOT } from "./harness";
import { captured } from "./captured";

const TARGETS = path.join(PROJECT_ROOT, "targets.example.yaml");

/** Every command that writes a file or folder a person names, with the option, and how to run it with a path. */
const FILE_OUTPUTS: { command: string; option: string; example: string; run: (file: string) => Promise<Result> }[] = [
    {
        command: "plan --json",
        option: "--json",
        example: "test.json",
        run: (f) => captured(() => planMain(["node", "plan", "--stack", "test", "--json", f])),
    },
    {
        command: "plan --diagram",
        option: "--diagram",
        example: "test.mmd",
        run: (f) => captured(() => planMain(["node", "plan", "--stack", "test", "--diagram", f])),
    },
    {
        command: "ops report --out",
        option: "--out",
        example: "report.html",
        run: async (f) => {
            const s = await ops(["report", "--demo", "--out", f]);
            return { code: s.code, stdout: s.out, stderr: s.err };
        },
    },
    {
        command: "fleet summary --markdown",
        option: "--markdown",
        example: "summary.md",
        run: (f) =>
            captured(() =>
                fleetMain(["node", "fleet", "summary", "--targets", TARGETS, "--from", os.tmpdir(), "--markdown", f]),
            ),
    },
];

const FOLDER_OUTPUTS: { command: string; option: string; run: (dir: string) => Promise<Result> }[] = [
    {
        command: "fleet plan --out",
        option: "--out",
        run: (d) => captured(() => fleetMain(["node", "fleet", "plan", "--targets", TARGETS, "--out", d])),
    },
    ...(["preview", "up", "destroy"] as const).map((operation) => ({
        command: `fleet ${operation} --dir`,
        option: "--dir",
        run: (d: string) => captured(() => fleetMain(["node", "fleet", operation, "--targets", TARGETS, "--dir", d])),
    })),
];

interface Result {
    code: number;
    stdout: string;
    stderr: string;
}

function noTrace(result: Result): void {
    assert.doesNotMatch(result.stderr, /\n\s+at |Error:|ENOENT|EISDIR|EEXIST|ENOTDIR/, result.stderr);
}

describe("bad output paths: every command checks them before any work, a message and exit 2, never a stack trace", () => {
    let dir: string;
    let file: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "bad-paths-"));
        file = path.join(dir, "a-file");
        fs.writeFileSync(file, "kept\n");
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    for (const c of FILE_OUTPUTS) {
        describe(c.command, () => {
            it("a missing folder", async () => {
                const bad = path.join(dir, "nodir", "a.out");
                const r = await c.run(bad);
                noTrace(r);
                assert.deepStrictEqual(
                    [r.code, r.stdout, r.stderr],
                    [
                        2,
                        "",
                        `${c.option} ${bad}: the folder ${path.join(dir, "nodir")} does not exist; create it or choose another path.\n`,
                    ],
                );
            });
            it("a folder", async () => {
                const r = await c.run(dir);
                noTrace(r);
                assert.deepStrictEqual(
                    [r.code, r.stdout, r.stderr],
                    [
                        2,
                        "",
                        `${c.option} ${dir}: is a folder; name a file in it, e.g. ${c.option} ${path.join(dir, c.example)}.\n`,
                    ],
                );
            });
            it("a path under a file", async () => {
                const bad = path.join(file, "a.out");
                const r = await c.run(bad);
                noTrace(r);
                assert.deepStrictEqual(
                    [r.code, r.stdout, r.stderr],
                    [2, "", `${c.option} ${bad}: ${file} is a file, not a folder; choose another path.\n`],
                );
                assert.strictEqual(fs.readFileSync(file, "utf8"), "kept\n");
            });
        });
    }

    for (const c of FOLDER_OUTPUTS) {
        describe(c.command, () => {
            it("an existing file", async () => {
                const r = await c.run(file);
                noTrace(r);
                assert.deepStrictEqual(
                    [r.code, r.stdout, r.stderr],
                    [
                        2,
                        "",
                        `${c.option} ${file}: is a file, not a folder; name a folder (it is created if missing).\n`,
                    ],
                );
                assert.strictEqual(fs.readFileSync(file, "utf8"), "kept\n");
            });
            it("a path under a file", async () => {
                const bad = path.join(file, "runs");
                const r = await c.run(bad);
                noTrace(r);
                assert.deepStrictEqual(
                    [r.code, r.stdout, r.stderr],
                    [2, "", `${c.option} ${bad}: ${file} is a file, not a folder; choose another path.\n`],
                );
            });
        });
    }

    it("an existing file is replaced, as the help says (plan --json)", async () => {
        const out = path.join(dir, "plan.json");
        fs.writeFileSync(out, "old\n");
        const r = await captured(() => planMain(["node", "plan", "--stack", "test", "--quiet", "--json", out]));
        assert.deepStrictEqual([r.code, r.stderr], [0, ""]);
        assert.strictEqual(JSON.parse(fs.readFileSync(out, "utf8")).stack, "test");
    });
});
