import * as assert from "assert";
import { checkContract, formatViolation } from "../tools/contract";
import { maxSyncAccounts, MAX_BUCKET_POLICY_BYTES } from "../components/complianceReporting";
import { HISTORY_COLUMNS, REPORT_QUERIES } from "../components/reportingQueries";
import { MOCK_ACCOUNT, mockAmiArchitecture, ofType, runFailingStack, runStack, single, StackRun } from "./harness";

/**
 * The reporting stack's daily compliance history, the sync bucket's access logs, the sync bucket
 * policy held against each writer AWS documents, and the reporting limits config enforces.
 */

type Statement = {
    Effect: string;
    Principal: unknown;
    Action: string | string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string>>;
};

/**
 * Whether a bucket policy lets a service principal's request through, by IAM's documented logic
 * ("Policy evaluation logic": an explicit Deny wins, else an Allow must match) for the elements and
 * the operators these policies use: `*` wildcards in Action and Resource, StringEquals, ArnLike and
 * Bool (a key missing from the request fails the condition).
 */
function allows(
    policy: { Statement: Statement[] },
    service: string,
    action: string,
    resource: string,
    context: Record<string, string>,
): boolean {
    const like = (pattern: string, value: string) =>
        new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(value);
    const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
    const matches = (s: Statement) =>
        (s.Principal === "*" || (s.Principal as { Service?: string }).Service === service) &&
        list(s.Action).some((a) => like(a, action)) &&
        list(s.Resource).some((r) => like(r, resource)) &&
        Object.entries(s.Condition ?? {}).every(([operator, keys]) =>
            Object.entries(keys).every(([key, expected]) => {
                const actual = context[key];
                if (actual === undefined) return false;
                return operator === "ArnLike"
                    ? list(expected).some((e) => like(e, actual))
                    : list(expected).includes(actual);
            }),
        );
    const relevant = policy.Statement.filter(matches);
    return !relevant.some((s) => s.Effect === "Deny") && relevant.some((s) => s.Effect === "Allow");
}

