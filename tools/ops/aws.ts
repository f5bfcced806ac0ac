/**
 * Calls to AWS, each named by its IAM action, so that a failure becomes a clear message: no
 * credentials, access denied (which action), or the service's own error. Never a stack trace.
 */
import { EXIT } from "../common/exit";

/** A failed AWS call, with the IAM action it needed. */
export class AwsCallError extends Error {
    constructor(
        public readonly action: string,
        public readonly cause: Error,
    ) {
        super(`${action}: ${cause.message}`);
        this.name = "AwsCallError";
    }
}

/** A problem the operator can act on: printed as is, with an exit code. */
export class OpsError extends Error {
    constructor(
        message: string,
        public readonly exitCode: number,
    ) {
        super(message);
        this.name = "OpsError";
    }
}

export { EXIT } from "../common/exit";

export async function call<T>(action: string, request: () => Promise<T>): Promise<T> {
    try {
        return await request();
    } catch (error) {
        throw new AwsCallError(action, error as Error);
    }
}

/** Every item of every page of a paginated call. */
export async function collect<Page, Item>(
    action: string,
    pages: AsyncIterable<Page>,
    items: (page: Page) => Item[] | undefined,
): Promise<Item[]> {
    const all: Item[] = [];
    try {
        for await (const page of pages) {
            all.push(...(items(page) ?? []));
        }
    } catch (error) {
        throw new AwsCallError(action, error as Error);
    }
    return all;
}

const ACCESS_DENIED = new Set([
    "AccessDeniedException",
    "AccessDenied",
    "UnauthorizedOperation",
    "UnrecognizedClientException",
]);

type SdkError = Error & { $metadata?: { httpStatusCode?: number; attempts?: number } };

/** HTTP status of a failed call, if AWS (or something in between) answered at all. */
export function httpStatus(error: Error): number | undefined {
    return (error as SdkError).$metadata?.httpStatusCode;
}

/** Whether AWS refused the caller (no retry and no other instance can do better). */
export function isAccessProblem(error: Error): boolean {
    return isCredentialsProblem(error) || ACCESS_DENIED.has(error.name) || httpStatus(error) === 403;
}

function isCredentialsProblem(error: Error): boolean {
    return error.name === "CredentialsProviderError" || /could not load credentials/i.test(error.message);
}

/** The message and exit code for an AWS failure; `profile` is the one --profile named. */
export function describeAwsError(error: AwsCallError, profile?: string): OpsError {
    return new OpsError(describeCause(error, profile), EXIT.aws);
}

/** What AWS did, in one sentence. */
export function describeCause(error: AwsCallError, profile?: string): string {
    const cause = error.cause as SdkError;
    const status = httpStatus(cause);
    const tries =
        cause.$metadata?.attempts && cause.$metadata.attempts > 1
            ? ` (after ${cause.$metadata.attempts} attempts)`
            : "";
    if (isCredentialsProblem(cause)) {
        return profile !== undefined
            ? `No AWS credentials for profile "${profile}" (--profile): is it in ~/.aws/config or ~/.aws/credentials? Set it up with 'aws configure --profile ${profile}' or 'aws sso login --profile ${profile}'.`
            : "No AWS credentials found: set AWS_PROFILE or pass --profile, run 'aws configure' or 'aws sso login', or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.";
    }
    if (ACCESS_DENIED.has(cause.name) || status === 403) {
        return `Access denied: your credentials may not call ${error.action}. ${cause.message}`;
    }
    if (cause.name === "SyntaxError" || /Deserialization error/.test(cause.message)) {
        return `${error.action} failed: AWS answered HTTP ${status ?? "?"} with a page that is not an API response${tries} (the service or a proxy in between is unavailable; try again later).`;
    }
    return `${error.action} failed${tries}: ${cause.name}: ${cause.message || `HTTP ${status ?? "?"}`}`;
}
