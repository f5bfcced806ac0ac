import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { EXIT } from "../tools/common/exit";
import { checkRuntime, NODE_DOWNLOAD, runtimeVerdict, SDK_NODE_WARNING_SWITCH } from "../tools/runtime";
import { PROJECT_ROOT } from "./harness";

/** Node.js 22 and 24 are supported; 20.19+ runs with a one-line warning; older ones get a message, not a crash. */
describe("the Node.js runtime check every CLI makes first", () => {
    const supports = "oe-lab-ipm supports Node.js 22 and 24";
    it("says nothing on the supported runtimes", () => {
        for (const version of ["22.12.0", "22.23.5", "24.0.0", "24.22.3"])
            assert.strictEqual(runtimeVerdict(version), undefined, version);
    });
    it("warns once on Node.js 20.19 and later (end of life), and runs", () => {
        assert.deepStrictEqual(runtimeVerdict("20.20.2"), {
            refuse: false,
            message: `warning: Node.js 20.20.2 reached end of life; ${supports}. The commands still run on it (AWS SDK releases from January 2027 on will not): ${NODE_DOWNLOAD}`,
        });
        assert.strictEqual(runtimeVerdict("23.11.0")?.refuse, false);
        assert.deepStrictEqual(runtimeVerdict("26.1.0"), {
            refuse: false,
            message: `warning: Node.js 26.1.0 is not tested here; ${supports}.`,
        });
    });
    it("prints its one line, and turns off the AWS SDK's 8-line warning that would say it again (not the user's choice)", () => {
        const lines: string[] = [];
        const env: NodeJS.ProcessEnv = {};
        checkRuntime("20.20.2", env, (t) => lines.push(t));
        assert.deepStrictEqual(lines, [`${runtimeVerdict("20.20.2")!.message}\n`]);
        assert.strictEqual(env[SDK_NODE_WARNING_SWITCH], "true");
        const chosen: NodeJS.ProcessEnv = { [SDK_NODE_WARNING_SWITCH]: "false" };
        checkRuntime("20.20.2", chosen, () => undefined);
        assert.strictEqual(chosen[SDK_NODE_WARNING_SWITCH], "false");
        const supported: NodeJS.ProcessEnv = {};
        checkRuntime("24.22.3", supported, (t) => lines.push(t));
        assert.deepStrictEqual([lines.length, supported], [1, {}]);
    });

    it("refuses a runtime without require(esm) (before 20.19, 22.0 to 22.11), naming the download page", () => {
        for (const version of ["18.20.4", "20.18.3", "22.11.0"])
            assert.deepStrictEqual(
                runtimeVerdict(version),
                {
                    refuse: true,
                    message: `Node.js ${version} cannot run these commands: ${supports} (22.12 or later). Install one: ${NODE_DOWNLOAD}`,
                },
                version,
            );
    });
    it("is the first thing each CLI loads: a refused runtime exits 5 with the message before commander loads", () => {
        // The compiled CLIs, with the runtime's version faked before the entry runs.
        for (const cli of ["plan", "ops", "fleet"]) {
            const run = spawnSync(
                process.execPath,
                [
                    "-e",
                    `Object.defineProperty(process.versions, "node", { value: "18.20.4" }); ` +
                        `require("module").prototype.require = new Proxy(require("module").prototype.require, { apply(target, self, args) { if (args[0] === "commander") throw new Error("commander loaded"); return Reflect.apply(target, self, args); } }); ` +
                        `process.argv.push("--help"); require(${JSON.stringify(path.join(PROJECT_ROOT, "bin", "tools", cli, "cli.js"))});`,
                ],
                { encoding: "utf8" },
            );
            assert.strictEqual(run.status, EXIT.unavailable, `${cli}: ${run.stderr}`);
            assert.match(run.stderr, /^Node\.js 18\.20\.4 cannot run these commands: /, cli);
            assert.doesNotMatch(run.stderr, /commander loaded|at /, cli);
        }
    });
});
