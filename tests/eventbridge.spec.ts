import * as assert from "assert";
import { matches, transform } from "./eventbridge";

/**
 * The matcher the alert specs rely on, held to the EventBridge User Guide's own examples
 * (awsdocs/amazon-eventbridge-user-guide, doc_source at 896fdda): the pattern, the event, and
 * whether the guide says it matches.
 */
const EC2_EVENT = {
    version: "0",
    id: "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "EC2 Instance State-change Notification",
    source: "aws.ec2",
    account: "123456789012",
    time: "2015-11-11T21:29:54Z",
    region: "us-east-1",
    resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
    detail: { "instance-id": "i-abcd1111", state: "pending" },
};
const NO_STATE = {
    "detail-type": ["EC2 Instance State-change Notification"],
    resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341"],
    detail: { "c-count": { c1: 100 } },
};

describe("EventBridge event patterns, as the EventBridge User Guide documents them", () => {
    it("exists matching: matches an event with detail.state, not one without it (eb-event-patterns-content-based-filtering.md)", () => {
        const pattern = { detail: { state: [{ exists: true }] } };
        assert.strictEqual(matches(pattern, EC2_EVENT), true);
        assert.strictEqual(matches(pattern, NO_STATE), false);
        assert.strictEqual(matches({ detail: { state: [{ exists: false }] } }, NO_STATE), true);
        // "Exists matching only works on leaf nodes."
        assert.strictEqual(matches({ detail: { "c-count": [{ exists: true }] } }, NO_STATE), false);
    });

    it("equals-ignore-case matches a detail-type in any case, also inside an array of the event", () => {
        assert.strictEqual(
            matches({ "detail-type": [{ "equals-ignore-case": "ec2 instance state-change notification" }] }, NO_STATE),
            true,
        );
        assert.strictEqual(
            matches({ "detail-type": [{ "equals-ignore-case": "ec2 instance state change" }] }, NO_STATE),
            false,
        );
    });

    it("exact values: character by character, without case-folding; every named field must be present", () => {
        assert.strictEqual(matches({ source: ["aws.ec2"], detail: { state: ["pending"] } }, EC2_EVENT), true);
        assert.strictEqual(matches({ source: ["aws.ec2"], detail: { state: ["Pending"] } }, EC2_EVENT), false);
        assert.strictEqual(matches({ source: ["aws.ec2", "aws.fargate"] }, EC2_EVENT), true);
        assert.strictEqual(matches({ detail: { "no-such-field": ["pending"] } }, EC2_EVENT), false);
        assert.strictEqual(
            matches({ detail: { "instance-id": ["i-abcd1111"], state: ["running"] } }, EC2_EVENT),
            false,
        );
    });

    it("arrays: the pattern's resources match if any of them is among the event's (eb-event-patterns-arrays.md)", () => {
        const pattern = {
            resources: [
                "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
                "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
                "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f",
            ],
        };
        const event = {
            resources: [
                "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate",
                "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
            ],
        };
        assert.strictEqual(matches(pattern, event), true);
        assert.strictEqual(matches(pattern, { resources: [event.resources[0]] }), false);
    });

    it("prefix, suffix, anything-but (value, list, prefix) and numeric ranges", () => {
        assert.strictEqual(matches({ time: [{ prefix: "2017-10-02" }] }, { time: "2017-10-02T18:43:48Z" }), true);
        assert.strictEqual(matches({ time: [{ prefix: "2017-10-02" }] }, { time: "2017-10-03T18:43:48Z" }), false);
        assert.strictEqual(matches({ FileName: [{ suffix: ".png" }] }, { FileName: "a.png" }), true);
        assert.strictEqual(matches({ FileName: [{ suffix: ".png" }] }, { FileName: "a.jpg" }), false);
        assert.strictEqual(matches({ detail: { state: [{ "anything-but": "initializing" }] } }, EC2_EVENT), true);
        assert.strictEqual(
            matches({ detail: { state: [{ "anything-but": ["stopped", "pending"] }] } }, EC2_EVENT),
            false,
        );
        assert.strictEqual(
            matches(
                { detail: { state: [{ "anything-but": { prefix: "init" } }] } },
                { detail: { state: "initializing" } },
            ),
            false,
        );
        assert.strictEqual(matches({ detail: { state: [{ "anything-but": "x" }] } }, NO_STATE), false);
        const numeric = {
            detail: {
                "c-count": [{ numeric: [">", 0, "<=", 5] }],
                "d-count": [{ numeric: ["<", 10] }],
                "x-limit": [{ numeric: ["=", 3.018e2] }],
            },
        };
        assert.strictEqual(matches(numeric, { detail: { "c-count": 5, "d-count": 9, "x-limit": 301.8 } }), true);
        assert.strictEqual(matches(numeric, { detail: { "c-count": 0, "d-count": 9, "x-limit": 301.8 } }), false);
    });

    it("$or matches if any alternative does", () => {
        const pattern = {
            detail: { $or: [{ "c-count": [{ numeric: [">", 0, "<=", 5] }] }, { "d-count": [{ numeric: ["<", 10] }] }] },
        };
        assert.strictEqual(matches(pattern, { detail: { "c-count": 9, "d-count": 1 } }), true);
        assert.strictEqual(matches(pattern, { detail: { "c-count": 9, "d-count": 11 } }), false);
    });

    it("refuses an operator it does not implement rather than guess (cidr)", () => {
        assert.throws(
            () =>
                matches(
                    { detail: { sourceIPAddress: [{ cidr: "10.0.0.0/24" }] } },
                    { detail: { sourceIPAddress: "10.0.0.1" } },
                ),
            /unsupported matcher/,
        );
    });
});

