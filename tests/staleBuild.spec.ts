import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { staleBuildWarning } from "../tools/plan/staleBuild";

describe("the commands' build check", () => {
    it("warns when TypeScript sources are newer than the last build, and only then", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "oelab-build-"));
        fs.mkdirSync(path.join(root, "bin"));
        fs.mkdirSync(path.join(root, "components"));
        fs.writeFileSync(path.join(root, "components", "fleet.ts"), "");
        fs.writeFileSync(path.join(root, "bin", ".built"), "");
        const past = new Date(Date.now() - 60_000);
        fs.utimesSync(path.join(root, "components", "fleet.ts"), past, past);
        assert.strictEqual(staleBuildWarning(root), undefined);
        fs.writeFileSync(path.join(root, "index.ts"), "");
        fs.utimesSync(path.join(root, "bin", ".built"), past, past);
        fs.utimesSync(path.join(root, "components", "fleet.ts"), new Date(), new Date());
        assert.strictEqual(
            staleBuildWarning(root),
            "warning: index.ts, components/fleet.ts changed after the last build; run 'npm run build' so the command uses them\n",
        );
    });
});
