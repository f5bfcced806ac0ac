import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { coverageRunbook, DEFAULT_SILENT_HOURS, SILENT_HOURS_RANGE } from "./coverageScript";
import { rolePrefixProblem, serviceTrustPolicy } from "./iam";
import { componentToken } from "./tokens";
import { ArgumentError, countProblem, fieldProblem, SSM_NAME_ALLOWED, SSM_NAME_PATTERN } from "./validation";

export { DEFAULT_SILENT_HOURS, SILENT_HOURS_RANGE } from "./coverageScript";

/**
 * Every day at 06:00 UTC (EventBridge Scheduler's cron: minutes hours day-of-month month day-of-week
 * year, "Schedule types on EventBridge Scheduler"): after the Quick Setup default scan at 01:00 UTC.
 */
export const COVERAGE_CHECK_SCHEDULE = "cron(0 6 * * ? *)";
/**
 * EventBridge Scheduler's universal target for Systems Manager's StartAutomationExecution ("Using
 * universal targets": `arn:aws:scheduler:::aws-sdk:<service>:<apiAction>`; the Input is the API's request).
 */
export const START_AUTOMATION_TARGET = "arn:aws:scheduler:::aws-sdk:ssm:startAutomationExecution";

export interface CoverageCheckArgs {
    /** The stack's label in the message (`oe-lab-ipm/test`). Required. */
    stack: string;
    /** The runbook's name, like `OELabIPM-Test-CoverageCheck`. Required. */
    documentName: string;
    /** The runbook role's name prefix (IAM adds 26 characters). Required. */
    roleNamePrefix: string;
    /** The schedule's role's name prefix. Required. */
    schedulerRoleNamePrefix: string;
    /**
     * The topic the message goes to; its policy and key policy must admit `roleArn` (AlertTopic's
     * `publisherRoleArns`). Required.
     */
    topicArn: pulumi.Input<string>;
    /** The instances in scope: those carrying every one of these tags (1 to 5). Required. */
    scopeTags: Record<string, string>;
    /** Hours without a ping after which a running managed instance is silent, 1 to 720. Default 24. */
    silentAfterHours?: number;
    /** Where the message sends a reader for every instance's details. Default: Fleet Manager. */
    details?: string;
    /** Tags for every taggable resource. */
    tags?: Record<string, string>;
}

/** Throws on arguments AWS would refuse. */
export function validateCoverageCheckArgs(args: CoverageCheckArgs): void {
    const tagCount = Object.keys(args.scopeTags).length;
    ArgumentError.throwIfAny("CoverageCheck", [
        fieldProblem(
            "documentName",
            args.documentName,
            SSM_NAME_PATTERN.test(args.documentName) && !/^(aws|amazon)/i.test(args.documentName)
                ? undefined
                : `${SSM_NAME_ALLOWED}, and not begin with AWS or Amazon`,
        ),
        rolePrefixProblem("roleNamePrefix", args.roleNamePrefix),
        rolePrefixProblem("schedulerRoleNamePrefix", args.schedulerRoleNamePrefix),
        tagCount >= 1 && tagCount <= 5 ? undefined : `scopeTags must name 1 to 5 tags (it names ${tagCount})`,
        countProblem("silentAfterHours", args.silentAfterHours, SILENT_HOURS_RANGE.min, SILENT_HOURS_RANGE.max),
    ]);
}

/** The runbook role's statements: exactly what the script calls (tests/fixtures/coverage-check-permissions.json). */
export function coverageCheckStatements(topicArn: string, partition: string, region: string, account: string) {
    return [
        {
            Sid: "ReadFleet",
            Effect: "Allow",
            // These Describe actions take no resource-level permissions (Service Authorization Reference).
            Action: ["ec2:DescribeInstances", "ssm:DescribeInstanceInformation"],
            Resource: "*",
        },
        { Sid: "Alert", Effect: "Allow", Action: ["sns:Publish"], Resource: topicArn },
        {
            Sid: "AlertKey",
            Effect: "Allow",
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: `arn:${partition}:kms:${region}:${account}:key/*`,
            Condition: { StringEquals: { "kms:ViaService": `sns.${region}.amazonaws.com` } },
        },
    ];
}

/**
 * A daily check of the fleet's coverage, with no server or function of ours: an Automation runbook
 * whose one aws:executeScript step reads EC2 and Systems Manager, classifies each in-scope instance
 * like `ops coverage`, and publishes one message naming every unmanaged or silent instance and why;
 * an EventBridge Scheduler schedule starts it every day (universal target StartAutomationExecution).
 */
