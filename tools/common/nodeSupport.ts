/**
 * The AWS SDK's Node.js support notice, once and in one line. On Node.js below 22 every SDK client
 * made in a process emits an 8-line `NodeVersionSupportWarning` (@aws-sdk/core,
 * dist-cjs/submodules/client `emitWarningIfUnsupportedVersion`) unless
 * `AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true`, the SDK's own switch for it. The CLIs say
 * it in one line and set that switch; other warnings are untouched.
 */

/** The SDK's switch (@aws-sdk/core) for its Node.js version warning. */
export const SDK_NODE_WARNING_SWITCH = "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED";

/** The SDK's first Node.js major without the warning (`vv` in emitWarningIfUnsupportedVersion). */
const SDK_NODE_MAJOR = 22;

/** The one line to print (and the SDK's own warning turned off), or undefined when there is nothing to say. */
export function sdkNodeNotice(version: string, env: NodeJS.ProcessEnv): string | undefined {
    if (env[SDK_NODE_WARNING_SWITCH] === "true") return undefined;
    env[SDK_NODE_WARNING_SWITCH] = "true";
    const major = Number(/^v(\d+)\./.exec(version)?.[1]);
    if (!(major < SDK_NODE_MAJOR)) return undefined;
    return `note: Node.js ${version} works (package.json engines: ^20.19, ^22.12, ^24), but AWS SDK releases after the first week of January 2027 need Node.js ${SDK_NODE_MAJOR} or later (https://a.co/c895JFp). Set ${SDK_NODE_WARNING_SWITCH}=true to hide this line.\n`;
}
