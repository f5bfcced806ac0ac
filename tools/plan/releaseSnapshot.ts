#!/usr/bin/env node
/**
 * `npm run release-snapshot -- <commit> <version>`: the URNs every committed stack registers at a
 * release, written to tests/fixtures/previous-release.json. tests/upgrade.spec.ts replays the
 * engine's alias resolution from them to what HEAD registers, so an upgrade that would delete and
 * create a resource again fails the tests.
 *
 * How: the release's tree is extracted (`git archive`) into a temporary folder that shares this
 * checkout's node_modules, and its own index.ts and stack files are evaluated under this project's mocks
 * (plan/evaluate.ts), exactly as the specs evaluate HEAD. The URNs are what the engine stored in
 * each stack's state at that release. Moving "the previous release" forward is running this once
 * per release, on the release's commit (docs/changes.md).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../config/stackFiles";
import { evaluateStack } from "./evaluate";

/** What a release registered, per stack: the URNs in its state. */
export interface ReleaseSnapshot {
    readonly version: string;
    readonly commit: string;
    readonly stacks: Readonly<Record<string, readonly string[]>>;
}

export const SNAPSHOT_FILE = path.join(PROJECT_ROOT, "tests", "fixtures", "previous-release.json");

function git(...args: string[]): string {
    return execFileSync("git", ["-C", PROJECT_ROOT, ...args], { encoding: "utf8" }).trim();
}

/** Evaluates every stack file of `ref`'s checkout and returns the URNs each registers. */
export async function snapshot(ref: string, version: string): Promise<ReleaseSnapshot> {
    const commit = git("rev-parse", "--verify", `${ref}^{commit}`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "oe-lab-ipm-release-"));
    execFileSync("sh", ["-c", 'git -C "$1" archive "$2" | tar -x -C "$3"', "sh", PROJECT_ROOT, commit, dir]);
    try {
        fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
        // The release's TypeScript, compiled as the CLI's ts-node would (types are not checked here).
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require("ts-node").register({ transpileOnly: true, project: path.join(dir, "tsconfig.json") });
        const stackNames = fs
            .readdirSync(dir)
            .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
            .filter((name): name is string => name !== undefined)
            .sort();
        const stacks: Record<string, string[]> = {};
        for (const stack of stackNames) {
            const run = await evaluateStack(stack, [], { projectDir: dir, program: path.join(dir, "index") });
            stacks[stack] = run.resources.map((r) => r.urn);
        }
        return { version, commit, stacks };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

async function main(argv: string[]): Promise<number> {
    const [ref, version] = argv.slice(2);
    if (!ref || !version) {
        process.stderr.write("usage: npm run release-snapshot -- <commit of the release> <its version>\n");
        return 2;
    }
    const result = await snapshot(ref, version);
    fs.writeFileSync(SNAPSHOT_FILE, `${JSON.stringify(result, null, 2)}\n`);
    const counts = Object.entries(result.stacks).map(([stack, urns]) => `${stack} ${urns.length}`);
    process.stdout.write(
        `${path.relative(PROJECT_ROOT, SNAPSHOT_FILE)}: ${version} (${result.commit}): ${counts.join(", ")}\n`,
    );
    return 0;
}

if (require.main === module) {
    main(process.argv).then(
        (code) => (process.exitCode = code),
        (error: Error) => {
            process.stderr.write(`${error.stack ?? error.message}\n`);
            process.exitCode = 1;
        },
    );
}
