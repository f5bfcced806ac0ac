import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError } from "../config";
import { readStackConfig, readYamlFile, StackFileError } from "../config/stackFiles";
import { cliConfigString, parsePulumiYaml, resolvePlainScalar } from "../config/stackYaml";
import { PROJECT_ROOT } from "./harness";

const FIXTURES = path.join(PROJECT_ROOT, "tests", "fixtures", "stack-yaml");
/** What gopkg.in/yaml.v3 itself makes of each fixture (written and checked by `npm run test:yaml`). */
const EXPECTED = JSON.parse(fs.readFileSync(path.join(FIXTURES, "expected.json"), "utf8")) as Record<
    string,
    { config?: Record<string, string>; error?: string }
>;

/** The strings the program gets for a stack file's config, as our reader makes them. */
function programStrings(file: string): Record<string, string> {
    const document = parsePulumiYaml(fs.readFileSync(path.join(FIXTURES, file), "utf8")) as {
        config?: Record<string, unknown>;
    };
    return Object.fromEntries(
        Object.entries(document.config ?? {}).map(([key, value]) => [key, cliConfigString(value)]),
    );
}

/** A project with Pulumi.yaml and one stack file `s` of the given text. */
function project(stackFile: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-yaml-"));
    fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.writeFileSync(path.join(dir, "Pulumi.s.yaml"), stackFile);
    return dir;
}

const TEST = "config:\n  aws:region: ap-northeast-1\n  oe-lab-ipm:workload: Test\n";

function problems(stackFile: string): string[] {
    try {
        readStackConfig("s", { projectDir: project(stackFile) });
    } catch (error) {
        if (error instanceof ConfigError) return [...error.problems];
        throw error;
    }
    return [];
}

describe("stack files are read as the Pulumi CLI reads them (gopkg.in/yaml.v3)", () => {
    for (const [file, expected] of Object.entries(EXPECTED)) {
        it(`${file}: ${expected.error ? "refused, as yaml.v3 refuses it" : "the program gets yaml.v3's strings"}`, () => {
            if (expected.error) {
                assert.throws(() => programStrings(file));
            } else {
                assert.deepStrictEqual(programStrings(file), expected.config);
            }
        });
    }

    it("resolves plain scalars by yaml.v3's rules, not YAML 1.1's or 1.2's", () => {
        const cases: [string, unknown][] = [
            ["yes", "yes"],
            ["on", "on"],
            ["Y", "Y"],
            ["TRUE", true],
            ["False", false],
            ["~", null],
            ["", null],
            ["0777", 511],
            ["0o17", 15],
            ["0x1F", 31],
            ["0b101", 5],
            ["1_000", 1000],
            ["+12", 12],
            ["-0x10", -16],
            ["012345678901", 12345678901],
            ["08", 8],
            ["1e3", 1000],
            [".5", 0.5],
            ["1:30", "1:30"],
            ["1e400", "1e400"],
            ["2024-01-02", "2024-01-02 00:00:00 +0000 UTC"],
            ["2024-02-30", "2024-02-30"],
            ["ami-0123", "ami-0123"],
        ];
        assert.deepStrictEqual(
            cases.map(([text]) => [text, resolvePlainScalar(text)]),
            cases,
        );
    });

    it("applies merge keys: a stack file that shares group settings through an anchor is valid", () => {
        const { config } = readStackConfig("s", {
            projectDir: project(fs.readFileSync(path.join(FIXTURES, "merge-keys.yaml"), "utf8")),
        });
        assert.deepStrictEqual(
            config.fleet.groups.map((g) => [g.name, g.role, g.count, g.operatingSystem, g.webServer]),
            [
                ["Web", "WebServer", 2, "AMAZON_LINUX_2023", true],
                ["Front", "WebServer", 2, "AMAZON_LINUX_2023", false],
                ["App", "AppServer", 3, "UBUNTU_24_04", false],
            ],
        );
    });

    it("refuses yes and on where a boolean is meant: yaml.v3 reads them as strings", () => {
        assert.deepStrictEqual(
            problems(`${TEST}  oe-lab-ipm:protect: yes\n  oe-lab-ipm:inventory: { keepLogsOnDestroy: on }\n`),
            [
                'oe-lab-ipm:protect = "yes": must be true or false',
                'oe-lab-ipm:inventory.keepLogsOnDestroy = "on": must be true or false',
            ],
        );
    });

    it("reads a leading zero as octal (0100 days is 64) and an unquoted zero-led account id as a number, refused", () => {
        const { config } = readStackConfig("s", {
            projectDir: project(`${TEST}  oe-lab-ipm:inventory: { logRetentionDays: 0100 }\n`),
        });
        assert.strictEqual(config.inventory.logRetentionDays, 64);
        assert.deepStrictEqual(
            problems(
                "config:\n  aws:region: ap-northeast-1\n  oe-lab-ipm:workload: Report\n  oe-lab-ipm:reporting: { accounts: [012345678901] }\n",
            ),
            [
                "oe-lab-ipm:reporting.accounts.0 = 12345678901: must be a 12-digit AWS account id, quoted so YAML keeps it a string",
            ],
        );
    });

    it("keeps a __proto__ key, so the config check refuses it instead of it vanishing", () => {
        const found = problems(
            `${TEST}  oe-lab-ipm:tags: { __proto__: x }\n  oe-lab-ipm:network: { __proto__: { vpcCidr: 10.9.0.0/16 } }\n`,
        );
        assert.deepStrictEqual(
            found.map((p) => p.split(":").slice(0, 2).join(":")),
            ['oe-lab-ipm:tags.__proto__ = "x"', 'oe-lab-ipm:network.__proto__ = {"vpcCidr"'],
        );
    });

    it("refuses a file yaml.v3 refuses, with the file's name", () => {
        assert.throws(
            () =>
                readStackConfig("s", {
                    projectDir: project("config:\n  oe-lab-ipm:workload: A\n  oe-lab-ipm:workload: B\n"),
                }),
            (e: Error) =>
                e instanceof StackFileError && /Pulumi\.s\.yaml:3:3: not valid YAML: .*unique/.test(e.message),
        );
    });

    it("says what in the Pulumi CLI's words where yaml.v3 has them (the real yaml.v3 wrote expected.json)", () => {
        const syntax = Object.keys(EXPECTED).filter((file) => file.startsWith("syntax-"));
        assert.deepStrictEqual(syntax, [
            "syntax-colon.yaml",
            "syntax-flow.yaml",
            "syntax-quote.yaml",
            "syntax-tab.yaml",
        ]);
        for (const file of syntax) {
            const cli = /^yaml: line \d+: (.*)$/.exec(EXPECTED[file].error!)![1];
            assert.throws(
                () => programStrings(file),
                (e: Error) => e.message === cli,
                file,
            );
        }
    });

    it("says where: file, line and column, for stack files and the targets file alike", () => {
        const dir = project("config:\n  oe-lab-ipm:workload: A\n\toe-lab-ipm:x: B\n");
        assert.throws(
            () => readStackConfig("s", { projectDir: dir }),
            (e: Error) =>
                e.message ===
                `${path.join(dir, "Pulumi.s.yaml")}:3:1: not valid YAML: found character that cannot start any token`,
        );
        const targets = path.join(dir, "targets.yaml");
        fs.writeFileSync(targets, "targets:\n  - account: '1'\n    region: [x\n");
        assert.throws(
            () => readYamlFile(targets),
            (e: Error) => e instanceof StackFileError && e.message.startsWith(`${targets}:4:1: not valid YAML: `),
        );
    });
});
