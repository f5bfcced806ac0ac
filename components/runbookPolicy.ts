/**
 * The patch runbook's role grants exactly the actions its steps call (tests/runbookGrants.spec.ts holds
 * it to tests/fixtures/runbook-permissions.json, a table citing AWS's page for each row).
 */
import { PATCH_WITH_HOOKS_DOCUMENT } from "./runbookDocuments";

export interface RunbookPolicyContext {
    readonly partition: string;
    readonly region: string;
    readonly account: string;
    readonly vaultArn: string;
    readonly backupRoleArn: string;
    readonly topicArn?: string;
    readonly gateParameterName?: string;
    readonly documentNamePrefix: string;
    /** The gate reads the earlier ring. */
    readonly ring: boolean;
    /** The gate waits for an approval. */
    readonly approval: boolean;
}

type Statement = { Sid: string; Effect: "Allow"; Action: string[]; Resource: string | string[]; Condition?: object };

/** The runbook role's statements: one per need, each on the narrowest resource IAM allows. */
export function runbookPolicyStatements(c: RunbookPolicyContext): Statement[] {
    const arn = (service: string, resource: string, region = c.region, account = c.account) =>
        `arn:${c.partition}:${service}:${region}:${account}:${resource}`;
    const statements: Statement[] = [
        {
            Sid: "RestorePoint",
            Effect: "Allow",
            Action: ["backup:StartBackupJob"],
            Resource: c.vaultArn,
        },
        { Sid: "RestorePointState", Effect: "Allow", Action: ["backup:DescribeBackupJob"], Resource: "*" },
        {
            Sid: "PassBackupRole",
            Effect: "Allow",
            Action: ["iam:PassRole"],
            Resource: c.backupRoleArn,
            Condition: { StringEquals: { "iam:PassedToService": "backup.amazonaws.com" } },
        },
        {
            Sid: "Install",
            Effect: "Allow",
            Action: ["ssm:SendCommand"],
            Resource: [arn("ssm", `document/${PATCH_WITH_HOOKS_DOCUMENT}`, c.region, ""), arn("ec2", "instance/*")],
        },
        {
            Sid: "InstallProgress",
            Effect: "Allow",
            Action: ["ssm:ListCommands", "ssm:ListCommandInvocations", "ssm:DescribeInstanceInformation"],
            Resource: "*",
        },
    ];
    if (c.gateParameterName !== undefined) {
        statements.push({
            Sid: "GateDecision",
            Effect: "Allow",
            Action: ["ssm:GetParameter", "ssm:PutParameter"],
            Resource: arn("ssm", `parameter${c.gateParameterName}`),
        });
    }
    if (c.ring) {
        statements.push({
            Sid: "RingState",
            Effect: "Allow",
            Action: [
                "ssm:DescribeMaintenanceWindows",
                "ssm:DescribeMaintenanceWindowExecutions",
                "ssm:DescribePatchGroupState",
            ],
            Resource: "*",
        });
    }
    if (c.approval && c.topicArn) {
        statements.push(
            { Sid: "ApprovalNotice", Effect: "Allow", Action: ["sns:Publish"], Resource: c.topicArn },
            {
                Sid: "ApprovalNoticeKey",
                Effect: "Allow",
                Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                Resource: arn("kms", "key/*"),
                Condition: { StringEquals: { "kms:ViaService": `sns.${c.region}.amazonaws.com` } },
            },
        );
    }
    return statements;
}
