import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { arrayBounds, configReference, rawDefault, patchOperatingSystemRows, ReferenceKey } from "../config/reference";
import { CONFIG_DEFAULTS } from "../config/schema";
import { PROJECT_ROOT } from "./harness";
import { parsePulumiYaml } from "../config/stackYaml";

/**
 * docs/configuration.md (linked from the README) is the config reference users read. The schema
 * is where defaults and limits live (taken from the components): this spec fails when the two
 * disagree, key by key.
 */
const DOC = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "configuration.md"), "utf8");

interface DocRow {
    readonly key: string;
    readonly type: string;
    readonly default: string;
    readonly allowed: string;
}

/** The rows of the reference table: the one whose header starts with `| key |`. */
function docRows(): DocRow[] {
    const lines = DOC.split("\n");
    const start = lines.findIndex((l) => l.startsWith("| key | type | default |"));
    assert.ok(start >= 0, "docs/configuration.md has no reference table");
    const rows: DocRow[] = [];
    for (const line of lines.slice(start + 2)) {
        if (!line.startsWith("|")) break;
        // Cells split on | that is not escaped (`rate(<n> minutes\|hours\|days)`).
        const cells = line
            .slice(1, -1)
            .split(/(?<!\\)\|/)
            .map((c) => c.trim());
        rows.push({ key: cells[0].replace(/^`|`$/g, ""), type: cells[1], default: cells[2], allowed: cells[3] });
    }
    return rows;
}

/** A documented key as a pattern: `<OS>` and `<name>` stand for any one segment. */
function keyPattern(key: string): RegExp {
    const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/<[^>]+>/g, "[^.\\[]+");
    return new RegExp(`^${escaped}$`);
}

/** How the table writes a default: YAML flow style in backticks. */
function formatDefault(value: unknown): string {
    if (typeof value === "string") return value === "" || /^\d+$/.test(value) ? `\`"${value}"\`` : `\`${value}\``;
    if (Array.isArray(value))
        return value.some((v) => typeof v === "object") ? "(object)" : `\`[${value.join(", ")}]\``;
    if (value !== null && typeof value === "object") return Object.keys(value).length === 0 ? "`{}`" : "(object)";
    return `\`${String(value)}\``;
}

/** The schema's keys a reader sets: leaves and lists (an area or a baseline object is documented by its fields). */
const SCHEMA: ReferenceKey[] = configReference().filter((k) => k.type !== "object");
const ROWS = docRows().filter((r) => !r.key.includes(":")); // aws:region is the provider's key

/**
 * Every way the table disagrees with the schema: keys documented not exactly once, types, requiredness, defaults,
 * limits.
 */
function drift(rows: readonly DocRow[]): string[] {
    const problems: string[] = [];
    const covering = (key: string) => rows.filter((r) => keyPattern(r.key).test(key));
    for (const k of SCHEMA) {
        const n = covering(k.key).length;
        if (n !== 1) problems.push(`${k.key}: documented ${n} times`);
    }
    for (const row of rows) {
        const keys = SCHEMA.filter((k) => keyPattern(row.key).test(k.key));
        if (keys.length === 0) problems.push(`${row.key}: not a key of the schema`);
        for (const k of keys) {
            const type = k.type === "number" ? "integer" : k.type;
            if (row.type !== type) problems.push(`${row.key}: type ${row.type}, schema ${type}`);
            if (k.required !== (row.default === "required"))
                problems.push(`${row.key}: default "${row.default}", schema ${k.required ? "required" : "optional"}`);
            const stated =
                k.min !== undefined && k.max !== undefined
                    ? `${k.min} to ${k.max}`
                    : k.max !== undefined
                      ? `${k.max}`
                      : undefined;
            if (stated !== undefined && !row.allowed.includes(stated))
                problems.push(`${row.key}: "${row.allowed.slice(0, 60)}…" does not say ${stated}`);
        }
        // One default for every key the row covers, and one a cell can show: the cell starts with it.
        const defaults = new Set(keys.map((k) => JSON.stringify(k.default)));
        const value = keys[0]?.default;
        if (
            defaults.size === 1 &&
            value !== undefined &&
            formatDefault(value) !== "(object)" &&
            !row.default.startsWith(formatDefault(value))
        ) {
            problems.push(`${row.key}: default "${row.default}", schema ${formatDefault(value)}`);
        }
    }
    return problems;
}

describe("config reference (docs/configuration.md) against the schema", () => {
    it("documents every key of the schema once, with its type, requiredness, default and limits", () => {
        assert.ok(ROWS.length >= 50, `only ${ROWS.length} rows read`);
        assert.deepStrictEqual(drift(ROWS), []);
    });

    it("shows the default fleet groups as the schema's", () => {
        const block = /```yaml\n# fleet\.groups\n([\s\S]*?)```/.exec(DOC);
        assert.ok(block, "no ```yaml block starting with # fleet.groups");
        assert.deepStrictEqual(parsePulumiYaml(block[1]), CONFIG_DEFAULTS.fleet.groups);
    });

    it("lists each OS's filter keys and values, default rule and rejected patches as PatchingPolicy uses them", () => {
        for (const row of patchOperatingSystemRows())
            assert.ok(DOC.includes(`${row}\n`), `missing or different: ${row}`);
    });

    it("catches a drifted table: a changed default, a missing or removed key, a wrong limit, a wrong type", () => {
        const edit = (key: string, change: Partial<DocRow>) =>
            ROWS.map((r) => (r.key === key ? { ...r, ...change } : r));
        assert.deepStrictEqual(drift(edit("network.vpcCidr", { default: "`10.1.0.0/16`" })), [
            'network.vpcCidr: default "`10.1.0.0/16`", schema `10.0.0.0/16`',
        ]);
        assert.deepStrictEqual(drift(ROWS.filter((r) => r.key !== "fleet.groups[].count")), [
            "fleet.groups[].count: documented 0 times",
        ]);
        assert.deepStrictEqual(
            drift([...ROWS, { key: "fleet.webServerCount", type: "integer", default: "`2`", allowed: "1 to 500." }]),
            ["fleet.webServerCount: not a key of the schema"],
        );
        assert.deepStrictEqual(drift(edit("network.availabilityZones", { allowed: "1 to 6." })), [
            'network.availabilityZones: "1 to 6.…" does not say 1 to 4',
        ]);
        assert.deepStrictEqual(drift(edit("protect", { type: "string" })), ["protect: type string, schema boolean"]);
        assert.deepStrictEqual(drift(edit("fleet.groups[].name", { default: "`Web`" })), [
            'fleet.groups[].name: default "`Web`", schema required',
        ]);
    });
});

describe("config reference: what it reads of a schema besides parsing, each in one function", () => {
    it("reads a default as written through rawDefault (the schema's def.defaultValue)", () => {
        assert.deepStrictEqual(rawDefault(z.object({ a: z.number().default(1) }).prefault({})), {});
        assert.deepStrictEqual(rawDefault(z.number().default(7)), 7);
    });

    it("reads a list's length limits through arrayBounds (its JSON Schema's minItems/maxItems)", () => {
        assert.deepStrictEqual(arrayBounds(z.array(z.string()).min(1).max(3)), { min: 1, max: 3 });
        assert.deepStrictEqual(arrayBounds(z.array(z.string())), {});
    });
});
