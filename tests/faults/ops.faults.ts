/**
 * The ops commands under faults, for real: the compiled CLI in a child process, the real AWS SDK
 * (retries, signing, error parsing) against the fake endpoint, faults injected mid-run, SIGINT
 * as an operator's Ctrl-C. Slow (each case starts a process and polls every 2 s as the CLI does):
 * `npm run test:faults`, run by .ci/run, not by `npm test`.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FakeAws, FakeOptions, INSTANCE_ID, startFakeAws } from "../fakeAws";
import { opsChild } from "./child";

let fake: FakeAws | undefined;
async function fakeAws(options: FakeOptions): Promise<FakeAws> {
    fake = await startFakeAws(options);
    return fake;
}

/** No stack trace: no "    at " frame, no Node error banner. */
function noStackTrace(text: string): void {
    assert.doesNotMatch(text, /^\s+at .+\(.+:\d+:\d+\)$|ops failed unexpectedly/m, text);
}

describe("ops under faults (child process, real SDK, fake endpoint)", function () {
    this.timeout(60000);
    afterEach(async () => {
        await fake?.close();
        fake = undefined;
    });

    describe("scan and install", () => {
        it("reads the command's terminal status before its invocations: a command finishing between two reads is reported as AWS ends it", async () => {
            const aws = await fakeAws({ instances: 3, commandMs: 3000, finishAfterInvocationPages: 1 });
            const run = await opsChild(aws, ["scan", "--stack", "test"]);
            assert.strictEqual(run.code, 0, run.err);
            assert.ok(run.out.endsWith("3 of 3 succeeded.\n"), run.out);
            assert.strictEqual(aws.count("ListCommandInvocations"), 1);
        });

        it("a 5xx after AWS accepted SendCommand starts no second run: the command is found by its comment and followed", async () => {
            const aws = await fakeAws({
                instances: 3,
                faults: [{ operation: "SendCommand", kind: "acceptThen500", count: 1 }],
            });
            const run = await opsChild(aws, ["install", "--stack", "test", "--yes"]);
            assert.strictEqual(run.code, 0, run.err);
            assert.strictEqual(aws.count("SendCommand"), 1);
            assert.strictEqual(aws.ssm.commands.length, 1);
            const id = aws.ssm.commands[0].id;
            assert.match(
                run.err,
                new RegExp(
                    `ssm:SendCommand answered InternalServerError, but AWS had accepted the command: following ${id} \\(not sending it again\\)\\.`,
                ),
            );
            assert.ok(run.out.endsWith("3 of 3 succeeded.\n"), run.out);
        });

        it("throttled SendCommand (refused, HTTP 400) is sent again, and runs once", async () => {
            const aws = await fakeAws({
                instances: 2,
                faults: [{ operation: "SendCommand", kind: "throttle", count: 1 }],
            });
            const run = await opsChild(aws, ["scan", "--stack", "test"]);
            assert.strictEqual(run.code, 0, run.err);
            assert.deepStrictEqual(
                [aws.count("SendCommand"), aws.ssm.commands.length, aws.count("ListCommands")],
                [2, 1, 1],
            );
            assert.match(
                run.err,
                /ssm:SendCommand: ThrottlingException \(HTTP 400\); no command was started; sending again \(2 of 4\)\./,
            );
        });

        it("Ctrl-C during install: CancelCommand, what finished and what not, exit 130, the process gone", async () => {
            const aws = await fakeAws({ instances: 6, commandMs: 60000 });
            const run = await opsChild(aws, ["install", "--stack", "test", "--yes"], {
                interruptWhen: /InProgress: 0 of 6 done/,
            });
            assert.strictEqual(run.code, 130, run.err);
            assert.strictEqual(aws.count("CancelCommand"), 1);
            const id = aws.ssm.commands[0].id;
            assert.ok(run.out.endsWith("0 of 6 finished (0 succeeded); 6 cancelled, 0 not yet stopped.\n"), run.out);
            assert.ok(
                run.err.endsWith(
                    `Command ${id} cancelled (interrupted (Ctrl-C)). AWS reports the command Cancelled.\n`,
                ),
                run.err,
            );
            assert.ok(run.afterInterrupt! < 10000, `exited ${run.afterInterrupt} ms after SIGINT`);
        });

        it("--timeout 1 cancels the command the same way, exit 4, no stack trace", async () => {
            const aws = await fakeAws({ instances: 2, commandMs: 60000 });
            const run = await opsChild(aws, ["scan", "--stack", "test", "--timeout", "1"]);
            assert.strictEqual(run.code, 4, run.err);
            assert.strictEqual(aws.count("CancelCommand"), 1);
            assert.match(run.err, /--timeout 1 s reached: cancelling command [0-9a-f-]{36} \(ssm:CancelCommand\)\n/);
            noStackTrace(run.err);
        });

        it("throttled polls are retried by the SDK and the command is still followed to its end", async () => {
            const aws = await fakeAws({
                instances: 2,
                faults: [{ operation: "ListCommands", kind: "throttle", count: 2 }],
            });
            const run = await opsChild(aws, ["scan", "--stack", "test"]);
            assert.strictEqual(run.code, 0, run.err);
            assert.strictEqual(aws.count("ListCommands"), 3);
        });

        it("a poll AWS keeps refusing says the command still runs, and how to follow or cancel it", async () => {
            const aws = await fakeAws({
                instances: 2,
                commandMs: 60000,
                faults: [{ operation: "ListCommands", kind: "deny", count: 99 }],
            });
            const run = await opsChild(aws, ["scan", "--stack", "test"]);
            assert.strictEqual(run.code, 3, run.err);
            const id = aws.ssm.commands[0].id;
            assert.ok(
                run.err.endsWith(
                    `Command ${id} was sent and goes on in AWS without this CLI. Follow it: aws ssm list-command-invocations --command-id ${id}; cancel it: aws ssm cancel-command --command-id ${id}\n`,
                ),
                run.err,
            );
            assert.match(run.err, /Access denied: your credentials may not call ssm:ListCommands\./);
        });
    });

    describe("compliance, inventory, report", () => {
        it("a terminated instance is a row with its reason; every other instance is reported; exit 1", async () => {
            const aws = await fakeAws({ instances: 5, terminated: [2] });
            for (const command of ["compliance", "inventory"]) {
                const run = await opsChild(aws, [command, "--stack", "test"]);
                assert.strictEqual(run.code, 1, run.err);
                const rows = run.out.split("\n").filter((l) => l.startsWith("i-0"));
                assert.deepStrictEqual(
                    rows.map((r) => r.slice(0, 19)),
                    [0, 1, 2, 3, 4].map(INSTANCE_ID),
                    command,
                );
                assert.match(rows[2], /not read \(InvalidInstanceId\)/);
                assert.match(
                    run.err,
                    /i-00000000000000002: InvalidInstanceId: .*Terminated.*\n1 of 5 instance\(s\) could not be read \(above\); every other instance is in the output\.\n$/,
                );
            }
        });

        it("report: the terminated instance is a row of 'Instances not read' with AWS's reason and a 'not read' figure; exit 1", async () => {
            const aws = await fakeAws({ instances: 5, terminated: [2] });
            const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "oelab-faults-report-")), "report.html");
            const run = await opsChild(aws, ["report", "--stack", "test", "--out", out]);
            assert.strictEqual(run.code, 1, run.err);
            assert.match(run.out, /: 5 instances, \d+ not compliant, 0 unmanaged or silent, 0 stopped, 1 not read \(/);
            const html = fs.readFileSync(out, "utf8");
            const text = html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
            assert.match(text, / 5 instances 1 not read /);
            const section = /<section id="not-read">(.*?)<\/section>/s.exec(html)![1];
            const rows = [...section.matchAll(/<tr>(.*?)<\/tr>/g)].slice(1);
            assert.strictEqual(rows.length, 1);
            assert.ok(rows[0][1].includes(`<td>${INSTANCE_ID(2)}</td>`), rows[0][1]);
            assert.match(rows[0][1], /<td>InvalidInstanceId: .*Terminated.*\(ssm:[A-Za-z]+\)<\/td>/);
        });

        it("Ctrl-C during compliance prints the rows read, says how many were not, exit 130", async () => {
            const aws = await fakeAws({ instances: 400, latencyMs: 20 });
            const run = await opsChild(aws, ["compliance", "--stack", "test"], { interruptWhen: /instances read/ });
            assert.strictEqual(run.code, 130, run.err);
            const read = run.out.split("\n").filter((l) => l.startsWith("i-0")).length;
            assert.ok(read > 0 && read < 400, `${read} rows`);
            assert.match(
                run.err,
                new RegExp(
                    `interrupted \\(Ctrl-C\\): ${read} of 400 instances read, ${400 - read} not read\\. Nothing was changed in AWS\\.\\n$`,
                ),
            );
        });

        it("report: a missing --out folder is refused before any AWS call, exit 2", async () => {
            const aws = await fakeAws({ instances: 2 });
            const missing = path.join(os.tmpdir(), "no-such-folder-28", "r.html");
            const run = await opsChild(aws, ["report", "--stack", "test", "--out", missing]);
            assert.deepStrictEqual(
                [run.code, run.err],
                [
                    2,
                    `--out ${missing}: the folder ${path.dirname(missing)} does not exist; create it or choose another path.\n`,
                ],
            );
            assert.strictEqual(aws.calls.length, 0);
        });

        it("report from Athena: Ctrl-C stops the running query (StopQueryExecution), exit 130, no file", async () => {
            const aws = await fakeAws({ instances: 0, queryMs: 60000 });
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "report-")), "r.html");
            const run = await opsChild(aws, ["report", "--stack", "reporting", "--out", file], {
                interruptWhen: /QUEUED/,
            });
            assert.strictEqual(run.code, 130, run.err);
            assert.strictEqual(aws.count("StopQueryExecution"), 1);
            assert.ok(aws.athena.queries[0].stopped);
            assert.match(
                run.err,
                /compliance-per-instance: interrupted \(Ctrl-C\); query [0-9a-f-]{36} stopped \(athena:StopQueryExecution\)\.\n$/,
            );
            assert.ok(!fs.existsSync(file));
        });

        it("report from Athena: a poll error stops the query it leaves behind", async () => {
            const aws = await fakeAws({
                instances: 0,
                queryMs: 60000,
                faults: [{ operation: "GetQueryExecution", kind: "deny", count: 99 }],
            });
            const run = await opsChild(aws, [
                "report",
                "--stack",
                "reporting",
                "--out",
                path.join(os.tmpdir(), "r28.html"),
            ]);
            assert.strictEqual(run.code, 3, run.err);
            assert.strictEqual(aws.count("StopQueryExecution"), 1);
            assert.match(
                run.err,
                /Access denied: your credentials may not call athena:GetQueryExecution\..*; query [0-9a-f-]{36} stopped \(athena:StopQueryExecution\)\.\n$/,
            );
        });
    });

    describe("messages for what went wrong", () => {
        it("an HTML 503 page is reported as such, not as a JSON SyntaxError", async () => {
            const aws = await fakeAws({
                instances: 2,
                faults: [{ operation: "DescribeInstanceInformation", kind: "html503", count: 99 }],
            });
            const run = await opsChild(aws, ["compliance", "--stack", "test"]);
            assert.deepStrictEqual(
                [run.code, run.err],
                [
                    3,
                    "ssm:DescribeInstanceInformation failed: AWS answered HTTP 503 with a page that is not an API response (after 5 attempts) (the service or a proxy in between is unavailable; try again later).\n",
                ],
            );
        });

        it("--profile nosuch names the profile", async () => {
            const run = await opsChild(undefined, ["compliance", "--stack", "test", "--profile", "nosuch"], {
                env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
            });
            assert.strictEqual(run.code, 3, run.err);
            assert.match(run.err, /^No AWS credentials for profile "nosuch" \(--profile\)/);
            noStackTrace(run.err);
        });

        it("notify-test speaks SNS's query protocol to the fake as to AWS", async () => {
            const aws = await fakeAws({ instances: 0 });
            const run = await opsChild(aws, ["notify-test", "--stack", "test"]);
            assert.strictEqual(run.code, 0, run.err);
            assert.strictEqual(
                run.out,
                'Published "Test" to arn:aws:sns:ap-northeast-1:111122223333:AdminAlert-Test (message m-1). Confirmed subscribers receive it.\n',
            );
            assert.deepStrictEqual(
                aws.calls.filter((c) => c.operation === "Publish").map((c) => [c.input.Subject, c.input.Message]),
                [["Test", "Hello World!"]],
            );
        });
    });
});
