/**
 * `coverage` for real: the compiled CLI in a child process, the real EC2, SSM and IAM clients of
 * the AWS SDK (EC2's query protocol and XML, SSM's JSON) against the fake endpoint (tests/fakeEc2.ts,
 * tests/fakeSsm.ts), with throttling injected. `npm run test:faults`, run by .ci/run.
 */
import * as assert from "assert";
import { FakeAws, startFakeAws } from "../fakeAws";
import { opsChild } from "./child";

describe("ops coverage under faults (child process, real SDK, fake endpoint)", function () {
    this.timeout(60000);
    let fake: FakeAws | undefined;
    afterEach(async () => {
        await fake?.close();
        fake = undefined;
    });

    it("pages DescribeInstances and DescribeInstanceInformation at their limits, and rides out throttling", async () => {
        fake = await startFakeAws({
            instances: 120,
            terminated: [3],
            faults: [{ operation: "DescribeInstances", kind: "throttle", count: 1 }],
        });
        const run = await opsChild(fake, ["coverage", "--stack", "test", "--json"]);
        assert.strictEqual(run.code, 0, run.err);
        const report = JSON.parse(run.out);
        assert.deepStrictEqual(report.counts, { managed: 119, silent: 0, unmanaged: 0, stopped: 0, terminated: 0 });
        // The terminated instance is not listed by EC2 (state filter) but still a managed node for a while.
        assert.deepStrictEqual(report.otherManagedNodes, ["i-00000000000000003"]);
        const describe = fake.calls.filter((c) => c.operation === "DescribeInstances");
        assert.deepStrictEqual(
            describe.map((c) => c.input.MaxResults),
            ["1000", "1000"], // the throttled request, then its retry
        );
        assert.strictEqual(fake.count("DescribeInstanceInformation"), 3);
        assert.strictEqual(fake.count("DescribeInstancePatchStates"), 3);
    });
});
