/**
 * The report's unread instances (tools/ops/reportUnread.ts): split out of the charts, counted as
 * "not read" in the headline, a row each with AWS's reason. End to end, with the real SDK against
 * the fake endpoint's terminated node: tests/faults/ops.faults.ts.
 */
import * as assert from "assert";
import { demoReport, ReportData, ReportInstance } from "../tools/ops/report";
import { chartData, renderReport } from "../tools/ops/reportHtml";
import { withUnread } from "../tools/ops/reportUnread";
import { SPEC_NOW } from "./opsSession";

/** fakeSsm.ts's InvalidInstanceId, as readEach records it. */
const REASON =
    "InvalidInstanceId: Instance Id i-0aaaaaaaaaaaaaaa2 is not valid: the managed node isn't in a valid state (Shutting-down, Terminated). (ssm:DescribeInstancePatches)";

function instance(id: string, name: string, compliant: boolean): ReportInstance {
    const n = compliant ? 0 : 1;
    return {
        ...{ account: "", region: "ap-northeast-1", id, name, os: "Amazon Linux 2023", stack: "Critical", compliant },
        ...{
            missing: n,
            failed: 0,
            pendingReboot: 0,
            installed: 200,
            noncompliant: n,
            critical: 0,
            security: n,
            other: 0,
        },
    };
}

const cells = (html: string, section: string) =>
    [
        ...new RegExp(`<section id="${section}">(.*?)</section>`, "s").exec(html)![1].matchAll(/<tr><td>(.*?)<\/tr>/g),
    ].map((m) => m[1].split("</td><td>").map((c) => c.replace("</td>", "")));
const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

describe("the report's unread instances", () => {
    const read: ReportData & { outcomes: object[] } = {
        ...demoReport(SPEC_NOW),
        unread: undefined,
        coverage: undefined, // a report whose coverage was not read (coverage.spec covers both together)
        instances: [instance("i-0aaaaaaaaaaaaaaa1", "web1", false), instance("i-0aaaaaaaaaaaaaaa2", "web2", false)],
        outcomes: [{ value: undefined }, { error: "InvalidInstanceId", reason: REASON }],
    };

    it("a terminated instance leaves the charts, counts as 'not read' in the headline, and is a row with AWS's reason", () => {
        const data = withUnread(read as never);
        assert.deepStrictEqual(
            data.instances.map((i) => i.id),
            ["i-0aaaaaaaaaaaaaaa1"],
        );
        assert.ok(!("outcomes" in data));
        const html = renderReport(data);
        assert.match(text(html), / 2 instances 1 not read 0% compliant 1 not compliant /);
        assert.deepStrictEqual(cells(html, "not-read"), [
            ["", "Critical", "i-0aaaaaaaaaaaaaaa2", "web2", "Amazon Linux 2023", REASON.replace("'", "&#39;")],
        ]);
        const charts = chartData(data);
        assert.deepStrictEqual(charts.os, { labels: ["Amazon Linux 2023"], values: [1] });
        assert.deepStrictEqual(charts.stacks, { labels: ["Critical"], compliant: [0], nonCompliant: [1] });
    });

    it("every instance read: no 'not read' figure and no section", () => {
        const html = renderReport(withUnread({ ...read, outcomes: [{ value: 1 }, { value: 1 }] } as never));
        assert.ok(!html.includes('class="figure not-read"') && !html.includes('id="not-read"'));
        assert.match(text(html), / 2 instances 0% compliant /);
    });
});
