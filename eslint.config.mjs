// Typed linting: @pulumi/eslint-plugin's rules need type information (projectService).
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

/** Imports the deployed program (index.ts, config/, components/) may never make: the offline tooling and the specs. */
const TOOLING = {
    group: ["**/tools", "**/tools/**", "**/tests", "**/tests/**", "**/policy", "**/policy/**"],
    message: "The deployed program (index.ts, config/, components/) never loads the tooling, specs or policies.",
};

export default tseslint.config(
    { ignores: ["node_modules/**", "bin/**", "eslint.config.mjs"] },
    ...tseslint.configs.recommended,
    {
        languageOptions: { parserOptions: { project: "./tsconfig.json", tsconfigRootDir: import.meta.dirname } },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            "@typescript-eslint/no-floating-promises": "error",
            // Prettier wraps code at 120; a user-facing message string stays whole on its line so that
            // it can be found by grepping for what the user saw (as the Linux kernel's coding style asks).
            "max-len": [
                "error",
                {
                    code: 120,
                    ignoreUrls: true,
                    ignoreStrings: true,
                    ignoreTemplateLiterals: true,
                    ignoreRegExpLiterals: true,
                },
            ],
            "max-lines": ["error", { max: 450 }],
            "max-lines-per-function": ["error", { max: 100 }],
        },
    },
    {
        // Layers: the deployed program never imports the tooling.
        files: ["index.ts", "config/**/*.ts"],
        rules: { "no-restricted-imports": ["error", { patterns: [TOOLING] }] },
    },
    {
        // Components stand alone: they import each other's helpers and packages, nothing else of the project.
        files: ["components/**/*.ts"],
        rules: {
            "no-restricted-imports": [
                "error",
                {
                    patterns: [
                        TOOLING,
                        { group: ["../*", "../**"], message: "Components import only ./ siblings and packages." },
                    ],
                },
            ],
        },
    },
    {
        // The plan, the API contract, the policies and the specs read resource inputs, which are untyped JSON.
        files: ["tools/**/*.ts", "policy/**/*.ts", "tests/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
    {
        // A spec's describe() holds its cases: its length is not a function's.
        files: ["tests/**/*.ts"],
        rules: { "max-lines-per-function": "off" },
    },
);