describe("the reporting stack's compliance history, access logs and writers", () => {
    let run: StackRun;
    before(async () => {
        run = await runStack("reporting");
    });

    it("keeps compliance_history as Parquet partitioned by day (projected over the retention), in a bucket that expires it", () => {
        const table = single(run, "aws:glue/catalogTable:CatalogTable", "reporting-compliance-history");
        const bucket = single(run, "aws:s3/bucket:Bucket", "reporting-history").state.bucket;
        assert.deepStrictEqual(table.inputs.parameters, {
            EXTERNAL: "TRUE",
            classification: "parquet",
            "projection.enabled": "true",
            "projection.day.type": "date",
            "projection.day.format": "yyyy-MM-dd",
            "projection.day.range": "NOW-400DAYS,NOW",
            "projection.day.interval": "1",
            "projection.day.interval.unit": "DAYS",
        });
        assert.deepStrictEqual(table.inputs.partitionKeys, [{ name: "day", type: "string" }]);
        assert.strictEqual(table.inputs.storageDescriptor.location, `s3://${bucket}/compliance_history/`);
        assert.deepStrictEqual(
            table.inputs.storageDescriptor.columns,
            HISTORY_COLUMNS.map((c) => ({ name: c.name, type: c.type })),
        );
        const lifecycle = single(
            run,
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            "reporting-history-lifecycle",
        );
        assert.deepStrictEqual(
            [lifecycle.inputs.rules[0].id, lifecycle.inputs.rules[0].expiration],
            ["expire-history", { days: 400 }],
        );
    });

    it("the snapshot's StartQueryExecution, as Scheduler sends it, passes Athena's model; a token under 32 characters does not", () => {
        const contract = (r: StackRun) =>
            checkContract(r, { amiArchitecture: mockAmiArchitecture })
                .map(formatViolation)
                .filter((v) => v.includes("athena:StartQueryExecution"));
        assert.deepStrictEqual(contract(run), []);
        const short = {
            ...run,
            resources: run.resources.map((r) => {
                if (r.type !== "aws:scheduler/schedule:Schedule") return r;
                const input = {
                    ...JSON.parse(r.inputs.target.input),
                    ClientRequestToken: "<aws.scheduler.scheduled-time>",
                };
                return { ...r, inputs: { ...r.inputs, target: { ...r.inputs.target, input: JSON.stringify(input) } } };
            }),
        };
        assert.deepStrictEqual(contract(short), [
            'aws:scheduler/schedule:Schedule reporting-history-schedule: athena:StartQueryExecution ClientRequestToken = "2022-03-22T18:59:43Z": must be at least 32 character(s) long (is 20)',
        ]);
    });

    it("snapshots daily through EventBridge Scheduler's universal target for Athena, as a role that may do only that", () => {
        const schedule = single(run, "aws:scheduler/schedule:Schedule", "reporting-history-schedule");
        const role = single(run, "aws:iam/role:Role", "reporting-history-role");
        assert.deepStrictEqual(
            [
                schedule.inputs.scheduleExpression,
                schedule.inputs.scheduleExpressionTimezone,
                schedule.inputs.flexibleTimeWindow,
                schedule.inputs.target.arn,
                schedule.inputs.target.roleArn,
            ],
            [
                "cron(30 23 * * ? *)",
                "UTC",
                { mode: "OFF" },
                "arn:aws:scheduler:::aws-sdk:athena:startQueryExecution",
                role.state.arn,
            ],
        );
        assert.deepStrictEqual(JSON.parse(schedule.inputs.target.input), {
            ClientRequestToken: "oe-lab-ipm-compliance-snapshot-<aws.scheduler.scheduled-time>",
            QueryString: REPORT_QUERIES.snapshotToday.sql,
            WorkGroup: "oe-lab-ipm-Reporting",
            QueryExecutionContext: { Database: "oe_lab_ipm_reporting" },
        });
        assert.deepStrictEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement, [
            {
                Effect: "Allow",
                Principal: { Service: "scheduler.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT } },
            },
        ]);
        const arn = (name: string) => single(run, "aws:s3/bucket:Bucket", name).state.arn;
        const glue = `arn:aws:glue:ap-northeast-1:${MOCK_ACCOUNT}`;
        const tables = [
            "aws_instanceinformation",
            "aws_application",
            "aws_complianceitem",
            "aws_patchsummary",
            "aws_tag",
            "compliance_history",
        ];
        assert.deepStrictEqual(
            JSON.parse(single(run, "aws:iam/rolePolicy:RolePolicy", "reporting-history-role-policy").inputs.policy)
                .Statement,
            [
                {
                    Sid: "StartSnapshotQuery",
                    Effect: "Allow",
                    Action: "athena:StartQueryExecution",
                    Resource: `arn:aws:athena:ap-northeast-1:${MOCK_ACCOUNT}:workgroup/oe-lab-ipm-Reporting`,
                },
                {
                    Sid: "ReadTablesAddHistoryPartitions",
                    Effect: "Allow",
                    Action: ["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions", "glue:BatchCreatePartition"],
                    Resource: [
                        `${glue}:catalog`,
                        `${glue}:database/oe_lab_ipm_reporting`,
                        ...tables.map((t) => `${glue}:table/oe_lab_ipm_reporting/${t}`),
                    ],
                },
                {
                    Sid: "ListBuckets",
                    Effect: "Allow",
                    Action: ["s3:GetBucketLocation", "s3:ListBucket"],
                    Resource: [arn("reporting-sync"), arn("reporting-history"), arn("reporting-results")],
                },
                {
                    Sid: "ReadSyncFiles",
                    Effect: "Allow",
                    Action: "s3:GetObject",
                    Resource: `${arn("reporting-sync")}/inventory/*`,
                },
                {
                    Sid: "WriteSnapshotAndResults",
                    Effect: "Allow",
                    Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
                    Resource: [
                        `${arn("reporting-history")}/compliance_history/*`,
                        `${arn("reporting-results")}/results/*`,
                    ],
                },
            ],
        );
    });

    it("logs every access to the sync bucket into a log bucket of its own, which admits only S3's logging for that bucket", () => {
        const logs = single(run, "aws:s3/bucket:Bucket", "reporting-access-logs");
        const sync = single(run, "aws:s3/bucket:Bucket", "reporting-sync");
        assert.deepStrictEqual(single(run, "aws:s3/bucketLogging:BucketLogging").inputs, {
            bucket: sync.state.bucket,
            targetBucket: logs.state.bucket,
            targetPrefix: "sync/",
        });
        const policy = JSON.parse(
            single(run, "aws:s3/bucketPolicy:BucketPolicy", "reporting-access-logs-policy").inputs.policy,
        );
        const tls = { "aws:SecureTransport": "true" };
        const log = (source: string, account: string) =>
            allows(
                policy,
                "logging.s3.amazonaws.com",
                "s3:PutObject",
                `${logs.state.arn}/sync/2026-11-29-00-00-00-ABC`,
                { ...tls, "aws:SourceArn": source, "aws:SourceAccount": account },
            );
        assert.deepStrictEqual(
            [
                log(sync.state.arn, MOCK_ACCOUNT),
                log("arn:aws:s3:::someone-elses-bucket", MOCK_ACCOUNT),
                log(sync.state.arn, "999999999999"),
            ],
            [true, false, false],
        );
    });

    it("admits each listed account's syncs to its own prefix only, and an organization's by aws:SourceOrgID", async () => {
        const two = await runStack("reporting", { "reporting.accounts": ["111111111111", "222222222222"] });
        const sync = single(two, "aws:s3/bucket:Bucket", "reporting-sync").state.arn;
        const policy = JSON.parse(
            single(two, "aws:s3/bucketPolicy:BucketPolicy", "reporting-sync-policy").inputs.policy,
        );
        const write = (p: unknown, prefixAccount: string, context: Record<string, string>) =>
            allows(
                p as { Statement: Statement[] },
                "ssm.amazonaws.com",
                "s3:PutObject",
                `${sync}/inventory/AWS:PatchSummary/accountid=${prefixAccount}/region=ap-northeast-1/resourcetype=ManagedInstanceInventory/i-0a.json`,
                {
                    "aws:SecureTransport": "true",
                    "s3:x-amz-acl": "bucket-owner-full-control",
                    ...context,
                },
            );
        const fromAccount = (account: string) => ({
            "aws:SourceAccount": account,
            "aws:SourceArn": `arn:aws:ssm:ap-northeast-1:${account}:resource-data-sync/InventoryAllInstances-Prod-sync`,
        });
        assert.deepStrictEqual(
            [
                write(policy, "111111111111", fromAccount("111111111111")),
                write(policy, "222222222222", fromAccount("222222222222")),
                // Another listed account's prefix, an unlisted account, a source ARN of another account, no owner ACL.
                write(policy, "222222222222", fromAccount("111111111111")),
                write(policy, "333333333333", fromAccount("333333333333")),
                write(policy, "111111111111", {
                    ...fromAccount("111111111111"),
                    "aws:SourceArn": "arn:aws:ssm:ap-northeast-1:333333333333:resource-data-sync/x",
                }),
                write(policy, "111111111111", { ...fromAccount("111111111111"), "s3:x-amz-acl": "private" }),
            ],
            [true, true, false, false, false, false],
        );
        const org = await runStack("reporting", { "reporting.organizationId": "o-a1b2c3d4e5" });
        const orgPolicy = JSON.parse(
            single(org, "aws:s3/bucketPolicy:BucketPolicy", "reporting-sync-policy").inputs.policy,
        );
        const orgSync = single(org, "aws:s3/bucket:Bucket", "reporting-sync").state.arn;
        assert.strictEqual(orgSync, sync);
        assert.deepStrictEqual(
            [
                write(orgPolicy, "444444444444", { ...fromAccount("444444444444"), "aws:SourceOrgID": "o-a1b2c3d4e5" }),
                write(orgPolicy, "444444444444", { ...fromAccount("444444444444"), "aws:SourceOrgID": "o-zzzzzzzzzz" }),
                write(orgPolicy, "444444444444", fromAccount("444444444444")),
            ],
            [true, false, false],
        );
    });
});

