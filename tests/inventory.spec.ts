import * as assert from "assert";
import { ConfigError } from "../config";
import { ofType, runFailingStack, runStack, single, STACK_FILES, STACKS, StackRun } from "./harness";
import { associationReaches } from "./targets";

const ASSOCIATION = "aws:ssm/association:Association";
const GROUP = "aws:resourcegroups/group:Group";
const INSTANCE = "aws:ec2/instance:Instance";

for (const stack of STACKS) {
    const { workload } = STACK_FILES[stack];
    describe(`InventoryAssociation (${stack} stack)`, () => {
        let run: StackRun;
        before(async () => {
            run = await runStack(stack);
        });

        it("associates AWS-GatherSoftwareInventory every 30 minutes, named like the lab's", () => {
            const association = single(run, ASSOCIATION, "lab-inventory-association");
            assert.strictEqual(association.inputs.name, "AWS-GatherSoftwareInventory");
            assert.strictEqual(association.inputs.associationName, `InventoryAllInstances-${workload}`);
            assert.strictEqual(association.inputs.scheduleExpression, "rate(30 minutes)");
            assert.strictEqual(run.outputs.InventoryAssociationName, `InventoryAllInstances-${workload}`);
            assert.strictEqual(run.outputs.InventoryAssociationId, association.state.associationId);
        });

        it("collects with the document's default parameters", () => {
            assert.deepStrictEqual(single(run, ASSOCIATION, "lab-inventory-association").inputs.parameters, {
                applications: "Enabled",
                awsComponents: "Enabled",
                files: "",
                networkConfig: "Enabled",
                windowsUpdates: "Enabled",
                instanceDetailedInformation: "Enabled",
                services: "Enabled",
                windowsRegistry: "",
                windowsRoles: "Enabled",
                customInventory: "Enabled",
                billingInfo: "Enabled",
            });
        });

        it("targets Environment=OELabIPM and this workload through a resource group that requires both tags", () => {
            const association = single(run, ASSOCIATION, "lab-inventory-association");
            const group = single(run, GROUP);
            assert.deepStrictEqual(association.inputs.targets, [
                { key: "resource-groups:Name", values: [group.state.name] },
            ]);
            assert.deepStrictEqual(JSON.parse(group.inputs.resourceQuery.query), {
                ResourceTypeFilters: ["AWS::EC2::Instance"],
                TagFilters: [
                    { Key: "Environment", Values: ["OELabIPM"] },
                    { Key: "Workload", Values: [workload] },
                ],
            });
            assert.strictEqual(group.inputs.resourceQuery.type, "TAG_FILTERS_1_0");
            assert.deepStrictEqual(associationReaches(association, [group], ofType(run, INSTANCE)), [
                `${workload}-App1`,
                `${workload}-App2`,
                `${workload}-Web1`,
                `${workload}-Web2`,
            ]);
        });

        it("writes execution logs to the stack's bucket under logs/, in the stack's region", () => {
            const bucket = single(run, "aws:s3/bucket:Bucket");
            assert.deepStrictEqual(single(run, ASSOCIATION, "lab-inventory-association").inputs.outputLocation, {
                s3BucketName: bucket.state.bucket,
                s3KeyPrefix: "logs",
                s3Region: "ap-northeast-1",
            });
            assert.strictEqual(run.outputs.LogBucketName, bucket.state.bucket);
        });

        it("lets the instance role write under logs/ only", () => {
            const bucket = single(run, "aws:s3/bucket:Bucket");
            const policy = single(run, "aws:iam/rolePolicy:RolePolicy", "lab-inventory-write-logs");
            assert.strictEqual(policy.inputs.role, single(run, "aws:iam/role:Role", "lab-fleet-role").state.name);
            assert.deepStrictEqual(JSON.parse(policy.inputs.policy), {
                Version: "2012-10-17",
                Statement: [
                    { Effect: "Allow", Action: ["s3:PutObject"], Resource: `${bucket.state.arn}/logs/*` },
                    { Effect: "Allow", Action: ["s3:GetEncryptionConfiguration"], Resource: bucket.state.arn },
                ],
            });
        });

        it("hardens the bucket: no public access, encryption, owner-enforced, versioned, expiring, TLS only", () => {
            const bucket = single(run, "aws:s3/bucket:Bucket");
            const of = (type: string) => {
                const r = single(run, `aws:s3/${type}`);
                assert.strictEqual(r.inputs.bucket, bucket.id, `${type} is on the log bucket`);
                return r.inputs;
            };
            assert.deepStrictEqual(of("bucketPublicAccessBlock:BucketPublicAccessBlock"), {
                bucket: bucket.id,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            });
            assert.deepStrictEqual(
                of("bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").rules,
                [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
            );
            assert.deepStrictEqual(of("bucketOwnershipControls:BucketOwnershipControls").rule, {
                objectOwnership: "BucketOwnerEnforced",
            });
            assert.deepStrictEqual(of("bucketVersioning:BucketVersioning").versioningConfiguration, {
                status: "Enabled",
            });
            assert.deepStrictEqual(of("bucketLifecycleConfiguration:BucketLifecycleConfiguration").rules, [
                {
                    id: "expire-old-logs",
                    status: "Enabled",
                    filter: { prefix: "" },
                    expiration: { days: 90 },
                    noncurrentVersionExpiration: { noncurrentDays: 90 },
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                },
            ]);
            assert.deepStrictEqual(JSON.parse(of("bucketPolicy:BucketPolicy").policy), {
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "DenyInsecureTransport",
                        Effect: "Deny",
                        Principal: "*",
                        Action: "s3:*",
                        Resource: [bucket.state.arn, `${bucket.state.arn}/*`],
                        Condition: { Bool: { "aws:SecureTransport": "false" } },
                    },
                ],
            });
        });

        it(
            stack === "test"
                ? "empties and deletes the bucket on destroy (a lab stack)"
                : "keeps the bucket and its logs on destroy",
            () => {
                const bucket = single(run, "aws:s3/bucket:Bucket");
                assert.strictEqual(bucket.inputs.forceDestroy, stack === "test");
            },
        );

        it(
            stack === "test"
                ? "creates no Resource Data Sync unless asked"
                : "syncs the account's data to the reporting stack's bucket, read through a StackReference",
            () => {
                const syncs = ofType(run, "aws:ssm/resourceDataSync:ResourceDataSync");
                if (stack === "test") return assert.deepStrictEqual(syncs, []);
                const reference = single(run, "pulumi:pulumi:StackReference");
                assert.strictEqual(reference.inputs.name, "organization/oe-lab-ipm/reporting");
                assert.deepStrictEqual(syncs[0].inputs, {
                    name: "InventoryAllInstances-Prod-sync",
                    // No destinationDataSharing: the reporting stack does not say it admits an organization.
                    s3Destination: {
                        bucketName: "<SyncBucketName of stack organization/oe-lab-ipm/reporting>",
                        region: "<SyncBucketRegion of stack organization/oe-lab-ipm/reporting>",
                        prefix: "<SyncPrefix of stack organization/oe-lab-ipm/reporting>",
                        syncFormat: "JsonSerDe",
                    },
                });
                // The own bucket admits no sync.
                assert.strictEqual(
                    JSON.parse(single(run, "aws:s3/bucketPolicy:BucketPolicy").inputs.policy).Statement.length,
                    1,
                );
            },
        );
    });
}

