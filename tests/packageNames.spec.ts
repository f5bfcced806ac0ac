import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PACKAGE_NAME } from "../components/tokens";
import { PROJECT_ROOT } from "../config/stackFiles";

/*
 * The names `pulumi package add <git URL>` generates, by Pulumi's rules, and every place the docs
 * and examples name them. A package added from a git URL takes the repository's owner, lowercased,
 * as its namespace (pulumi/pulumi pkg/cmd/pulumi/packages/packages.go setSpecNamespace).
 */

/** The names the CLI generates for this package added from a repository of `owner`. */
export function generatedNames(owner: string) {
    const namespace = owner.toLowerCase();
    const pascal = (name: string) =>
        name
            .split("-")
            .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
            .join("");
    return {
        // packages.go InstallPackage: outName = namespace + "-" + name under sdks/.
        folder: `sdks/${namespace}-${PACKAGE_NAME}`,
        // pkg/codegen/python/gen.go PyPack.
        python: `${namespace.replace(/-/g, "_")}_${PACKAGE_NAME.replace(/-/g, "_")}`,
        // pkg/codegen/go/gen.go ExtractModulePath (SupportPack: /sdk/go), ExtractImportBasePath (goPackage drops "-").
        go: `github.com/${namespace}/pulumi-${PACKAGE_NAME}/sdk/go/${PACKAGE_NAME.replace(/-/g, "")}`,
        // pulumi-dotnet codegen/importer.go normalizePackageInfo, codegen/gen.go namespaceName.
        csharp: `${pascal(namespace)}.${pascal(PACKAGE_NAME)}`,
    };
}

const FILES = [
    "README.md",
    "README.ja.md",
    "docs/package.md",
    "examples/python-existing-fleet/__main__.py",
    "examples/python-existing-fleet/requirements.txt",
    "examples/yaml-existing-fleet/Pulumi.yaml",
];

/** Every problem of a text's package names and refs (none when it names only what the CLI generates). */
export function nameProblems(file: string, text: string): string[] {
    const problems: string[] = [];
    const sources = [...text.matchAll(new RegExp(`https://github\\.com/([\\w.-]+)/${PACKAGE_NAME}(@\\S+)?`, "g"))];
    for (const [source, , ref] of sources) {
        // The repository has no release tag yet: only an unpinned source resolves (to the default branch).
        if (ref) problems.push(`${file}: ${source} pins ${ref}, which does not exist`);
    }
    const owners = new Set(sources.map(([, owner]) => owner));
    if (owners.size > 1) problems.push(`${file}: several owners ${[...owners].join(", ")}`);
    const [owner] = owners;
    const named = {
        python: text.match(/\b\w+_oe_lab_ipm\b/g) ?? [],
        folder: text.match(/\bsdks\/[\w-]+/g) ?? [],
        go: text.match(/github\.com\/[\w-]+\/pulumi-[\w-]+\/sdk\/go\/\w+/g) ?? [],
        csharp: text.match(/\b[A-Z]\w*\.OeLabIpm\b/g) ?? [],
    };
    if (!owner) {
        if (Object.values(named).some((names) => names.length > 0))
            problems.push(`${file}: names an SDK but no repository`);
        return problems;
    }
    const expected = generatedNames(owner);
    for (const [kind, names] of Object.entries(named) as [keyof typeof named, string[]][]) {
        for (const name of new Set(names)) {
            if (name !== expected[kind])
                problems.push(`${file}: ${kind} ${name} is not what the CLI generates (${expected[kind]})`);
        }
    }
    return problems;
}

describe("the names pulumi package add generates, as the docs and examples give them", () => {
    it("follows Pulumi's codegen rules for an owner with a hyphen and capitals", () => {
        assert.deepStrictEqual(generatedNames("YOUR-ORG"), {
            folder: "sdks/your-org-oe-lab-ipm",
            python: "your_org_oe_lab_ipm",
            go: "github.com/your-org/pulumi-oe-lab-ipm/sdk/go/oelabipm",
            csharp: "YourOrg.OeLabIpm",
        });
    });

    it("README, docs/package.md and the examples name only those, and no ref that does not exist", () => {
        const problems = FILES.flatMap((file) =>
            nameProblems(file, fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8")),
        );
        assert.deepStrictEqual(problems, []);
        // docs/package.md gives every language's name.
        const doc = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "package.md"), "utf8");
        for (const name of Object.values(generatedNames("YOUR-ORG"))) assert.ok(doc.includes(name), name);
    });

    it("the check catches the names the CLI does not produce and a pinned tag that does not exist", () => {
        const text = [
            "pulumi package add https://github.com/YOUR-ORG/oe-lab-ipm@v0.2.0",
            "import pulumi_oe_lab_ipm as oe_lab_ipm",
            "sdks/oe-lab-ipm",
            "github.com/YOUR-ORG/pulumi-oe-lab-ipm/sdk/go/oelabipm",
            "Pulumi.OeLabIpm",
        ].join("\n");
        assert.deepStrictEqual(nameProblems("x", text), [
            "x: https://github.com/YOUR-ORG/oe-lab-ipm@v0.2.0 pins @v0.2.0, which does not exist",
            "x: python pulumi_oe_lab_ipm is not what the CLI generates (your_org_oe_lab_ipm)",
            "x: folder sdks/oe-lab-ipm is not what the CLI generates (sdks/your-org-oe-lab-ipm)",
            "x: go github.com/YOUR-ORG/pulumi-oe-lab-ipm/sdk/go/oelabipm is not what the CLI generates (github.com/your-org/pulumi-oe-lab-ipm/sdk/go/oelabipm)",
            "x: csharp Pulumi.OeLabIpm is not what the CLI generates (YourOrg.OeLabIpm)",
        ]);
    });
});
