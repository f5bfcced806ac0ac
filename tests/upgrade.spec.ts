import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { replayAliases } from "./engine";
import { EVERY_STACK, PROJECT_ROOT, runStack } from "./harness";

/**
 * No upgrade recreates anything: from what each stack registered at the previous release
 * (tests/fixtures/previous-release.json, written by `npm run release-snapshot`), the engine's alias
 * resolution (tests/engine.ts, after step_generator.go) finds every resource HEAD registers under
 * its old identity. A resource deleted and created again loses what it holds (a Glue database, a
 * workgroup's history, an association's compliance), and a fixed name collides with itself.
 */
interface ReleaseSnapshot {
    readonly version: string;
    readonly commit: string;
    readonly stacks: Record<string, string[]>;
}
const previous = JSON.parse(
    fs.readFileSync(path.join(PROJECT_ROOT, "tests", "fixtures", "previous-release.json"), "utf8"),
) as ReleaseSnapshot;

/** The type and name a URN ends with: a resource deleted and another created with the same is recreated. */
const identity = (urn: string): string => {
    const [, , types, ...name] = urn.split("::");
    return `${types.split("$").pop()}::${name.join("::")}`;
};

describe(`upgrade from the previous release (${previous.version}): nothing is deleted and created again`, () => {
    it("has a snapshot of every stack file", () => {
        const stackFiles = fs
            .readdirSync(PROJECT_ROOT)
            .filter((f) => /^Pulumi\..+\.yaml$/.test(f) && f !== "Pulumi.yaml");
        assert.deepStrictEqual(Object.keys(previous.stacks).sort(), [...EVERY_STACK].sort());
        assert.deepStrictEqual(stackFiles.map((f) => f.split(".")[1]).sort(), [...EVERY_STACK].sort());
    });

    for (const stack of EVERY_STACK) {
        it(`${stack}: every resource that stays is found by its URN or an alias`, async () => {
            const run = await runStack(stack);
            const upgrade = replayAliases(previous.stacks[stack], run.resources);
            const created = new Set(upgrade.created.map(identity));
            const recreated = upgrade.deleted.filter((urn) => created.has(identity(urn)));
            assert.deepStrictEqual(recreated, [], `${stack}: deleted and created again`);
            assert.ok(upgrade.kept.size > 0);
        });
    }
});
