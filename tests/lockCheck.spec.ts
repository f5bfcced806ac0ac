import * as assert from "assert";
import { integrityProblem, readLock } from "../tools/deps/lockCheck";

/** The supply-chain check (npm run supply-chain): the lock file installs only what the registry publishes. */
describe("supply chain: package-lock.json against the registry", () => {
    const sha = (c: string) => `sha512-${c.repeat(86)}==`;
    // The shape npm 11 writes with omit-lockfile-registry-resolved (no `resolved`), an alias's `name` included.
    const lock = {
        lockfileVersion: 3,
        packages: {
            "": { name: "oe-lab-ipm", version: "0.2.0" },
            "node_modules/yaml": { version: "2.9.1", integrity: sha("a") },
            "node_modules/@pulumi/docker": { version: "4.11.2", integrity: sha("b") },
            "node_modules/docker-classic": { name: "@pulumi/docker", version: "3.6.1", integrity: sha("c") },
            "node_modules/x/node_modules/yaml": { version: "2.9.1", integrity: sha("a") },
            "node_modules/from-git": { version: "1.0.0", resolved: "git+ssh://git@github.com/o/r.git#abc" },
            "node_modules/no-integrity": { version: "1.0.0" },
            "node_modules/sha1-only": { version: "1.0.0", integrity: "sha1-AAAA" },
            "node_modules/linked": { link: true, resolved: "packages/linked" },
        },
    };

    it("reads each registry package once (by name and version, aliases by their registry name)", () => {
        const { locked } = readLock(lock);
        assert.deepStrictEqual(
            locked.map((l) => [l.name, l.version, l.paths]),
            [
                ["yaml", "2.9.1", ["node_modules/yaml", "node_modules/x/node_modules/yaml"]],
                ["@pulumi/docker", "4.11.2", ["node_modules/@pulumi/docker"]],
                ["@pulumi/docker", "3.6.1", ["node_modules/docker-classic"]],
            ],
        );
    });

    it("refuses an entry from outside the registry or without a SHA-512 integrity, every one at once", () => {
        assert.deepStrictEqual(readLock(lock).problems, [
            "node_modules/from-git: resolved from git+ssh://git@github.com/o/r.git#abc, not from https://registry.npmjs.org",
            "node_modules/no-integrity: no version or no SHA-512 integrity (none)",
            "node_modules/sha1-only: no version or no SHA-512 integrity (sha1-AAAA)",
        ]);
        assert.deepStrictEqual(readLock({ lockfileVersion: 1 }).problems, [
            "package-lock.json has no `packages` (lockfileVersion 2 or 3 is needed)",
        ]);
    });

    it("holds the lock file's integrity to the registry's manifest of that version", () => {
        const [yaml] = readLock(lock).locked;
        assert.strictEqual(integrityProblem(yaml, { dist: { integrity: sha("a") } }), undefined);
        assert.strictEqual(
            integrityProblem(yaml, { dist: { integrity: sha("z") } }),
            `yaml@2.9.1: the lock file's integrity ${sha("a")} is not the registry's ${sha("z")}`,
        );
        assert.strictEqual(integrityProblem(yaml, undefined), "yaml@2.9.1: the registry publishes no such version");
    });
});
