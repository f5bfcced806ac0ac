/**
 * The credentials of a role in a target's account, for the fleet's own reads (`fleet coverage`):
 * STS AssumeRole with the caller's ambient credentials, in the target's Region, as a provider the
 * AWS SDK calls again before the credentials expire.
 *
 * AssumeRole (STS API reference, https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html):
 * RoleSessionName 2-64 of `[\w+=,.@-]`, shown in the target account's CloudTrail; DurationSeconds
 * 900 to the role's maximum session duration, and at most 3600 when the caller is itself a role
 * ("Role chaining limits your AWS CLI or AWS API role session to a maximum of one hour"). The
 * SDK refreshes a credentials provider's result 5 minutes before its `expiration`
 * (@smithy/core memoizeIdentityProvider, EXPIRATION_MS = 300_000); the clients of one target share
 * one provider, so one target assumes its role once an hour, whatever the number of clients.
 */
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";

/** Credentials as the AWS SDK's clients take them (its AwsCredentialIdentity). */
export interface Credentials {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
    readonly expiration?: Date;
}
export type CredentialsProvider = () => Promise<Credentials>;

/** The session name CloudTrail shows for coverage's reads in every target account. */
export const COVERAGE_SESSION_NAME = "oe-lab-ipm-fleet-coverage";
/** One hour: the longest session role chaining allows (the runner is usually a role itself). */
export const SESSION_SECONDS = 3600;
/** Assume again this long before the credentials expire (the SDK's own margin). */
export const REFRESH_BEFORE_MS = 300_000;

/** AssumeRole refused (or failed): the role, AWS's error code and message. */
export class AssumeRoleError extends Error {
    constructor(
        public readonly roleArn: string,
        public readonly code: string,
        detail: string,
    ) {
        super(`sts:AssumeRole of ${roleArn} failed: ${code}: ${detail}`);
        this.name = "AssumeRoleError";
    }
}

export interface AssumeOptions {
    readonly sts: STSClient;
    readonly roleArn: string;
    readonly sessionName?: string;
    readonly signal?: AbortSignal;
    /** The clock (specs). */
    readonly now?: () => number;
}

/**
 * A provider of the role's credentials: the first call assumes the role, later calls return the
 * same credentials until they are within REFRESH_BEFORE_MS of their expiration, then assume again
 * (concurrent calls share one request).
 */
export function assumedRole(options: AssumeOptions): CredentialsProvider {
    const now = options.now ?? Date.now;
    let current: Credentials | undefined;
    let pending: Promise<Credentials> | undefined;
    const assume = async (): Promise<Credentials> => {
        try {
            const answer = await options.sts.send(
                new AssumeRoleCommand({
                    RoleArn: options.roleArn,
                    RoleSessionName: options.sessionName ?? COVERAGE_SESSION_NAME,
                    DurationSeconds: SESSION_SECONDS,
                }),
                { abortSignal: options.signal },
            );
            const c = answer.Credentials;
            if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
                throw new AssumeRoleError(options.roleArn, "NoCredentials", "the answer carried no credentials");
            return {
                accessKeyId: c.AccessKeyId,
                secretAccessKey: c.SecretAccessKey,
                sessionToken: c.SessionToken,
                expiration: c.Expiration ? new Date(c.Expiration) : undefined,
            };
        } catch (error) {
            if (error instanceof AssumeRoleError) throw error;
            const e = error as Error;
            throw new AssumeRoleError(options.roleArn, e.name || "Error", e.message.split("\n")[0]);
        }
    };
    return async () => {
        const fresh = current && (!current.expiration || current.expiration.getTime() - now() > REFRESH_BEFORE_MS);
        if (fresh) return current!;
        pending ??= assume().finally(() => (pending = undefined));
        current = await pending;
        return current;
    };
}
