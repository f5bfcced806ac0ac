/**
 * `ops restore-points` against mocked AWS Backup and EC2 clients, in the APIs' response shapes
 * (AWS Backup API reference, ListRecoveryPointsByBackupVault: RecoveryPoints with RecoveryPointArn,
 * ResourceArn, ResourceType, CreationDate, Status, CalculatedLifecycle.DeleteAt, BackupSizeInBytes;
 * an EC2 recovery point's ARN is its AMI's, `arn:aws:ec2:<region>::image/ami-…`; EC2 API reference,
 * DescribeImages: Images with ImageId and Tags). Every request is held against botocore's models.
 */
import { BackupClient, ListRecoveryPointsByBackupVaultCommand } from "@aws-sdk/client-backup";
import { DescribeImagesCommand } from "@aws-sdk/client-ec2";
import * as assert from "assert";
import { mockClient } from "aws-sdk-client-mock";
import { Service, validateRequest } from "../tools/contract/models";
import { ec2 } from "./coverageFixtures";
import { sns, ssm } from "./opsFixtures";
import { ops } from "./opsSession";

const backup = mockClient(BackupClient);
const VAULT = "oe-lab-ipm-Prod-restore-points";
const WEB1 = "i-0aaaaaaaaaaaaaaa1";
const WEB2 = "i-0aaaaaaaaaaaaaaa2";
const RUN_1 = "5a7c1f44-0e3b-4c1e-9d0a-3b8f2b0c1d01";
const RUN_2 = "5a7c1f44-0e3b-4c1e-9d0a-3b8f2b0c1d02";

const ami = (n: number) => `ami-0123456789abcdef${n}`;
function point(n: number, instance: string, created: string, status = "COMPLETED") {
    const createdAt = new Date(created);
    return {
        RecoveryPointArn: `arn:aws:ec2:ap-northeast-1::image/${ami(n)}`,
        BackupVaultName: VAULT,
        BackupVaultArn: `arn:aws:backup:ap-northeast-1:111122223333:backup-vault:${VAULT}`,
        ResourceArn: `arn:aws:ec2:ap-northeast-1:111122223333:instance/${instance}`,
        ResourceType: "EC2",
        CreationDate: createdAt,
        Status: status,
        IamRoleArn: "arn:aws:iam::111122223333:role/PatchBackupRole-Prod-20261201",
        Lifecycle: { DeleteAfterDays: 14 },
        CalculatedLifecycle: { DeleteAt: new Date(createdAt.getTime() + 14 * 86400 * 1000) },
        BackupSizeInBytes: 8589934592,
    };
}
const image = (n: number, instance: string, run: string) => ({
    ImageId: ami(n),
    Tags: [
        { Key: "Stack", Value: "oe-lab-ipm/prod" },
        { Key: "InstanceId", Value: instance },
        { Key: "WindowExecutionId", Value: run },
    ],
});

const requests: [Service, string, any][] = [];
function vault(pages: object[][], images: object[]) {
    let served = 0;
    backup.on(ListRecoveryPointsByBackupVaultCommand).callsFake((input) => {
        requests.push(["backup", "ListRecoveryPointsByBackupVault", JSON.parse(JSON.stringify(input))]);
        const i = served++;
        return { RecoveryPoints: pages[i], ...(i + 1 < pages.length ? { NextToken: `page-${i + 2}` } : {}) };
    });
    ec2.on(DescribeImagesCommand).callsFake((input) => {
        requests.push(["ec2", "DescribeImages", JSON.parse(JSON.stringify(input))]);
        const ids: string[] = input.Filters[0].Values;
        return { Images: images.filter((im: any) => ids.includes(im.ImageId)) };
    });
}

