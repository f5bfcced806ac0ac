import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main, runtime } from "../tools/fleet/cli";
import { Changes, FleetWorkspace, Operation } from "../tools/fleet/orchestrator";
import { planFleet, renderPlanSummary } from "../tools/fleet/plan";
import { readTargets, Target } from "../tools/fleet/targets";
import { PROJECT_ROOT } from "./harness";
import { captured } from "./captured";

const EXAMPLE = path.join(PROJECT_ROOT, "targets.example.yaml");

/** Runs the CLI in this process, capturing what it prints. */
const fleet = (...args: string[]) => captured(() => main(["node", "fleet", ...args]));

/** Records what the CLI asks of the Automation API; the stacks named in `failing` fail. */
class RecordingWorkspace implements FleetWorkspace {
    readonly calls: string[] = [];
    constructor(
        readonly assumeRole: boolean,
        private readonly failing: readonly string[] = [],
    ) {}
    async run(target: Target, operation: Operation): Promise<Changes> {
        this.calls.push(`${operation} ${target.stack}`);
        if (this.failing.includes(target.stack)) throw new Error("code: 255\n stderr: error: preview failed");
        return operation === "destroy" ? { delete: 42 } : { same: 42 };
    }
}

describe("fleet CLI", () => {
    let dir: string;
    let workspaces: RecordingWorkspace[];
    let failing: string[];
    const original = runtime.workspace;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-cli-"));
        workspaces = [];
        failing = [];
        runtime.workspace = (options) => {
            const w = new RecordingWorkspace(options.assumeRole, failing);
            workspaces.push(w);
            return w;
        };
    });
    afterEach(() => {
        runtime.workspace = original;
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("plan: one plan per target under its stack name and Region, summary.json, and a table; exit 0", async () => {
        const result = await fleet(
            "plan",
            "--targets",
            EXAMPLE,
            "--only",
            "fleet-111122223333-us-east-1,fleet-555566667777-eu-west-1",
            "--out",
            dir,
        );
        assert.strictEqual(result.code, 0, result.stderr);
        assert.deepStrictEqual(fs.readdirSync(dir).sort(), [
            "fleet-111122223333-us-east-1.json",
            "fleet-555566667777-eu-west-1.json",
            "summary.json",
        ]);
        // The table's count is the plan's: what pulumi preview would print as "to create".
        const toCreate = (stack: string) =>
            JSON.parse(fs.readFileSync(path.join(dir, `${stack}.json`), "utf8")).toCreate as number;
        assert.deepStrictEqual(JSON.parse(fs.readFileSync(path.join(dir, "summary.json"), "utf8")), [
            {
                stack: "fleet-111122223333-us-east-1",
                account: "111122223333",
                region: "us-east-1",
                base: "existing",
                status: "planned",
                resources: toCreate("fleet-111122223333-us-east-1"),
                problems: [],
            },
            {
                stack: "fleet-555566667777-eu-west-1",
                account: "555566667777",
                region: "eu-west-1",
                base: "test",
                status: "planned",
                resources: toCreate("fleet-555566667777-eu-west-1"),
                problems: [],
            },
        ]);
        const plan = JSON.parse(fs.readFileSync(path.join(dir, "fleet-111122223333-us-east-1.json"), "utf8"));
        assert.deepStrictEqual([plan.stack, plan.region], ["fleet-111122223333-us-east-1", "us-east-1"]);
        const window = plan.resources.find(
            (r: { type: string }) => r.type === "aws:ssm/maintenanceWindow:MaintenanceWindow",
        );
        assert.strictEqual(window.inputs.scheduleTimezone, "America/New_York");
        assert.match(
            result.stdout,
            new RegExp(
                `^fleet-555566667777-eu-west-1 +555566667777 +eu-west-1 +test +planned +${toCreate("fleet-555566667777-eu-west-1")} +0$`,
                "m",
            ),
        );
        assert.match(result.stdout, /2 targets planned; every request passes AWS's API models\.\n$/);
    });

    it("plan: a target whose program or config fails is recorded as failed with its problems, and named", async () => {
        const [target] = readTargets(EXAMPLE).targets;
        const broken = { ...target, overrides: { ...target.overrides, "patching.approveAfterDays": 999 } };
        const rows = await planFleet([broken], dir, { check: false });
        assert.deepStrictEqual(rows, [
            {
                ...rows[0],
                status: "failed",
                resources: 0,
                problems: ["oe-lab-ipm:patching.approveAfterDays = 999: must be a whole number from 0 to 360"],
            },
        ]);
        assert.match(
            renderPlanSummary(rows),
            /1 of 1 targets failed:\n {2}fleet-111122223333-us-east-1:\n {4}- oe-lab-ipm:patching\.approveAfterDays = 999/,
        );
    });

    it("an invalid targets file: exit 2 with every problem, nothing run", async () => {
        const file = path.join(dir, "targets.yaml");
        fs.writeFileSync(file, 'targets:\n  - { account: "111122223333", region: mars-1, base: existing }\n');
        const result = await fleet("up", "--targets", file);
        assert.strictEqual(result.code, 2);
        assert.match(
            result.stderr,
            /^Invalid targets file .*targets\.yaml \(1 problem\):\n {2}- targets\[0\] \(111122223333 mars-1\)\.region = "mars-1": must be an AWS region/,
        );
        assert.strictEqual(workspaces.length, 0);
    });

    it("up: every selected target through the workspace, assuming its role; summary.json; exit 1 when one failed", async () => {
        failing = ["fleet-444455556666-eu-west-1"];
        const result = await fleet(
            "up",
            "--targets",
            EXAMPLE,
            "--only",
            "444455556666",
            "--parallel",
            "2",
            "--dir",
            dir,
        );
        assert.strictEqual(result.code, 1);
        assert.strictEqual(workspaces[0].assumeRole, true);
        assert.deepStrictEqual(workspaces[0].calls.sort(), [
            "up fleet-444455556666-ap-northeast-1",
            "up fleet-444455556666-eu-west-1",
            "up fleet-444455556666-us-east-1",
            "up fleet-444455556666-us-west-2",
        ]);
        const summary = JSON.parse(fs.readFileSync(path.join(dir, "summary.json"), "utf8"));
        assert.deepStrictEqual(
            summary.map((r: { stack: string; status: string; error: string | null }) => [r.stack, r.status, r.error]),
            [
                ["fleet-444455556666-us-east-1", "succeeded", null],
                ["fleet-444455556666-us-west-2", "succeeded", null],
                ["fleet-444455556666-eu-west-1", "failed", "stderr: error: preview failed"],
                ["fleet-444455556666-ap-northeast-1", "succeeded", null],
            ],
        );
        assert.match(
            result.stdout,
            /^fleet-444455556666-eu-west-1 +444455556666 +eu-west-1 +failed +1 +\d+s +stderr: error: preview failed$/m,
        );
        assert.match(result.stdout, /\n3 succeeded, 1 failed\nState, logs and summary\.json in /);
    });

    it("destroy: protected stacks are refused unless each is named with --destroy-protected", async () => {
        const refused = await fleet(
            "destroy",
            "--targets",
            EXAMPLE,
            "--only",
            "111122223333,444455556666",
            "--dir",
            dir,
            "--destroy-protected",
            "fleet-111122223333-us-east-1",
        );
        assert.strictEqual(refused.code, 2);
        assert.deepStrictEqual(
            refused.stderr.split("\n").filter((l) => l.startsWith("  - ")),
            [
                "  - fleet-111122223333-us-west-2: its config sets protect (base existing); destroy it only on purpose with --destroy-protected fleet-111122223333-us-west-2",
                "  - fleet-111122223333-eu-west-1: its config sets protect (base existing); destroy it only on purpose with --destroy-protected fleet-111122223333-eu-west-1",
                "  - fleet-111122223333-ap-northeast-1: its config sets protect (base existing); destroy it only on purpose with --destroy-protected fleet-111122223333-ap-northeast-1",
            ],
        );
        assert.strictEqual(workspaces.length, 0, "nothing is destroyed when one target is refused");
        const named = await fleet(
            "destroy",
            "--targets",
            EXAMPLE,
            "--only",
            "111122223333",
            "--dir",
            dir,
            "--no-assume-role",
            "--destroy-protected",
            "fleet-111122223333-us-east-1,fleet-111122223333-us-west-2,fleet-111122223333-eu-west-1,fleet-111122223333-ap-northeast-1",
        );
        assert.strictEqual(named.code, 0, named.stderr);
        assert.strictEqual(workspaces[0].assumeRole, false);
        assert.strictEqual(workspaces[0].calls.length, 4);
    });

    it("summary: one table of the runs the workflow's jobs uploaded; a target no job reported is missing; Markdown for the job summary", async () => {
        await fleet(
            "preview",
            "--targets",
            EXAMPLE,
            "--only",
            "fleet-123456789012-us-east-1",
            "--dir",
            path.join(dir, "runs", "fleet-run-fleet-123456789012-us-east-1"),
        );
        const markdown = path.join(dir, "summary.md");
        const result = await fleet(
            "summary",
            "--targets",
            EXAMPLE,
            "--only",
            "123456789012",
            "--from",
            path.join(dir, "runs"),
            "--markdown",
            markdown,
        );
        assert.strictEqual(result.code, 1);
        assert.match(
            result.stdout,
            /^fleet-123456789012-us-east-1 +123456789012 +us-east-1 +succeeded +1 +\d+s +same 42$/m,
        );
        assert.match(
            result.stdout,
            /^fleet-123456789012-us-west-2 +123456789012 +us-west-2 +missing +0 +no summary\.json reported this target$/m,
        );
        assert.match(result.stdout, /\n1 succeeded, 3 missing\n$/);
        assert.match(
            fs.readFileSync(markdown, "utf8"),
            /^\| stack \| account \| region \| status \| attempts \| time \| changes \| error \|\n\|---\|---\|---\|---\|---\|---\|---\|---\|\n\| fleet-123456789012-us-east-1 \| 123456789012 \| us-east-1 \| succeeded \| 1 \| \d+s \| same 42 \|  \|\n/,
        );
    });
});
