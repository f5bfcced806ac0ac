/**
 * `npm run bench`: wall time of the offline plan (min and median of several runs, each a fresh
 * process as a user runs it) for the test stack and for fleets scaled to 40 and 400 instances
 * through config, the cost per instance between them, the time of the unit-test suite, of the
 * API contract spec alone (its largest what-if plans 1,000 instances) and of the whole `npm test`
 * (lint, type check and specs; issue #12 keeps it within 30 s on a 2-core machine); then the ops
 * commands at 5,000 instances against a local fake endpoint (benchOps.ts); then a fleet plan of 50
 * targets in one process against 50 single plans (issue #27). `npm run bench -- ops` or `-- fleet`
 * runs only that section; `npm run bench -- test` splits `npm test`'s time into its parts (benchTest.ts).
 * It prints figures; it asserts nothing.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import { benchOps } from "./benchOps";
import { benchFleetCoverage } from "./benchFleetCoverage";
import { benchTest } from "./benchTest";
import * as os from "os";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..", "..");
const CLI = path.join(__dirname, "cli.js");
const FLEET = path.join(ROOT, "bin", "tools", "fleet", "cli.js");
const MOCHA = path.join(ROOT, "node_modules", "mocha", "bin", "mocha.js");

function time(args: string[], runs: number, command = process.execPath): number[] {
    const seconds: number[] = [];
    for (let i = 0; i < runs; i++) {
        const started = process.hrtime.bigint();
        const result = spawnSync(command, args, { cwd: ROOT, encoding: "utf8" });
        if (result.status !== 0) {
            throw new Error(`${args.join(" ")} failed:\n${result.stderr}`);
        }
        seconds.push(Number(process.hrtime.bigint() - started) / 1e9);
    }
    return seconds.sort((a, b) => a - b);
}

/** A targets file of `count` targets (accounts × the four Regions of the example) in a fresh folder. */
function fleetTargets(count: number): { file: string; out: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-bench-"));
    const regions = ["us-east-1", "us-west-2", "eu-west-1", "ap-northeast-1"];
    const targets = Array.from(
        { length: count },
        (_, i) => `  - { account: "${100000000000 + Math.floor(i / 4)}", region: ${regions[i % 4]} }`,
    );
    fs.writeFileSync(path.join(dir, "targets.yaml"), `defaults:\n  base: existing\ntargets:\n${targets.join("\n")}\n`);
    return { file: path.join(dir, "targets.yaml"), out: path.join(dir, "plans") };
}

const median = (sorted: number[]) => sorted[Math.floor(sorted.length / 2)];
const fmt = (s: number) => `${s.toFixed(2)} s`;

function fleet(instances: number): string[] {
    return ["-c", `fleet.groups.0.count=${instances / 2}`, "-c", `fleet.groups.1.count=${instances / 2}`];
}

function benchPlan(): void {
    const rows: [string, number[]][] = [
        ["plan, test stack (4 instances)", time([CLI, "--stack", "test", "--quiet"], 7)],
        ["plan, 40 instances", time([CLI, "--stack", "test", "--quiet", ...fleet(40)], 5)],
        ["plan, 400 instances", time([CLI, "--stack", "test", "--quiet", ...fleet(400)], 3)],
        ["unit-test suite (mocha, compiled)", time([MOCHA, "--reporter", "dot"], 3)],
        [
            "API contract spec alone",
            time(
                [
                    MOCHA,
                    "--no-config",
                    "--timeout",
                    "60000",
                    "--reporter",
                    "dot",
                    "--node-option",
                    "max-semi-space-size=64",
                    "bin/tests/contract.spec.js",
                ],
                3,
            ),
        ],
        ["npm test (lint, tsc, specs)", time(["test"], 2, "npm")],
    ];

    console.log(`node ${process.version}, ${os.cpus().length} cores\n`);
    console.log(`${"what".padEnd(36)}${"runs".padStart(5)}${"min".padStart(10)}${"median".padStart(10)}`);
    for (const [what, seconds] of rows) {
        console.log(
            `${what.padEnd(36)}${String(seconds.length).padStart(5)}${fmt(seconds[0]).padStart(10)}${fmt(median(seconds)).padStart(10)}`,
        );
    }
    // Linear cost means the same cost per added instance on both intervals.
    const [at4, at40, at400] = [rows[0][1], rows[1][1], rows[2][1]].map(median);
    const small = (at40 - at4) / 36;
    const large = (at400 - at40) / 360;
    console.log(
        `\ncost per added instance: ${(small * 1000).toFixed(1)} ms from 4 to 40, ${(large * 1000).toFixed(1)} ms from 40 to 400 (ratio ${(large / small).toFixed(2)})`,
    );
}

/** 50 targets planned in one process (one SDK load) against 50 single `plan --check` runs. */
function benchFleet(): void {
    const FLEET_SIZE = 50;
    const fleetFile = fleetTargets(FLEET_SIZE);
    const single = median(time([CLI, "--stack", "existing", "--quiet", "--check"], 5));
    const many = median(time([FLEET, "plan", "--targets", fleetFile.file, "--out", fleetFile.out], 2));
    console.log(
        `\nfleet plan of ${FLEET_SIZE} targets: ${fmt(many)}, against ${FLEET_SIZE} single plans ${fmt(single * FLEET_SIZE)} (${FLEET_SIZE} x ${fmt(single)}): ` +
            `ratio ${(many / (single * FLEET_SIZE)).toFixed(2)}, ${((many / FLEET_SIZE) * 1000).toFixed(0)} ms per target`,
    );
}

async function main(): Promise<void> {
    const only = process.argv[2];
    if (only === undefined) benchPlan();
    if (only === undefined || only === "ops") {
        await benchOps();
        await benchFleetCoverage();
    }
    if (only === undefined || only === "fleet") benchFleet();
    if (only === "test") benchTest();
}

main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
});
