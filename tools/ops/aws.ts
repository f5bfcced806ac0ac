/**
 * Calls to AWS, each named by its IAM action, so that a failure becomes a clear message: no
 * credentials, access denied (which action), or the service's own error. Never a stack trace.
 */

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

export const EXIT = {
    /** The operation ran and reported failures, or was not confirmed. */
    failed: 1,
    /** Bad input: flags, stack file, config. */
    usage: 2,
    /** AWS said no: credentials, permissions, missing resources. */
    aws: 3,
} as const;

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

/** The message and exit code for an AWS failure. */
export function describeAwsError(error: AwsCallError): OpsError {
    const cause = error.cause as Error & { $metadata?: { httpStatusCode?: number } };
    if (cause.name === "CredentialsProviderError" || /could not load credentials/i.test(cause.message)) {
        return new OpsError(
            "No AWS credentials found: set AWS_PROFILE or pass --profile, run 'aws configure' or 'aws sso login', or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
            EXIT.aws,
        );
    }
    if (ACCESS_DENIED.has(cause.name) || cause.$metadata?.httpStatusCode === 403) {
        return new OpsError(`Access denied: your credentials may not call ${error.action}. ${cause.message}`, EXIT.aws);
    }
    return new OpsError(`${error.action} failed: ${cause.name}: ${cause.message}`, EXIT.aws);
}
