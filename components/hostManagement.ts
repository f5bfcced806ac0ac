import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsManagedPolicyArn, rolePrefixProblem, serviceTrustPolicy } from "./iam";
import { associationScheduleProblem } from "./schedules";
import { tagTargetGroup, targetsFor } from "./targets";
import { ArgumentError, fieldProblem, SSM_NAME_ALLOWED, SSM_NAME_PATTERN } from "./validation";
import { componentToken } from "./tokens";

/**
 * The account and Region's Default Host Management Configuration: this service setting names the role
 * Systems Manager gives every EC2 instance that has no instance profile granting it (AWS,
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/managed-instances-default-host-management.html).
 */
export const DHMC_SETTING_PATH = "/ssm/managed-instance/default-ec2-instance-management-role";
/** The AWS managed policy AWS's DHMC procedure attaches to that role. */
export const DHMC_POLICY = "AmazonSSMManagedEC2InstanceDefaultPolicy";
/** The role's path, as AWS's DHMC role has it; the setting's value is `service-role/<role name>` (AWS's procedure). */
export const DHMC_ROLE_PATH = "/service-role/";
/** The SSM document that updates the agent (AWS-owned, no parameters needed). */
export const UPDATE_AGENT_DOCUMENT = "AWS-UpdateSSMAgent";
/** Every 14 days, as DNXLabs' module and AWS Quick Setup's "Update Systems Manager (SSM) Agent every two weeks". */
export const DEFAULT_AGENT_UPDATE_SCHEDULE = "rate(14 days)";

/**
 * The ARN form of the DHMC service setting's id, as AWS's CLI procedure passes it to UpdateServiceSetting. The provider
 * (hashicorp/terraform-provider-aws internal/service/ssm/service_setting.go) stores the ARN GetServiceSetting
 * returns as `settingId`, so the ARN form keeps the program and the state equal; its delete calls ResetServiceSetting.
 */
export function dhmcSettingArn(
    partition: pulumi.Input<string>,
    region: pulumi.Input<string>,
    account: pulumi.Input<string>,
): pulumi.Output<string> {
    return pulumi.interpolate`arn:${partition}:ssm:${region}:${account}:servicesetting${DHMC_SETTING_PATH}`;
}

/** Owning the account and Region's Default Host Management Configuration. */
export interface DefaultHostManagementArgs {
    /** The DHMC role's name prefix, like `SSMDefaultHostManagement-Test-` (IAM adds 26 characters). Required. */
    roleNamePrefix: string;
}

/** The agent-update association. */
export interface AgentUpdateArgs {
    /** The association's name, like `UpdateSSMAgent-Test`. Required. */
    associationName: string;
    /**
     * The instances to update: those carrying every one of these tags. One tag is a `tag:` target;
     * several go through a tag-based resource group (State Manager ORs several tag targets). Required.
     */
    targetTags: Record<string, string>;
    /**
     * An existing resource group of exactly those instances, for several tags (InventoryAssociation's
     * `resourceGroupName`). Default: the component creates one.
     */
    resourceGroupName?: pulumi.Input<string>;
    /** A `rate(...)` of 30 minutes to 31 days, or a cron State Manager accepts. Default `rate(14 days)`. */
    schedule?: string;
}

export interface HostManagementArgs {
    /**
     * Own the account and Region's Default Host Management Configuration: a role trusted by
     * `ssm.amazonaws.com` with `AmazonSSMManagedEC2InstanceDefaultPolicy`, named in the service
     * setting. Only one owner per account and Region: destroying the component resets the setting.
     * Default none (the setting is left as it is).
     */
    defaultHostManagement?: DefaultHostManagementArgs;
    /** A State Manager association of `AWS-UpdateSSMAgent` over the instances. Default none. */
    agentUpdate?: AgentUpdateArgs;
    /** Tags for every taggable resource. */
    tags?: Record<string, string>;
}

