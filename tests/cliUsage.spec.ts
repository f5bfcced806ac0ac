import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { StackFileError, loadStackConfig } from "../config/stackFiles";
import { closest } from "../config/suggest";
import { EXIT } from "../tools/common/exit";
import { main as fleetMain } from "../tools/fleet/cli";
import { main as planMain } from "../tools/plan/cli";
import { ops } from "./opsSession";
import { PROJECT_ROOT } from "./harness";
import { captured, Captured } from "./captured";

const CLIS: Record<string, (args: string[]) => Promise<Captured>> = {
    plan: (args) => captured(() => planMain(["node", "plan", ...args])),
    fleet: (args) => captured(() => fleetMain(["node", "fleet", ...args])),
    ops: async (args) => {
        const s = await ops(args);
        return { code: s.code, stdout: s.out, stderr: s.err };
    },
};

const TARGETS = path.join(PROJECT_ROOT, "targets.example.yaml");

describe("typos and usage errors: said so, the closest suggested, exit 2 in plan, ops and fleet alike", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "usage-"));
        fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        const test = fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.test.yaml"), "utf8");
        fs.writeFileSync(
            path.join(dir, "Pulumi.test.yaml"),
            test.replace("  oe-lab-ipm:patching:", "  oelabipm:patching:"),
        );
        fs.writeFileSync(
            path.join(dir, "Pulumi.other.yaml"),
            "config:\n  aws:region: ap-northeast-1\n  oe-lab-ipm:workload: Other\n  kubernetes:context: x\n  aws-native:region: x\n",
        );
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("a config namespace nothing reads is refused, with the project's name when it is close", () => {
        assert.throws(
            () => loadStackConfig("test", {}, dir),
            (e: Error) =>
                e instanceof StackFileError &&
                e.message ===
                    "Pulumi.test.yaml: config key nothing would read (a typo?):\n  - oelabipm:patching: namespace \"oelabipm\" is neither this project's nor a provider's it uses (oe-lab-ipm, aws, awsx, pulumi). Did you mean oe-lab-ipm?",
        );
        assert.throws(
            () => loadStackConfig("other", {}, dir),
            (e: Error) =>
                e.message ===
                "Pulumi.other.yaml: config keys nothing would read (a typo?):\n" +
                    "  - kubernetes:context: namespace \"kubernetes\" is neither this project's nor a provider's it uses (oe-lab-ipm, aws, awsx, pulumi).\n" +
                    "  - aws-native:region: namespace \"aws-native\" is neither this project's nor a provider's it uses (oe-lab-ipm, aws, awsx, pulumi).",
        );
    });

    it("the same from plan and ops: exit 2, the message alone", async () => {
        const plan = await CLIS.plan(["--stack", "test", "--project-dir", dir]);
        const fromOps = await CLIS.ops(["compliance", "--stack", "test", "--project-dir", dir]);
        assert.deepStrictEqual([plan.code, plan.stdout], [2, ""]);
        assert.deepStrictEqual([fromOps.code, fromOps.stdout, fromOps.stderr], [2, "", plan.stderr]);
        assert.match(plan.stderr, /Did you mean oe-lab-ipm\?\n$/);
    });

    it("an unknown stack lists the stacks that exist, and the closest", async () => {
        const r = await CLIS.plan(["--stack", "tset"]);
        assert.deepStrictEqual(
            [r.code, r.stderr],
            [
                2,
                `No stack file ${path.join(PROJECT_ROOT, "Pulumi.tset.yaml")}: a stack named "tset" needs a Pulumi.tset.yaml beside Pulumi.yaml. The stacks here: existing, mixed, prod, reporting, test. Did you mean test?\n`,
            ],
        );
    });

    const CASES: { cli: string; args: string[]; first: string }[] = [
        { cli: "plan", args: ["--stak", "test"], first: "error: unknown option '--stak'\n(Did you mean --stack?)" },
        { cli: "plan", args: ["--quiet"], first: "error: required option '-s, --stack <name>' not specified" },
        {
            cli: "plan",
            args: ["--stack", "test", "extra"],
            first: "error: too many arguments. Expected 0 arguments but got 1: extra.",
        },
        { cli: "ops", args: ["scna", "--stack", "test"], first: "error: unknown command 'scna'\n(Did you mean scan?)" },
        {
            cli: "ops",
            args: ["scan", "--stak", "test"],
            first: "error: unknown option '--stak'\n(Did you mean --stack?)",
        },
        {
            cli: "ops",
            args: ["--stack", "test", "comliance"],
            first: "error: unknown command 'comliance'\n(Did you mean compliance?)",
        },
        { cli: "fleet", args: ["apply", "--help"], first: "error: unknown command 'apply'" },
        {
            cli: "fleet",
            args: ["previwe", "--targets", TARGETS],
            first: "error: unknown command 'previwe'\n(Did you mean preview?)",
        },
        {
            cli: "fleet",
            args: ["plan", "--targts", TARGETS],
            first: "error: unknown option '--targts'\n(Did you mean --targets?)",
        },
        {
            cli: "fleet",
            args: ["plan", "--out", os.tmpdir()],
            first: "error: required option '-t, --targets <file>' not specified",
        },
    ];
    for (const c of CASES) {
        it(`${c.cli} ${c.args.join(" ")}: says so, exit 2`, async () => {
            const r = await CLIS[c.cli](c.args);
            assert.strictEqual(r.code, EXIT.usage, r.stderr);
            assert.strictEqual(r.stdout, "");
            assert.ok(r.stderr.startsWith(`${c.first}\n`), r.stderr);
        });
    }

    it("suggests as commander does: the closest within 40% of the word", () => {
        assert.deepStrictEqual(closest("oelabipm", ["oe-lab-ipm", "aws", "pulumi"]), ["oe-lab-ipm"]);
        assert.deepStrictEqual(closest("zzz", ["oe-lab-ipm", "aws", "pulumi"]), []);
        assert.deepStrictEqual(closest("sacn", ["scan", "install"]), ["scan"]);
    });
});

describe("exit codes: one table for plan, ops and fleet", () => {
    const doc = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "operations.md"), "utf8");
    const table = doc.slice(doc.indexOf("## Exit codes")).split("\n## ")[0];

    it("docs/operations.md lists exactly the codes of tools/common/exit.ts", () => {
        const documented = [...table.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
        assert.deepStrictEqual(
            documented,
            [0, ...Object.values(EXIT)].sort((a, b) => a - b),
        );
        for (const cli of ["npm run plan", "npm run ops", "npm run fleet"]) assert.ok(table.includes(cli), cli);
    });

    it("the three CLIs name their codes from it, never a literal", () => {
        for (const file of ["tools/plan/cli.ts", "tools/ops/cli.ts", "tools/fleet/cli.ts"]) {
            const source = fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");
            const literals = [...source.matchAll(/(?:return|exitCode =|process\.exit\(|\? 0 :)\s*([1-9]\d*)/g)];
            assert.deepStrictEqual(
                literals.map((m) => m[0]),
                [],
                file,
            );
        }
    });
});
