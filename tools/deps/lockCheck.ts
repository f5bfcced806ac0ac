#!/usr/bin/env node
/**
 * `npm run supply-chain`: every package package-lock.json installs is one the npm registry
 * publishes, byte for byte. For each entry it asks the registry for that version's manifest
 * (`GET /<name>/<version>`) and holds the lock file's `integrity` to the manifest's
 * `dist.integrity`; an entry from elsewhere (git, a tarball URL, a folder) or without a SHA-512
 * integrity is refused too. `npm ci` then checks each tarball against the lock file, so what is
 * installed is what the registry serves for that name and version.
 *
 * It is not an advisory check: the registry's advisory endpoints answer 405 on these machines and no
 * advisory database reaches them (docs/testing.md, "Supply chain").
 */
import * as fs from "fs";
import * as path from "path";

/** The registry package-lock.json resolves against (`omit-lockfile-registry-resolved` keeps URLs out of it). */
export const REGISTRY = "https://registry.npmjs.org";

/** What package-lock.json (lockfileVersion 2 or 3) says of one installed package. */
export interface LockEntry {
    readonly version?: string;
    readonly resolved?: string;
    readonly integrity?: string;
    readonly link?: boolean;
    /** The registry name of an alias (`"docker-classic": "npm:@pulumi/docker@3.6.1"`). */
    readonly name?: string;
}

/** One package version the lock file installs, where it sits in node_modules. */
export interface Locked {
    readonly name: string;
    readonly version: string;
    readonly integrity: string;
    readonly paths: string[];
}

/** The package's name from its node_modules path (`node_modules/a/node_modules/@s/b` is `@s/b`). */
export function packageName(lockPath: string): string {
    return lockPath.slice(lockPath.lastIndexOf("node_modules/") + "node_modules/".length);
}

/** The lock file's registry packages (one per name and version), and the problems of the other entries. */
export function readLock(lock: { lockfileVersion?: number; packages?: Record<string, LockEntry> }): {
    locked: Locked[];
    problems: string[];
} {
    if (!lock.packages || (lock.lockfileVersion ?? 0) < 2)
        return { locked: [], problems: ["package-lock.json has no `packages` (lockfileVersion 2 or 3 is needed)"] };
    const problems: string[] = [];
    const byKey = new Map<string, Locked>();
    for (const [where, entry] of Object.entries(lock.packages)) {
        if (where === "" || entry.link) continue; // the project itself; a workspace link
        const name = entry.name ?? packageName(where);
        if (entry.resolved !== undefined && !entry.resolved.startsWith(`${REGISTRY}/`))
            problems.push(`${where}: resolved from ${entry.resolved}, not from ${REGISTRY}`);
        else if (!entry.version || !entry.integrity?.startsWith("sha512-"))
            problems.push(`${where}: no version or no SHA-512 integrity (${entry.integrity ?? "none"})`);
        else {
            const key = `${name}@${entry.version}`;
            const seen = byKey.get(key);
            if (seen && seen.integrity !== entry.integrity)
                problems.push(`${where}: ${key} has two integrities in the lock file`);
            byKey.set(key, {
                name,
                version: entry.version,
                integrity: entry.integrity,
                paths: [...(seen?.paths ?? []), where],
            });
        }
    }
    return { locked: [...byKey.values()], problems };
}

/** The problem of one locked package against the registry's manifest of that version (undefined: none). */
export function integrityProblem(
    locked: Locked,
    manifest: { dist?: { integrity?: string } } | undefined,
): string | undefined {
    const at = `${locked.name}@${locked.version}`;
    if (!manifest) return `${at}: the registry publishes no such version`;
    if (manifest.dist?.integrity !== locked.integrity)
        return `${at}: the lock file's integrity ${locked.integrity} is not the registry's ${manifest.dist?.integrity ?? "(none)"}`;
    return undefined;
}

async function manifest(locked: Locked): Promise<{ dist?: { integrity?: string } } | undefined> {
    const url = `${REGISTRY}/${locked.name.replace("/", "%2f")}/${locked.version}`;
    for (let attempt = 1; ; attempt++) {
        try {
            const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
            if (response.status === 404) return undefined;
            if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
            return (await response.json()) as { dist?: { integrity?: string } };
        } catch (error) {
            if (attempt === 3) throw error;
        }
    }
}

async function main(): Promise<number> {
    const file = path.resolve(process.argv[2] ?? "package-lock.json");
    const { locked, problems } = readLock(JSON.parse(fs.readFileSync(file, "utf8")));
    const queue = [...locked];
    const workers = Array.from({ length: 16 }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
            const problem = integrityProblem(next, await manifest(next));
            if (problem) problems.push(problem);
        }
    });
    await Promise.all(workers);
    if (problems.length > 0) {
        console.error(
            `${path.basename(file)}: ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
        );
        return 1;
    }
    console.log(
        `${path.basename(file)}: ${locked.length} packages, each the registry's tarball for its version (${REGISTRY})`,
    );
    return 0;
}

if (require.main === module) {
    main().then(
        (code) => (process.exitCode = code),
        (error: Error) => {
            console.error(`supply-chain check could not reach the registry: ${error.message}`);
            process.exitCode = 3;
        },
    );
}
