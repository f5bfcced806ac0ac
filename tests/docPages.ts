import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../config/stackFiles";

/** The README a newcomer reads first, its Japanese twin, and the docs they lead to. */
export const PAGES = [
    "README.md",
    "README.ja.md",
    ...fs
        .readdirSync(path.join(PROJECT_ROOT, "docs"))
        .filter((f) => f.endsWith(".md"))
        .map((f) => `docs/${f}`),
];

/** A page's text, by its path from the project's root. */
export const read = (page: string) => fs.readFileSync(path.join(PROJECT_ROOT, page), "utf8");
