/**
 * `npm run diagram`: after the plan has written docs/test-stack.mmd, copy it into the README's
 * mermaid block, so the two never disagree (tests/plan.spec.ts checks both).
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../config/stackFiles";

const readme = path.join(PROJECT_ROOT, "README.md");
const diagram = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "test-stack.mmd"), "utf8");
const text = fs.readFileSync(readme, "utf8");
const block = /```mermaid\n[\s\S]*?```\n/;
if (!block.test(text)) {
    throw new Error("README.md has no ```mermaid block to update");
}
fs.writeFileSync(readme, text.replace(block, () => "```mermaid\n" + diagram + "```\n"));
