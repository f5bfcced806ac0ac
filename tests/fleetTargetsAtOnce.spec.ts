import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../tools/fleet/cli";
import { parseTargets, selectTargets, TargetsError } from "../tools/fleet/targets";
import { PROJECT_ROOT } from "./harness";

describe("the targets file: every problem at once, under a heading that says what happened", () => {
    it("a wrong-account role and a duplicate of that target are reported together", () => {
        const raw = {
            targets: [
                {
                    account: "444455556666",
                    region: "us-east-1",
                    base: "existing",
                    role: "arn:aws:iam::999999999999:role/Deploy",
                },
                { account: "444455556666", region: "us-east-1", base: "existing" },
            ],
        };
        assert.throws(
            () => parseTargets(raw, "t.yaml"),
            (e: Error) =>
                e instanceof TargetsError &&
                e.message ===
                    [
                        "Invalid targets file t.yaml (1 problem):",
                        `  - targets[0] (444455556666 us-east-1).role = "arn:aws:iam::999999999999:role/Deploy": is a role in account 999999999999, not in the target's account 444455556666`,
                        "Duplicate targets (1 problem):",
                        "  - targets[1] (444455556666 us-east-1): the same account and Region as targets[0]: one stack per account and Region",
                    ].join("\n"),
        );
    });

    it("an --only that matches nothing is headed as such, not as an invalid file", () => {
        const targets = parseTargets(
            { targets: [{ account: "444455556666", region: "us-east-1", base: "existing" }] },
            "t.yaml",
        ).targets;
        assert.throws(
            () => selectTargets(targets, ["us-east-2"]),
            (e: Error) =>
                e.message ===
                "No target matches --only (1 problem):\n  - --only us-east-2: names no target's stack, account or Region",
        );
    });

    it("destroy's refusal of protected stacks is headed as a refusal", async () => {
        const writes = [process.stdout.write, process.stderr.write];
        let stderr = "";
        process.stdout.write = (() => true) as typeof process.stdout.write;
        process.stderr.write = ((t: string) => ((stderr += t), true)) as typeof process.stderr.write;
        let code: number;
        try {
            code = await main([
                "node",
                "fleet",
                "destroy",
                "--targets",
                path.join(PROJECT_ROOT, "targets.example.yaml"),
            ]);
        } finally {
            [process.stdout.write, process.stderr.write] = writes;
            process.exitCode = undefined;
        }
        assert.strictEqual(code, 2);
        assert.match(stderr, /^Destroy refused: protected stacks, nothing destroyed \(\d+ problems?\):\n {2}- /);
        assert.doesNotMatch(stderr, /Invalid targets file/);
    });

    it("every stage in one run: file problems, duplicates, an unmatched --only, protected stacks; exit 2", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-at-once-"));
        const file = path.join(dir, "targets.yaml");
        fs.writeFileSync(
            file,
            [
                "defaults: { base: existing }",
                "targets:",
                '  - { account: "111122223333", region: us-east-1, config: { protect: true } }',
                '  - { account: "111122223333", region: us-east-1 }',
                '  - { account: "4444", region: eu-west-1 }',
                '  - { account: "555566667777", region: us-west-2, role: "arn:aws:iam::999999999999:role/Deploy" }',
                "",
            ].join("\n"),
        );
        const writes = [process.stdout.write, process.stderr.write];
        let [stdout, stderr] = ["", ""];
        process.stdout.write = ((t: string) => ((stdout += t), true)) as typeof process.stdout.write;
        process.stderr.write = ((t: string) => ((stderr += t), true)) as typeof process.stderr.write;
        let code: number;
        try {
            code = await main(
                ["node", "fleet", "destroy", "--targets", file, "--dir", path.join(dir, "state")].concat([
                    "--only",
                    "us-east-1,eu-west-1,ap-south-1,555566667777",
                ]),
            );
        } finally {
            [process.stdout.write, process.stderr.write] = writes;
            process.exitCode = undefined;
        }
        const exists = fs.existsSync(path.join(dir, "state"));
        fs.rmSync(dir, { recursive: true, force: true });
        assert.deepStrictEqual(
            { code, stdout, exists, stderr: stderr.split("\n") },
            {
                code: 2,
                stdout: "",
                exists: false,
                stderr: [
                    `Invalid targets file ${file} (2 problems):`,
                    '  - targets[2] (4444 eu-west-1).account = "4444": must be a 12-digit AWS account id in quotes',
                    `  - targets[3] (555566667777 us-west-2).role = "arn:aws:iam::999999999999:role/Deploy": is a role in account 999999999999, not in the target's account 555566667777`,
                    "Duplicate targets (1 problem):",
                    "  - targets[1] (111122223333 us-east-1): the same account and Region as targets[0]: one stack per account and Region",
                    "No target matches --only (2 problems; checked only against the targets whose account and Region are valid, not targets[2]):",
                    "  - --only eu-west-1: names no target's stack, account or Region",
                    "  - --only ap-south-1: names no target's stack, account or Region",
                    "Destroy refused: protected stacks, nothing destroyed (1 problem; checked only against the valid targets, not targets[1], targets[2], targets[3]):",
                    "  - fleet-111122223333-us-east-1: its config sets protect (base existing); destroy it only on purpose with --destroy-protected fleet-111122223333-us-east-1",
                    "",
                ],
            },
        );
    });

    it("a file without any target: --only is not reported against nothing", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-at-once-"));
        const file = path.join(dir, "targets.yaml");
        fs.writeFileSync(file, "targets: []\n");
        const writes = [process.stdout.write, process.stderr.write];
        let stderr = "";
        process.stdout.write = (() => true) as typeof process.stdout.write;
        process.stderr.write = ((t: string) => ((stderr += t), true)) as typeof process.stderr.write;
        let code: number;
        try {
            code = await main(["node", "fleet", "matrix", "--targets", file, "--only", "us-east-1"]);
        } finally {
            [process.stdout.write, process.stderr.write] = writes;
            process.exitCode = undefined;
            fs.rmSync(dir, { recursive: true, force: true });
        }
        assert.deepStrictEqual(
            [code, stderr],
            [
                2,
                `Invalid targets file ${file} (1 problem):\n  - targets = []: must be a list of at least one target (account, region, ...)\n`,
            ],
        );
    });
});
