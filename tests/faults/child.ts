/**
 * Runs the compiled ops CLI as a child process against the fake endpoint (tests/fakeAws.ts), the way
 * an operator runs it: the real AWS SDK clients reach the endpoint through AWS_ENDPOINT_URL (the
 * SDK's documented service-endpoint variable) with dummy credentials; SIGINT can be sent when the
 * output shows a given line, as a person pressing Ctrl-C after seeing it.
 */
import { runtimeVerdict } from "../../tools/runtime";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FakeAws } from "../fakeAws";

const ROOT = path.join(__dirname, "..", "..", "..");
export const CLI = path.join(ROOT, "bin", "tools", "ops", "cli.js");

export interface ChildRun {
    /** The exit code, or null if a signal ended the process. */
    readonly code: number | null;
    readonly signal: NodeJS.Signals | null;
    readonly out: string;
    readonly err: string;
    /** From SIGINT to the process's exit, in ms (when SIGINT was sent). */
    readonly afterInterrupt?: number;
}

export interface ChildOptions {
    /** Send SIGINT once stderr matches this. */
    readonly interruptWhen?: RegExp;
    /** Environment to add or (undefined) remove. */
    readonly env?: Record<string, string | undefined>;
}

/** A HOME with an empty AWS config, so no operator's profile or credentials are read. */
export function emptyHome(): string {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "ops-home-"));
    fs.mkdirSync(path.join(home, ".aws"));
    fs.writeFileSync(path.join(home, ".aws", "config"), "");
    return home;
}

/**
 * A child CLI's environment: no operator's profile, fake static credentials, no instance metadata,
 * and every AWS client sent to the fake endpoint at `url` when there is one.
 */
export function fakeAwsEnv(url: string | undefined): Record<string, string | undefined> {
    return {
        PATH: process.env.PATH,
        HOME: emptyHome(),
        AWS_ACCESS_KEY_ID: "AKIDFAKEFAKEFAKEFAKE",
        AWS_SECRET_ACCESS_KEY: "fake-secret",
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        ...(url ? { AWS_ENDPOINT_URL: url } : {}),
    };
}

export function opsChild(fake: FakeAws | undefined, args: string[], options: ChildOptions = {}): Promise<ChildRun> {
    const env: Record<string, string | undefined> = { ...fakeAwsEnv(fake?.url), ...options.env };
    for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: env as NodeJS.ProcessEnv });
        let out = "";
        let err = "";
        let interruptedAt: number | undefined;
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.stderr.on("data", (d: Buffer) => {
            err += d.toString();
            if (options.interruptWhen && interruptedAt === undefined && options.interruptWhen.test(err)) {
                interruptedAt = Date.now();
                child.kill("SIGINT");
            }
        });
        child.on("error", reject);
        // On an unsupported runtime (Node.js 20) the CLI's first line says so (tools/runtime.ts, held by
        // tests/runtime.spec.ts); the faults are about what follows it.
        const runtimeLine = `${runtimeVerdict(process.versions.node)?.message}\n`;
        child.on("close", (code, signal) => {
            if (err.startsWith(runtimeLine)) err = err.slice(runtimeLine.length);
            resolve({ code, signal, out, err, afterInterrupt: interruptedAt && Date.now() - interruptedAt });
        });
    });
}
