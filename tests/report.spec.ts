import {
    AthenaClient,
    GetQueryExecutionCommand,
    GetQueryResultsCommand,
    QueryExecutionState,
    StartQueryExecutionCommand,
    StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import {
    DescribeInstanceInformationCommand,
    DescribeInstancePatchesCommand,
    DescribeInstancePatchStatesCommand,
    ListInventoryEntriesCommand,
    SSMClient,
} from "@aws-sdk/client-ssm";
import * as assert from "assert";
import { mockClient } from "aws-sdk-client-mock";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPORT_QUERIES } from "../components/reportingQueries";
import { CHART_IDS } from "../tools/ops/reportHtml";
import { CHART_JS_VERSION, ops, SPEC_NOW } from "./opsSession";

const athena = mockClient(AthenaClient);
const ssm = mockClient(SSMClient);

function outFile(): string {
    return path.join(fs.mkdtempSync(path.join(os.tmpdir(), "oelab-report-spec-")), "report.html");
}

/** The data the page's charts draw, as embedded in the report. */
function chartData(file: string) {
    const html = fs.readFileSync(file, "utf8");
    const json = /<script id="report-data" type="application\/json">(.*?)<\/script>/s.exec(html)![1];
    return JSON.parse(json);
}

const execution = (id: string, state: QueryExecutionState, scanned = 0, reason?: string) => ({
    QueryExecution: {
        QueryExecutionId: id,
        Status: { State: state, StateChangeReason: reason },
        Statistics: { DataScannedInBytes: scanned },
    },
});
const header = (...columns: string[]) => ({ Data: columns.map((c) => ({ VarCharValue: c })) });
const row = (...values: string[]) => ({ Data: values.map((v) => ({ VarCharValue: v })) });

/** GetQueryResults requests as sent (the SDK paginator updates one input object in place). */
const resultRequests: [string, string | undefined][] = [];

/** The reporting stack's queries, answered in order: each started query gets the next id and its rows. */
function answerQueries(results: Record<string, { pages: object[][]; states?: QueryExecutionState[] }>) {
    const byId = new Map<string, (typeof results)[string]>();
    let polls = 0;
    athena.on(StartQueryExecutionCommand).callsFake((input) => {
        const key = Object.keys(REPORT_QUERIES).find(
            (k) => REPORT_QUERIES[k as keyof typeof REPORT_QUERIES].sql === input.QueryString,
        )!;
        byId.set(`q-${key}`, results[key]);
        return { QueryExecutionId: `q-${key}` };
    });
    athena.on(GetQueryExecutionCommand).callsFake((input) => {
        const states = byId.get(input.QueryExecutionId)!.states ?? ["QUEUED", "RUNNING", "SUCCEEDED"];
        return execution(input.QueryExecutionId, states[Math.min(polls++ % 3, states.length - 1)], 4096 * polls);
    });
    athena.on(GetQueryResultsCommand).callsFake((input) => {
        resultRequests.push([input.QueryExecutionId, input.NextToken]);
        const pages = byId.get(input.QueryExecutionId)!.pages;
        const index = input.NextToken ? Number(input.NextToken) : 0;
        return {
            ResultSet: { Rows: pages[index] },
            NextToken: index + 1 < pages.length ? String(index + 1) : undefined,
        };
    });
}

const PER_INSTANCE_COLUMNS = [
    "accountid",
    "region",
    "instance",
    "computername",
    "platformname",
    "patchgroup",
    "noncompliant",
    "critical_level",
    "security",
    "other",
    "missing",
    "failed",
    "pending_reboot",
    "installed",
    "compliant",
    "scanned",
];

