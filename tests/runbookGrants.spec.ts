import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { validateRequest } from "../tools/contract/models";
import { runbookStepRequests } from "../tools/contract/runbookSteps";
import { ofType, PROJECT_ROOT, runStack, single } from "./harness";

/**
 * The runbook's role grants exactly what its steps call (tests/fixtures/runbook-permissions.json, each
 * row citing AWS), and every step's API call passes botocore's model in the plan's contract.
 */
const TABLE = JSON.parse(
    fs.readFileSync(path.join(PROJECT_ROOT, "tests", "fixtures", "runbook-permissions.json"), "utf8"),
) as {
    extra: Record<string, { action: string }[]>;
    actions: Record<string, { action: string }[]>;
};
const CALLING = ["aws:executeAwsApi", "aws:assertAwsResourceProperty", "aws:waitForAwsResourceProperty"];

/** The IAM actions the documents' steps need, by the table. */
function needed(documents: Record<string, unknown>[]): string[] {
    const steps = documents.flatMap((d) => d.mainSteps as { action: string; inputs: Record<string, unknown> }[]);
    return [
        ...new Set(
            steps.flatMap((s) => {
                if (CALLING.includes(s.action)) {
                    const call = `${s.inputs.Service}:${s.inputs.Api}`;
                    return [call, ...(TABLE.extra[call] ?? []).map((r) => r.action)];
                }
                const rows = TABLE.actions[s.action];
                assert.ok(rows, `no table row for ${s.action}`);
                // aws:approve notifies only when it has a topic.
                return s.action === "aws:approve" && s.inputs.NotificationArn === undefined
                    ? []
                    : rows.map((r) => r.action);
            }),
        ),
    ].sort();
}

function granted(policy: string): string[] {
    const statements = JSON.parse(policy).Statement as { Effect: string; Action: string[] }[];
    return [...new Set(statements.flatMap((s) => s.Action))].sort();
}

describe("the runbook steps' contract", () => {
    it("catches a step whose input the API refuses (MaxResults above 100)", async () => {
        const run = await runStack("prod");
        const gate = single(run, "aws:ssm/document:Document", "lab-runbook-gate-runbook");
        const broken = gate.inputs.content.replace('"MaxResults":100', '"MaxResults":1000');
        const requests = runbookStepRequests("Automation", broken);
        assert.deepStrictEqual(
            requests.map((r) => `${r.service}:${r.operation}`),
            [
                "ssm:DescribeMaintenanceWindows",
                "ssm:DescribeMaintenanceWindowExecutions",
                "ssm:DescribePatchGroupState",
                "ssm:DescribePatchGroupState",
                "ssm:DescribePatchGroupState",
                "ssm:PutParameter",
            ],
        );
        assert.deepStrictEqual(
            validateRequest(requests[1].service, requests[1].operation, requests[1].request).map((v) => v.field),
            ["MaxResults"],
        );
    });
});

for (const [label, overrides] of [
    ["prod (ring gate)", {}],
    [
        "prod with an approval",
        {
            "maintenanceWindow.duration": 3,
            "maintenanceWindow.approval": { approvers: ["Approver"], emails: ["ops@example.com"] },
        },
    ],
    // Last: the specs after this file find the mocks on the test stack (sdkAdapter.spec).
    // (Its own overrides: a fresh evaluation, not a cached run of runbook.spec.)
    ["test (no gate)", { "maintenanceWindow.installMode": "Runbook", "maintenanceWindow.soakDays": 7 }],
] as const) {
    describe(`the patch runbook's role: ${label}`, () => {
        it("grants exactly the actions its steps call, by the cited table", async () => {
            const run = await runStack(label.startsWith("test") ? "test" : "prod", overrides);
            // The patch runbook's documents (the coverage check has its own role: coverageCheck.spec).
            const docs = ofType(run, "aws:ssm/document:Document")
                .filter((d) => d.inputs.documentType === "Automation" && d.name.startsWith("lab-runbook"))
                .map((d) => JSON.parse(d.inputs.content));
            const policy = single(run, "aws:iam/rolePolicy:RolePolicy", "lab-runbook-role-policy");
            assert.deepStrictEqual(granted(policy.inputs.policy), needed(docs));
        });

        it("each step's API call passes botocore's model, as the plan's contract holds it", async () => {
            const run = await runStack(label.startsWith("test") ? "test" : "prod", overrides);
            for (const doc of ofType(run, "aws:ssm/document:Document")) {
                for (const r of runbookStepRequests(doc.inputs.documentType, doc.inputs.content))
                    assert.deepStrictEqual(
                        validateRequest(r.service, r.operation, r.request),
                        [],
                        `${r.service}:${r.operation}`,
                    );
            }
        });
    });
}