describe("reporting limits", () => {
    const longPrefix = "p".repeat(256);
    const accounts = (n: number) => Array.from({ length: n }, (_, i) => String(100000000000 + i));

    it("refuses a prefix over 256 characters and a scan cutoff AWS refuses, every problem at once, creating nothing", async () => {
        const { error, resources } = await runFailingStack("reporting", {
            "reporting.syncPrefix": "p".repeat(257),
            "reporting.bytesScannedCutoffPerQuery": 10_485_759,
            "reporting.historyRetentionDays": 0,
        });
        for (const expected of [
            `oe-lab-ipm:reporting.syncPrefix = "${"p".repeat(257)}": is 257 characters; CreateResourceDataSync allows at most 256`,
            "oe-lab-ipm:reporting.bytesScannedCutoffPerQuery = 10485759: must be a whole number of bytes from 10485760 (the AWS provider's minimum) to 9223372036854775807 (a 64-bit integer)",
            "oe-lab-ipm:reporting.historyRetentionDays = 0:",
        ]) {
            assert.ok(error.message.includes(expected), `${expected}\n in: ${error.message}`);
        }
        assert.deepStrictEqual(resources, []);
        const beyond = await runFailingStack("reporting", { "reporting.bytesScannedCutoffPerQuery": 2 ** 63 });
        assert.match(
            beyond.error.message,
            /reporting\.bytesScannedCutoffPerQuery = 9223372036854776000: must be a whole number of bytes from 10485760/,
        );
    });

    it("refuses more accounts than the bucket policy holds with the prefix, naming the most", async () => {
        assert.deepStrictEqual([maxSyncAccounts("inventory"), maxSyncAccounts(longPrefix)], [43, 28]);
        const { error } = await runFailingStack("reporting", {
            "reporting.accounts": accounts(29),
            "reporting.syncPrefix": longPrefix,
        });
        assert.ok(error.message.includes("oe-lab-ipm:reporting.accounts = "), error.message);
        assert.ok(
            error.message.includes(
                `names 29 accounts, which is more than the sync bucket's policy holds (a statement per account; S3 allows 20480 bytes): at most 28 with the sync prefix "${longPrefix}"`,
            ),
        );
    });

    it("plans the most accounts with the longest prefix within S3's 20 KB, and every request passes AWS's models", async () => {
        const edge = await runStack("reporting", {
            "reporting.accounts": accounts(28),
            "reporting.syncPrefix": longPrefix,
        });
        const policy = single(edge, "aws:s3/bucketPolicy:BucketPolicy", "reporting-sync-policy").inputs
            .policy as string;
        assert.strictEqual(JSON.parse(policy).Statement.length, 2 + 28);
        assert.ok(policy.length <= MAX_BUCKET_POLICY_BYTES, `${policy.length} bytes`);
        assert.deepStrictEqual(checkContract(edge, { amiArchitecture: mockAmiArchitecture }).map(formatViolation), []);
        assert.strictEqual(ofType(edge, "aws:ssm/resourceDataSync:ResourceDataSync").length, 0);
    });
});
