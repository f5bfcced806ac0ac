import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "yaml";
import * as path from "path";
import { PROJECT_ROOT } from "./harness";

/** The GitHub Actions workflows: what runs when, with which stack, and nothing secret in them. */
function workflow(name: string): any {
    return yaml.parse(fs.readFileSync(path.join(PROJECT_ROOT, ".github", "workflows", name), "utf8"));
}

function steps(job: any): any[] {
    return job.steps;
}

const runs = (job: any) =>
    steps(job)
        .filter((s) => s.run)
        .map((s) => s.run);
/** The pulumi/actions step that runs a command (one without `command` only installs the CLI). */
const pulumi = (job: any) => steps(job).find((s) => String(s.uses).startsWith("pulumi/actions@") && s.with?.command);
const aws = (job: any) => steps(job).find((s) => String(s.uses).startsWith("aws-actions/configure-aws-credentials@"));

describe("GitHub Actions workflows", () => {
    it("on a pull request: npm ci and npm test, then a preview of each stack with the policy pack, commented on the PR", () => {
        const wf = workflow("pull-request.yml");
        assert.deepStrictEqual(Object.keys(wf.on), ["pull_request"]);
        assert.deepStrictEqual(runs(wf.jobs.test), ["npm ci", "npm test", "npm audit --omit=dev --audit-level=high"]);
        const preview = wf.jobs.preview;
        assert.strictEqual(preview.needs, "test");
        assert.deepStrictEqual(preview.strategy.matrix.stack, ["test", "prod", "reporting"]);
        assert.deepStrictEqual(pulumi(preview).with, {
            command: "preview",
            "stack-name": "${{ matrix.stack }}",
            "cloud-url": "${{ vars.PULUMI_BACKEND_URL }}",
            policyPacks: "policy",
            "comment-on-pr": true,
            "github-token": "${{ secrets.GITHUB_TOKEN }}",
        });
        assert.strictEqual(aws(preview).with["role-to-assume"], "${{ vars.AWS_PREVIEW_ROLE_ARN }}");
        assert.deepStrictEqual(wf.permissions, { contents: "read", "id-token": "write", "pull-requests": "write" });
    });

    it("on a pull request: reports replacements and deletions per stack, failing prod unless labelled allow-replacements", () => {
        const wf = workflow("pull-request.yml");
        assert.deepStrictEqual(wf.on.pull_request.types, ["opened", "synchronize", "reopened", "labeled", "unlabeled"]);
        const step = steps(wf.jobs.preview).find((s) => s.name === "Replacements and deletions");
        assert.ok(step, "no replacement report step");
        assert.match(step.run, /^pulumi preview --stack "\$STACK" --json > preview\.json$/m);
        assert.match(
            step.run,
            /^npm run --silent preview-report -- preview\.json --stack "\$STACK" \$STRICT > report\.md \|\| status=\$\?$/m,
        );
        assert.match(step.run, /^gh pr comment "\$PR" --body-file report\.md$/m);
        assert.match(step.run, /^exit \$status$/m);
        assert.strictEqual(
            step.env.STRICT,
            "${{ (matrix.stack == 'prod' || matrix.stack == 'reporting') && !contains(github.event.pull_request.labels.*.name, 'allow-replacements') && '--strict' || '' }}",
        );
        assert.strictEqual(step.env.GH_TOKEN, "${{ secrets.GITHUB_TOKEN }}");
        assert.strictEqual(step.env.PULUMI_CONFIG_PASSPHRASE, "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}");
    });

    it("on a push to main: the tests, then pulumi up of test with the policy pack", () => {
        const wf = workflow("deploy-test.yml");
        assert.deepStrictEqual(wf.on, { push: { branches: ["main"] } });
        const up = wf.jobs.up;
        assert.deepStrictEqual(runs(up), ["npm ci", "npm test"]);
        assert.deepStrictEqual(
            [pulumi(up).with.command, pulumi(up).with["stack-name"], pulumi(up).with.policyPacks],
            ["up", "test", "policy"],
        );
        assert.strictEqual(aws(up).with["role-to-assume"], "${{ vars.AWS_DEPLOY_ROLE_ARN }}");
    });

    it("by hand only: pulumi destroy of a chosen stack, once its name is typed again", () => {
        const wf = workflow("destroy.yml");
        assert.deepStrictEqual(Object.keys(wf.on), ["workflow_dispatch"]);
        assert.deepStrictEqual(wf.on.workflow_dispatch.inputs.stack.options, ["test", "prod", "reporting"]);
        const destroy = wf.jobs.destroy;
        assert.strictEqual(destroy.if, "inputs.confirm == inputs.stack");
        assert.deepStrictEqual(
            [pulumi(destroy).with.command, pulumi(destroy).with["stack-name"]],
            ["destroy", "${{ inputs.stack }}"],
        );

        // A protected stack is refused unless destroy-protected says otherwise, before the destroy runs.
        assert.deepStrictEqual(wf.on.workflow_dispatch.inputs["destroy-protected"], {
            description: "The stack has protected resources (prod, reporting) and I mean to destroy them too",
            type: "boolean",
            default: false,
        });
        const all = steps(destroy);
        const guard = all.findIndex((s) => s.name === "Refuse a protected stack");
        assert.ok(guard > 0 && guard < all.indexOf(pulumi(destroy)), "the guard runs before pulumi destroy");
        assert.ok(
            String(all[guard - 1].uses).startsWith("pulumi/actions@") && !all[guard - 1].with,
            "the CLI installed first",
        );
        assert.deepStrictEqual(all[guard].run.split("\n").filter(Boolean), [
            'pulumi login "$PULUMI_BACKEND_URL"',
            `protected=$(pulumi stack export --stack "$STACK" | jq '[.deployment.resources[]? | select(.protect == true)] | length')`,
            'if [ "$protected" -gt 0 ] && [ "$DESTROY_PROTECTED" != "true" ]; then',
            '  echo "::error::$STACK has $protected protected resources: nothing destroyed. Run again with destroy-protected to unprotect and destroy all of it."',
            "  exit 1",
            "fi",
            'if [ "$protected" -gt 0 ]; then',
            '  pulumi state unprotect --all --yes --stack "$STACK"',
            "fi",
        ]);
        assert.strictEqual(all[guard].env.DESTROY_PROTECTED, "${{ inputs.destroy-protected }}");
    });

    it("test on both supported runtimes (Node.js 22 and 24, package.json engines) and deploy on 24; none on 20", () => {
        const engines = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")).engines.node;
        assert.strictEqual(engines, "^22.12.0 || ^24.0.0");
        const test = workflow("pull-request.yml").jobs.test;
        assert.deepStrictEqual(test.strategy.matrix.node, [22, 24]);
        for (const file of fs.readdirSync(path.join(PROJECT_ROOT, ".github", "workflows"))) {
            for (const [name, job] of Object.entries(workflow(file).jobs) as [string, any][]) {
                const setup = steps(job).find((s) => String(s.uses).startsWith("actions/setup-node@"));
                const expected = file === "pull-request.yml" && name === "test" ? "${{ matrix.node }}" : 24;
                assert.strictEqual(setup.with["node-version"], expected, `${file} ${name}`);
            }
        }
    });

    it("reach AWS through OIDC and keep nothing secret in the repository", () => {
        for (const file of fs.readdirSync(path.join(PROJECT_ROOT, ".github", "workflows"))) {
            const text = fs.readFileSync(path.join(PROJECT_ROOT, ".github", "workflows", file), "utf8");
            assert.doesNotMatch(
                text,
                /AKIA[0-9A-Z]{16}|aws-secret-access-key|aws-access-key-id|PULUMI_ACCESS_TOKEN:\s*[^$\s]/,
                file,
            );
            assert.strictEqual(workflow(file).permissions["id-token"], "write", file);
            for (const [name, value] of Object.entries(pulumi(Object.values(workflow(file).jobs).at(-1))?.env ?? {})) {
                assert.match(
                    String(value),
                    /^\$\{\{ secrets\.[A-Z_]+ \}\}$/,
                    `${file}: ${name} comes from a repository secret`,
                );
            }
        }
    });
});
