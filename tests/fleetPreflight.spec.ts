import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { automationWorkspace, PULUMI_INSTALL, UnavailableError } from "../tools/fleet/automation";
import { main, runtime } from "../tools/fleet/cli";
import { Changes, FleetWorkspace } from "../tools/fleet/orchestrator";
import { PROJECT_ROOT } from "./harness";

const TARGETS = path.join(PROJECT_ROOT, "targets.example.yaml");

async function fleet(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const out = { stdout: "", stderr: "" };
    const writes = [process.stdout.write, process.stderr.write];
    process.stdout.write = ((text: string) => ((out.stdout += text), true)) as typeof process.stdout.write;
    process.stderr.write = ((text: string) => ((out.stderr += text), true)) as typeof process.stderr.write;
    try {
        return { code: await main(["node", "fleet", ...args]), ...out };
    } finally {
        [process.stdout.write, process.stderr.write] = writes;
        process.exitCode = undefined;
    }
}

describe("fleet preview, up, destroy: what every target needs is checked once, before any target", () => {
    const original = runtime.workspace;
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-preflight-"))));
    afterEach(() => {
        runtime.workspace = original;
        fs.rmSync(dir, { recursive: true, force: true });
    });

    for (const operation of ["preview", "up"]) {
        it(`${operation}: one message, exit 5, no target run, no state written`, async () => {
            const runs: string[] = [];
            let checks = 0;
            runtime.workspace = (): FleetWorkspace => ({
                async preflight() {
                    checks++;
                    throw new UnavailableError(`The Pulumi CLI is missing. Install it: ${PULUMI_INSTALL}`);
                },
                async run(target): Promise<Changes> {
                    runs.push(target.stack);
                    return {};
                },
            });
            const r = await fleet(operation, "--targets", TARGETS, "--dir", path.join(dir, "state"));
            assert.deepStrictEqual(
                [r.code, r.stdout, r.stderr, checks, runs],
                [5, "", `The Pulumi CLI is missing. Install it: ${PULUMI_INSTALL}\n`, 1, []],
            );
            assert.strictEqual(fs.existsSync(path.join(dir, "state")), false);
        });
    }

    it("the Automation API's workspace: no pulumi on PATH is said once, with the install link", async () => {
        const saved = process.env.PATH;
        process.env.PATH = dir; // an empty folder: no pulumi
        try {
            await assert.rejects(
                automationWorkspace({ assumeRole: true }).preflight!(),
                (e: Error) =>
                    e instanceof UnavailableError &&
                    e.message ===
                        "The Pulumi CLI is needed for fleet preview, up and destroy (not found on PATH). Install it: https://www.pulumi.com/docs/iac/download-install/\n(fleet plan needs no CLI and no credentials.)",
            );
        } finally {
            process.env.PATH = saved;
        }
    });
});
