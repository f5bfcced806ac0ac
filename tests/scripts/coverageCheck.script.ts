/**
 * The coverage check's runbook (components/coverageScript.ts) executed: the document the test stack
 * registers, run by the interpreter, its Python through the script-step harness (real botocore clients
 * answered from canned responses: tests/fakeBoto3.py). And one rule in two languages: the same fake
 * fleet (tests/coverageFixtures.ts: every case the issue names) through `ops coverage`'s TypeScript
 * classifier and through the script, with the same verdicts.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Instance } from "@aws-sdk/client-ec2";
import { ec2, FLEET, fakeFleet, iam, ID, NODES, requests } from "../coverageFixtures";
import { describeInstancesAnswer, instanceInformationAnswer } from "../coverageFixtures";
import { PROJECT_ROOT, runStack, single } from "../harness";
import { ssm, sns } from "../opsFixtures";
import { ops, SPEC_NOW } from "../opsSession";
import { CannedResponse, runAutomation, runScript, ScriptCall } from "../runbookInterpreter";

const STATES = { Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped"] };
const SCOPE = [
    { Name: "tag:Environment", Values: ["OELabIPM"] },
    { Name: "tag:Workload", Values: ["Test"] },
];
const NODE_SCOPE = SCOPE.map((f) => ({ Key: f.Name, Values: f.Values }));
/** What the TypeScript fake answers per page: a small page size, so both lists take more than one page. */
const EC2_PAGE_SIZE = 4;

/** A response as it goes over the wire: dates as ISO strings (the harness turns timestamps back into datetimes). */
const wire = (value: unknown) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

/** Every page of a request, as canned responses keyed on the request's filters and NextToken. */
function pages(
    service: string,
    operation: string,
    filters: Record<string, unknown>,
    answer: (input: any) => { NextToken?: string },
): CannedResponse[] {
    const out: CannedResponse[] = [];
    let token: string | undefined;
    do {
        const page = answer({ ...filters, NextToken: token });
        out.push({ service, operation, when: { ...filters, NextToken: token ?? null }, response: wire(page) });
        token = page.NextToken;
    } while (token !== undefined);
    return out;
}

/** The fleet of coverageFixtures as the script's boto3 is answered: the same pages the TypeScript fake serves. */
function fleetResponses(rereadIds: string[]): CannedResponse[] {
    const byId = [{ Name: "instance-id", Values: rereadIds }];
    return [
        ...pages("ec2", "DescribeInstances", { Filters: [...SCOPE, STATES] }, (i) =>
            describeInstancesAnswer(i, EC2_PAGE_SIZE),
        ),
        ...pages("ec2", "DescribeInstances", { Filters: byId }, (i) => describeInstancesAnswer(i, 1000)),
        ...pages("ssm", "DescribeInstanceInformation", { Filters: NODE_SCOPE }, instanceInformationAnswer),
    ];
}

const aws = (responses: CannedResponse[]) => ({ responses, region: "ap-northeast-1", calls: [] as ScriptCall[] });

async function checkDocument(overrides: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const run = await runStack("test", overrides);
    return JSON.parse(single(run, "aws:ssm/document:Document", "lab-coverage-check-runbook").inputs.content);
}

const stepOf = (doc: Record<string, unknown>) =>
    (doc.mainSteps as { inputs: { Script: string; InputPayload: Record<string, unknown> } }[])[0].inputs;

