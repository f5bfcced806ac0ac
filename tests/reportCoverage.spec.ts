import { DescribeInstancesCommand } from "@aws-sdk/client-ec2";
import { DescribeInstancePatchesCommand, ListInventoryEntriesCommand } from "@aws-sdk/client-ssm";
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { demoReport, ReportData } from "../tools/ops/report";
import { headline } from "../tools/ops/reportCoverage";
import { headlineText, renderReport } from "../tools/ops/reportHtml";
import { ec2, fakeFleet, iam, ID } from "./coverageFixtures";
import { ssm, sns } from "./opsFixtures";
import { ops, SPEC_NOW } from "./opsSession";

const embedded = (html: string, id: string) =>
    JSON.parse(new RegExp(`<script id="${id}" type="application/json">(.*?)</script>`, "s").exec(html)![1]);
const headlineOf = (html: string) => /<p class="headline" id="headline">(.*?)<\/p>/.exec(html)![1];
const coverageRows = (html: string) =>
    [...html.matchAll(/<tr data-coverage="(\w+)"><td>[^<]*<\/td><td>[^<]*<\/td><td>([^<]*)</g)].map((m) => [
        m[2],
        m[1],
    ]);

const instance = (id: string, compliant: boolean) => ({
    account: "",
    region: "ap-northeast-1",
    id,
    name: id,
    os: "Amazon Linux 2023",
    stack: "Critical",
    compliant,
    missing: compliant ? 0 : 1,
    failed: 0,
    pendingReboot: 0,
    installed: 10,
    noncompliant: compliant ? 0 : 1,
    critical: 0,
    security: compliant ? 0 : 1,
    other: 0,
});
const base = (instances: ReturnType<typeof instance>[]): ReportData => ({
    title: "t",
    source: "s",
    generatedAt: SPEC_NOW.toISOString(),
    instances,
    missingBySeverity: [],
    packages: [],
    history: [],
});
const row = (id: string, coverage: "managed" | "silent" | "unmanaged" | "stopped") => ({
    account: "",
    stack: "Critical",
    id,
    name: id,
    coverage,
    state: coverage === "stopped" ? "stopped" : "running",
    reasons: coverage === "unmanaged" ? ["no instance profile"] : [],
});