/** Throws on arguments AWS would refuse. */
export function validateHostManagementArgs(args: HostManagementArgs): void {
    const dhmc = args.defaultHostManagement;
    const update = args.agentUpdate;
    ArgumentError.throwIfAny("HostManagement", [
        dhmc === undefined && update === undefined
            ? "set defaultHostManagement or agentUpdate (or both): there is nothing to manage"
            : undefined,
        dhmc && rolePrefixProblem("defaultHostManagement.roleNamePrefix", dhmc.roleNamePrefix),
        update &&
            fieldProblem(
                "agentUpdate.associationName",
                update.associationName,
                SSM_NAME_PATTERN.test(update.associationName) ? undefined : SSM_NAME_ALLOWED,
            ),
        update && Object.keys(update.targetTags).length === 0
            ? "agentUpdate.targetTags must name at least one tag"
            : undefined,
        update?.schedule === undefined
            ? undefined
            : fieldProblem("agentUpdate.schedule", update.schedule, associationScheduleProblem(update.schedule)),
    ]);
}

/**
 * Systems Manager's hold on the instances themselves: optionally the account and Region's Default
 * Host Management Configuration (every IMDSv2 instance with agent 3.2.582.0+ becomes managed without
 * an instance profile), and optionally an association that keeps the SSM Agent up to date.
 */
export class HostManagement extends pulumi.ComponentResource {
    /** The DHMC role's name, when the component owns the setting. */
    public readonly roleName?: pulumi.Output<string>;
    /** The DHMC role's ARN, when the component owns the setting. */
    public readonly roleArn?: pulumi.Output<string>;
    /** The service setting's value (`service-role/<role name>`), when the component owns the setting. */
    public readonly settingValue?: pulumi.Output<string>;
    /** The agent-update association's id, when there is one. */
    public readonly agentUpdateAssociationId?: pulumi.Output<string>;

    constructor(name: string, args: HostManagementArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentToken("HostManagement"), name, {}, opts);
        validateHostManagementArgs(args);
        const tags = args.tags ?? {};
        if (args.defaultHostManagement) {
            const partition = aws.getPartitionOutput({}, { parent: this }).partition;
            const region = aws.getRegionOutput({}, { parent: this }).region;
            const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
            const role = new aws.iam.Role(
                `${name}-dhmc-role`,
                {
                    namePrefix: args.defaultHostManagement.roleNamePrefix,
                    path: DHMC_ROLE_PATH,
                    description: "Default Host Management Configuration: Systems Manager manages the EC2 instances",
                    // AWS's trust policy for this role, exactly: Systems Manager assumes it for the instances.
                    assumeRolePolicy: serviceTrustPolicy("ssm.amazonaws.com"),
                    tags,
                },
                { parent: this },
            );
            const policy = new aws.iam.RolePolicyAttachment(
                `${name}-dhmc-policy`,
                { role: role.name, policyArn: awsManagedPolicyArn(partition, DHMC_POLICY) },
                { parent: this },
            );
            // The setting's value is the role's path (without its leading /) and name.
            const value = pulumi.interpolate`${DHMC_ROLE_PATH.slice(1)}${role.name}`;
            new aws.ssm.ServiceSetting(
                `${name}-dhmc-setting`,
                { settingId: dhmcSettingArn(partition, region, account), settingValue: value },
                { parent: this, dependsOn: [policy] },
            );
            this.roleName = role.name;
            this.roleArn = role.arn;
            this.settingValue = value;
        }
        if (args.agentUpdate) {
            const update = args.agentUpdate;
            const groupName =
                Object.keys(update.targetTags).length > 1
                    ? (update.resourceGroupName ??
                      tagTargetGroup(
                          `${name}-targets`,
                          update.targetTags,
                          `updated by the association ${update.associationName}`,
                          tags,
                          this,
                      ).name)
                    : undefined;
            const association = new aws.ssm.Association(
                `${name}-agent-update`,
                {
                    name: UPDATE_AGENT_DOCUMENT,
                    associationName: update.associationName,
                    scheduleExpression: update.schedule ?? DEFAULT_AGENT_UPDATE_SCHEDULE,
                    targets: targetsFor(update.targetTags, groupName),
                    tags,
                },
                { parent: this },
            );
            this.agentUpdateAssociationId = association.associationId;
        }
        this.registerOutputs({
            roleName: this.roleName,
            roleArn: this.roleArn,
            settingValue: this.settingValue,
            agentUpdateAssociationId: this.agentUpdateAssociationId,
        });
    }
}