describe("one rule, two languages: ops coverage and the coverage check classify alike", function () {
    this.timeout(120_000);
    beforeEach(() => {
        for (const mock of [ssm, sns, ec2, iam]) mock.reset();
        for (const list of Object.values(requests)) list.length = 0;
    });

    it("one threshold: ops coverage's default is the stack's alerts.silentAfterHours, as the runbook's is", async () => {
        fakeFleet(EC2_PAGE_SIZE);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "oelab-threshold-"));
        fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        const stackFile = fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.test.yaml"), "utf8");
        fs.writeFileSync(
            path.join(dir, "Pulumi.test.yaml"),
            `${stackFile}\n  oe-lab-ipm:alerts:\n    silentAfterHours: 100\n`,
        );
        const s = await ops(["coverage", "--stack", "test", "--project-dir", dir, "--json"]);
        assert.strictEqual(JSON.parse(s.out).silentAfterHours, 100, s.err);
        const doc = await checkDocument({ "alerts.silentAfterHours": 100 });
        assert.strictEqual((doc.parameters as any).SilentAfterHours.default, "100");
    });

    it("the same fleet, over more than one page of each list: the same verdict and reasons for every instance", async () => {
        fakeFleet(EC2_PAGE_SIZE);
        const s = await ops(["coverage", "--stack", "test", "--json"]);
        const ts = JSON.parse(s.out).instances.map((i: any) => [i.instanceId, i.coverage, i.reasons]);
        // The ids ops coverage looked at again (running, no managed node): the script must ask for the same.
        const reread = requests.ec2.find((r) => r.Filters[0].Name === "instance-id").Filters[0].Values as string[];

        const { Script, InputPayload } = stepOf(await checkDocument());
        const fake = aws(fleetResponses(reread));
        const payload = { ...InputPayload, SilentAfterHours: "24", Now: SPEC_NOW.toISOString() };
        const py = (runScript(Script, "read_fleet", payload, fake) as { Instances: any[] }).Instances.map((i) => [
            i.InstanceId,
            i.Coverage,
            i.Reasons,
        ]);

        // Every case: managed, silent, old agent, no profile, never registered, stopped, terminated while read;
        // the instance without the stack's tags is in neither.
        assert.deepStrictEqual(
            py.map((r: any[]) => r[0]),
            [ID.web1, ID.web2, ID.app1, ID.app2, ID.hand, ID.never, ID.stopped, ID.gone],
        );
        assert.ok(!py.some((r: any[]) => r[0] === ID.other));
        // The script reads no IAM: the hand-made instance's role lacks the agent's policy, which only ops names.
        const hand = (rows: any[][]) => rows.find((r) => r[0] === ID.hand)!;
        assert.deepStrictEqual(hand(ts)[2], [
            "role WebOnlyRole has no AmazonSSMManagedInstanceCore attached (attached: AmazonS3ReadOnlyAccess, CloudWatchAgentServerPolicy; inline policies not read)",
        ]);
        assert.deepStrictEqual(hand(py), [
            ID.hand,
            "unmanaged",
            [
                "never registered: profile and metadata look right; check the agent is installed and running, and its route to the ssm, ssmmessages and ec2messages endpoints",
            ],
        ]);
        const others = (rows: any[][]) => rows.filter((r) => r[0] !== ID.hand);
        assert.deepStrictEqual(others(py), others(ts));
        // Paged with the documented limits, through the same pages.
        const sent = fake.calls.map((c) => [c.operation, c.params.MaxResults, c.params.NextToken ?? null]);
        assert.deepStrictEqual(sent, [
            ["DescribeInstances", 1000, null],
            ["DescribeInstances", 1000, "4"],
            ["DescribeInstanceInformation", 50, null],
            ["DescribeInstanceInformation", 50, "3"],
            ["DescribeInstances", 1000, null],
        ]);
        assert.deepStrictEqual(fake.calls[4].params.Filters, [
            { Name: "instance-id", Values: [ID.app2, ID.hand, ID.never, ID.gone] },
        ]);
    });
});

/** Timestamps moved by `by` ms: the script compares with the real clock when the runbook runs it. */
function shifted<T>(value: T, by: number): T {
    return JSON.parse(JSON.stringify(value), (key, v) =>
        ["LaunchTime", "LastPingDateTime"].includes(key) ? new Date(Date.parse(v) + by).toISOString() : v,
    );
}

