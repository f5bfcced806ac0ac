import * as assert from "assert";
import { buildPlan, Plan } from "../tools/plan/model";
import { renderPlan } from "../tools/plan/render";
import { main as planMain } from "../tools/plan/cli";
import { evaluateStack } from "../tools/plan/evaluate";
import { PAGES, read } from "./docPages";

/**
 * Every resource count README.md and docs/ state, read from the page and held against the plan of
 * its stack (Plan.toCreate: what `pulumi preview` prints as "to create"). Nothing here is a number:
 * engineers add resources, the plan says how many there are, and the pages must follow.
 */
interface Claim {
    readonly page: string;
    /** Captures the stated count. */
    readonly pattern: RegExp;
    readonly stack: string;
    /** The count from the plan; default: what `pulumi preview` counts. */
    readonly count?: (plan: Plan) => number;
}

const CLAIMS: readonly Claim[] = [
    { page: "README.md", pattern: /`npm run plan -- --stack test` counts (\d+)\s+resources/, stack: "test" },
    { page: "README.md", pattern: /\(`prod`, with its runbook: (\d+);/, stack: "prod" },
    { page: "README.md", pattern: /`reporting`: (\d+)\)/, stack: "reporting" },
    { page: "docs/plan.md", pattern: /Resources: (\d+) to create/, stack: "test" },
    { page: "docs/existing-fleet.md", pattern: /shows what it creates\s+\((\d+) resources/, stack: "existing" },
    { page: "docs/organization.md", pattern: /a stack of an `existing` fleet \((\d+) resources\)/, stack: "existing" },
    { page: "docs/reporting.md", pattern: /What it creates \((\d+) resources\)/, stack: "reporting" },
    {
        page: "docs/changes.md",
        pattern: /In prod that is (\d+) of the \d+ resources/,
        stack: "prod",
        count: (p) => p.toCreate - 1,
    },
    { page: "docs/changes.md", pattern: /In prod that is \d+ of the (\d+) resources/, stack: "prod" },
];

/** Counts of a past version, kept as history (each held by the spec named). */
const HISTORY: readonly string[] = [
    // tests/protect.spec.ts: prod's former protection, on the same dependency graph.
    "have deleted 55 of its 65 resources",
    // tests/upgrade.spec.ts: the 0.1 to 0.2 upgrade without the aliases.
    "31 resources would have been recreated: all 27 of the reporting stack",
];

const COUNT = /\b\d[\d,]* (?:of (?:its|the) \d+ )?(?:AWS )?resources\b|\b\d+ to create\b|\d+ 個のリソース/g;

describe("README and docs: every resource count is the plan's", () => {
    const plans = new Map<string, Plan>();
    before(async () => {
        for (const stack of new Set(CLAIMS.map((c) => c.stack)))
            plans.set(stack, buildPlan(await evaluateStack(stack, [], { values: "placeholder" })));
    });

    for (const claim of CLAIMS) {
        it(`${claim.page}: ${claim.pattern.source} is stack ${claim.stack}'s count`, () => {
            const found = claim.pattern.exec(read(claim.page));
            assert.ok(found, `${claim.page} no longer says ${claim.pattern}: update the claim here with the page`);
            const plan = plans.get(claim.stack)!;
            assert.strictEqual(Number(found[1]), (claim.count ?? ((p: Plan) => p.toCreate))(plan));
        });
    }

    it("no page states a count this spec does not check", () => {
        const unchecked: string[] = [];
        for (const page of PAGES) {
            const text = read(page).replace(/\s+/g, " ");
            for (const m of text.matchAll(COUNT)) {
                const around = text.slice(Math.max(0, m.index - 120), m.index + m[0].length + 80);
                const checked = CLAIMS.some((c) => c.page === page && new RegExp(c.pattern.source).test(around));
                const history = HISTORY.some((h) => around.includes(h));
                if (!checked && !history) unchecked.push(`${page}: …${around}…`);
            }
        }
        assert.deepStrictEqual(unchecked, []);
    });

    it("docs/plan.md's sample shows lines of the real output", () => {
        const sample = /```\n(Plan of stack "test"[\s\S]*?)```/.exec(read("docs/plan.md"))![1];
        const output = new Set(renderPlan(plans.get("test")!).split("\n"));
        const missing = sample.split("\n").filter((line) => line !== "…" && line !== "" && !output.has(line));
        assert.deepStrictEqual(missing, []);
    });

    it("plan --check counts what the summary counts, also with a StackReference (read, not created)", async () => {
        for (const stack of ["test", "prod"]) {
            let stdout = "";
            const write = process.stdout.write;
            process.stdout.write = ((text: string) => ((stdout += text), true)) as typeof process.stdout.write;
            try {
                assert.strictEqual(await planMain(["node", "plan", "--stack", stack, "--check"]), 0);
            } finally {
                process.stdout.write = write;
            }
            const summary = /\nResources: (\d+) to create/.exec(stdout)![1];
            const checked = /\nAPI contract: every request of the (\d+) resources to create passes/.exec(stdout)![1];
            assert.deepStrictEqual([stack, checked], [stack, summary]);
            if (stack === "prod") assert.strictEqual(Number(summary), plans.get("prod")!.toCreate);
        }
    });
});
