/**
 * `fleet coverage` across many targets (a section of `npm run bench -- ops`): the compiled fleet CLI
 * in a child process, the real AWS SDK (STS AssumeRole per target, then EC2 and Systems Manager)
 * against the fake endpoint of the fault specs (tests/fakeAws.ts, tests/fakeSts.ts) answering each
 * request after LATENCY_MS: requests sent, AssumeRole calls, wall time, the most requests in flight.
 * Every target reads the same fake fleet (the endpoint has one). It prints; it asserts nothing.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startFakeAws } from "../../tests/fakeAws";
import { fakeAwsEnv } from "../../tests/faults/child";

const TARGETS = 24;
const INSTANCES = 500;
const LATENCY_MS = 10;
const ROOT = path.join(__dirname, "..", "..", "..");

function targetsFile(count: number): string {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-coverage-")), "targets.yaml");
    const entries = Array.from(
        { length: count },
        (_, i) => `  - account: "${String(100000000000 + i)}"\n    region: ap-northeast-1\n`,
    );
    fs.writeFileSync(file, `defaults:\n  base: test\ntargets:\n${entries.join("")}`);
    return file;
}

function fleetChild(url: string, args: string[]): Promise<number | null> {
    const env = fakeAwsEnv(url);
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(ROOT, "bin", "tools", "fleet", "cli.js"), ...args], {
            cwd: ROOT,
            env,
            stdio: "ignore",
        });
        child.on("error", reject);
        child.on("exit", (code) => resolve(code));
    });
}

export async function benchFleetCoverage(): Promise<void> {
    const file = targetsFile(TARGETS);
    const fake = await startFakeAws({ instances: INSTANCES, latencyMs: LATENCY_MS });
    try {
        const started = process.hrtime.bigint();
        const code = await fleetChild(fake.url, ["coverage", "--targets", file, "--json"]);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        console.log(
            `\nfleet coverage of ${TARGETS} targets x ${INSTANCES} instances (compiled CLI, real AWS SDK, fake endpoint answering in ${LATENCY_MS} ms, 8 targets at once): ` +
                `exit ${code}, ${fake.calls.length.toLocaleString("en")} requests (${fake.count("AssumeRole")} AssumeRole), ${seconds.toFixed(2)} s, ` +
                `at most ${fake.peakInFlight()} in flight, ≥ ${((fake.calls.length * LATENCY_MS) / 1000).toFixed(0)} s one by one`,
        );
    } finally {
        await fake.close();
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
}
