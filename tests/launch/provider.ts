/**
 * Launches the component provider exactly as the Pulumi CLI's Node.js language host does
 * (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go `RunPlugin`): it finds run-plugin
 * with `require.resolve('@pulumi/pulumi/cmd/run-plugin')` run in the plugin's folder
 * (`locateModule`), runs `node <run-plugin> <plugin dir> <engine address>` with the working
 * directory set to the consumer's project (`cmd.Dir = req.Pwd`) and PULUMI_NODEJS_TYPESCRIPT=true
 * (the `typescript` option defaults to true), and reads the port from the first line of stdout
 * (sdk/go/common/resource/plugin/plugin.go `newPlugin`). Then it talks gRPC to that port.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import { grpc } from "./fakeEngine";

export interface LaunchedProvider {
    readonly client: provrpc.ResourceProviderClient;
    readonly port: number;
    /** Everything the provider wrote to stderr so far. */
    stderr(): string;
    stop(): void;
}

/** The run-plugin module the host runs: resolved from the plugin's folder, as `locateModule` does. */
export function locateRunPlugin(packageDir: string): string {
    const script =
        "try { console.log(require.resolve('@pulumi/pulumi/cmd/run-plugin')); } catch (error) { console.error(error.message); process.exit(1); }";
    return execFileSync(process.execPath, ["-e", script], { cwd: packageDir, encoding: "utf8" }).trim();
}

/** Starts the provider (this Node.js binary, as the host's `node` on PATH) and connects to it. */
export async function launchProvider(
    packageDir: string,
    engineAddress: string,
    consumerDir: string,
): Promise<LaunchedProvider> {
    const child = spawn(process.execPath, [locateRunPlugin(packageDir), packageDir, engineAddress], {
        cwd: consumerDir,
        env: { ...process.env, PULUMI_NODEJS_TYPESCRIPT: "true" },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const port = await readPort(child, () => stderr);
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return {
        client,
        port,
        stderr: () => stderr,
        stop: () => {
            client.close();
            child.kill();
        },
    };
}

/** The first line of stdout, which must be a port number (`parsePort`); the rest is the provider's output. */
function readPort(child: ChildProcess, stderr: () => string): Promise<number> {
    return new Promise((resolve, reject) => {
        let out = "";
        const onData = (chunk: string) => {
            out += chunk;
            const newline = out.indexOf("\n");
            if (newline < 0) return;
            child.stdout!.off("data", onData);
            child.off("exit", onExit);
            const line = out.slice(0, newline).trim();
            if (/^\d+$/.test(line)) resolve(Number(line));
            else
                reject(new Error(`the provider wrote an invalid port to stdout: ${JSON.stringify(line)}\n${stderr()}`));
        };
        const onExit = (code: number | null) =>
            reject(new Error(`the provider exited (code ${code}) before writing its port:\n${out}${stderr()}`));
        child.stdout!.setEncoding("utf8").on("data", onData);
        child.on("exit", onExit);
    });
}

type Callback<Res> = (error: Error | null, response: Res) => void;

/** One unary call of the provider, as a promise: `call(client, "getSchema", request)`. */
export function call<Res>(
    client: provrpc.ResourceProviderClient,
    method: keyof provrpc.ResourceProviderClient,
    request: unknown,
): Promise<Res> {
    const unary = client[method] as unknown as (
        this: provrpc.ResourceProviderClient,
        request: unknown,
        callback: Callback<Res>,
    ) => unknown;
    return new Promise((resolve, reject) =>
        unary.call(client, request, (error, response) => (error ? reject(error) : resolve(response))),
    );
}
