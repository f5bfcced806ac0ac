import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../config";
import { parsePulumiYaml, sortedForGo } from "../config/stackYaml";
import { checkContract, formatViolation } from "../tools/contract";
import { evaluateStack, mockAmiArchitecture } from "../tools/plan/evaluate";
import { PROJECT_ROOT, RecordedResource } from "./harness";

interface Case {
    config: Record<string, unknown>;
    key: string;
    /** Absent when the case is a missing key. */
    value?: unknown;
    /** The stack file the case breaks. Default `test`. */
    stack?: string;
}

// Read as a stack file is (merge keys, YAML 1.1 numbers): each case is what a stack file would hold.
const corpus = parsePulumiYaml(
    fs.readFileSync(path.join(PROJECT_ROOT, "tests", "fixtures", "bad-configs.yaml"), "utf8"),
) as unknown as Case[];

describe("bad input: every broken stack config is refused by key and value, before anything exists", () => {
    it("covers every area with at least 30 cases", () => {
        assert.ok(corpus.length >= 30, `${corpus.length} cases`);
        const areas = new Set(corpus.map((c) => c.key.split(".")[0]));
        for (const area of [
            "network",
            "fleet",
            "inventory",
            "patching",
            "maintenanceWindow",
            "alerts",
            "workload",
            "tags",
            "reporting",
        ]) {
            assert.ok(areas.has(area), `no case for ${area}`);
        }
    });

    for (const c of corpus) {
        // A case without a value is about a key that is missing; objects as the CLI passes them (keys sorted).
        const shown = c.value === undefined ? "(unset)" : JSON.stringify(sortedForGo(c.value));
        it(`${c.stack ?? "test"}: ${c.key} = ${shown}`, async () => {
            const resources: RecordedResource[] = [];
            const error = await evaluateStack(c.stack ?? "test", resources, { overrides: c.config }).then(
                (run) => {
                    // Accepted: what AWS's API models say of its requests (plan --check), then the failure.
                    const violations = checkContract(run, { amiArchitecture: mockAmiArchitecture }).map(
                        formatViolation,
                    );
                    assert.deepStrictEqual(violations, [], "config accepts this case and the API contract refuses it");
                    assert.fail("config accepts this case");
                },
                (e: Error) => e,
            );
            assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error.stack}`);
            assert.deepStrictEqual(resources, [], "nothing may be registered");
            assert.strictEqual(error.problems.length, 1, error.message);
            const [problem] = error.problems;
            const prefix = `oe-lab-ipm:${c.key} = ${shown}: `;
            assert.ok(
                problem.startsWith(prefix) && problem.length > prefix.length + 10,
                `${problem}\ndoes not name ${prefix}… and what is allowed`,
            );
        });
    }
});
