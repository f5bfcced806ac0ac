/**
 * What the ops specs share: the mocked AWS clients (one mock per client class, so one module), the
 * lab's instances and the responses the commands read.
 */
import {
    CommandInvocationStatus,
    DescribeInstanceInformationCommand,
    ListCommandInvocationsCommand,
    ListCommandsCommand,
    SendCommandCommand,
    SSMClient,
} from "@aws-sdk/client-ssm";
import { SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";

export const ssm = mockClient(SSMClient);
export const sns = mockClient(SNSClient);

export const WEB1 = {
    InstanceId: "i-0aaaaaaaaaaaaaaa1",
    ComputerName: "ip-10-0-0-11",
    PlatformName: "Amazon Linux",
    PlatformVersion: "2023",
    AgentVersion: "3.3.987.0",
    PingStatus: "Online" as const,
};
export const WEB2 = {
    InstanceId: "i-0aaaaaaaaaaaaaaa2",
    ComputerName: "ip-10-0-128-12",
    PlatformName: "Amazon Linux",
    PlatformVersion: "2023",
    AgentVersion: "3.3.987.0",
    PingStatus: "Online" as const,
};
export const APP1 = {
    InstanceId: "i-0bbbbbbbbbbbbbbb1",
    ComputerName: "ip-10-0-0-21",
    PlatformName: "Amazon Linux",
    PlatformVersion: "2023",
    AgentVersion: "3.3.900.0",
    PingStatus: "Online" as const,
};

export const TEST_FILTERS = [
    { Key: "tag:Environment", Values: ["OELabIPM"] },
    { Key: "tag:Workload", Values: ["Test"] },
];

/**
 * Answers a command with these responses in turn, recording each request as it was at the time of
 * the call (SDK paginators reuse one input object and update its NextToken).
 */
export function respond(command: any, responses: object[], requests: object[]): void {
    (ssm.on(command) as any).callsFake((input: object) => {
        requests.push(JSON.parse(JSON.stringify(input)));
        return responses[Math.min(requests.length, responses.length) - 1];
    });
}

export const fleetRequests: object[] = [];
export const invocationRequests: object[] = [];
export const complianceRequests: object[] = [];

export function fleetOnTwoPages() {
    respond(
        DescribeInstanceInformationCommand,
        [{ InstanceInformationList: [WEB1, APP1], NextToken: "page-2" }, { InstanceInformationList: [WEB2] }],
        fleetRequests,
    );
}

/** A request as sent, without the keys the SDK leaves undefined (MaxResults of paginators). */
export function sent(call: { args: [{ input: object }] }): object {
    return JSON.parse(JSON.stringify(call.args[0].input));
}

export function commandProgress(
    commandId: string,
    finalStatus: "Success" | "Failed",
    invocations: { id: string; status: CommandInvocationStatus }[],
) {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: commandId } });
    // The command's own status first (in progress, then terminal), then its invocations over two pages.
    respond(
        ListCommandInvocationsCommand,
        [
            {
                CommandInvocations: invocations
                    .slice(0, 1)
                    .map((i) => ({ InstanceId: i.id, Status: i.status, StatusDetails: i.status })),
                NextToken: "more",
            },
            {
                CommandInvocations: invocations
                    .slice(1)
                    .map((i) => ({ InstanceId: i.id, Status: i.status, StatusDetails: i.status })),
            },
        ],
        invocationRequests,
    );
    const n = invocations.length;
    const errors = invocations.filter((i) => i.status !== "Success").length;
    ssm.on(ListCommandsCommand)
        .resolvesOnce({
            Commands: [
                { CommandId: commandId, Status: "InProgress", TargetCount: n, CompletedCount: 0, ErrorCount: 0 },
            ],
        })
        .resolves({
            Commands: [
                { CommandId: commandId, Status: finalStatus, TargetCount: n, CompletedCount: n, ErrorCount: errors },
            ],
        });
}