describe("report: coverage", () => {
    it("never calls a fleet compliant while an in-scope instance is unmanaged or silent", () => {
        const two = [instance("i-1", true), instance("i-2", true)];
        const managed = { silentAfterHours: 24, rows: [row("i-1", "managed"), row("i-2", "managed")] };
        assert.strictEqual(
            headlineText({ ...base(two), coverage: managed }),
            "Every one of the 2 in-scope instances is managed, reporting and compliant.",
        );
        const unmanaged = { ...managed, rows: [...managed.rows, row("i-3", "unmanaged")] };
        assert.strictEqual(
            headlineText({ ...base(two), coverage: unmanaged }),
            "2 of 3 in-scope instances compliant: 0 not compliant, 1 unmanaged or silent (over 24 h), 0 stopped.",
        );
        // Silent: its last patch state said compliant, but it has not reported since.
        const silent = { ...managed, rows: [row("i-1", "managed"), row("i-2", "silent")] };
        assert.deepStrictEqual(headline(two, silent), {
            inScope: 2,
            compliant: 1,
            notCompliant: 0,
            uncovered: 1,
            stopped: 0,
            notRead: 0,
        });
        const stopped = { ...managed, rows: [...managed.rows, row("i-4", "stopped")] };
        assert.strictEqual(
            headlineText({ ...base(two), coverage: stopped }),
            "2 of 3 in-scope instances compliant: 0 not compliant, 0 unmanaged or silent (over 24 h), 1 stopped.",
        );
        // An instance Systems Manager could not answer for counts once: as not read, or in its coverage class.
        assert.deepStrictEqual(headline(two, managed, [{ id: "i-5" }]), {
            inScope: 3,
            compliant: 2,
            notCompliant: 0,
            uncovered: 0,
            stopped: 0,
            notRead: 1,
        });
        assert.deepStrictEqual(headline(two, stopped, [{ id: "i-4" }]), {
            inScope: 3,
            compliant: 2,
            notCompliant: 0,
            uncovered: 0,
            stopped: 1,
            notRead: 0,
        });
        // From Athena: managed nodes only, and it says so.
        assert.strictEqual(
            headlineText(base(two)),
            "Every one of the 2 managed instances is compliant. Coverage was not read: instances Systems Manager does not manage are not counted.",
        );
    });

    it("--demo: a coverage section with each case, its chart's data and the headline over every in-scope instance", () => {
        const html = renderReport(demoReport(SPEC_NOW));
        assert.strictEqual(
            headlineOf(html),
            "12 of 24 in-scope instances compliant: 7 not compliant, 3 unmanaged or silent (over 24 h), 1 stopped, 1 not read.",
        );
        assert.match(
            html,
            /<h2>Coverage: every in-scope instance \(23: 19 managed, 1 silent, 2 unmanaged, 1 stopped\)<\/h2>/,
        );
        assert.deepStrictEqual(embedded(html, "coverage-data"), {
            labels: [
                "111111111111 Critical",
                "111111111111 Critical-Prod",
                "222222222222 Critical-Mixed",
                "333333333333 Critical-Fleet",
            ],
            datasets: [
                { label: "managed", data: [3, 6, 5, 5] },
                { label: "silent", data: [1, 0, 0, 0] },
                { label: "unmanaged", data: [1, 0, 1, 0] },
                { label: "stopped", data: [0, 0, 0, 1] },
            ],
        });
        const demo = demoReport(SPEC_NOW);
        assert.deepStrictEqual(coverageRows(html), [
            [demo.instances[3].id, "silent"],
            [demo.instances[8].id, "managed"],
            ["i-0d00000000000000a", "unmanaged"],
            ["i-0d00000000000000b", "unmanaged"],
            ["i-0d00000000000000c", "stopped"],
        ]);
        assert.ok(html.includes("<td>stopped since 2026-10-01 08:00</td>"));
        assert.ok(html.includes("agent 2.3.1319.0 is below 3.0.502 (AWS-RunPatchBaselineWithHooks needs it)"));
    });

    it("report --stack test reads coverage too: the unmanaged, silent and stopped instances are in the section and the headline", async () => {
        for (const mock of [ssm, sns, ec2, iam]) mock.reset();
        fakeFleet();
        ssm.on(DescribeInstancePatchesCommand).resolves({ Patches: [] });
        ssm.on(ListInventoryEntriesCommand).resolves({ Entries: [] });
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "oelab-coverage-")), "report.html");
        const s = await ops(["report", "--stack", "test", "--out", file]);
        assert.strictEqual(s.code, 0, s.err);
        const html = fs.readFileSync(file, "utf8");
        assert.deepStrictEqual(coverageRows(html), [
            [ID.web2, "silent"],
            [ID.app1, "managed"],
            [ID.app2, "unmanaged"],
            [ID.hand, "unmanaged"],
            [ID.never, "unmanaged"],
            [ID.stopped, "stopped"],
        ]);
        // web1 compliant; app1 and the hybrid node mi-... not compliant (no patch state for the node).
        assert.strictEqual(
            headlineOf(html),
            "1 of 8 in-scope instances compliant: 2 not compliant, 4 unmanaged or silent (over 24 h), 1 stopped.",
        );
    });

    it("report --stack test when EC2 refuses: the report is written, says coverage was not read and why, and claims no coverage", async () => {
        for (const mock of [ssm, sns, ec2, iam]) mock.reset();
        fakeFleet();
        ssm.on(DescribeInstancePatchesCommand).resolves({ Patches: [] });
        ssm.on(ListInventoryEntriesCommand).resolves({ Entries: [] });
        ec2.on(DescribeInstancesCommand).rejects(
            Object.assign(new Error("You are not authorized to perform this operation."), {
                name: "UnauthorizedOperation",
            }),
        );
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "oelab-coverage-")), "report.html");
        const s = await ops(["report", "--stack", "test", "--out", file]);
        assert.strictEqual(s.code, 0, s.err);
        const denied =
            "Access denied: your credentials may not call ec2:DescribeInstances. You are not authorized to perform this operation.";
        assert.ok(s.err.includes(`Coverage not read (the report counts managed nodes only): ${denied}\n`), s.err);
        const html = fs.readFileSync(file, "utf8");
        assert.ok(html.includes(`<p>Not read: ${denied}. The figures count managed nodes only.</p>`));
        assert.strictEqual(
            headlineOf(html),
            "1 of 5 managed instances compliant. Coverage was not read: instances Systems Manager does not manage are not counted.",
        );
    });
});
