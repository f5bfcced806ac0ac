/**
 * `npm run test:fleet`: the real Automation API (@pulumi/pulumi/automation) drives a stand-in Pulumi
 * CLI (tests/fixtures/fake-pulumi/pulumi) through the fleet's workspace: which commands it runs
 * for each target, the stack config it sets, and that Ctrl-C reaches the CLI as SIGINT. Slow: every
 * command is a child process.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { automationWorkspace } from "../tools/fleet/automation";
import { runFleet } from "../tools/fleet/orchestrator";
import { readTargets, Target } from "../tools/fleet/targets";
import { PROJECT_ROOT } from "./harness";

const FAKE = path.join(PROJECT_ROOT, "tests", "fixtures", "fake-pulumi");

describe("fleet through the Automation API (a stand-in Pulumi CLI)", () => {
    let dir: string;
    const saved = { ...process.env };
    const [target] = readTargets(path.join(PROJECT_ROOT, "targets.example.yaml")).targets as Target[];
    const commands = () =>
        fs
            .readFileSync(process.env.FAKE_PULUMI_LOG!, "utf8")
            .trim()
            .split("\n")
            .map((line) => JSON.parse(line) as string[]);
    const run = (operation: "preview" | "up" | "destroy", assumeRole = true, signal = new AbortController().signal) => {
        let output = "";
        const io = { onOutput: (text: string) => void (output += text), signal };
        return automationWorkspace({ assumeRole })
            .run(target, operation, io)
            .then((changes) => ({ changes, output }));
    };
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
        process.env.PATH = `${FAKE}${path.delimiter}${saved.PATH}`;
        process.env.FAKE_PULUMI_LOG = path.join(dir, "commands");
        fs.writeFileSync(process.env.FAKE_PULUMI_LOG, "");
    });
    afterEach(() => {
        for (const key of Object.keys(process.env).filter((k) => k.startsWith("FAKE_PULUMI_"))) delete process.env[key];
        process.env.PATH = saved.PATH;
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("preview: creates the stack, replaces its config with the target's (assuming its role), previews with the policy pack", async () => {
        process.env.FAKE_PULUMI_CONFIG = JSON.stringify({
            "oe-lab-ipm:gone": { value: "x", secret: false },
            "aws:region": { value: "us-east-1", secret: false },
        });
        const { changes, output } = await run("preview");
        assert.deepStrictEqual(changes, { create: 42 });
        assert.match(output, /^Previewing update \(fleet-111122223333-us-east-1\)\n/);
        const stack = ["--stack", target.stack, "--non-interactive"];
        const all = commands();
        assert.deepStrictEqual(all.slice(0, 4), [
            ["version"],
            ["stack", "select", ...stack],
            ["stack", "init", target.stack, "--non-interactive"],
            ["config", "--show-secrets", "--json", ...stack],
        ]);
        assert.deepStrictEqual(all[4], [
            "config",
            "rm-all",
            "--stack",
            target.stack,
            "oe-lab-ipm:gone",
            "--non-interactive",
        ]);
        const json = all[5][all[5].indexOf("--json") + 1];
        assert.deepStrictEqual(all[5].slice(0, 4), ["config", "set-all", "--stack", target.stack]);
        const config = JSON.parse(json);
        assert.deepStrictEqual(config["aws:assumeRoles"], {
            value: '[{"roleArn":"arn:aws:iam::111122223333:role/OeLabIpmDeployment","sessionName":"oe-lab-ipm-fleet"}]',
            objectValue: [
                { roleArn: "arn:aws:iam::111122223333:role/OeLabIpmDeployment", sessionName: "oe-lab-ipm-fleet" },
            ],
            secret: false,
        });
        assert.deepStrictEqual(config["aws:region"], { value: "us-east-1", secret: false });
        assert.deepStrictEqual(config["oe-lab-ipm:protect"], { value: "true", secret: false });
        assert.deepStrictEqual(config["oe-lab-ipm:maintenanceWindow"].objectValue, { timezone: "America/New_York" });
        assert.deepStrictEqual(config["oe-lab-ipm:fleet"].objectValue.existing.targetTags, {
            Environment: "Production",
            PatchWith: "oe-lab-ipm",
        });
        const preview = all[6];
        assert.deepStrictEqual(preview.slice(0, 6), [
            "preview",
            "--policy-pack",
            path.join(PROJECT_ROOT, "policy"),
            "--color",
            "never",
            "--exec-kind",
        ]);
    });

    it("destroy never creates a stack: a target without one fails with the CLI's error; --no-assume-role sets no role", async () => {
        await assert.rejects(run("destroy"), /no stack named 'fleet-111122223333-us-east-1' found/);
        assert.deepStrictEqual(
            commands().map((c) => c.slice(0, 2)),
            [["version"], ["stack", "select"]],
        );
        process.env.FAKE_PULUMI_STACKS = "all";
        const { changes } = await run("destroy", false);
        assert.deepStrictEqual(changes, { delete: 42 });
        const setAll = commands().find((c) => c[1] === "set-all")!;
        assert.strictEqual(JSON.parse(setAll[setAll.indexOf("--json") + 1])["aws:assumeRoles"], undefined);
        assert.deepStrictEqual(commands().at(-2)!.slice(0, 3), ["destroy", "--yes", "--skip-preview"]);
    });

    /** `up` of the target against a CLI that runs until interrupted; Ctrl-C once `when()` holds. */
    async function upInterrupted(when: () => boolean) {
        process.env.FAKE_PULUMI_STACKS = "all";
        process.env.FAKE_PULUMI_HANG = "up";
        const controller = new AbortController();
        const watch = setInterval(() => when() && controller.abort(), 5);
        const workspace = automationWorkspace({ assumeRole: true });
        const options = { targets: [target], targetsFile: "targets.example.yaml", workspace, parallel: 1, dir };
        const state = await runFleet({ ...options, operation: "up", signal: controller.signal }).finally(() =>
            clearInterval(watch),
        );
        return state.targets[target.stack];
    }
    const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "");

    it("Ctrl-C reaches the running CLI as SIGINT, which cancels; the target is recorded as cancelled", async () => {
        // Once the CLI runs the update and has printed its header: the abort must reach it.
        const targetLog = path.join(dir, `${target.stack}.log`);
        const state = await upInterrupted(() => read(targetLog).includes("Updating ("));
        assert.deepStrictEqual([state.status, state.error], ["cancelled", "cancelled (Ctrl-C)"]);
        assert.match(read(targetLog), /error: update canceled/);
    });

    it("Ctrl-C before the CLI is spawned (while the config is set): the update never starts", async () => {
        const state = await upInterrupted(() => read(process.env.FAKE_PULUMI_LOG!).includes('"set-all"'));
        assert.strictEqual(state.status, "cancelled");
        assert.ok(!commands().some((c) => c[0] === "up"), "no update was started after Ctrl-C");
    });

    it("a throttled update is retried and its log keeps both attempts", async () => {
        process.env.FAKE_PULUMI_STACKS = "all";
        process.env.FAKE_PULUMI_THROTTLE = "up";
        const state = await runFleet({
            operation: "up",
            targets: [target],
            targetsFile: "t",
            workspace: automationWorkspace({ assumeRole: true }),
            parallel: 1,
            dir,
            retry: { attempts: 2, baseDelayMs: 10 },
        });
        assert.deepStrictEqual(
            [state.targets[target.stack].status, state.targets[target.stack].attempts],
            ["failed", 2],
        );
        assert.match(state.targets[target.stack].error!, /ThrottlingException: Rate exceeded/);
    });
});
