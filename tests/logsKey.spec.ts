/**
 * The patching log group's KMS key (maintenanceWindow.kmsKeyId): CloudWatch Logs' key policy as AWS's
 * "Encrypt log data in CloudWatch Logs using AWS Key Management Service" gives it, with the
 * encryption-context condition narrowed to the stack's log groups.
 */
import * as assert from "assert";
import { checkContract, formatViolation } from "../tools/contract";
import { MOCK_ACCOUNT, mockAmiArchitecture, ofType, runStack, single } from "./harness";

const KEY = "aws:kms/key:Key";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const KEY_ARN = "arn:aws:kms:ap-northeast-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

describe("the patching log group's KMS key (maintenanceWindow.kmsKeyId)", () => {
    it("by default: no key of ours, CloudWatch Logs' own encryption", async () => {
        const run = await runStack("test");
        assert.strictEqual(single(run, LOG_GROUP).inputs.kmsKeyId, undefined);
        assert.deepStrictEqual(
            ofType(run, KEY).map((k) => k.name),
            ["lab-alerts-key"],
        );
    });

    it("create: a rotated key that CloudWatch Logs may use for this stack's patching log groups only", async () => {
        const run = await runStack("test", { "maintenanceWindow.kmsKeyId": "create" });
        const key = single(run, KEY, "lab-window-logs-key");
        assert.deepStrictEqual(
            [key.inputs.enableKeyRotation, key.inputs.deletionWindowInDays, key.inputs.description],
            [true, 7, "Encrypts the CloudWatch Logs log groups /oe-lab-ipm/Test/patching-*"],
        );
        assert.deepStrictEqual(JSON.parse(key.inputs.policy).Statement, [
            {
                Sid: "AccountAdministersKeyThroughIam",
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${MOCK_ACCOUNT}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            {
                Sid: "CloudWatchLogsEncryptsTheLogGroups",
                Effect: "Allow",
                Principal: { Service: "logs.ap-northeast-1.amazonaws.com" },
                Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                Resource: "*",
                Condition: {
                    ArnLike: {
                        "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:ap-northeast-1:${MOCK_ACCOUNT}:log-group:/oe-lab-ipm/Test/patching-*`,
                    },
                },
            },
        ]);
        const logGroup = single(run, LOG_GROUP);
        assert.strictEqual(logGroup.inputs.kmsKeyId, key.state.arn);
        assert.ok(logGroup.inputs.namePrefix.startsWith("/oe-lab-ipm/Test/patching-"), logGroup.inputs.namePrefix);
        assert.deepStrictEqual(checkContract(run, { amiArchitecture: mockAmiArchitecture }).map(formatViolation), []);
    });

    it("a key ARN: the log group uses that key, and no key is made", async () => {
        const run = await runStack("test", { "maintenanceWindow.kmsKeyId": KEY_ARN });
        assert.strictEqual(single(run, LOG_GROUP).inputs.kmsKeyId, KEY_ARN);
        assert.deepStrictEqual(
            ofType(run, KEY).map((k) => k.name),
            ["lab-alerts-key"],
        );
    });
});