export class CoverageCheck extends pulumi.ComponentResource {
    /** The runbook's name (start it now: `aws ssm start-automation-execution --document-name <it>`). */
    public readonly documentName: pulumi.Output<string>;
    /** The role the runbook runs with: the topic's policies admit it. */
    public readonly roleArn: pulumi.Output<string>;
    /** The schedule's name. */
    public readonly scheduleName: pulumi.Output<string>;

    constructor(name: string, args: CoverageCheckArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentToken("CoverageCheck"), name, {}, opts);
        validateCoverageCheckArgs(args);
        const tags = args.tags ?? {};
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const region = aws.getRegionOutput({}, { parent: this }).region;
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                namePrefix: args.roleNamePrefix,
                description: `Runs ${args.stack}'s daily coverage check`,
                assumeRolePolicy: serviceTrustPolicy("ssm.amazonaws.com", account),
                tags,
            },
            { parent: this },
        );
        const policy = new aws.iam.RolePolicy(
            `${name}-role-policy`,
            {
                role: role.name,
                policy: pulumi
                    .all([args.topicArn, partition, region, account])
                    .apply(([topic, p, r, a]) =>
                        JSON.stringify({ Version: "2012-10-17", Statement: coverageCheckStatements(topic, p, r, a) }),
                    ),
            },
            { parent: this },
        );
        const document = new aws.ssm.Document(
            `${name}-runbook`,
            {
                name: args.documentName,
                documentType: "Automation",
                documentFormat: "JSON",
                content: pulumi.all([role.arn, args.topicArn]).apply(([roleArn, topicArn]) =>
                    JSON.stringify(
                        coverageRunbook({
                            stack: args.stack,
                            roleArn,
                            topicArn,
                            scopeTags: args.scopeTags,
                            silentAfterHours: args.silentAfterHours ?? DEFAULT_SILENT_HOURS,
                            details: args.details ?? "Fleet Manager in the Systems Manager console",
                        }),
                    ),
                ),
                tags,
            },
            { parent: this },
        );
        const schedule = scheduleCheck(this, name, args, { document, role, policy, partition, region, account });
        this.documentName = document.name;
        this.roleArn = role.arn;
        this.scheduleName = schedule.name;
        this.registerOutputs({
            documentName: this.documentName,
            roleArn: this.roleArn,
            scheduleName: this.scheduleName,
        });
    }
}

/** The schedule that starts the check every day, as a role that may start this runbook and pass its role only. */
function scheduleCheck(
    parent: pulumi.Resource,
    name: string,
    args: CoverageCheckArgs,
    made: {
        document: aws.ssm.Document;
        role: aws.iam.Role;
        policy: aws.iam.RolePolicy;
        partition: pulumi.Output<string>;
        region: pulumi.Output<string>;
        account: pulumi.Output<string>;
    },
): aws.scheduler.Schedule {
    const { document, role, policy, partition, region, account } = made;
    const tags = args.tags ?? {};
    const schedulerRole = new aws.iam.Role(
        `${name}-scheduler-role`,
        {
            namePrefix: args.schedulerRoleNamePrefix,
            description: `EventBridge Scheduler: starts ${args.stack}'s daily coverage check`,
            assumeRolePolicy: serviceTrustPolicy("scheduler.amazonaws.com", account),
            tags,
        },
        { parent },
    );
    const schedulerPolicy = new aws.iam.RolePolicy(
        `${name}-scheduler-role-policy`,
        {
            role: schedulerRole.name,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "StartCheck",
                        Effect: "Allow",
                        Action: "ssm:StartAutomationExecution",
                        // AWS's example for starting one runbook (Systems Manager User Guide, "Setting up identity
                        // based policies examples", automation-setup-identity-based-policies.html, example 1).
                        Resource: [
                            pulumi.interpolate`arn:${partition}:ssm:${region}:${account}:document/${document.name}`,
                            pulumi.interpolate`arn:${partition}:ssm:${region}:${account}:automation-execution/*`,
                        ],
                    },
                    {
                        // Automation runs the steps as the document's AutomationAssumeRole: the starter passes it.
                        Sid: "PassCheckRole",
                        Effect: "Allow",
                        Action: "iam:PassRole",
                        Resource: role.arn,
                        Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
                    },
                ],
            }),
        },
        { parent },
    );
    return new aws.scheduler.Schedule(
        `${name}-schedule`,
        {
            description: `Starts ${args.stack}'s coverage check every day`,
            scheduleExpression: COVERAGE_CHECK_SCHEDULE,
            scheduleExpressionTimezone: "UTC",
            flexibleTimeWindow: { mode: "OFF" },
            target: {
                arn: START_AUTOMATION_TARGET,
                roleArn: schedulerRole.arn,
                input: pulumi.jsonStringify({ DocumentName: document.name }),
                retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
            },
        },
        { parent, dependsOn: [policy, schedulerPolicy] },
    );
}