/** Canned responses of a fleet (every instance in scope) and its nodes, at the real time of the run. */
function liveFleet(instances: Instance[], nodes: object[]): CannedResponse[] {
    const by = Date.now() - SPEC_NOW.getTime();
    const managed = new Set(nodes.map((n: any) => n.InstanceId));
    const reread = instances.filter((i) => i.State!.Name === "running" && !managed.has(i.InstanceId));
    return [
        // The running ones without a managed node, looked at again: still there.
        {
            service: "ec2",
            operation: "DescribeInstances",
            when: { Filters: [{ Name: "instance-id", Values: reread.map((i) => i.InstanceId) }] },
            response: wire({ Reservations: [{ ReservationId: "r-0c00000000000002", Instances: shifted(reread, by) }] }),
        },
        {
            service: "ec2",
            operation: "DescribeInstances",
            when: { Filters: [...SCOPE, STATES] },
            response: wire({
                Reservations: [{ ReservationId: "r-0c00000000000001", Instances: shifted(instances, by) }],
            }),
        },
        {
            service: "ssm",
            operation: "DescribeInstanceInformation",
            when: { Filters: NODE_SCOPE },
            response: wire({ InstanceInformationList: shifted(nodes, by) }),
        },
    ];
}

const PUBLISHED: CannedResponse = {
    service: "sns",
    operation: "Publish",
    response: { MessageId: "5a1c1b2e-0b6f-5d7e-9a3c-2f4e6d8a0b1c" },
};
const published = (calls: ScriptCall[]) => calls.filter((c) => c.operation === "Publish");
const node = (id: string) => NODES.find((n) => n.InstanceId === id)!;
const inst = (id: string) => FLEET.find((i) => i.InstanceId === id)!;

