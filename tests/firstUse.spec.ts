import * as assert from "assert";
import { demoReport } from "../tools/ops/report";
import { renderReport } from "../tools/ops/reportHtml";
import { ops, SPEC_NOW } from "./opsSession";

describe("a first-time user's help and notices", () => {
    for (const command of ["scan", "install", "restore-points", "compliance", "inventory", "notify-test", "report"]) {
        it(`ops ${command} --help shows the global options (--stack, --region, --profile)`, async () => {
            const s = await ops([command, "--help"]);
            assert.strictEqual(s.code, 0);
            assert.match(s.out, /\nGlobal Options:\n/);
            for (const flag of [
                "-s, --stack <name>",
                "--region <region>",
                "--profile <profile>",
                "--project-dir <dir>",
            ])
                assert.ok(s.out.includes(flag), `${command}: ${flag}`);
        });
    }

    it("the report's table says what each column holds, and the severity chart what it counts", () => {
        const html = renderReport(demoReport(SPEC_NOW));
        const headings = [...html.matchAll(/<th>([^<]+)<\/th>/g)].map((m) => m[1]);
        // Every table names the patch group as such: coverage, not compliant, not read.
        const instanceColumns = ["Account", "Patch group", "Instance", "Name"];
        assert.deepStrictEqual(headings, [
            ...instanceColumns,
            ...["Coverage", "State", "Last seen (UTC)", "Agent", "Why"],
            ...instanceColumns,
            "OS",
            "Non-compliant patches",
            "Security updates",
            "Compliance level Critical",
            "Other levels",
            "Failed",
            ...instanceColumns,
            ...["OS", "Reason"],
        ]);
        assert.ok(html.includes("Missing patches by vendor severity (the table counts by compliance level)"));
    });
});
