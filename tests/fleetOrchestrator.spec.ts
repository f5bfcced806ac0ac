import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    allSucceeded,
    Changes,
    FleetEvent,
    FleetWorkspace,
    isThrottling,
    logPath,
    Operation,
    runFleet,
    statePath,
} from "../tools/fleet/orchestrator";
import { stackName, Target } from "../tools/fleet/targets";

/** Targets in the shape readTargets returns them. */
function targets(count: number): Target[] {
    return Array.from({ length: count }, (_, i) => {
        const account = String(100000000000 + i);
        return {
            stack: stackName(account, "us-east-1"),
            account,
            region: "us-east-1",
            base: "existing",
            roleArn: `arn:aws:iam::${account}:role/OeLabIpmDeployment`,
            overrides: {},
        };
    });
}

type Behaviour = "ok" | "fail" | "throttle" | "hang";

/**
 * A fake Automation API: per stack, a list of behaviours, one per attempt (the last repeats).
 * It records every call, how many ran at once, and writes output as the CLI would.
 */
class FakeWorkspace implements FleetWorkspace {
    running = 0;
    maxRunning = 0;
    readonly calls: string[] = [];
    readonly started = new Set<string>();
    hanging = 0;
    /** Called once this many operations hang at the same time. */
    onHanging?: { count: number; then: () => void };
    constructor(private readonly behaviours: Record<string, Behaviour[]> = {}) {}

    async run(
        target: Target,
        operation: Operation,
        io: { onOutput: (text: string) => void; signal: AbortSignal },
    ): Promise<Changes> {
        const attempt = this.calls.filter((c) => c === `${operation} ${target.stack}`).length;
        this.calls.push(`${operation} ${target.stack}`);
        this.started.add(target.stack);
        const list = this.behaviours[target.stack] ?? ["ok"];
        const behaviour = list[Math.min(attempt, list.length - 1)];
        this.running++;
        this.maxRunning = Math.max(this.maxRunning, this.running);
        try {
            io.onOutput(`Updating (${target.stack}):\n`);
            await new Promise((r) => setTimeout(r, 2));
            if (behaviour === "hang") {
                const aborted = new Promise<void>((resolve) =>
                    io.signal.addEventListener("abort", () => resolve(), { once: true }),
                );
                if (++this.hanging === this.onHanging?.count) this.onHanging.then();
                await aborted;
                throw new Error("code: 255\n stderr: error: update canceled");
            }
            if (behaviour === "throttle")
                throw new Error(
                    "code: 255\n stderr: error: creating SSM Association: operation error SSM: CreateAssociation, ThrottlingException: Rate exceeded",
                );
            if (behaviour === "fail")
                throw new Error(
                    "code: 255\n stderr: error: AccessDenied: User is not authorized to perform: sts:AssumeRole",
                );
            io.onOutput("Resources:\n    + 42 to create\n");
            return { create: 42 };
        } finally {
            this.running--;
        }
    }
}

