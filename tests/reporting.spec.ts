import * as assert from "assert";
import { REPORT_QUERIES, SYNC_TABLES } from "../components/reportingQueries";
import { MOCK_ACCOUNT, ofType, runStack, single, StackRun } from "./harness";

const POLICY = "aws:s3/bucketPolicy:BucketPolicy";

describe("the reporting stack (Pulumi.reporting.yaml)", () => {
    let run: StackRun;
    before(async () => {
        run = await runStack("reporting");
    });

    it("admits ssm.amazonaws.com to write only under its own account's prefix, with the owner's ACL, over TLS only", () => {
        const bucket = single(run, "aws:s3/bucket:Bucket", "reporting-sync");
        assert.deepStrictEqual(JSON.parse(single(run, POLICY, "reporting-sync-policy").inputs.policy).Statement, [
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [bucket.state.arn, `${bucket.state.arn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
            {
                Sid: "SSMBucketPermissionsCheck",
                Effect: "Allow",
                Principal: { Service: "ssm.amazonaws.com" },
                Action: "s3:GetBucketAcl",
                Resource: bucket.state.arn,
            },
            {
                Sid: `SSMBucketDelivery${MOCK_ACCOUNT}`,
                Effect: "Allow",
                Principal: { Service: "ssm.amazonaws.com" },
                Action: "s3:PutObject",
                // By default the stack's own account (reporting.accounts unset).
                Resource: `${bucket.state.arn}/inventory/*/accountid=${MOCK_ACCOUNT}/*`,
                Condition: {
                    StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": MOCK_ACCOUNT },
                    ArnLike: { "aws:SourceArn": `arn:aws:ssm:*:${MOCK_ACCOUNT}:resource-data-sync/*` },
                },
            },
        ]);
        // Protected (reporting sets protect) and kept on destroy: every account writes here.
        assert.deepStrictEqual(
            [bucket.options.protect, bucket.options.retainOnDelete, bucket.inputs.forceDestroy],
            [true, true, false],
        );
        const results = single(run, "aws:s3/bucket:Bucket", "reporting-results");
        assert.deepStrictEqual(
            [results.options.protect, results.options.retainOnDelete, results.inputs.forceDestroy],
            [false, false, true],
        );
    });

    it("projects every table's partitions from the path: accounts and Regions as enums, resourcetype fixed in the template", () => {
        const bucket = single(run, "aws:s3/bucket:Bucket", "reporting-sync").state.bucket;
        const tables = ofType(run, "aws:glue/catalogTable:CatalogTable").filter(
            (t) => t.inputs.name !== "compliance_history",
        );
        assert.deepStrictEqual(tables.map((t) => t.inputs.name).sort(), SYNC_TABLES.map((t) => t.table).sort());
        for (const table of tables) {
            const type = SYNC_TABLES.find((t) => t.table === table.inputs.name)!.type;
            assert.deepStrictEqual(table.inputs.parameters, {
                EXTERNAL: "TRUE",
                classification: "json",
                "projection.enabled": "true",
                "projection.accountid.type": "enum",
                "projection.accountid.values": MOCK_ACCOUNT,
                "projection.region.type": "enum",
                "projection.region.values": "ap-northeast-1",
                "storage.location.template": `s3://${bucket}/inventory/${type}/accountid=\${accountid}/region=\${region}/resourcetype=ManagedInstanceInventory/`,
            });
            assert.deepStrictEqual(table.inputs.partitionKeys, [
                { name: "accountid", type: "string" },
                { name: "region", type: "string" },
            ]);
            const columns = table.inputs.storageDescriptor.columns.map((c: { name: string }) => c.name);
            assert.ok(!columns.includes("accountid") && !columns.includes("region"), table.inputs.name);
            // The Hive JSON SerDe, not the OpenX one whose reads AWS calls non-deterministic; it has none of
            // OpenX's properties (ignore.malformed.json): a malformed line fails the query, never a silent skip.
            assert.deepStrictEqual(table.inputs.storageDescriptor.serDeInfo, {
                serializationLibrary: "org.apache.hive.hcatalog.data.JsonSerDe",
                parameters: { "serialization.format": "1" },
            });
        }
        // The record's own resourcetype is a column, never also a partition key: no duplicate column.
        assert.ok(
            single(
                run,
                "aws:glue/catalogTable:CatalogTable",
                "reporting-aws-instanceinformation",
            ).inputs.storageDescriptor.columns.some((c: { name: string }) => c.name === "resourcetype"),
        );
    });

    it("runs queries in a workgroup that enforces encrypted results and a 1 GiB scan limit, with the saved queries in it", () => {
        const workgroup = single(run, "aws:athena/workgroup:Workgroup");
        const results = single(run, "aws:s3/bucket:Bucket", "reporting-results").state.bucket;
        assert.deepStrictEqual(workgroup.inputs.configuration, {
            enforceWorkgroupConfiguration: true,
            bytesScannedCutoffPerQuery: 1073741824,
            publishCloudwatchMetricsEnabled: true,
            resultConfiguration: {
                outputLocation: `s3://${results}/results/`,
                encryptionConfiguration: { encryptionOption: "SSE_S3" },
            },
        });
        const queries = ofType(run, "aws:athena/namedQuery:NamedQuery");
        assert.deepStrictEqual(
            queries.map((q) => [q.inputs.name, q.inputs.workgroup, q.inputs.database]),
            Object.values(REPORT_QUERIES).map((q) => [q.name, "oe-lab-ipm-Reporting", "oe_lab_ipm_reporting"]),
        );
        assert.ok(
            queries.some((q) => q.inputs.query.includes("lower(a.name) = lower(?)")),
            "the package query takes the package as its parameter",
        );
        assert.deepStrictEqual(ofType(run, "aws:ec2/instance:Instance"), []);
    });

    it("with organizationId and listed accounts: AWS's organization policy, and the tables read those accounts", async () => {
        const org = await runStack("reporting", {
            "reporting.organizationId": "o-a1b2c3d4e5",
            "reporting.accounts": ["222222222222", "111111111111"],
            "reporting.regions": ["us-east-1", "ap-northeast-1"],
        });
        const arn = single(org, "aws:s3/bucket:Bucket", "reporting-sync").state.arn;
        const statements = JSON.parse(single(org, POLICY, "reporting-sync-policy").inputs.policy).Statement;
        assert.deepStrictEqual(statements.slice(2), [
            {
                Sid: "SSMBucketDelivery",
                Effect: "Allow",
                Principal: { Service: "ssm.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: `${arn}/inventory/*/accountid=*/*`,
                Condition: {
                    StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceOrgID": "o-a1b2c3d4e5" },
                },
            },
            {
                Sid: "SSMBucketDeliveryTagging",
                Effect: "Allow",
                Principal: { Service: "ssm.amazonaws.com" },
                Action: "s3:PutObjectTagging",
                Resource: `${arn}/inventory/*/accountid=*/*`,
            },
        ]);
        const table = single(org, "aws:glue/catalogTable:CatalogTable", "reporting-aws-patchsummary");
        assert.deepStrictEqual(
            [
                table.inputs.parameters["projection.accountid.values"],
                table.inputs.parameters["projection.region.values"],
            ],
            ["111111111111,222222222222", "ap-northeast-1,us-east-1"],
        );
        assert.strictEqual(org.outputs.OrganizationShared, true);
    });

    it("a member naming the bucket of an organization's reporting stack shares its sync with the organization", async () => {
        const member = await runStack("test", {
            "inventory.reportTo": { bucketName: "central-sync-bucket", region: "us-east-1", organization: true },
        });
        assert.deepStrictEqual(single(member, "aws:ssm/resourceDataSync:ResourceDataSync").inputs, {
            name: "InventoryAllInstances-Test-sync",
            s3Destination: {
                bucketName: "central-sync-bucket",
                region: "us-east-1",
                prefix: "inventory",
                syncFormat: "JsonSerDe",
                destinationDataSharing: { destinationDataSharingType: "Organization" },
            },
        });
        assert.deepStrictEqual(ofType(member, "pulumi:pulumi:StackReference"), []);
    });
});
