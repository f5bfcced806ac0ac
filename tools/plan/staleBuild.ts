/**
 * The commands run the compiled program in bin/ (compiling on every start would cost seconds).
 * When TypeScript sources are newer than the last build, they would describe an older program:
 * say so, and how to fix it.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../config/stackFiles";

const SOURCE_DIRS = [
    "",
    "components",
    "config",
    "policy",
    "tools",
    "tools/contract",
    "tools/fleet",
    "tools/ops",
    "tools/plan",
];

/** The sources changed after the last build, or [] (also when not running from a build). */
export function changedSinceBuild(root = PROJECT_ROOT): string[] {
    // Written by `npm run build` after every successful compile, changed sources or not.
    const marker = path.join(root, "bin", ".built");
    if (!fs.existsSync(marker)) return [];
    const built = fs.statSync(marker).mtimeMs;
    return SOURCE_DIRS.flatMap((dir) => {
        const folder = path.join(root, dir);
        if (!fs.existsSync(folder)) return [];
        return fs
            .readdirSync(folder)
            .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
            .map((f) => path.join(dir, f))
            .filter((f) => fs.statSync(path.join(root, f)).mtimeMs > built);
    });
}

/** A warning line for stderr, or undefined when the build is current. */
export function staleBuildWarning(root = PROJECT_ROOT): string | undefined {
    const changed = changedSinceBuild(root);
    return changed.length === 0
        ? undefined
        : `warning: ${changed.slice(0, 3).join(", ")}${changed.length > 3 ? ` and ${changed.length - 3} more` : ""} changed after the last build; run 'npm run build' so the command uses them\n`;
}
