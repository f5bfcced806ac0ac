/**
 * `npm run diagram`: after the plan has written docs/test-stack.mmd, copy it into the mermaid
 * block of docs/plan.md, so the two never disagree (tests/plan.spec.ts checks both).
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../config/stackFiles";

const page = path.join(PROJECT_ROOT, "docs", "plan.md");
const diagram = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "test-stack.mmd"), "utf8");
const text = fs.readFileSync(page, "utf8");
const block = /```mermaid\n[\s\S]*?```\n/;
if (!block.test(text)) {
    throw new Error("docs/plan.md has no ```mermaid block to update");
}
fs.writeFileSync(
    page,
    text.replace(block, () => "```mermaid\n" + diagram + "```\n"),
);
