#!/usr/bin/env node
/**
 * `npm run schema`: the Pulumi package schema other languages' SDKs are generated from, inferred
 * offline from the components' TypeScript argument types by @pulumi/pulumi's component provider
 * (the same code the Pulumi CLI runs for `pulumi package add`; no CLI needed here).
 *
 * It type-checks the project (some seconds), so `npm test` reads the committed schema.json, and
 * `--check` (in CI) proves that file current.
 */
import { Command } from "commander";
import * as fs from "fs";
import * as path from "path";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import { PACKAGE_NAME } from "../../components/tokens";
import { PROJECT_ROOT } from "../../config/stackFiles";

/** Where the committed schema lives. */
export const SCHEMA_FILE = path.join(PROJECT_ROOT, "docs", "schema.json");

/** The inferred schema, as the CLI would see it, pretty-printed with sorted keys (stable across runs). */
export async function inferSchema(): Promise<string> {
    // What run-plugin loads: `require(<package dir>)`, i.e. package.json's `main` (the compiled
    // components); every ComponentResource it exports is a component (docs/package.md).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const components = getPulumiComponents(require(PROJECT_ROOT));
    const provider = new ComponentProvider({ components, dirname: PROJECT_ROOT, name: PACKAGE_NAME });
    return `${JSON.stringify(sortKeys(JSON.parse(await provider.getSchema())), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(
        Object.keys(value)
            .sort()
            .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
}

async function main(argv: string[]): Promise<number> {
    const options = new Command("schema")
        .description("Print the package schema inferred from the components (offline)")
        .option("--out <file>", "write it to a file instead")
        .option("--check", `fail unless ${path.relative(PROJECT_ROOT, SCHEMA_FILE)} is current`)
        .parse(argv)
        .opts<{ out?: string; check?: boolean }>();
    const schema = await inferSchema();
    if (options.check) {
        const committed = fs.existsSync(SCHEMA_FILE) ? fs.readFileSync(SCHEMA_FILE, "utf8") : "";
        if (committed !== schema) {
            process.stderr.write(
                `${path.relative(PROJECT_ROOT, SCHEMA_FILE)} is out of date: regenerate it with npm run schema -- --out docs/schema.json\n`,
            );
            return 1;
        }
        process.stdout.write(`${path.relative(PROJECT_ROOT, SCHEMA_FILE)} is current.\n`);
        return 0;
    }
    if (options.out) fs.writeFileSync(options.out, schema);
    else process.stdout.write(schema);
    return 0;
}

if (require.main === module) {
    main(process.argv).then(
        (code) => (process.exitCode = code),
        (error: Error) => {
            process.stderr.write(`schema: ${error.message}\n`);
            process.exitCode = 1;
        },
    );
}
