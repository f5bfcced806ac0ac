import * as assert from "assert";
import { destroy } from "./engine";
import { RecordedResource, runStack } from "./harness";

/**
 * What prod's users keep is protected: its whole fleet and network, inventory, patching, windows,
 * scan association and alerts. The engine refuses to delete or replace a protected resource, and
 * since Pulumi 3.149 `pulumi destroy` continues past those refusals and deletes everything else
 * (tests/engine.ts): only what is protected, and what that depends on, survives. Test stays
 * disposable (docs/changes.md).
 */

const label = (r: RecordedResource) => `${r.type} ${r.name}`;
/** A StackReference is read, not created: destroy only drops it from the state. */
const created = (resources: readonly RecordedResource[]) =>
    resources.filter((r) => r.custom && r.type !== "pulumi:pulumi:StackReference");

/** What prod protected before: the log bucket and its hardening, the topic, its key (and subscriptions). */
const FORMERLY_PROTECTED = [
    "lab-alerts-key",
    "lab-alerts-topic",
    "lab-inventory-logs",
    "lab-inventory-logs-encryption",
    "lab-inventory-logs-lifecycle",
    "lab-inventory-logs-ownership",
    "lab-inventory-logs-policy",
    "lab-inventory-logs-public-access",
    "lab-inventory-logs-versioning",
];

describe("protect: what a stack must never lose by accident", () => {
    it("prod protects each of its components, so every resource it creates inherits protect", async () => {
        const prod = await runStack("prod");
        assert.deepStrictEqual(prod.resources.filter((r) => !r.custom && !r.options.protect).map(label), []);
        assert.deepStrictEqual(
            created(prod.resources)
                .filter((r) => !r.options.protect)
                .map(label),
            [],
        );
        assert.strictEqual(created(prod.resources).length, 72);
    });

    it("pulumi destroy on prod (engine semantics, prod's recorded dependencies) deletes nothing", async () => {
        const prod = await runStack("prod");
        const result = destroy(prod.resources);
        assert.deepStrictEqual(
            result.deleted.filter((urn) => !urn.includes("pulumi:pulumi:StackReference")),
            [],
        );
        assert.strictEqual(result.refused.length, 72);
    });

    it("protecting only the bucket, topic and key would let destroy delete 61 of prod's 72 resources", async () => {
        // The model is not vacuous: prod's former protection, on the same dependency graph.
        const prod = await runStack("prod", { protect: false });
        const former = prod.resources.map((r) => ({
            ...r,
            options: { ...r.options, protect: FORMERLY_PROTECTED.includes(r.name) },
        }));
        const result = destroy(former);
        assert.strictEqual(result.deleted.length, 61);
        assert.deepStrictEqual(result.skipped, [
            "urn:pulumi:prod::oe-lab-ipm::oe-lab-ipm:index:CoverageCheck$aws:iam/role:Role::lab-coverage-check-role",
            "urn:pulumi:prod::oe-lab-ipm::oe-lab-ipm:index:AlertTopic$aws:iam/role:Role::lab-alerts-notification-role",
            "urn:pulumi:prod::oe-lab-ipm::oe-lab-ipm:index:AlertTopic$aws:iam/role:Role::lab-alerts-automation-role",
        ]);
        assert.ok(result.deleted.some((urn) => urn.endsWith("aws:ec2/instance:Instance::lab-fleet-web1")));
    });

    it("prod protects the confirmed e-mail subscriptions too (a new one must be confirmed again)", async () => {
        const prod = await runStack("prod", { "alerts.emails": ["ops@example.com", "oncall@example.com"] });
        const subscriptions = prod.resources.filter((r) => r.type === "aws:sns/topicSubscription:TopicSubscription");
        assert.deepStrictEqual(
            subscriptions.map((r) => [r.name, r.options.protect]),
            [
                ["lab-alerts-email-1", true],
                ["lab-alerts-email-2", true],
            ],
        );
    });

    it("the reporting stack protects its store; its query results stay disposable", async () => {
        const reporting = await runStack("reporting");
        const unprotected = created(reporting.resources)
            .filter((r) => !r.options.protect)
            .map((r) => r.name)
            .sort();
        assert.deepStrictEqual(unprotected, [
            "reporting-results",
            "reporting-results-encryption",
            "reporting-results-lifecycle",
            "reporting-results-ownership",
            "reporting-results-public-access",
            "reporting-results-versioning",
        ]);
    });

    it("test protects nothing: pulumi destroy removes all of it", async () => {
        const test = await runStack("test", { "alerts.emails": ["ops@example.com"] });
        assert.deepStrictEqual(test.resources.filter((r) => r.options.protect).map(label), []);
        assert.strictEqual(destroy(test.resources).deleted.length, created(test.resources).length);
    });

    it("prod's log bucket also outlives destroy once unprotected (retainOnDelete), test's does not", async () => {
        const retained = async (stack: string) =>
            (await runStack(stack)).resources
                .filter((r) => r.options.retainOnDelete)
                .map((r) => r.name)
                .sort();
        assert.deepStrictEqual(
            await retained("prod"),
            FORMERLY_PROTECTED.filter((name) => name.startsWith("lab-inventory-logs")),
        );
        assert.deepStrictEqual(await retained("test"), []);
    });
});
