import * as assert from "assert";
import { runStack } from "./harness";

/**
 * What users keep is protected in prod: `pulumi destroy` and any update that would replace or
 * delete it fail until it is unprotected on purpose (docs/changes.md). Test stays disposable.
 */

/** What a stack protects: `<type> <name>` of every resource registered with `protect`. */
async function protectedIn(stack: string, overrides = {}): Promise<string[]> {
    const run = await runStack(stack, overrides);
    return run.resources
        .filter((r) => r.options.protect)
        .map((r) => `${r.type} ${r.name}`)
        .sort();
}

const PROD_PROTECTED = [
    "aws:kms/key:Key lab-alerts-key",
    "aws:s3/bucket:Bucket lab-inventory-logs",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration lab-inventory-logs-lifecycle",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls lab-inventory-logs-ownership",
    "aws:s3/bucketPolicy:BucketPolicy lab-inventory-logs-policy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock lab-inventory-logs-public-access",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration lab-inventory-logs-encryption",
    "aws:s3/bucketVersioning:BucketVersioning lab-inventory-logs-versioning",
    "aws:sns/topic:Topic lab-alerts-topic",
];

describe("protect: what a stack must never lose by accident", () => {
    it("prod protects the log bucket with its hardening, the alert topic and its key", async () => {
        assert.deepStrictEqual(await protectedIn("prod"), PROD_PROTECTED);
    });

    it("prod protects the confirmed e-mail subscriptions too (a new one must be confirmed again)", async () => {
        assert.deepStrictEqual(
            await protectedIn("prod", { "alerts.emails": ["ops@example.com", "oncall@example.com"] }),
            [
                ...PROD_PROTECTED,
                "aws:sns/topicSubscription:TopicSubscription lab-alerts-email-1",
                "aws:sns/topicSubscription:TopicSubscription lab-alerts-email-2",
            ].sort(),
        );
    });

    it("test protects nothing: pulumi destroy removes all of it", async () => {
        assert.deepStrictEqual(await protectedIn("test", { "alerts.emails": ["ops@example.com"] }), []);
    });

    it("prod's log bucket also outlives destroy once unprotected (retainOnDelete), test's does not", async () => {
        const retained = async (stack: string) =>
            (await runStack(stack)).resources
                .filter((r) => r.options.retainOnDelete)
                .map((r) => r.name)
                .sort();
        assert.deepStrictEqual(
            await retained("prod"),
            PROD_PROTECTED.filter((r) => r.includes("lab-inventory-logs"))
                .map((r) => r.split(" ")[1])
                .sort(),
        );
        assert.deepStrictEqual(await retained("test"), []);
    });
});
