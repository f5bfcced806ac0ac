import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../config/stackFiles";
import { cliProblems, cliUses, CliUse } from "./awsCliCommands";
import { PAGES, read } from "./docPages";

/** The TypeScript files under a folder of the project, by their path from its root. */
function sources(folder: string): string[] {
    return fs
        .readdirSync(path.join(PROJECT_ROOT, folder), { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".ts"))
        .map((f) => `${folder}/${f}`);
}

/** Every AWS CLI command the pages and the messages of the program and the tooling tell people to run. */
function everyUse(): CliUse[] {
    return [...PAGES, ...sources("components"), ...sources("tools")].flatMap((page) => cliUses(page, read(page)));
}

describe("the AWS CLI commands the docs and messages give: operations and parameters AWS's API models have", () => {
    it("every command names an operation of the models, only its parameters, and all it requires", () => {
        assert.deepStrictEqual(everyUse().flatMap(cliProblems), []);
    });

    it("reads the restore procedure's commands from docs/operations.md, in code blocks with continuations", () => {
        const uses = everyUse().filter((u) => u.where === "docs/operations.md");
        const shown = uses.map((u) => `aws ${u.service} ${u.command} ${u.parameters.join(" ")}`.trim());
        for (const line of [
            "aws ec2 create-replace-root-volume-task --instance-id --image-id",
            "aws ssm get-automation-execution --automation-execution-id --query",
        ])
            assert.ok(shown.includes(line), `${line} not in ${JSON.stringify(shown)}`);
    });

    it("names a misspelt parameter, a missing required one and an unknown command", () => {
        const uses = cliUses(
            "page.md",
            [
                "```sh",
                "aws ec2 create-replace-root-volume-task --instance-id i-1 \\",
                "  --image-ids ami-1 --query 'x --y'",
                "aws ec2 create-replace-root-volume-task --image-id ami-1 --no-dry-run",
                "```",
                "and `aws ssm get-automation-executions --automation-execution-id 1; aws ssm get-automation-execution`",
                "but `aws sso login` and `aws s3 cp x y` are the CLI's own",
            ].join("\n"),
        );
        assert.deepStrictEqual(uses.flatMap(cliProblems), [
            "page.md: aws ec2 create-replace-root-volume-task: --image-ids is no parameter of CreateReplaceRootVolumeTask (it takes --instance-id, --snapshot-id, --client-token, --dry-run, --tag-specifications, --image-id, --delete-replaced-root-volume, --volume-initialization-rate)",
            "page.md: aws ec2 create-replace-root-volume-task: CreateReplaceRootVolumeTask requires --instance-id",
            "page.md: aws ssm get-automation-executions: no such command in the models (an operation of ssm? add it to DOCUMENTED in tools/contract/generate-models.py)",
        ]);
    });
});