describe("the coverage check's runbook, executed", function () {
    this.timeout(120_000);

    it("all covered: the counts, and no message", async () => {
        const doc = await checkDocument();
        const fake = liveFleet([inst(ID.web1), inst(ID.stopped)], [node(ID.web1), node(ID.stopped)]);
        const run = runAutomation(doc, {}, { api: () => assert.fail("no API step"), script: fake });
        assert.strictEqual(run.status, "Success", run.failureMessage);
        assert.deepStrictEqual(published(run.calls), []);
        assert.deepStrictEqual(run.outputs, {
            "CheckCoverage.InScope": 2,
            "CheckCoverage.Managed": 1,
            "CheckCoverage.Silent": 0,
            "CheckCoverage.Unmanaged": 0,
            "CheckCoverage.Stopped": 1,
            "CheckCoverage.Uncovered": 0,
            "CheckCoverage.MessageId": "none",
        });
    });

    it("unmanaged and silent: one message to the stack's topic naming each instance and why", async () => {
        const doc = await checkDocument();
        const ids = [ID.web1, ID.web2, ID.app2, ID.hand, ID.stopped];
        const fake = [...liveFleet(ids.map(inst), [node(ID.web1), node(ID.web2), node(ID.stopped)]), PUBLISHED];
        const run = runAutomation(doc, {}, { api: () => assert.fail("no API step"), script: fake });
        assert.strictEqual(run.status, "Success", run.failureMessage);
        const [message] = published(run.calls);
        const topic = stepOf(doc).InputPayload.TopicArn;
        assert.strictEqual(topic, "arn:aws:sns:ap-northeast-1:123456789012:AdminAlert-Test");
        assert.strictEqual(message.params.TopicArn, topic);
        assert.strictEqual(message.params.Subject, "[oe-lab-ipm/test] 3 of 5 instances unmanaged or silent");
        const lines = String(message.params.Message).split("\n");
        assert.match(
            lines[0],
            /^Coverage check of oe-lab-ipm\/test at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \(instances tagged Environment=OELabIPM, Workload=Test; silent after 24 h without a ping\):$/,
        );
        // The silent one's last ping, as the script writes it (ISO 8601 with milliseconds, like ops): 3 days ago.
        const seen = /last seen (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) /.exec(lines[3])![1];
        const ago = Date.now() - Date.parse(seen) - (SPEC_NOW.getTime() - Date.parse("2026-11-25T07:30:00.000Z"));
        assert.ok(Math.abs(ago) < 60_000, `${seen} is not 3 days and 1.5 hours ago`);
        assert.deepStrictEqual(
            lines.slice(1).map((l) => l.replace(/last seen \S+/, "last seen <t>")),
            [
                "3 of 5 in-scope instances are not covered: 2 unmanaged, 1 silent (1 managed, 1 stopped).",
                "",
                `${ID.web2} (Test-Web2) silent: ping ConnectionLost, last seen <t> (threshold 24 h)`,
                `${ID.app2} (Test-App2) unmanaged: no instance profile; IMDSv1 allowed (HttpTokens=optional): Default Host Management Configuration needs IMDSv2 to manage it without a profile`,
                `${ID.hand} (hand-made) unmanaged: never registered: profile and metadata look right; check the agent is installed and running, and its route to the ssm, ssmmessages and ec2messages endpoints`,
                "",
                "Every instance, the IAM roles of the unmanaged ones and the patch states: npm run ops -- coverage --stack test",
            ],
        );
        assert.strictEqual(run.outputs["CheckCoverage.Uncovered"], 3);
        assert.strictEqual(run.outputs["CheckCoverage.MessageId"], "5a1c1b2e-0b6f-5d7e-9a3c-2f4e6d8a0b1c");
    });

    it("silent past the threshold: a message; the same run with a longer SilentAfterHours: none", async () => {
        const doc = await checkDocument();
        const quiet = { ...node(ID.web1), LastPingDateTime: new Date(SPEC_NOW.getTime() - 30 * 3_600_000) };
        const fake = [...liveFleet([inst(ID.web1)], [quiet]), PUBLISHED];
        const day = runAutomation(doc, {}, { api: () => assert.fail("no API step"), script: fake });
        assert.strictEqual(day.status, "Success", day.failureMessage);
        assert.match(
            String(published(day.calls)[0].params.Message),
            /i-0c0000000000000a1 \(Test-Web1\) silent: ping Online, last seen \S+ \(threshold 24 h\)/,
        );
        const twoDays = runAutomation(
            doc,
            { SilentAfterHours: "48" },
            { api: () => assert.fail("no API step"), script: fake },
        );
        assert.strictEqual(twoDays.status, "Success", twoDays.failureMessage);
        assert.deepStrictEqual(published(twoDays.calls), []);
        assert.strictEqual(twoDays.outputs["CheckCoverage.Managed"], 1);
    });

    it("the stack's threshold (alerts.silentAfterHours) is the runbook's default", async () => {
        const doc = await checkDocument({ "alerts.silentAfterHours": 72 });
        assert.strictEqual((doc.parameters as any).SilentAfterHours.default, "72");
    });

    it("a threshold outside alerts.silentAfterHours' range, given by hand: the execution fails before any read", async () => {
        const doc = await checkDocument();
        const run = runAutomation(
            doc,
            { SilentAfterHours: "999" },
            { api: () => assert.fail("no API step"), script: [] },
        );
        assert.strictEqual(run.status, "Failed");
        assert.strictEqual(run.failureMessage, "SilentAfterHours = 999: must be 1 to 720 hours");
        assert.deepStrictEqual(run.calls, []);
    });

    it("an AWS error fails the execution at its step, with AWS's message (the check-failed rule reports it)", async () => {
        const doc = await checkDocument();
        const denied: CannedResponse = {
            service: "ec2",
            operation: "DescribeInstances",
            error: {
                code: "UnauthorizedOperation",
                message: "You are not authorized to perform this operation.",
                status: 403,
            },
        };
        const run = runAutomation(doc, {}, { api: () => assert.fail("no API step"), script: [denied] });
        assert.strictEqual(run.status, "Failed");
        assert.strictEqual(run.failedStep, "CheckCoverage");
        assert.strictEqual(
            run.failureMessage,
            "An error occurred (UnauthorizedOperation) when calling the DescribeInstances operation: You are not authorized to perform this operation.",
        );
        assert.deepStrictEqual(published(run.calls), []);
    });
});