describe("InventoryAssociation options", () => {
    it("takes schedule, parameters, prefix, retention and the data sync from config", async () => {
        const run = await runStack("test", {
            "inventory.schedule": "rate(1 hour)",
            "inventory.parameters": {
                applications: "Enabled",
                files: '[{"Path":"/etc","Pattern":["*.conf"],"Recursive":false}]',
                windowsUpdates: "Disabled",
            },
            "inventory.logPrefix": "ssm/inventory",
            "inventory.logRetentionDays": 30,
            "inventory.resourceDataSync": true,
        });
        const association = single(run, ASSOCIATION, "lab-inventory-association");
        assert.strictEqual(association.inputs.scheduleExpression, "rate(1 hour)");
        assert.strictEqual(association.inputs.parameters.windowsUpdates, "Disabled");
        assert.strictEqual(
            association.inputs.parameters.files,
            '[{"Path":"/etc","Pattern":["*.conf"],"Recursive":false}]',
        );
        assert.strictEqual(association.inputs.parameters.services, "Enabled");
        assert.strictEqual(association.inputs.outputLocation.s3KeyPrefix, "ssm/inventory");
        assert.strictEqual(
            single(run, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules[0].expiration
                .days,
            30,
        );
        const bucket = single(run, "aws:s3/bucket:Bucket");
        const sync = single(run, "aws:ssm/resourceDataSync:ResourceDataSync");
        assert.deepStrictEqual(sync.inputs, {
            name: "InventoryAllInstances-Test-sync",
            s3Destination: {
                bucketName: bucket.state.bucket,
                region: "ap-northeast-1",
                prefix: "inventory",
                syncFormat: "JsonSerDe",
            },
        });
        const statements = JSON.parse(single(run, "aws:s3/bucketPolicy:BucketPolicy").inputs.policy).Statement;
        assert.deepStrictEqual(statements[2], {
            Sid: "SSMBucketDelivery123456789012",
            Effect: "Allow",
            Principal: { Service: "ssm.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: `${bucket.state.arn}/inventory/*/accountid=123456789012/*`,
            Condition: {
                StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": "123456789012" },
                ArnLike: { "aws:SourceArn": "arn:aws:ssm:*:123456789012:resource-data-sync/*" },
            },
        });
    });

    it("refuses too frequent schedules, bad prefixes, unknown parameters and bad retention, registering nothing", async () => {
        const { error, resources } = await runFailingStack("test", {
            "inventory.schedule": "rate(15 minutes)",
            "inventory.logPrefix": "/logs/",
            "inventory.parameters": { applications: "Yes", packages: "Enabled" },
            "inventory.logRetentionDays": -1,
        });
        assert.ok(error instanceof ConfigError);
        assert.deepStrictEqual(resources, []);
        assert.deepStrictEqual(error.problems, [
            `oe-lab-ipm:inventory.schedule = "rate(15 minutes)": an association's rate must be at least 30 minutes and less than 31 days`,
            'oe-lab-ipm:inventory.parameters.applications = "Yes": must be one of Enabled, Disabled',
            'oe-lab-ipm:inventory.parameters.packages = "Enabled": unknown key; allowed keys: applications, awsComponents, files, networkConfig, windowsUpdates, instanceDetailedInformation, services, windowsRegistry, windowsRoles, customInventory, billingInfo',
            'oe-lab-ipm:inventory.logPrefix = "/logs/": must be an S3 key prefix of at most 500 letters, digits and !_.*\'()- in /-separated parts, without leading or trailing /',
            "oe-lab-ipm:inventory.logRetentionDays = -1: must be a whole number from 1 to 3650",
        ]);
    });

    it("refuses malformed schedules with what is allowed", async () => {
        for (const [schedule, message] of [
            ["rate(1 hours)", "a rate of 1 takes the singular unit, e.g. rate(1 hour)"],
            [
                "every 30 minutes",
                "must be a cron(...) or rate(...) expression, e.g. rate(30 minutes) or cron(0 2 ? * * *)",
            ],
            [
                "cron(0/5 * * * ? *)",
                "an association's cron may only run every 30 minutes, every 1, 2, 4, 8 or 12 hours, or daily or weekly at a given time: cron(0/30 * * * ? *), cron(<m> 0/<1|2|4|8|12> * * ? *), cron(<m> <h> * * ? *) (daily) or cron(<m> <h> ? * <day> *) (weekly)",
            ],
            ["rate(31 days)", "an association's rate must be at least 30 minutes and less than 31 days"],
            [
                "cron(0 2 ? * MON-FRI *)",
                "an association's cron may only run every 30 minutes, every 1, 2, 4, 8 or 12 hours, or daily or weekly at a given time: cron(0/30 * * * ? *), cron(<m> 0/<1|2|4|8|12> * * ? *), cron(<m> <h> * * ? *) (daily) or cron(<m> <h> ? * <day> *) (weekly)",
            ],
            [
                "cron(0 0/3 * * ? *)",
                "an association's cron may only run every 30 minutes, every 1, 2, 4, 8 or 12 hours, or daily or weekly at a given time: cron(0/30 * * * ? *), cron(<m> 0/<1|2|4|8|12> * * ? *), cron(<m> <h> * * ? *) (daily) or cron(<m> <h> ? * <day> *) (weekly)",
            ],
            ["cron(0 24 * * ? *)", "hours 24: hours takes 0-23 with , - * /"],
        ]) {
            const { error } = await runFailingStack("test", { "inventory.schedule": schedule });
            assert.deepStrictEqual((error as ConfigError).problems, [
                `oe-lab-ipm:inventory.schedule = ${JSON.stringify(schedule)}: ${message}`,
            ]);
        }
    });
});
