/**
 * The workflows against GitHub's workflow schema: SchemaStore's github-workflow.json, copied
 * unchanged into tests/fixtures/schemastore/ from github.com/SchemaStore/schemastore
 * (src/schemas/json/github-workflow.json, commit 3b6446ad8a077bac56f4a4796c0b7fd88927fc8e,
 * 2026-08-07; no npm package ships it). Draft-07, validated with Ajv.
 */
import Ajv from "ajv";
import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "yaml";
import * as path from "path";
import { PROJECT_ROOT } from "./harness";

const WORKFLOWS = path.join(PROJECT_ROOT, ".github", "workflows");
const SCHEMA = JSON.parse(
    fs.readFileSync(path.join(PROJECT_ROOT, "tests", "fixtures", "schemastore", "github-workflow.json"), "utf8"),
);
// strict: false: the schema uses keywords Ajv's strict mode does not know (its own markdownDescription, say).
const validate = new Ajv({ strict: false, allErrors: true }).compile(SCHEMA);

function errors(workflow: unknown): string[] {
    return validate(workflow) ? [] : validate.errors!.map((e) => `${e.instancePath || "/"} ${e.message}`);
}

const load = (file: string): any => yaml.parse(fs.readFileSync(path.join(WORKFLOWS, file), "utf8"));

describe("fleet workflow", () => {
    it("every workflow validates against GitHub's workflow schema", () => {
        for (const file of fs.readdirSync(WORKFLOWS)) {
            assert.deepStrictEqual(errors(load(file)), [], file);
        }
    });

    it("the schema catches a broken workflow (max-parallel must be a number, a job needs runs-on)", () => {
        const wf = load("fleet.yml");
        wf.jobs.target.strategy["max-parallel"] = "many";
        delete wf.jobs.summary["runs-on"];
        assert.ok(errors(wf).length > 0);
    });

    it("previews on pull requests and updates on main, one job per target from `fleet matrix`, bounded, with OIDC into the target's account", () => {
        const wf = load("fleet.yml");
        assert.deepStrictEqual(wf.on, { pull_request: null, push: { branches: ["main"] } });
        assert.deepStrictEqual(wf.permissions, { contents: "read", "id-token": "write" });
        const matrixStep = wf.jobs.targets.steps.find((s: any) => s.id === "matrix");
        assert.strictEqual(
            matrixStep.run,
            'echo "matrix=$(npm run --silent fleet -- matrix --targets "$TARGETS")" >> "$GITHUB_OUTPUT"',
        );
        assert.ok(
            wf.jobs.targets.steps.some(
                (s: any) => s.run === 'npm run fleet -- plan --targets "$TARGETS" --out fleet-plans',
            ),
        );
        const job = wf.jobs.target;
        assert.deepStrictEqual(job.strategy, {
            "fail-fast": false,
            "max-parallel": 20,
            matrix: "${{ fromJSON(needs.targets.outputs.matrix) }}",
        });
        const aws = job.steps.find((s: any) => String(s.uses).startsWith("aws-actions/configure-aws-credentials@"));
        assert.deepStrictEqual(aws.with, {
            "role-to-assume": "${{ matrix.role }}",
            "aws-region": "${{ matrix.region }}",
            "role-session-name": "oe-lab-ipm-fleet",
        });
        const run = job.steps.find((s: any) => s.name === "Run the target");
        assert.match(
            run.run,
            /^npm run fleet -- "\$OPERATION" --targets "\$TARGETS" --only "\$STACK" --no-assume-role --dir fleet-run$/m,
        );
        assert.strictEqual(run.env.OPERATION, "${{ github.event_name == 'pull_request' && 'preview' || 'up' }}");
    });

    it("one summary job after every target, also when some failed, from the jobs' summary.json files", () => {
        const summary = load("fleet.yml").jobs.summary;
        assert.deepStrictEqual(summary.needs, ["targets", "target"]);
        assert.strictEqual(summary.if, "always() && needs.targets.result == 'success'");
        assert.strictEqual(
            summary.steps.at(-1).run,
            'npm run --silent fleet -- summary --targets "$TARGETS" --from fleet-runs --markdown "$GITHUB_STEP_SUMMARY"',
        );
    });
});
