/**
 * `npm run test:scripts`: the script-step harness itself (tests/fakeBoto3.py, run by
 * tests/runbookInterpreter.ts's runScript): a script's boto3 clients are real botocore 1.43 clients,
 * so every request is validated against the API's model before the canned answer is given.
 * Python-backed, so not part of `npm test`; .ci/run runs it.
 */
import * as assert from "assert";
import { CannedResponse, runAutomation, runScript, ScriptAws } from "../runbookInterpreter";

const EXECUTION = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111";
const TASK1 = "11111111-2222-3333-4444-000000000001";
const TASK2 = "11111111-2222-3333-4444-000000000002";
const TASK3 = "11111111-2222-3333-4444-000000000003";
const task = (id: string, status: string) => ({
    WindowExecutionId: EXECUTION,
    TaskExecutionId: id,
    Status: status,
    StartTime: "2026-12-06T02:00:05.000Z",
    TaskType: "AUTOMATION",
});
const aws = (responses: CannedResponse[]): ScriptAws => ({ responses, region: "ap-northeast-1", calls: [] });

/** A script that pages through a window execution's tasks, as the triage runbook does. */
const LIST_TASKS = `
import boto3

def handler(events, context):
    ssm = boto3.client("ssm")
    pages = ssm.get_paginator("describe_maintenance_window_execution_tasks").paginate(
        WindowExecutionId=events["Id"])
    tasks = [t for page in pages for t in page["WindowExecutionTaskIdentities"]]
    return {"Tasks": [[t["TaskExecutionId"], t["Status"], type(t["StartTime"]).__name__] for t in tasks],
            "Region": ssm.meta.region_name}
`;

const PAGES: CannedResponse[] = [
    {
        service: "ssm",
        operation: "DescribeMaintenanceWindowExecutionTasks",
        when: { NextToken: "page-2" },
        response: { WindowExecutionTaskIdentities: [task(TASK3, "SUCCESS")] },
    },
    {
        service: "ssm",
        operation: "DescribeMaintenanceWindowExecutionTasks",
        response: {
            WindowExecutionTaskIdentities: [task(TASK1, "FAILED"), task(TASK2, "SUCCESS")],
            NextToken: "page-2",
        },
    },
];

