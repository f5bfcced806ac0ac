/**
 * Output paths checked before any work, so a bad `--json`, `--diagram` or `--out` is a message
 * (exit 2), never a stack trace after minutes of work. Every command that writes a file or a
 * folder a person names checks it here.
 */
import * as fs from "fs";
import * as path from "path";

function statOf(file: string): fs.Stats | undefined {
    try {
        return fs.statSync(file);
    } catch {
        return undefined;
    }
}

function writable(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.W_OK);
        return true;
    } catch {
        return false;
    }
}

/**
 * The problem with a file a command will write (`option` as the person typed it, e.g. `--json`), if
 * any: its folder must exist, it must not be a folder, and an existing file must be writable. An
 * existing file is replaced or appended to, as the option's help says. `example` is a file name to suggest.
 */
export function outputFileProblem(option: string, file: string, example: string): string | undefined {
    const resolved = path.resolve(file);
    const folder = path.dirname(resolved);
    const where = `${option} ${file}`;
    const own = statOf(resolved);
    if (own?.isDirectory())
        return `${where}: is a folder; name a file in it, e.g. ${option} ${path.join(file, example)}.`;
    const parent = statOf(folder);
    if (!parent) return `${where}: the folder ${folder} does not exist; create it or choose another path.`;
    if (!parent.isDirectory()) return `${where}: ${folder} is a file, not a folder; choose another path.`;
    if (own ? !writable(resolved) : !writable(folder))
        return `${where}: not writable (${own ? "the file" : `the folder ${folder}`} denies it); choose another path.`;
    return undefined;
}

/** The problem with a folder a command will create if needed and write into, if any. */
export function outputFolderProblem(option: string, dir: string): string | undefined {
    const resolved = path.resolve(dir);
    const own = statOf(resolved);
    if (own && !own.isDirectory())
        return `${option} ${dir}: is a file, not a folder; name a folder (it is created if missing).`;
    // The nearest folder that exists must let us create the rest.
    let existing = resolved;
    while (!statOf(existing)) existing = path.dirname(existing);
    if (!statOf(existing)!.isDirectory())
        return `${option} ${dir}: ${existing} is a file, not a folder; choose another path.`;
    if (!writable(existing))
        return `${option} ${dir}: not writable (the folder ${existing} denies it); choose another path.`;
    return undefined;
}
