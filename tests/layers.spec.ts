import * as assert from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import { loadStackConfig, PROJECT_ROOT } from "../config/stackFiles";

/**
 * What `pulumi up` loads: the compiled program (bin/index.js), run in a fresh Node process under
 * Pulumi's public mocks API, with every module it requires and every file it reads recorded. The
 * program is index.ts → config/ → components/; the tooling (tools/), the specs and the policy pack
 * are development-only, and the API-model extract (143 KB) must never be parsed by a deployment.
 * ESLint refuses such imports at the source (eslint.config.mjs); this proves it on the built program.
 */
const BIN = path.join(PROJECT_ROOT, "bin");

/** Runs in the child: inline mocks (nothing of tools/), then the program, then what it loaded and read. */
const CHILD = `
const fs = require("fs");
const read = [];
for (const name of ["readFileSync", "readFile", "openSync"]) {
    const original = fs[name];
    fs[name] = function (file, ...rest) { read.push(String(file)); return original.call(this, file, ...rest); };
}
const pulumi = require("@pulumi/pulumi");
const calls = {
    "aws:index/getRegion:getRegion": () => ({ name: "ap-northeast-1", region: "ap-northeast-1", id: "ap-northeast-1" }),
    "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" }),
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({ accountId: "123456789012", arn: "", userId: "", id: "" }),
    "aws:ssm/getParameter:getParameter": (a) => ({ name: a.name, value: "ami-0123456789abcdef0", type: "String" }),
    "aws:ec2/getAmi:getAmi": () => ({ id: "ami-0123456789abcdef0", architecture: "x86_64" }),
};
const VPC = { vpcId: "vpc-1", publicSubnetIds: ["subnet-1", "subnet-2"], privateSubnetIds: [] };
pulumi.runtime.setAllConfig(JSON.parse(process.env.LAYERS_CONFIG));
pulumi.runtime.setMocks({
    newResource: (a) => ({ id: a.name + "-id", state: { ...a.inputs, name: a.inputs.name ?? a.name, arn: "arn:aws:x:::" + a.name, ...VPC } }),
    call: (a) => (calls[a.token] ?? (() => ({})))(a.inputs),
}, "oe-lab-ipm", process.env.LAYERS_STACK, false);
require(process.env.LAYERS_PROGRAM);
setTimeout(() => {
    // Exit only once the pipe has taken everything (a write to a pipe is asynchronous).
    process.stdout.write(JSON.stringify({ modules: Object.keys(require.cache), read }), () => process.exit(0));
}, 1500);
`;

function load(stack: string): { modules: string[]; read: string[] } {
    const config = loadStackConfig(stack);
    const runtime = Object.fromEntries(
        Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
    const out = execFileSync(process.execPath, ["-e", CHILD], {
        cwd: PROJECT_ROOT,
        encoding: "utf8",
        env: {
            ...process.env,
            LAYERS_CONFIG: JSON.stringify(runtime),
            LAYERS_STACK: stack,
            LAYERS_PROGRAM: path.join(BIN, "index.js"),
        },
    });
    return JSON.parse(out);
}

const ours = (files: string[]) =>
    files.filter((f) => f.startsWith(PROJECT_ROOT) && !f.includes(`${path.sep}node_modules${path.sep}`));

describe("layers: what pulumi up loads", () => {
    // Every component is imported by index.ts whatever the stack builds: one stack shows the whole closure.
    for (const stack of ["test"]) {
        it(`${stack}: the program, its config and components, and nothing of tools/, tests/ or policy/`, () => {
            const { modules, read } = load(stack);
            const loaded = ours(modules).map((f) => path.relative(BIN, f));
            // It really ran the program (a spec that cannot fail is a defect).
            assert.ok(loaded.includes("index.js"), loaded.join(", "));
            assert.ok(loaded.includes(path.join("config", "index.js")), loaded.join(", "));
            assert.ok(
                loaded.some((f) => f.startsWith(`components${path.sep}`)),
                loaded.join(", "),
            );
            const outside = loaded.filter(
                (f) => f !== "index.js" && !f.startsWith(`config${path.sep}`) && !f.startsWith(`components${path.sep}`),
            );
            assert.deepStrictEqual(outside, []);
            const files = ours(read).map((f) => path.relative(PROJECT_ROOT, f));
            assert.deepStrictEqual(
                files.filter((f) => !f.startsWith(`bin${path.sep}`)),
                [],
                "the program reads no data file of the project at run time",
            );
        });
    }
});
