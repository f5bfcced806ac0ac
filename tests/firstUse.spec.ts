import * as assert from "assert";
import { sdkNodeNotice, SDK_NODE_WARNING_SWITCH } from "../tools/common/nodeSupport";
import { demoReport } from "../tools/ops/report";
import { renderReport } from "../tools/ops/reportHtml";
import { ops, SPEC_NOW } from "./opsSession";

describe("a first-time user's help and notices", () => {
    for (const command of ["scan", "install", "compliance", "inventory", "notify-test", "report"]) {
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

    it("the AWS SDK's Node.js notice: one line on Node.js 20, the SDK's own 8 lines switched off", () => {
        const env: NodeJS.ProcessEnv = {};
        const line = sdkNodeNotice("v20.20.2", env);
        assert.strictEqual(
            line,
            "note: Node.js v20.20.2 works (package.json engines: ^20.19, ^22.12, ^24), but AWS SDK releases after the first week of January 2027 need Node.js 22 or later (https://a.co/c895JFp). Set AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true to hide this line.\n",
        );
        assert.strictEqual(line!.split("\n").length, 2);
        assert.strictEqual(env[SDK_NODE_WARNING_SWITCH], "true");
        assert.strictEqual(sdkNodeNotice("v20.20.2", env), undefined, "once");
    });

    it("nothing on Node.js 22 or 24, nor when the user set the SDK's switch", () => {
        assert.strictEqual(sdkNodeNotice("v22.12.0", {}), undefined);
        assert.strictEqual(sdkNodeNotice("v24.1.0", {}), undefined);
        assert.strictEqual(sdkNodeNotice("v20.19.0", { [SDK_NODE_WARNING_SWITCH]: "true" }), undefined);
    });

    it("the report's table says what each column holds, and the severity chart what it counts", () => {
        const html = renderReport(demoReport(SPEC_NOW));
        const headings = [...html.matchAll(/<th>([^<]+)<\/th>/g)].map((m) => m[1]);
        assert.deepStrictEqual(headings, [
            "Account",
            "Patch group",
            "Instance",
            "Name",
            "OS",
            "Non-compliant patches",
            "Security updates",
            "Compliance level Critical",
            "Other levels",
            "Failed",
        ]);
        assert.ok(html.includes("Missing patches by vendor severity (the table counts by compliance level)"));
    });
});