describe("ops restore-points", () => {
    beforeEach(() => {
        for (const mock of [ssm, sns, ec2, backup]) mock.reset();
        requests.length = 0;
    });
    afterEach(() => {
        for (const [service, operation, request] of requests)
            assert.deepStrictEqual(validateRequest(service, operation, request), [], operation);
    });

    const twoRuns = () =>
        vault(
            [
                [point(1, WEB1, "2026-11-20T02:05:00Z"), point(2, WEB2, "2026-11-20T02:25:00Z")],
                [point(3, WEB1, "2026-11-27T02:05:00Z", "PARTIAL")],
            ],
            [image(1, WEB1, RUN_1), image(2, WEB2, RUN_1), image(3, WEB1, RUN_2)],
        );

    it("lists every page of the stack's vault, newest first, with the window execution from each AMI's tags", async () => {
        twoRuns();
        const s = await ops(["restore-points", "--stack", "prod"]);
        assert.strictEqual(s.code, 0, s.err);
        assert.deepStrictEqual(
            requests.map((r) => r[2]),
            [
                { BackupVaultName: VAULT, MaxResults: 1000 },
                { BackupVaultName: VAULT, MaxResults: 1000, NextToken: "page-2" },
                { Filters: [{ Name: "image-id", Values: [ami(1), ami(2), ami(3)] }], MaxResults: 1000 },
            ],
        );
        const arn = (n: number) => `arn:aws:ec2:ap-northeast-1::image/${ami(n)}`;
        assert.strictEqual(
            s.out,
            [
                "Instance             Window execution                      Created                   Status     Delete at                 Size     Recovery point",
                [19, 36, 24, 9, 24, 7, 55].map((w) => "-".repeat(w)).join("  "),
                `${WEB1}  ${RUN_2}  2026-11-27T02:05:00.000Z  PARTIAL    2026-12-11T02:05:00.000Z  8.0 GiB  ${arn(3)}`,
                `${WEB2}  ${RUN_1}  2026-11-20T02:25:00.000Z  COMPLETED  2026-12-04T02:25:00.000Z  8.0 GiB  ${arn(2)}`,
                `${WEB1}  ${RUN_1}  2026-11-20T02:05:00.000Z  COMPLETED  2026-12-04T02:05:00.000Z  8.0 GiB  ${arn(1)}`,
                `3 restore point(s) in vault ${VAULT} (ap-northeast-1).`,
                "",
            ].join("\n"),
        );
    });

    it("--instance keeps one instance's restore points (--json)", async () => {
        twoRuns();
        const s = await ops(["restore-points", "--stack", "prod", "--instance", WEB1, "--json"]);
        assert.strictEqual(s.code, 0, s.err);
        const listed = JSON.parse(s.out);
        assert.deepStrictEqual([listed.stack, listed.vault], ["prod", VAULT]);
        assert.deepStrictEqual(
            listed.restorePoints.map((p: any) => [p.instanceId, p.windowExecutionId, p.status, p.sizeBytes]),
            [
                [WEB1, RUN_2, "PARTIAL", 8589934592],
                [WEB1, RUN_1, "COMPLETED", 8589934592],
            ],
        );
        assert.deepStrictEqual(requests[2][2].Filters[0].Values, [ami(1), ami(3)]);
    });

    it("an empty vault: says so, exit 0, no image read", async () => {
        vault([[]], []);
        const s = await ops(["restore-points", "--stack", "prod"]);
        assert.deepStrictEqual([s.code, s.out], [0, `No restore point in vault ${VAULT} (ap-northeast-1).\n`]);
        assert.strictEqual(ec2.commandCalls(DescribeImagesCommand).length, 0);
    });

    it("a missing vault: the stack is not in Runbook mode or not deployed, exit 3", async () => {
        backup
            .on(ListRecoveryPointsByBackupVaultCommand)
            .rejects(
                Object.assign(new Error(`Backup vault ${VAULT} does not exist`), { name: "ResourceNotFoundException" }),
            );
        const s = await ops(["restore-points", "--stack", "test"]);
        assert.strictEqual(s.code, 3);
        assert.strictEqual(
            s.err,
            'No backup vault "oe-lab-ipm-Test-restore-points" in ap-northeast-1: stack "test" has no restore points. Its runbook takes them when maintenanceWindow.installMode is Runbook (it is RunPatchBaseline); is the stack deployed (pulumi up) in this Region?\n',
        );
    });

    it("refuses an --instance that is not an instance id (exit 2, nothing read)", async () => {
        const s = await ops(["restore-points", "--stack", "prod", "--instance", "web-1"]);
        assert.strictEqual(s.code, 2);
        assert.match(s.err, /option '--instance <id>' argument 'web-1' is invalid\. must be an EC2 instance id/);
        assert.strictEqual(backup.calls().length, 0);
    });
});
