import * as assert from "assert";
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
                        "Invalid targets file t.yaml (2 problems):",
                        `  - targets[0] (444455556666 us-east-1).role = "arn:aws:iam::999999999999:role/Deploy": is a role in account 999999999999, not in the target's account 444455556666`,
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
});
