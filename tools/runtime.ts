/**
 * The Node.js runtimes the commands support, checked before anything else is loaded: each CLI
 * imports ./runtimeCheck first, so that a runtime too old to load our dependencies gets a message
 * instead of a crash. (commander 15 and mocha 12 are ES modules that CommonJS code loads through
 * `require(esm)`, unflagged since Node.js 20.19 and 22.12; `@pulumi/pulumi` declares
 * `engines: node >=22` since 3.249.0, pulumi/pulumi#23722.)
 */
import { EXIT } from "./common/exit";

/** The supported majors: the active and maintenance LTS releases (https://nodejs.org/en/about/previous-releases). */
export const SUPPORTED_NODE_MAJORS = [22, 24] as const;

export const NODE_DOWNLOAD = "https://nodejs.org/en/download";

/** What the commands say about a Node.js version: nothing, a one-line warning, or a refusal. */
export type RuntimeVerdict = { readonly refuse: boolean; readonly message: string } | undefined;

/** `version` as process.versions.node gives it ("20.20.2"). */
export function runtimeVerdict(version: string): RuntimeVerdict {
    const [major, minor] = version.split(".").map(Number);
    const supported = `oe-lab-ipm supports Node.js ${SUPPORTED_NODE_MAJORS.join(" and ")}`;
    if (major < 20 || (major === 20 && minor < 19) || (major === 22 && minor < 12))
        return {
            refuse: true,
            message: `Node.js ${version} cannot run these commands: ${supported} (22.12 or later). Install one: ${NODE_DOWNLOAD}`,
        };
    if (major === 22 || major === 24) return undefined;
    if (major < 22)
        return {
            refuse: false,
            message: `warning: Node.js ${version} reached end of life; ${supported}. The commands still run on it (AWS SDK releases from January 2027 on will not): ${NODE_DOWNLOAD}`,
        };
    return {
        refuse: false,
        message: `warning: Node.js ${version} is not tested here; ${supported}.`,
    };
}

/**
 * The AWS SDK's switch for its own Node.js warning: on Node.js below 22 every SDK client emits an
 * 8-line `NodeVersionSupportWarning` (@aws-sdk/core `emitWarningIfUnsupportedVersion`) unless it is "true".
 */
export const SDK_NODE_WARNING_SWITCH = "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED";

/**
 * Prints the verdict on this process's runtime once; exits 5 (EXIT.unavailable) when the runtime cannot
 * run the commands.
 * Where it warns, the SDK's 8 lines would say the same again: its switch is set (unless the user set it).
 */
export function checkRuntime(
    version = process.versions.node,
    env: NodeJS.ProcessEnv = process.env,
    write: (text: string) => unknown = (text) => process.stderr.write(text),
): void {
    const verdict = runtimeVerdict(version);
    if (!verdict) return;
    write(`${verdict.message}\n`);
    if (verdict.refuse) process.exit(EXIT.unavailable);
    env[SDK_NODE_WARNING_SWITCH] ??= "true";
}