describe("the script-step harness: a script's boto3 is botocore's, answered from a table", function () {
    this.timeout(60_000);

    it("a paginator goes through every page; timestamps are datetimes; every call is recorded with its parameters", () => {
        const fake = aws(PAGES);
        const result = runScript(LIST_TASKS, "handler", { Id: EXECUTION }, fake);
        assert.deepStrictEqual(result, {
            Tasks: [
                [TASK1, "FAILED", "datetime"],
                [TASK2, "SUCCESS", "datetime"],
                [TASK3, "SUCCESS", "datetime"],
            ],
            Region: "ap-northeast-1",
        });
        assert.deepStrictEqual(fake.calls, [
            {
                service: "ssm",
                operation: "DescribeMaintenanceWindowExecutionTasks",
                params: { WindowExecutionId: EXECUTION },
            },
            {
                service: "ssm",
                operation: "DescribeMaintenanceWindowExecutionTasks",
                params: { WindowExecutionId: EXECUTION, NextToken: "page-2" },
            },
        ]);
    });

    it("a request botocore's model refuses fails the run, even when the script catches the exception", () => {
        const script = `
import boto3

def handler(events, context):
    try:
        boto3.client("ssm").describe_maintenance_window_execution_task_invocations(WindowExecutionId=events["Id"])
    except Exception:
        pass
    return {}
`;
        const fake = aws(PAGES);
        assert.throws(
            () => runScript(script, "handler", { Id: EXECUTION }, fake),
            (e: Error) =>
                !e.constructor.name.includes("StepFailure") &&
                e.message ===
                    'the script sent a request botocore refuses: Parameter validation failed:\nMissing required parameter in input: "TaskId"',
        );
        assert.deepStrictEqual(
            fake.calls.map((c) => [c.operation, c.invalid]),
            [
                [
                    "DescribeMaintenanceWindowExecutionTaskInvocations",
                    'Parameter validation failed:\nMissing required parameter in input: "TaskId"',
                ],
            ],
        );
    });

    it("an unknown parameter and a mistyped one are refused too", () => {
        const script = (call: string) => `
import boto3

def handler(events, context):
    boto3.client("sns").${call}
    return {}
`;
        assert.throws(
            () =>
                runScript(
                    script('publish(TopicArn="arn:aws:sns:ap-northeast-1:123456789012:t", Message="m", Subjekt="s")'),
                    "handler",
                    {},
                    aws([]),
                ),
            /Unknown parameter in input: "Subjekt", must be one of: TopicArn, TargetArn, PhoneNumber, Message, Subject/,
        );
        assert.throws(
            () =>
                runScript(
                    script('publish(TopicArn="arn:aws:sns:ap-northeast-1:123456789012:t", Message=7)'),
                    "handler",
                    {},
                    aws([]),
                ),
            /Invalid type for parameter Message, value: 7, type: <class 'int'>, valid types: <class 'str'>/,
        );
    });

    it("an error entry is the service's modelled ClientError: catchable by class; uncaught, the step fails with botocore's message", () => {
        const missing: CannedResponse = {
            service: "ssm",
            operation: "DescribeMaintenanceWindowExecutionTasks",
            error: { code: "DoesNotExistException", message: `Window execution ${EXECUTION} does not exist.` },
        };
        const caught = `
import boto3

def handler(events, context):
    ssm = boto3.client("ssm")
    try:
        ssm.describe_maintenance_window_execution_tasks(WindowExecutionId=events["Id"])
    except ssm.exceptions.DoesNotExistException as e:
        return {"Code": e.response["Error"]["Code"], "Status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
`;
        assert.deepStrictEqual(runScript(caught, "handler", { Id: EXECUTION }, aws([missing])), {
            Code: "DoesNotExistException",
            Status: 400,
        });
        const document = {
            schemaVersion: "0.3",
            parameters: { Id: { type: "String" } },
            mainSteps: [
                {
                    name: "ListTasks",
                    action: "aws:executeScript",
                    inputs: {
                        Runtime: "python3.11",
                        Handler: "handler",
                        Script: LIST_TASKS,
                        InputPayload: { Id: "{{Id}}" },
                    },
                },
            ],
        };
        const run = runAutomation(document, { Id: EXECUTION }, { api: () => ({}), script: [missing] });
        assert.deepStrictEqual(
            [run.status, run.failedStep, run.failureMessage, run.calls.length],
            [
                "Failed",
                "ListTasks",
                `An error occurred (DoesNotExistException) when calling the DescribeMaintenanceWindowExecutionTasks operation: Window execution ${EXECUTION} does not exist.`,
                1,
            ],
        );
    });

    it("a call without a canned answer, and a canned answer not in the operation's output shape, fail the run", () => {
        assert.throws(
            () => runScript(LIST_TASKS, "handler", { Id: EXECUTION }, aws([])),
            new RegExp(
                `^Error: no canned response for ssm.DescribeMaintenanceWindowExecutionTasks \\{"WindowExecutionId": "${EXECUTION}"\\}$`,
            ),
        );
        const misspelt: CannedResponse = {
            service: "ssm",
            operation: "DescribeMaintenanceWindowExecutionTasks",
            response: { WindowExecutionTaskIdentity: [] },
        };
        assert.throws(
            () => runScript(LIST_TASKS, "handler", { Id: EXECUTION }, aws([misspelt])),
            /not its output shape:\nUnknown parameter in input: "WindowExecutionTaskIdentity", must be one of: WindowExecutionTaskIdentities, NextToken$/,
        );
    });

    it("a handler whose result is not JSON fails the step, as Automation cannot return it", () => {
        const script = `
import boto3

def handler(events, context):
    page = boto3.client("ssm").describe_maintenance_window_execution_tasks(WindowExecutionId=events["Id"])
    return {"Started": page["WindowExecutionTaskIdentities"][0]["StartTime"]}
`;
        assert.throws(
            () => runScript(script, "handler", { Id: EXECUTION }, aws(PAGES)),
            (e: Error) => e.message === "Object of type datetime is not JSON serializable",
        );
    });
});
