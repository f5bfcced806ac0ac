/// <reference lib="dom" />
/**
 * `npm run test:browser`: the page `fleet coverage --report` writes, in headless Chromium (as
 * report.browser.ts does for the lab report). The three accounts of tests/fleetCoverageFixtures.ts
 * (one target's role refused), read in this process against the fakes; the page must draw its
 * coverage chart per target from what the file contains, and log no error.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Browser, Page } from "puppeteer-core";
import { main, runtime } from "../../tools/fleet/cli";
import { COVERAGE_CHART_ID } from "../../tools/ops/reportCoverage";
import { captured } from "../captured";
import { ACCOUNT, fakeOrganization, TARGETS_YAML } from "../fleetCoverageFixtures";
import { openOffline, readChart } from "./offlinePage";

describe("the fleet coverage report in headless Chromium", function () {
    this.timeout(60_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "oelab-fleet-report-"));
    const file = path.join(dir, "coverage.html");
    let browser: Browser;
    let page: Page;
    let problems: string[];
    let outside: string[];

    before(async () => {
        const targets = path.join(dir, "targets.yaml");
        fs.writeFileSync(targets, TARGETS_YAML);
        const saved = { ...process.env };
        const now = runtime.now;
        Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "x" });
        runtime.now = () => new Date("2026-11-28T09:00:00.000Z");
        try {
            fakeOrganization();
            const r = await captured(() => main(["node", "fleet", "coverage", "--targets", targets, "--report", file]));
            assert.strictEqual(r.code, 1, r.stderr);
        } finally {
            runtime.now = now;
            for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
        }
        ({ browser, page, outside, problems } = await openOffline(file));
    });

    after(async () => {
        await browser?.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("draws the coverage chart per target, lists every target and the instances not covered", async () => {
        const chart = (await readChart(page, COVERAGE_CHART_ID))!;
        const shown = await page.evaluate(() => ({
            targets: Array.from(document.querySelectorAll("#targets tbody tr")).map((r) => [
                r.getAttribute("data-target"),
                r.getAttribute("data-status"),
            ]),
            rows: Array.from(document.querySelectorAll("#coverage tbody tr")).map((r) =>
                r.getAttribute("data-coverage"),
            ),
        }));
        assert.deepStrictEqual(chart.labels, [
            `${ACCOUNT.managed} Critical (us-east-1)`,
            `${ACCOUNT.mixed} Critical (eu-west-1)`,
        ]);
        assert.deepStrictEqual(chart.datasets, [
            ["managed", [2, 0]],
            ["silent", [0, 0]],
            ["unmanaged", [0, 2]],
            ["stopped", [0, 1]],
        ]);
        assert.ok(chart.painted > 1000, `coverage chart is blank: ${chart.painted}`);
        assert.deepStrictEqual(shown.targets, [
            [`fleet-${ACCOUNT.managed}-us-east-1`, "read"],
            [`fleet-${ACCOUNT.mixed}-eu-west-1`, "read"],
            [`fleet-${ACCOUNT.denied}-ap-northeast-1`, "failed"],
            ["total", null],
        ]);
        // The old agent (managed, with a reason), the two unmanaged and the stopped one.
        assert.deepStrictEqual(shown.rows, ["managed", "unmanaged", "unmanaged", "stopped"]);
    });

    it("needs nothing outside the file and logs no error", () => {
        assert.deepStrictEqual(outside, []);
        assert.deepStrictEqual(problems, []);
    });
});
