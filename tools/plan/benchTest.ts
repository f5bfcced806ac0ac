/**
 * `npm run bench -- test`: what `npm test`'s time is made of. Each part `npm test` runs in parallel
 * (package.json `test`: lint, format:check, check = build + spec) is timed alone, one after the
 * other, then the whole `npm test`; and, for the type check only, TypeScript 7's native compiler
 * (installed into a temporary folder from the npm registry, never a dependency) against TypeScript
 * 5.9's `tsc --noEmit`. It prints figures; it asserts nothing.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..", "..");
const BIN = (tool: string) => path.join(ROOT, "node_modules", ".bin", tool);

/** TypeScript 7 (the native compiler) as the bench measures it; package.json keeps 5.9 (docs/testing.md). */
export const TYPESCRIPT_NATIVE = "typescript@7.0.2";

/** Seconds of one run of `command args` in the project folder; throws with its output when it fails. */
function seconds(command: string, args: string[]): number {
    const started = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd: ROOT, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${result.stdout}${result.stderr}`);
    return Number(process.hrtime.bigint() - started) / 1e9;
}

/** TypeScript 7's `tsc` in a temporary folder (installed once per machine); undefined without the registry. */
function nativeTsc(): string | undefined {
    const prefix = path.join(os.tmpdir(), "oe-lab-ipm-bench-ts7");
    const tsc = path.join(prefix, "node_modules", ".bin", "tsc");
    if (!fs.existsSync(tsc)) {
        const install = spawnSync(
            "npm",
            [
                "install",
                "--prefix",
                prefix,
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                TYPESCRIPT_NATIVE,
            ],
            { encoding: "utf8" },
        );
        if (install.status !== 0) return undefined;
    }
    return tsc;
}

export function benchTest(): void {
    const rows: [string, number][] = [
        ["lint (eslint ., typed)", seconds(BIN("eslint"), ["."])],
        ["format:check (prettier)", seconds(BIN("prettier"), ["--check", "**/*.{ts,mjs}"])],
        ["build (tsc -b ., up to date)", seconds(BIN("tsc"), ["-b", "."])],
        [
            "spec (mocha, compiled)",
            seconds(process.execPath, [path.join(ROOT, "node_modules", "mocha", "bin", "mocha.js")]),
        ],
        ["npm test (the four in parallel)", seconds("npm", ["test"])],
        ["type check, TypeScript 5.9 (tsc --noEmit)", seconds(BIN("tsc"), ["--noEmit", "-p", "."])],
    ];
    const native = nativeTsc();
    // TypeScript 7 removed moduleResolution node10 (tsconfig.json's): it checks under nodenext, which
    // also admits require() of the ES-module dependencies (commander 15).
    const nodenext = ["--module", "nodenext", "--moduleResolution", "nodenext"];
    if (native)
        rows.push([`type check, ${TYPESCRIPT_NATIVE} (native)`, seconds(native, ["--noEmit", "-p", ".", ...nodenext])]);
    console.log(`npm test's parts, each alone (node ${process.version}, ${os.cpus().length} cores)\n`);
    for (const [what, s] of rows) console.log(`${what.padEnd(44)}${`${s.toFixed(2)} s`.padStart(10)}`);
    if (!native) console.log(`\n${TYPESCRIPT_NATIVE} could not be installed from the registry: no native figure.`);
}
