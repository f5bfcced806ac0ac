/**
 * `ops install` on a Runbook stack for real: the compiled CLI in a child process, the real SSM client
 * against the fake endpoint (tests/fakeSsm.ts answers StartAutomationExecution, GetAutomationExecution
 * and StopAutomationExecution, each request held against botocore's model), SIGINT as an operator's
 * Ctrl-C once the first instance's execution has started. The stack is a Runbook stack with the
 * fake fleet's tags (Workload Test), in a project folder of its own (--project-dir).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FakeAws, INSTANCE_ID, startFakeAws } from "../fakeAws";
import { opsChild } from "./child";

const ROOT = path.join(__dirname, "..", "..", "..");

function runbookProject(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ops-runbook-"));
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const stack = ["config:", "  aws:region: ap-northeast-1", "  oe-lab-ipm:workload: Test"];
    const window = ["  oe-lab-ipm:maintenanceWindow:", "    installMode: Runbook", "    duration: 3", ""];
    fs.writeFileSync(path.join(dir, "Pulumi.rb.yaml"), [...stack, ...window].join("\n"));
    return dir;
}

describe("ops install through the runbook under Ctrl-C (child process, real SDK, fake endpoint)", function () {
    this.timeout(60000);
    let fake: FakeAws | undefined;
    afterEach(async () => {
        await fake?.close();
        fake = undefined;
    });

    it("Ctrl-C stops the running execution (StopAutomationExecution Cancel), starts no other, exit 130", async () => {
        fake = await startFakeAws({ instances: 2, commandMs: 60000 });
        const args = ["install", "--stack", "rb", "--project-dir", runbookProject(), "--yes"];
        const run = await opsChild(fake, args, { interruptWhen: /TakeRestorePoint: InProgress/ });
        assert.strictEqual(run.code, 130, run.err);
        assert.strictEqual(fake.count("StartAutomationExecution"), 1);
        assert.strictEqual(fake.count("StopAutomationExecution"), 1);
        const [execution] = fake.ssm.automations;
        assert.deepStrictEqual(execution.input.Parameters.InstanceId, [INSTANCE_ID(0)]);
        assert.strictEqual(execution.input.DocumentName, "OELabIPM-Test-PatchInstance");
        assert.match(
            run.err,
            new RegExp(`interrupted \\(Ctrl-C\\): stopped execution ${execution.id} \\(${INSTANCE_ID(0)}\\)`),
        );
        assert.ok(
            run.out.endsWith("0 of 2 patched; 1 did not (" + `${INSTANCE_ID(0)} Cancelling); 1 not started.\n`),
            run.out,
        );
        assert.ok(run.afterInterrupt! < 10000, `exited ${run.afterInterrupt} ms after SIGINT`);
    });
});