describe("EventBridge input transformation (eb-transform-target-input.md)", () => {
    const paths = {
        timestamp: "$.time",
        instance: "$.detail.instance-id",
        state: "$.detail.state",
        resource: "$.resources[0]",
    };
    const event = { ...EC2_EVENT, detail: { "instance-id": "i-0123456789", state: "RUNNING" } };

    it("renders the guide's string examples", () => {
        assert.strictEqual(
            transform({ inputPaths: paths, inputTemplate: '"instance <instance> is in <state>"' }, event),
            '"instance i-0123456789 is in RUNNING"',
        );
        assert.strictEqual(
            transform({ inputPaths: paths, inputTemplate: '"<resource>"' }, event),
            '"arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"',
        );
        assert.strictEqual(
            transform({ inputPaths: paths, inputTemplate: '"<aws.events.rule-name> triggered"' }, event),
            '"<aws.events.rule-name> triggered"',
        );
    });

    it("renders the guide's JSON examples: a variable as a JSON value is quoted, inside a string it is not", () => {
        assert.strictEqual(
            transform(
                { inputPaths: paths, inputTemplate: '{\n  "instance" : <instance>,\n  "state": <state>\n}' },
                event,
            ),
            '{\n  "instance" : "i-0123456789",\n  "state": "RUNNING"\n}',
        );
        assert.strictEqual(
            transform(
                {
                    inputPaths: paths,
                    inputTemplate:
                        '{\n "instance" : <instance>,\n "state": "<state>",\n "instanceStatus": "instance \\"<instance>\\" is in <state>"\n}',
                },
                event,
            ),
            '{\n "instance" : "i-0123456789",\n "state": "RUNNING",\n "instanceStatus": "instance \\"i-0123456789\\" is in RUNNING"\n}',
        );
        assert.strictEqual(
            transform(
                {
                    inputPaths: paths,
                    inputTemplate:
                        '{\n  "instance" : <instance>,\n  "state": [ 9, <state>, true ],\n  "Transformed" : "Yes"\n}',
                },
                event,
            ),
            '{\n  "instance" : "i-0123456789",\n  "state": [ 9, "RUNNING", true ],\n  "Transformed" : "Yes"\n}',
        );
        assert.throws(
            () => transform({ inputPaths: paths, inputTemplate: "instance <instance>" }, event),
            /JSON string literal, object or array/,
        );
    });

    it("fails on a path the event does not have (EventBridge would create no variable) and on more than 100 variables", () => {
        assert.throws(
            () => transform({ inputPaths: { x: "$.detail.missing" }, inputTemplate: '"<x>"' }, event),
            /not in the event/,
        );
        const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`v${i}`, "$.time"]));
        assert.throws(() => transform({ inputPaths: many, inputTemplate: '""' }, event), /EventBridge allows 100/);
    });
});
