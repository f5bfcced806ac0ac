/**
 * The ops commands at 5,000 instances (a section of `npm run bench`): each command run as an
 * operator runs it (the compiled CLI in a child process, the real AWS SDK) against the fake
 * endpoint of the fault specs (tests/fakeAws.ts), which answers each request after LATENCY_MS (a
 * round trip to a nearby AWS Region is tens of ms): requests sent, wall time, the most requests
 * in flight at once, and what the same requests would take one after another. It prints; it
 * asserts nothing.
 */
import * as os from "os";
import { startFakeAws } from "../../tests/fakeAws";
import { opsChild } from "../../tests/faults/child";

export const BENCH_INSTANCES = 5000;
const LATENCY_MS = 10;

const COMMANDS: [string, string[]][] = [
    ["scan (tag targets, one command)", ["scan", "--stack", "test"]],
    ["compliance", ["compliance", "--stack", "test"]],
    ["inventory", ["inventory", "--stack", "test"]],
    ["coverage (EC2 joined with SSM)", ["coverage", "--stack", "test"]],
    ["report (Systems Manager)", ["report", "--stack", "test", "--out", "/dev/null"]],
];

export async function benchOps(): Promise<void> {
    const load = os.loadavg()[0].toFixed(1);
    console.log(
        `\nops commands at ${BENCH_INSTANCES.toLocaleString("en")} instances (compiled CLI, real AWS SDK, local fake endpoint answering in ${LATENCY_MS} ms; load average ${load})\n`,
    );
    console.log(
        `${"command".padEnd(34)}${"exit".padStart(5)}${"requests".padStart(10)}${"wall".padStart(10)}${"req/s".padStart(8)}${"in flight".padStart(11)}${"one by one".padStart(12)}`,
    );
    for (const [label, args] of COMMANDS) {
        const fake = await startFakeAws({ instances: BENCH_INSTANCES, commandMs: 3000, latencyMs: LATENCY_MS });
        try {
            const started = process.hrtime.bigint();
            const run = await opsChild(fake, args);
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            const requests = fake.calls.length;
            const row = `${label.padEnd(34)}${String(run.code).padStart(5)}${requests.toLocaleString("en").padStart(10)}${`${seconds.toFixed(2)} s`.padStart(10)}`;
            console.log(
                `${row}${String(Math.round(requests / seconds)).padStart(8)}${String(fake.peakInFlight()).padStart(11)}${`≥ ${((requests * LATENCY_MS) / 1000).toFixed(0)} s`.padStart(12)}`,
            );
        } finally {
            await fake.close();
        }
    }
}
