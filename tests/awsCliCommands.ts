/**
 * The AWS CLI commands this project tells people to run (`aws <service> <command> --<parameter> …`),
 * read from its pages and from the messages in its code, and what is wrong with each against AWS's
 * API models (tools/contract/aws-models.json, from botocore; the CLI's names are botocore's
 * xform_name of the operation and its members, as awscli's clidriver builds them).
 */
import { cliCommand } from "../tools/contract/models";

export interface CliUse {
    /** Where it was found: `docs/operations.md`. */
    readonly where: string;
    readonly service: string;
    readonly command: string;
    /** The `--parameter` names given, in order. */
    readonly parameters: string[];
}

/**
 * Commands of the AWS CLI that are no API operation (awscli's customizations), with why they are
 * left out: `aws configure` and `aws sso login` manage the CLI's own credentials; `aws s3 <cp|ls|…>`
 * are the high-level S3 commands (the API's are `aws s3api …`).
 */
const CUSTOMIZATIONS = /^(configure \S+|sso (login|logout)|s3 (cp|ls|mb|mv|presign|rb|rm|sync|website))$/;

/** The CLI's own options, which every command takes (AWS CLI User Guide, "Command line options"). */
const GLOBAL_OPTIONS = new Set([
    "--query",
    "--output",
    "--region",
    "--profile",
    "--endpoint-url",
    "--no-cli-pager",
    "--no-paginate",
    "--cli-input-json",
    "--cli-input-yaml",
    "--debug",
    // pagination parameters the CLI adds to a paginated operation (AWS CLI User Guide, "Pagination")
    "--max-items",
    "--page-size",
    "--starting-token",
]);

/** The CLI's service names that differ from the API model's: `aws s3api` is the model `s3`. */
const MODEL_OF: Record<string, string> = { s3api: "s3" };

/**
 * Every `aws <service> <command> …` in a text: in code spans, code blocks (with `\` continuations
 * joined) and string literals; a command ends at a backtick, quote, `)`, `#`, `;` or the line's end.
 */
export function cliUses(where: string, text: string): CliUse[] {
    const joined = text.replace(/\\\n\s*/g, " ");
    const uses: CliUse[] = [];
    for (const match of joined.matchAll(/(?<![\w/.-])aws ([a-z0-9-]+) ([a-z][a-z0-9-]*)([^`"\n)#;]*)/g)) {
        const rest = match[3].replace(/'[^']*'/g, "''");
        uses.push({
            where,
            service: match[1],
            command: match[2],
            parameters: [...rest.matchAll(/(?:^|\s)(--[a-z0-9-]+)/g)].map((m) => m[1]),
        });
    }
    return uses;
}

/**
 * What is wrong with one use: a command the models do not have, a parameter the operation does not
 * take, a required parameter missing (only when the use gives parameters: a bare `aws ssm
 * get-automation-execution` in a sentence names the command, it is no command line).
 */
export function cliProblems(use: CliUse): string[] {
    const name = `${use.where}: aws ${use.service} ${use.command}`;
    if (CUSTOMIZATIONS.test(`${use.service} ${use.command}`)) return [];
    const command = cliCommand(MODEL_OF[use.service] ?? use.service, use.command);
    if (!command)
        return [
            `${name}: no such command in the models (an operation of ${use.service}? add it to DOCUMENTED in tools/contract/generate-models.py)`,
        ];
    const problems: string[] = [];
    const given = new Set<string>();
    for (const flag of use.parameters) {
        const positive = flag.startsWith("--no-") ? `--${flag.slice(5)}` : flag;
        if (GLOBAL_OPTIONS.has(flag)) continue;
        const known = command.parameters[flag] ? flag : command.parameters[positive] ? positive : undefined;
        if (known) given.add(known);
        else
            problems.push(
                `${name}: ${flag} is no parameter of ${command.operation} (it takes ${Object.keys(command.parameters).join(", ")})`,
            );
    }
    if (use.parameters.length > 0 && !use.parameters.includes("--cli-input-json"))
        for (const flag of command.required)
            if (!given.has(flag)) problems.push(`${name}: ${command.operation} requires ${flag}`);
    return problems;
}
