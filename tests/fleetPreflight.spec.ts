import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { version as pulumiVersion } from "@pulumi/pulumi/version";
import { automationWorkspace, PULUMI_INSTALL, UnavailableError } from "../tools/fleet/automation";
import { main, runtime } from "../tools/fleet/cli";
import { EXIT } from "../tools/common/exit";
import { Changes, FleetWorkspace } from "../tools/fleet/orchestrator";
import { PROJECT_ROOT } from "./harness";
import { captured } from "./captured";

const TARGETS = path.join(PROJECT_ROOT, "targets.example.yaml");

const fleet = (...args: string[]) => captured(() => main(["node", "fleet", ...args]));

describe("fleet preview, up, destroy: what every target needs is checked once, before any target", () => {
    const original = runtime.workspace;
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-preflight-"))));
    afterEach(() => {
        runtime.workspace = original;
        fs.rmSync(dir, { recursive: true, force: true });
    });

    for (const operation of ["preview", "up"]) {
        it(`${operation}: one message, exit 5, no target run, no state written`, async () => {
            const runs: string[] = [];
            let checks = 0;
            runtime.workspace = (): FleetWorkspace => ({
                async preflight() {
                    checks++;
                    throw new UnavailableError(`The Pulumi CLI is missing. Install it: ${PULUMI_INSTALL}`);
                },
                async run(target): Promise<Changes> {
                    runs.push(target.stack);
                    return {};
                },
            });
            const r = await fleet(operation, "--targets", TARGETS, "--dir", path.join(dir, "state"));
            assert.deepStrictEqual(
                [r.code, r.stdout, r.stderr, checks, runs],
                [5, "", `The Pulumi CLI is missing. Install it: ${PULUMI_INSTALL}\n`, 1, []],
            );
            assert.strictEqual(fs.existsSync(path.join(dir, "state")), false);
        });
    }

    it("the Automation API's workspace: no pulumi on PATH is said once, with the install link", async () => {
        const saved = process.env.PATH;
        process.env.PATH = dir; // an empty folder: no pulumi
        try {
            await assert.rejects(
                automationWorkspace({ assumeRole: true }).preflight!(),
                (e: Error) =>
                    e instanceof UnavailableError &&
                    e.message ===
                        "The Pulumi CLI is needed for fleet preview, up and destroy (not found on PATH). Install it: https://www.pulumi.com/docs/iac/download-install/\n(fleet plan needs no CLI and no credentials.)",
            );
        } finally {
            process.env.PATH = saved;
        }
    });

    it("no AWS credentials: the real preflight says so once, exit 5, no target started, no state written", async () => {
        // A Pulumi CLI on PATH (it prints this SDK's own version), so the credentials are what is missing.
        fs.writeFileSync(path.join(dir, "pulumi"), `#!/bin/sh\necho v${pulumiVersion}\n`, { mode: 0o755 });
        for (const name of ["config", "credentials"]) fs.writeFileSync(path.join(dir, name), "");
        // The SDK's default chain with nothing to find: no AWS_* credential variables, empty shared
        // files, no instance metadata (AWS_EC2_METADATA_DISABLED), so every provider fails at once
        // (@aws-sdk/credential-provider-node defaultProvider: env, SSO, ini, process, web identity, IMDS).
        // The SDK's Node.js notice switch stays: it is not a credential.
        const saved = { ...process.env };
        for (const name of Object.keys(process.env))
            if (name.startsWith("AWS_") && name !== "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED")
                delete process.env[name];
        Object.assign(process.env, {
            PATH: `${dir}${path.delimiter}${saved.PATH}`,
            AWS_CONFIG_FILE: path.join(dir, "config"),
            AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "credentials"),
            AWS_EC2_METADATA_DISABLED: "true",
        });
        const runs: string[] = [];
        runtime.workspace = (options): FleetWorkspace => ({
            preflight: automationWorkspace(options).preflight,
            async run(target): Promise<Changes> {
                runs.push(target.stack);
                return {};
            },
        });
        let r: Awaited<ReturnType<typeof fleet>>;
        try {
            r = await fleet("up", "--targets", TARGETS, "--dir", path.join(dir, "state"));
        } finally {
            for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
            Object.assign(process.env, saved);
        }
        assert.deepStrictEqual(
            [r.code, r.stdout, r.stderr, runs],
            [
                EXIT.unavailable,
                "",
                "No AWS credentials for the targets' providers (Could not load credentials from any providers): set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run aws sso login (https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html).\n",
                [],
            ],
        );
        assert.strictEqual(EXIT.unavailable, 5);
        assert.strictEqual(fs.existsSync(path.join(dir, "state")), false);
    });
});
