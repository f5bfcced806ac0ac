import * as assert from "assert";
import {
    mockMonitor,
    readRequest,
    REQUEST_GETTERS,
    SdkInternalError,
    waitForRegistrations,
} from "../tools/plan/sdkAdapter";
import { runStack } from "./harness";

/**
 * The SDK internals the offline evaluation relies on (tools/plan/sdkAdapter.ts): present in the pinned
 * @pulumi/pulumi, and when an upgrade changes one, the failure names it.
 */
describe("SDK adapter: the @pulumi/pulumi internals the evaluation relies on", () => {
    it("finds the mock monitor, its registerResource and newUrn, and waitForRPCs in this SDK", async () => {
        await runStack("test"); // the harness has set the mocks
        const monitor = mockMonitor();
        assert.strictEqual(typeof monitor.registerResource, "function");
        assert.strictEqual(
            monitor.newUrn(undefined, "aws:s3/bucket:Bucket", "b"),
            "urn:pulumi:test::oe-lab-ipm::aws:s3/bucket:Bucket::b",
        );
        await waitForRegistrations();
    });

    it("reads every option the day-2 specs check off the real requests", async () => {
        const run = await runStack("prod");
        const instance = run.resources.find((r) => r.name === "lab-fleet-web1")!;
        assert.deepStrictEqual(instance.options, {
            protect: true, // inherited from the fleet component (prod protects every component)
            retainOnDelete: false,
            ignoreChanges: ["ami"],
            replaceOnChanges: [],
            aliases: [],
        });
        assert.match(instance.parent!, /oe-lab-ipm:index:ManagedFleet::lab-fleet$/);
        assert.ok(
            instance.dependencies.some((d) => d.endsWith("::lab-fleet-ssm-core")),
            instance.dependencies.join(", "),
        );
    });

    it("refuses a registration with a transform, which the mocks accept (3.260.0+) but never run", () => {
        const request: Record<string, () => unknown> = {
            ...Object.fromEntries(REQUEST_GETTERS.map((g) => [g, () => []])),
            getType: () => "aws:s3/bucket:Bucket",
            getName: () => "logs",
            getParent: () => "",
            getPropertydependenciesMap: () => ({ forEach() {} }),
            getProtect: () => false,
            getRetainondelete: () => false,
        };
        const newUrn = () => "urn:pulumi:test::oe-lab-ipm::aws:s3/bucket:Bucket::logs";
        assert.strictEqual(readRequest(request, newUrn).urn, newUrn());
        request.getTransformsList = () => [{ getName: () => "callback" }];
        assert.throws(
            () => readRequest(request, newUrn),
            new Error(
                "aws:s3/bucket:Bucket logs has a transform: the offline plan cannot apply it (Pulumi's mocks register transforms without running them)",
            ),
        );
    });

    it("names the internal that an SDK upgrade removed", () => {
        assert.throws(() => mockMonitor({}), new SdkInternalError("runtime.getMonitor", "is not a function"));
        assert.throws(
            () => mockMonitor({ getMonitor: () => ({ registerResource() {} }) }),
            /@pulumi\/pulumi internal MockMonitor\.newUrn is not a function: tools\/plan\/sdkAdapter\.ts must be adapted/,
        );
        assert.throws(
            () => mockMonitor({ getMonitor: () => ({ registerResource() {}, newUrn() {} }) }),
            /@pulumi\/pulumi internal MockMonitor\.readResource is not a function/,
        );
        assert.throws(
            () => waitForRegistrations({}),
            /@pulumi\/pulumi internal runtime\.waitForRPCs is not a function/,
        );
        const request = Object.fromEntries(
            REQUEST_GETTERS.filter((g) => g !== "getIgnorechangesList").map((g) => [g, () => undefined]),
        );
        assert.throws(
            () => readRequest(request, () => ""),
            /@pulumi\/pulumi internal RegisterResourceRequest\.getIgnorechangesList is not a function/,
        );
    });
});
