/// <reference lib="dom" />
/**
 * `npm run test:browser`: the demo report in a real browser (headless Chromium, Debian's
 * `chromium` package; CHROMIUM_PATH overrides where it is). Not part of `npm test`, which stays
 * browser-free; .ci/run installs Chromium and runs this after it.
 *
 * The page must draw every chart from what the file itself contains: any request that leaves
 * the file (a CDN script, a font) is refused and fails the spec.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Browser, Page } from "puppeteer-core";
import { COVERAGE_CHART_ID } from "../../tools/ops/reportCoverage";
import { openOffline, readChart } from "./offlinePage";
import { CHART_IDS } from "../../tools/ops/reportHtml";

const CLI = path.join(__dirname, "..", "..", "tools", "ops", "cli.js");

describe("the demo report in headless Chromium", function () {
    this.timeout(60_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "oelab-report-"));
    const file = path.join(dir, "report.html");
    let browser: Browser;
    let page: Page;
    let problems: string[];
    let outside: string[];

    before(async () => {
        // The command a user runs, as a separate process.
        execFileSync(process.execPath, [CLI, "report", "--demo", "--out", file], { stdio: "pipe" });
        ({ browser, page, outside, problems } = await openOffline(file));
        await page.waitForSelector("body[data-charts=drawn]", { timeout: 10_000 });
    });

    after(async () => {
        await browser?.close();
    });

    it("draws every chart with Chart.js, each with data and painted pixels", async () => {
        for (const id of CHART_IDS) {
            const drawn = await readChart(page, id);
            assert.ok(drawn, `${id}: no canvas, or no chart Chart.js drew on it`);
            const points = drawn.datasets.reduce((n, [, data]) => n + data.filter((v) => v > 0).length, 0);
            assert.ok(points > 0, `${id} has no data: ${JSON.stringify(drawn)}`);
            assert.ok(drawn.painted > 1000, `${id} is blank: ${JSON.stringify(drawn)}`);
        }
    });

    it("shows the figures and the table of instances that are not compliant", async () => {
        const text = await page.evaluate(() => document.body.innerText);
        // Every in-scope instance: 20 managed, 2 unmanaged, 1 stopped (the coverage section) and 1 not read.
        assert.match(text, /24\s*instances/);
        assert.match(text, /7\s*not compliant/);
        assert.strictEqual(
            await page.$$eval("section:not(#coverage):not(#not-read) tbody tr", (rows) => rows.length),
            7,
        );
        assert.match(text, /37\s*non-compliant patches/);
    });

    it("shows the instance it could not read: a 'not read' figure, and a row with AWS's reason", async () => {
        const text = await page.evaluate(() => document.body.innerText);
        assert.match(text, /1\s*not read/);
        const rows = await page.$$eval("#not-read tbody tr", (trs) =>
            trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent)),
        );
        assert.deepStrictEqual(rows, [
            [
                "111111111111",
                "Critical",
                "i-0dead000000000099",
                "Test-Web9",
                "Amazon Linux 2023",
                "InvalidInstanceId: Instance Id i-0dead000000000099 is not valid: the managed node isn't in a valid state (Shutting-down, Terminated). (ssm:DescribeInstancePatches)",
            ],
        ]);
    });

    it("draws compliance over time: a line per stack over the last 30 days, in percent", async () => {
        const trend = await page.evaluate(() => {
            const chart = (window as unknown as { Chart: { getChart(c: Element): any } }).Chart.getChart(
                document.getElementById("chart-history")!,
            );
            return {
                type: chart.config.type,
                days: chart.data.labels.length,
                stacks: chart.data.datasets.map((d: { label: string; data: number[] }) => [d.label, d.data.at(-1)]),
                max: chart.scales.y.max,
            };
        });
        assert.deepStrictEqual(trend, {
            type: "line",
            days: 30,
            stacks: [
                ["111111111111 Critical", 50],
                ["111111111111 Critical-Prod", 83.3],
                ["222222222222 Critical-Mixed", 40],
                ["333333333333 Critical-Fleet", 80],
            ],
            max: 100,
        });
    });

    it("shows coverage: a chart per stack of managed, silent, unmanaged and stopped, the table, the headline", async () => {
        const chart = (await readChart(page, COVERAGE_CHART_ID))!;
        const coverage = await page.evaluate(() => ({
            rows: Array.from(document.querySelectorAll("#coverage tbody tr")).map((r) =>
                r.getAttribute("data-coverage"),
            ),
            headline: document.getElementById("headline")!.innerText,
        }));
        assert.strictEqual(chart.type, "bar");
        assert.deepStrictEqual(chart.datasets, [
            ["managed", [3, 6, 5, 5]],
            ["silent", [1, 0, 0, 0]],
            ["unmanaged", [1, 0, 1, 0]],
            ["stopped", [0, 0, 0, 1]],
        ]);
        assert.ok(chart.painted > 1000, `coverage chart is blank: ${chart.painted}`);
        assert.deepStrictEqual(coverage.rows, ["silent", "managed", "unmanaged", "unmanaged", "stopped"]);
        assert.strictEqual(
            coverage.headline,
            "12 of 24 in-scope instances compliant: 7 not compliant, 3 unmanaged or silent (over 24 h), 1 stopped, 1 not read.",
        );
    });

    it("takes a non-empty screenshot", async () => {
        const shot = path.join(dir, "report.png");
        await page.screenshot({ path: shot as `${string}.png`, fullPage: true });
        const size = fs.statSync(shot).size;
        assert.ok(size > 50_000, `screenshot of ${size} bytes`);
        process.stdout.write(`      screenshot: ${shot} (${Math.round(size / 1024)} KB)\n`);
    });

    it("needs nothing outside the file and logs no error", () => {
        assert.deepStrictEqual(outside, []);
        assert.deepStrictEqual(problems, []);
    });
});