describe("fleet orchestrator (against a fake workspace)", () => {
    let dir: string;
    const sleeps: number[] = [];
    const base = {
        targetsFile: "targets.example.yaml",
        parallel: 3,
        sleep: async (ms: number) => void sleeps.push(ms),
        random: () => 0,
    };
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-"));
        sleeps.length = 0;
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const stateFile = () => JSON.parse(fs.readFileSync(statePath(dir), "utf8"));

    it("runs every target once, never more than --parallel at a time, and records each as succeeded with its changes", async () => {
        const fake = new FakeWorkspace();
        const all = targets(10);
        const state = await runFleet({ ...base, operation: "up", targets: all, workspace: fake, dir });
        assert.strictEqual(fake.maxRunning, 3);
        assert.deepStrictEqual([...fake.calls].sort(), all.map((t) => `up ${t.stack}`).sort());
        assert.ok(allSucceeded(state));
        assert.deepStrictEqual(stateFile().targets[all[0].stack], {
            status: "succeeded",
            attempts: 1,
            seconds: stateFile().targets[all[0].stack].seconds,
            changes: { create: 42 },
        });
        assert.match(
            fs.readFileSync(logPath(dir, all[0].stack), "utf8"),
            /^--- up fleet-100000000000-us-east-1 \(100000000000 us-east-1\), attempt 1, .*\nUpdating \(fleet-100000000000-us-east-1\):\nResources:\n    \+ 42 to create\n$/,
        );
    });

    it("with --parallel 1, one at a time; with more than there are targets, all at once", async () => {
        const one = new FakeWorkspace();
        await runFleet({ ...base, parallel: 1, operation: "preview", targets: targets(4), workspace: one, dir });
        assert.strictEqual(one.maxRunning, 1);
        const many = new FakeWorkspace();
        await runFleet({ ...base, parallel: 50, operation: "preview", targets: targets(4), workspace: many, dir });
        assert.strictEqual(many.maxRunning, 4);
    });

    it("records the failure of some targets with the error line, runs the rest, and does not succeed overall", async () => {
        const all = targets(5);
        const fake = new FakeWorkspace({ [all[1].stack]: ["fail"], [all[3].stack]: ["fail"] });
        const state = await runFleet({ ...base, operation: "up", targets: all, workspace: fake, dir });
        assert.strictEqual(allSucceeded(state), false);
        assert.deepStrictEqual(
            all.map((t) => state.targets[t.stack].status),
            ["succeeded", "failed", "succeeded", "failed", "succeeded"],
        );
        assert.strictEqual(
            state.targets[all[1].stack].error,
            "stderr: error: AccessDenied: User is not authorized to perform: sts:AssumeRole",
        );
        assert.strictEqual(state.targets[all[1].stack].attempts, 1, "an access error is not retried");
        assert.match(fs.readFileSync(logPath(dir, all[1].stack), "utf8"), /AccessDenied/);
    });

    it("retries throttling with exponential backoff (30 s, 60 s, 120 s plus jitter) and gives up after 4 attempts", async () => {
        const all = targets(2);
        const fake = new FakeWorkspace({
            [all[0].stack]: ["throttle", "throttle", "ok"],
            [all[1].stack]: ["throttle"],
        });
        const state = await runFleet({
            ...base,
            random: () => 0.5,
            operation: "up",
            targets: all,
            workspace: fake,
            dir,
        });
        assert.deepStrictEqual(state.targets[all[0].stack].status, "succeeded");
        assert.strictEqual(state.targets[all[0].stack].attempts, 3);
        assert.deepStrictEqual(state.targets[all[1].stack].status, "failed");
        assert.strictEqual(state.targets[all[1].stack].attempts, 4);
        assert.match(state.targets[all[1].stack].error!, /ThrottlingException: Rate exceeded/);
        assert.deepStrictEqual(
            [...sleeps].sort((a, b) => a - b),
            [37500, 37500, 75000, 75000, 150000],
        );
    });

    it("knows AWS's throttling errors as the provider reports them, and nothing else", () => {
        const messages: [string, boolean][] = [
            [
                "operation error EC2: DescribeInstances, https response error StatusCode: 503, api error RequestLimitExceeded: Request limit exceeded.",
                true,
            ],
            ["operation error SSM: CreateAssociation, api error ThrottlingException: Rate exceeded", true],
            ["operation error IAM: CreateRole, api error Throttling: Rate exceeded", true],
            ["operation error S3: PutBucketPolicy, api error SlowDown: Please reduce your request rate.", true],
            ["operation error Resource Groups: CreateGroup, TooManyRequestsException: Too many requests", true],
            [
                "operation error SNS: CreateTopic, api error AccessDenied: not authorized to perform: SNS:CreateTopic",
                false,
            ],
            ["error: update canceled", false],
        ];
        assert.deepStrictEqual(
            messages.map(([m]) => isThrottling(new Error(m))),
            messages.map(([, t]) => t),
        );
    });

    it("--resume reruns only the targets that failed or never ran, and keeps what succeeded", async () => {
        const all = targets(4);
        await runFleet({
            ...base,
            operation: "up",
            targets: all,
            workspace: new FakeWorkspace({ [all[2].stack]: ["fail"] }),
            dir,
        });
        const second = new FakeWorkspace();
        const state = await runFleet({ ...base, resume: true, operation: "up", targets: all, workspace: second, dir });
        assert.deepStrictEqual(second.calls, [`up ${all[2].stack}`]);
        assert.ok(allSucceeded(state));
        assert.strictEqual(state.targets[all[2].stack].attempts, 2);
        assert.strictEqual(
            (fs.readFileSync(logPath(dir, all[2].stack), "utf8").match(/^--- up/gm) ?? []).length,
            2,
            "the log keeps both attempts",
        );
    });

    it("--resume refuses a state file of another operation", async () => {
        await runFleet({ ...base, operation: "preview", targets: targets(1), workspace: new FakeWorkspace(), dir });
        await assert.rejects(
            runFleet({
                ...base,
                resume: true,
                operation: "destroy",
                targets: targets(1),
                workspace: new FakeWorkspace(),
                dir,
            }),
            /records a preview, not a destroy/,
        );
    });

    it("Ctrl-C cancels the running targets, starts no more, and records each as cancelled or pending", async () => {
        const all = targets(6);
        const fake = new FakeWorkspace(Object.fromEntries(all.map((t) => [t.stack, ["hang"] as Behaviour[]])));
        const controller = new AbortController();
        fake.onHanging = { count: 2, then: () => controller.abort() };
        const events: FleetEvent[] = [];
        const state = await runFleet({
            ...base,
            parallel: 2,
            operation: "up",
            targets: all,
            workspace: fake,
            dir,
            signal: controller.signal,
            onEvent: (e) => events.push(e),
        });
        assert.deepStrictEqual(
            all.map((t) => stateFile().targets[t.stack].status),
            ["cancelled", "cancelled", "pending", "pending", "pending", "pending"],
        );
        assert.deepStrictEqual(state, stateFile());
        assert.strictEqual(fake.started.size, 2);
        assert.deepStrictEqual(
            events.map((e) => e.state.status),
            ["running", "running", "cancelled", "cancelled"],
        );
        const resumed = new FakeWorkspace();
        await runFleet({ ...base, resume: true, operation: "up", targets: all, workspace: resumed, dir });
        assert.strictEqual(resumed.calls.length, 6, "a resumed run takes up the cancelled and pending targets");
    });
});
