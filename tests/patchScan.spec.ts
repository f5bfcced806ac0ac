import * as assert from "assert";
import { ConfigError } from "../config";
import { ALL_STACKS, ofType, runFailingStack, runStack, single } from "./harness";

const ASSOCIATION = "aws:ssm/association:Association";

describe("PatchScanAssociation (every stack)", () => {
    for (const stack of ALL_STACKS) {
        it(`${stack}: scans the inventoried fleet with AWS-RunPatchBaseline Scan, NoReboot, at creation and daily`, async () => {
            const run = await runStack(stack);
            const scan = single(run, ASSOCIATION, "lab-patch-scan-association");
            const inventory = single(run, ASSOCIATION, "lab-inventory-association");
            assert.strictEqual(scan.inputs.name, "AWS-RunPatchBaseline");
            assert.strictEqual(
                scan.inputs.associationName,
                `PatchScan-${{ test: "Test", prod: "Prod", mixed: "Mixed", existing: "Fleet" }[stack]}`,
            );
            assert.deepStrictEqual(scan.inputs.parameters, { Operation: "Scan", RebootOption: "NoReboot" });
            assert.strictEqual(scan.inputs.scheduleExpression, "rate(1 day)");
            // Left unset, CreateAssociation runs the association right after creation (ApplyOnlyAtCronInterval false).
            assert.strictEqual(scan.inputs.applyOnlyAtCronInterval, undefined);
            assert.deepStrictEqual([scan.inputs.maxConcurrency, scan.inputs.maxErrors], ["100%", "100%"]);
            // The same instances as the inventory: the same tag, or the same resource group.
            assert.deepStrictEqual(scan.inputs.targets, inventory.inputs.targets);
            assert.strictEqual(
                ofType(run, "aws:resourcegroups/group:Group").length,
                scan.inputs.targets[0].key === "resource-groups:Name" ? 1 : 0,
            );
            // Output where the maintenance window lets the instance roles write.
            assert.deepStrictEqual(scan.inputs.outputLocation, {
                s3BucketName: inventory.inputs.outputLocation.s3BucketName,
                s3KeyPrefix: "patching/scan",
                s3Region: "ap-northeast-1",
            });
            assert.strictEqual(run.outputs.ScanAssociationId, scan.state.associationId);
            assert.strictEqual(
                ofType(run, "aws:ssm/maintenanceWindow:MaintenanceWindow").filter((w) => w.name.includes("scan"))
                    .length,
                0,
            );
        });
    }

    it("takes its schedule from patching.scanSchedule, and is left out with patching.scanAssociation: false", async () => {
        const weekly = await runStack("test", { "patching.scanSchedule": "cron(0 3 ? * SUN *)" });
        assert.strictEqual(
            single(weekly, ASSOCIATION, "lab-patch-scan-association").inputs.scheduleExpression,
            "cron(0 3 ? * SUN *)",
        );
        const none = await runStack("test", { "patching.scanAssociation": false });
        assert.deepStrictEqual(
            ofType(none, ASSOCIATION).map((a) => a.name),
            ["lab-inventory-association"],
        );
        // The association rule still watches the inventory association.
        const assoc = single(none, "aws:cloudwatch/eventRule:EventRule", "lab-alert-rules-assoc-failed");
        assert.deepStrictEqual(JSON.parse(assoc.inputs.eventPattern).detail["association-id"], [
            single(none, ASSOCIATION, "lab-inventory-association").state.associationId,
        ]);
    });

    it("refuses a schedule State Manager refuses, before anything is created", async () => {
        const { error, resources } = await runFailingStack("test", { "patching.scanSchedule": "rate(5 minutes)" });
        assert.ok(error instanceof ConfigError);
        assert.match(
            error.message,
            /patching\.scanSchedule = "rate\(5 minutes\)": an association's rate must be at least 30 minutes/,
        );
        assert.strictEqual(resources.length, 0);
    });
});
