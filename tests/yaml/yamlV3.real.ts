/**
 * The real thing: gopkg.in/yaml.v3 (Debian's golang-gopkg-yaml.v3-dev 3.0.1, the version the Pulumi
 * CLI pins) reads every file of tests/fixtures/stack-yaml/ through tests/yamlv3/main.go, and what
 * it gives the program must be what tests/fixtures/stack-yaml/expected.json says, which
 * tests/stackYaml.spec.ts holds our reader to. `UPDATE_EXPECTED=1 npm run test:yaml` rewrites it.
 * Needs Go and the package: `apt-get install golang-go golang-gopkg-yaml.v3-dev` (.ci/run does).
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../config/stackFiles";

const FIXTURES = path.join(PROJECT_ROOT, "tests", "fixtures", "stack-yaml");
const EXPECTED = path.join(FIXTURES, "expected.json");

describe("yaml.v3 itself reads the stack-file fixtures as expected.json says", () => {
    it("matches, file by file", () => {
        const files = fs
            .readdirSync(FIXTURES)
            .filter((f) => f.endsWith(".yaml"))
            .sort();
        const output = execFileSync(
            "go",
            ["run", path.join(PROJECT_ROOT, "tests", "yamlv3", "main.go"), ...files.map((f) => path.join(FIXTURES, f))],
            {
                env: {
                    ...process.env,
                    GO111MODULE: "off",
                    GOPATH: "/usr/share/gocode",
                    GOCACHE: path.join(os.tmpdir(), "oe-lab-ipm-gocache"),
                },
                encoding: "utf8",
            },
        );
        const real = Object.fromEntries(
            output
                .trim()
                .split("\n")
                .map((line, i) => [files[i], JSON.parse(line)]),
        );
        if (process.env.UPDATE_EXPECTED) fs.writeFileSync(EXPECTED, `${JSON.stringify(real, null, 2)}\n`);
        assert.deepStrictEqual(real, JSON.parse(fs.readFileSync(EXPECTED, "utf8")));
    });
});
