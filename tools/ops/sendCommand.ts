/**
 * SendCommand exactly once. The API has no idempotency token (its input, botocore's
 * ssm/2014-11-06 SendCommandRequest, has no ClientToken), so a retry after an answer lost on the
 * way back (a 5xx, a page that is not an API response, a dropped connection) could start a second
 * patch run. Hence: the SDK never retries SendCommand (the context's `sender` client has
 * maxAttempts 1); every send carries a unique Comment (at most 100 characters); after an ambiguous
 * failure the CLI lists the commands of AWS-RunPatchBaseline invoked since just before the send
 * (ListCommands filters InvokedAfter and DocumentName) and follows the one with that Comment if
 * AWS did accept it. Only when none is listed, twice, does it send again. Throttling (HTTP 400)
 * means AWS refused the request, so it is sent again without a look-up.
 */
import {
    Command,
    ListCommandsCommand,
    SendCommandCommand,
    SendCommandCommandInput,
    SSMClient,
} from "@aws-sdk/client-ssm";
import { randomUUID } from "crypto";
import { PATCH_DOCUMENT } from "../../components/documents";
import { AwsCallError, describeCause, EXIT, httpStatus, isAccessProblem, OpsError } from "./aws";
import { StackContext } from "./fleet";
import { Io } from "./output";
import { allPages, backoff, PollDelays, Run } from "./run";

/** Sends in all, the first included. */
export const SEND_ATTEMPTS = 4;
const THROTTLING = new Set(["ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"]);

/** AWS may have carried out the request although the answer says otherwise. */
export function mayHaveRun(error: Error): boolean {
    const fault = (error as { $fault?: string }).$fault;
    if (isAccessProblem(error) || fault === "client") return false;
    const status = httpStatus(error);
    // No status: the connection failed or dropped after the request may have arrived.
    return fault === "server" || status === undefined || status >= 500;
}

export async function sendOnce(
    context: StackContext,
    input: SendCommandCommandInput,
    label: string,
    run: Run,
    delays: PollDelays,
    io: Io,
): Promise<string> {
    const comment = `${label} ${randomUUID()}`;
    // InvokedAfter a little before now: the clocks of this machine and AWS differ by seconds at most.
    const since = new Date(Date.now() - 5 * 60 * 1000).toISOString();
    for (let attempt = 1; ; attempt++) {
        try {
            const sent = await context.sender.send(new SendCommandCommand({ ...input, Comment: comment }));
            if (!sent.Command?.CommandId) throw new OpsError("ssm:SendCommand returned no command id", EXIT.aws);
            return sent.Command.CommandId;
        } catch (error) {
            if (error instanceof OpsError) throw error;
            const failure = new AwsCallError("ssm:SendCommand", error as Error);
            const ambiguous = mayHaveRun(failure.cause);
            if (ambiguous) {
                const found = await findSent(context.ssm, comment, since, delays);
                if (found) {
                    io.err(
                        `ssm:SendCommand answered ${failure.cause.name}, but AWS had accepted the command: following ${found.CommandId} (not sending it again).\n`,
                    );
                    return found.CommandId!;
                }
            }
            if (!(ambiguous || THROTTLING.has(failure.cause.name)) || attempt === SEND_ATTEMPTS || run.stopped) {
                const why = run.stopped ? `${run.describe()} while sending` : describeCause(failure);
                const none = ambiguous
                    ? ` AWS lists no command with comment "${comment}": nothing was started.`
                    : " Nothing was started.";
                throw new OpsError(`${why}.${none}`, run.stopped ? run.exitCode() : EXIT.aws);
            }
            io.err(
                `ssm:SendCommand: ${failure.cause.name} (HTTP ${httpStatus(failure.cause) ?? "none"}); no command was started; sending again (${attempt + 1} of ${SEND_ATTEMPTS}).\n`,
            );
            await run.sleep(backoff(delays, attempt - 1));
        }
    }
}

/** The command this CLI sent with `comment`, if AWS lists it (looked up twice, a poll delay apart). */
async function findSent(
    ssm: SSMClient,
    comment: string,
    since: string,
    delays: PollDelays,
): Promise<Command | undefined> {
    for (let look = 0; look < 2; look++) {
        if (look > 0) await new Promise((resolve) => setTimeout(resolve, backoff(delays, 0)));
        const filters = [
            { key: "InvokedAfter" as const, value: since },
            { key: "DocumentName" as const, value: PATCH_DOCUMENT },
        ];
        const commands = await allPages(
            "ssm:ListCommands",
            (token) => ssm.send(new ListCommandsCommand({ Filters: filters, MaxResults: 50, NextToken: token })),
            (page) => page.Commands,
        );
        const found = commands.find((c) => c.Comment === comment);
        if (found) return found;
    }
    return undefined;
}
