/** `notify-test`: the lab's test message (subject `Test`, body `Hello World!`) to the stack's alert topic. */
import { paginateListTopics, PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { call, collect, EXIT, OpsError } from "./aws";
import { StackContext } from "./fleet";
import { Io } from "./output";

export const TEST_SUBJECT = "Test";
export const TEST_MESSAGE = "Hello World!";

export async function notifyTest(context: StackContext, sns: SNSClient, io: Io): Promise<number> {
    const name = context.config.alerts.topicName;
    const topics = await collect("sns:ListTopics", paginateListTopics({ client: sns }, {}), (p) => p.Topics);
    const topicArn = topics.map((t) => t.TopicArn ?? "").find((arn) => arn.endsWith(`:${name}`));
    if (!topicArn) {
        throw new OpsError(
            `No SNS topic named ${name} in ${context.region}: is stack "${context.stack}" deployed?`,
            EXIT.aws,
        );
    }
    const published = await call("sns:Publish", () =>
        sns.send(new PublishCommand({ TopicArn: topicArn, Subject: TEST_SUBJECT, Message: TEST_MESSAGE })),
    );
    io.out(
        `Published "${TEST_SUBJECT}" to ${topicArn} (message ${published.MessageId}). Confirmed subscribers receive it.\n`,
    );
    return 0;
}