describe("ops report", () => {
    beforeEach(() => {
        resultRequests.length = 0;
        athena.reset();
        ssm.reset();
    });

    it("--demo writes a self-contained report without a stack or AWS: Chart.js inlined, a canvas per chart, no outside URL", async () => {
        const file = outFile();
        const session = await ops(["report", "--demo", "--out", file]);
        assert.strictEqual(session.code, 0, session.err);
        assert.strictEqual(
            session.out,
            `Wrote ${file}: 24 instances, 7 not compliant, 3 unmanaged or silent, 1 stopped, 1 not read (built-in sample data (--demo): no AWS account was read).
`,
        );
        const html = fs.readFileSync(file, "utf8");
        assert.ok(html.includes(`Chart.js v${CHART_JS_VERSION}`));
        for (const id of CHART_IDS) assert.strictEqual(html.split(`<canvas id="${id}"`).length, 2, id);
        assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/);
        assert.ok(html.includes(`Generated ${SPEC_NOW.toISOString()}`));
        assert.strictEqual(athena.calls().length + ssm.calls().length, 0);
        const data = chartData(file);
        assert.deepStrictEqual(data.stacks.labels, [
            "111111111111 Critical",
            "111111111111 Critical-Prod",
            "222222222222 Critical-Mixed",
            "333333333333 Critical-Fleet",
        ]);
        assert.deepStrictEqual(
            [data.stacks.compliant, data.stacks.nonCompliant],
            [
                [2, 5, 2, 4],
                [2, 1, 3, 1],
            ],
        );
        // No double counting: each instance's bar adds up to its non-compliant patches, as the table says.
        const bars = data.instances.labels.map(
            (_: string, i: number) =>
                data.instances.security[i] + data.instances.criticalOnly[i] + data.instances.other[i],
        );
        assert.deepStrictEqual(bars.slice(0, 3), [9, 6, 6]);
        assert.ok(
            html.includes(
                '<td>Test3</td><td>Amazon Linux 2023</td><td class="n">9</td><td class="n">3</td><td class="n">4</td>',
            ),
            "Test3: 9 non-compliant patches, 3 security updates, 4 at level Critical (AWS's overlapping counts)",
        );
        // The history: 30 days, a line per stack, today's share equal to the per-stack figures.
        assert.strictEqual(data.history.labels.length, 30);
        assert.deepStrictEqual(data.history.labels.at(-1), SPEC_NOW.toISOString().slice(0, 10));
        assert.deepStrictEqual(
            data.history.stacks.map((s: { label: string; data: number[] }) => [s.label, s.data.at(-1)]),
            [
                ["111111111111 Critical", 50],
                ["111111111111 Critical-Prod", 83.3],
                ["222222222222 Critical-Mixed", 40],
                ["333333333333 Critical-Fleet", 80],
            ],
        );
    });

    it("--stack reporting: runs the saved queries in its workgroup and database, shows progress, reads every page", async () => {
        answerQueries({
            compliancePerInstance: {
                pages: [
                    [
                        header(...PER_INSTANCE_COLUMNS),
                        row(
                            "111111111111",
                            "ap-northeast-1",
                            "i-0aaaaaaaaaaaaaaa1",
                            "web1",
                            "Amazon Linux",
                            "Critical-Prod",
                            "3",
                            "1",
                            "2",
                            "0",
                            "3",
                            "0",
                            "0",
                            "210",
                            "false",
                            "2026-11-28T01:00:00Z",
                        ),
                    ],
                    [
                        row(
                            "222222222222",
                            "ap-northeast-1",
                            "i-0bbbbbbbbbbbbbbb1",
                            "app1",
                            "Ubuntu",
                            "Critical-Mixed",
                            "0",
                            "0",
                            "0",
                            "0",
                            "0",
                            "0",
                            "0",
                            "150",
                            "true",
                            "2026-11-28T01:00:00Z",
                        ),
                    ],
                ],
            },
            missingBySeverity: {
                pages: [[header("severity", "missing"), row("Critical", "1"), row("Important", "2")]],
            },
            topPackages: { pages: [[header("package", "instances"), row("openssl", "2")]] },
            complianceTrend: {
                pages: [
                    [
                        header("day", "accountid", "region", "patchgroup", "instances", "compliant"),
                        row("2026-11-27", "111111111111", "ap-northeast-1", "Critical-Prod", "1", "0"),
                        row("2026-11-28", "111111111111", "ap-northeast-1", "Critical-Prod", "1", "0"),
                        row("2026-11-28", "111111111111", "us-east-1", "Critical-Prod", "1", "1"),
                    ],
                ],
            },
        });
        const file = outFile();
        const session = await ops(["report", "--stack", "reporting", "--out", file]);
        assert.strictEqual(session.code, 0, session.err);
        const starts = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input);
        assert.deepStrictEqual(
            starts.map((s) => [s.WorkGroup, s.QueryExecutionContext?.Database]),
            Array(4).fill(["oe-lab-ipm-Reporting", "oe_lab_ipm_reporting"]),
        );
        assert.deepStrictEqual(
            starts.map((s) => s.QueryString),
            [
                REPORT_QUERIES.compliancePerInstance.sql,
                REPORT_QUERIES.missingBySeverity.sql,
                REPORT_QUERIES.topPackages.sql,
                REPORT_QUERIES.complianceTrend.sql,
            ],
        );
        // Two pages of the first query's results, the second asked for with the first's token.
        assert.deepStrictEqual(resultRequests.slice(0, 2), [
            ["q-compliancePerInstance", undefined],
            ["q-compliancePerInstance", "1"],
        ]);
        assert.match(session.err, /compliance-per-instance: QUEUED, .* scanned, \d+ s\n/);
        assert.match(session.err, /compliance-per-instance: SUCCEEDED, [\d.]+ KB scanned/);
        assert.strictEqual(
            session.out,
            `Wrote ${file}: 2 instances, 1 not compliant (Athena workgroup oe-lab-ipm-Reporting, database oe_lab_ipm_reporting).\n`,
        );
        const data = chartData(file);
        assert.deepStrictEqual(data.stacks, {
            labels: ["111111111111 Critical-Prod", "222222222222 Critical-Mixed"],
            compliant: [0, 1],
            nonCompliant: [1, 0],
        });
        // 3 non-compliant patches: 2 security updates (one also at level Critical), 1 Critical-level
        // patch that is no security update: stacked as 2 + 1 + 0, not 1 + 2 + 0 = AWS's overlapping counts.
        assert.deepStrictEqual(data.instances, {
            labels: ["web1", "app1"],
            security: [2, 0],
            criticalOnly: [1, 0],
            other: [0, 0],
        });
        // The stack's two Regions are one line: 0 of 1 compliant, then 1 of 2.
        assert.deepStrictEqual(data.history, {
            labels: ["2026-11-27", "2026-11-28"],
            stacks: [{ label: "111111111111 Critical-Prod", data: [0, 50] }],
        });
        assert.deepStrictEqual(data.severity, { labels: ["Critical", "Important"], values: [1, 2] });
        assert.deepStrictEqual(data.packages, { labels: ["openssl"], values: [2] });
        assert.strictEqual(athena.commandCalls(StopQueryExecutionCommand).length, 0);
    });

    it("reports a failed query with Athena's reason and the query id, and writes no report", async () => {
        answerQueries({ compliancePerInstance: { pages: [], states: ["RUNNING", "FAILED"] } });
        athena
            .on(GetQueryExecutionCommand)
            .resolves(
                execution(
                    "q-compliancePerInstance",
                    "FAILED",
                    0,
                    "TABLE_NOT_FOUND: line 5:6: Table 'awsdatacatalog.oe_lab_ipm_reporting.aws_patchsummary' does not exist",
                ),
            );
        const file = outFile();
        const session = await ops(["report", "--stack", "reporting", "--out", file]);
        assert.strictEqual(session.code, 3);
        assert.ok(
            session.err.endsWith(
                "compliance-per-instance: the query failed: TABLE_NOT_FOUND: line 5:6: Table 'awsdatacatalog.oe_lab_ipm_reporting.aws_patchsummary' does not exist (query q-compliancePerInstance)\n",
            ),
            session.err,
        );
        assert.ok(!fs.existsSync(file));
    });

    it("stops a query that outlives --timeout, and says so", async () => {
        answerQueries({ compliancePerInstance: { pages: [], states: ["RUNNING"] } });
        const session = await ops(["report", "--stack", "reporting", "--timeout", "1", "--out", outFile()]);
        assert.strictEqual(session.code, 4);
        assert.ok(
            session.err.endsWith(
                "compliance-per-instance: --timeout 1 s reached; query q-compliancePerInstance stopped (athena:StopQueryExecution).\n",
            ),
            session.err,
        );
        assert.deepStrictEqual(
            athena.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input),
            [{ QueryExecutionId: "q-compliancePerInstance" }],
        );
    });

    it("stops the running query when cancelled (Ctrl-C)", async () => {
        answerQueries({ compliancePerInstance: { pages: [], states: ["RUNNING"] } });
        const cancel = new AbortController();
        athena.on(GetQueryExecutionCommand).callsFake((input) => {
            cancel.abort();
            return execution(input.QueryExecutionId, "RUNNING");
        });
        const session = await ops(["report", "--stack", "reporting", "--out", outFile()], { signal: cancel.signal });
        assert.strictEqual(session.code, 130);
        assert.ok(
            session.err.endsWith(
                "compliance-per-instance: interrupted (Ctrl-C); query q-compliancePerInstance stopped (athena:StopQueryExecution).\n",
            ),
            session.err,
        );
        assert.strictEqual(athena.commandCalls(StopQueryExecutionCommand).length, 1);
    });

    it("names the Athena action when access is denied", async () => {
        athena.on(StartQueryExecutionCommand).rejects(
            Object.assign(new Error("User is not authorized to perform: athena:StartQueryExecution"), {
                name: "AccessDeniedException",
            }),
        );
        const session = await ops(["report", "--stack", "reporting", "--out", outFile()]);
        assert.strictEqual(session.code, 3);
        assert.match(session.err, /^Access denied: your credentials may not call athena:StartQueryExecution\./);
    });

    it("--stack test: one stack from Systems Manager: patch states in one batch, missing patches by severity, packages per instance", async () => {
        ssm.on(DescribeInstanceInformationCommand).resolves({
            InstanceInformationList: [
                {
                    InstanceId: "i-0aaaaaaaaaaaaaaa1",
                    ComputerName: "web1",
                    PlatformName: "Amazon Linux",
                    PlatformVersion: "2023",
                },
                {
                    InstanceId: "i-0aaaaaaaaaaaaaaa2",
                    ComputerName: "web2",
                    PlatformName: "Amazon Linux",
                    PlatformVersion: "2023",
                },
            ],
        });
        ssm.on(DescribeInstancePatchStatesCommand).resolves({
            InstancePatchStates: [
                {
                    InstanceId: "i-0aaaaaaaaaaaaaaa1",
                    PatchGroup: "Critical",
                    BaselineId: "pb-1",
                    OperationStartTime: new Date(),
                    OperationEndTime: new Date(),
                    Operation: "Scan",
                    MissingCount: 2,
                    CriticalNonCompliantCount: 1,
                    SecurityNonCompliantCount: 1,
                    InstalledCount: 200,
                },
                {
                    InstanceId: "i-0aaaaaaaaaaaaaaa2",
                    PatchGroup: "Critical",
                    BaselineId: "pb-1",
                    OperationStartTime: new Date(),
                    OperationEndTime: new Date(),
                    Operation: "Scan",
                    MissingCount: 0,
                    InstalledCount: 202,
                },
            ],
        });
        ssm.on(DescribeInstancePatchesCommand, { InstanceId: "i-0aaaaaaaaaaaaaaa1" }).resolves({
            Patches: [
                {
                    Title: "openssl",
                    KBId: "openssl",
                    Classification: "Security",
                    Severity: "Critical",
                    State: "MISSING",
                    InstalledTime: new Date(0),
                },
                {
                    Title: "curl",
                    KBId: "curl",
                    Classification: "Security",
                    Severity: "Important",
                    State: "MISSING",
                    InstalledTime: new Date(0),
                },
                {
                    Title: "bash",
                    KBId: "bash",
                    Classification: "Security",
                    Severity: "Important",
                    State: "INSTALLED",
                    InstalledTime: new Date(0),
                },
            ],
        });
        ssm.on(DescribeInstancePatchesCommand, { InstanceId: "i-0aaaaaaaaaaaaaaa2" }).resolves({ Patches: [] });
        ssm.on(ListInventoryEntriesCommand).resolves({
            Entries: [
                { Name: "openssl", Version: "3.0.8" },
                { Name: "httpd", Version: "2.4.62" },
            ],
        });
        const file = outFile();
        const session = await ops(["report", "--stack", "test", "--out", file]);
        assert.strictEqual(session.code, 0, session.err);
        assert.deepStrictEqual(
            ssm.commandCalls(DescribeInstancePatchStatesCommand).map((c) => c.args[0].input.InstanceIds),
            [["i-0aaaaaaaaaaaaaaa1", "i-0aaaaaaaaaaaaaaa2"]],
        );
        const data = chartData(file);
        assert.deepStrictEqual(data.stacks, { labels: ["Critical"], compliant: [1], nonCompliant: [1] });
        assert.deepStrictEqual(data.severity, { labels: ["Critical", "Important"], values: [1, 1] });
        assert.deepStrictEqual(data.packages, { labels: ["httpd", "openssl"], values: [2, 2] });
        assert.deepStrictEqual(data.os, { labels: ["Amazon Linux 2023"], values: [2] });
        assert.match(session.err, /2 of 2 instances read\n/);
    });

    it("needs --stack except with --demo, and runs the fleet commands on lab stacks only", async () => {
        const none = await ops(["compliance"]);
        assert.deepStrictEqual(
            [none.code, none.err],
            [2, "Which stack? Pass --stack <name> (its Pulumi.<name>.yaml gives region, workload and tags).\n"],
        );
        const reporting = await ops(["compliance", "--stack", "reporting"]);
        assert.deepStrictEqual(
            [reporting.code, reporting.err],
            [
                2,
                'Stack "reporting" is a reporting stack: it has no fleet. Use report --stack reporting, or a lab stack.\n',
            ],
        );
    });
});
