/**
 * What the AWS provider sends to AWS to create each resource the program plans: a resource's
 * recorded inputs (and the names the provider derives) mapped to the API requests, with the
 * member names of AWS's API models. Follows the Terraform AWS provider's create functions, which
 * the Pulumi AWS provider wraps; only the members this program sets are mapped.
 *
 * Every resource type the program registers must have a mapping: `requestsFor` throws on an
 * unknown type, so a new resource cannot slip past the contract.
 */
import {
    ApiRequest,
    PlannedResource,
    physicalName,
    tagList,
    ec2Tags,
    mapTags,
    parameterMap,
    targets,
    req,
    prune,
    Mapping,
} from "./requestShapes";
import { STORAGE_MAPPINGS } from "./requestsStorage";
import { runbookStepRequests } from "./runbookSteps";
export type { ApiRequest, PlannedResource } from "./requestShapes";

export const MAPPINGS: Readonly<Record<string, Mapping>> = {
    ...STORAGE_MAPPINGS,
    // A remote component: its provider creates the VPC, subnets, route tables, routes and internet
    // gateway. What this program decides of them is the VPC's block and tags.
    "awsx:ec2:Vpc": (r) => [
        req("ec2", "CreateVpc", { CidrBlock: r.inputs.cidrBlock, TagSpecifications: ec2Tags("vpc", r.inputs.tags) }),
    ],
    "aws:ec2/securityGroup:SecurityGroup": (r) => [
        req("ec2", "CreateSecurityGroup", {
            GroupName: physicalName(r),
            Description: r.inputs.description,
            VpcId: r.inputs.vpcId,
            TagSpecifications: ec2Tags("security-group", r.inputs.tags),
        }),
    ],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (r) => [
        securityGroupRule("AuthorizeSecurityGroupIngress", r),
    ],
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (r) => [
        securityGroupRule("AuthorizeSecurityGroupEgress", r),
    ],
    "aws:ec2/instance:Instance": (r) => [
        req("ec2", "RunInstances", {
            ImageId: r.inputs.ami,
            InstanceType: r.inputs.instanceType,
            MinCount: 1,
            MaxCount: 1,
            KeyName: r.inputs.keyName,
            IamInstanceProfile:
                r.inputs.iamInstanceProfile === undefined ? undefined : { Name: r.inputs.iamInstanceProfile },
            MetadataOptions: r.inputs.metadataOptions && {
                HttpEndpoint: r.inputs.metadataOptions.httpEndpoint,
                HttpTokens: r.inputs.metadataOptions.httpTokens,
                HttpPutResponseHopLimit: r.inputs.metadataOptions.httpPutResponseHopLimit,
                InstanceMetadataTags: r.inputs.metadataOptions.instanceMetadataTags,
            },
            BlockDeviceMappings: r.inputs.rootBlockDevice && [
                {
                    // The AMI's root device; the provider reads its name from the AMI.
                    DeviceName: "/dev/xvda",
                    Ebs: {
                        Encrypted: r.inputs.rootBlockDevice.encrypted,
                        VolumeType: r.inputs.rootBlockDevice.volumeType,
                        DeleteOnTermination: r.inputs.rootBlockDevice.deleteOnTermination,
                    },
                },
            ],
            UserData: r.inputs.userData === undefined ? undefined : Buffer.from(r.inputs.userData).toString("base64"),
            // A public IP is asked for on the primary network interface, which then carries the subnet and groups.
            NetworkInterfaces: [
                {
                    DeviceIndex: 0,
                    AssociatePublicIpAddress: r.inputs.associatePublicIpAddress,
                    SubnetId: r.inputs.subnetId,
                    Groups: r.inputs.vpcSecurityGroupIds,
                    DeleteOnTermination: true,
                },
            ],
            TagSpecifications: [
                ...(ec2Tags("instance", r.inputs.tags) ?? []),
                ...(ec2Tags("volume", r.inputs.volumeTags) ?? []),
            ],
        }),
    ],
    "aws:iam/role:Role": (r) => [
        req("iam", "CreateRole", {
            RoleName: physicalName(r),
            AssumeRolePolicyDocument: r.inputs.assumeRolePolicy,
            Description: r.inputs.description,
            Path: r.inputs.path,
            Tags: tagList(r.inputs.tags),
        }),
    ],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (r) => [
        req("iam", "AttachRolePolicy", { RoleName: r.inputs.role, PolicyArn: r.inputs.policyArn }),
    ],
    "aws:iam/instanceProfile:InstanceProfile": (r) => [
        req("iam", "CreateInstanceProfile", {
            InstanceProfileName: physicalName(r),
            Path: r.inputs.path,
            Tags: tagList(r.inputs.tags),
        }),
        req("iam", "AddRoleToInstanceProfile", { InstanceProfileName: physicalName(r), RoleName: r.inputs.role }),
    ],
    "aws:iam/rolePolicy:RolePolicy": (r) => [
        req("iam", "PutRolePolicy", {
            RoleName: r.inputs.role,
            PolicyName: physicalName(r),
            PolicyDocument: r.inputs.policy,
        }),
    ],
    "aws:iam/policy:Policy": (r) => [
        req("iam", "CreatePolicy", {
            PolicyName: physicalName(r),
            Description: r.inputs.description,
            Path: r.inputs.path,
            PolicyDocument: r.inputs.policy,
            Tags: tagList(r.inputs.tags),
        }),
    ],
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": (r) => [
        req("iam", "AttachGroupPolicy", { GroupName: r.inputs.group, PolicyArn: r.inputs.policyArn }),
    ],
    "aws:resourcegroups/group:Group": (r) => [
        req("resource-groups", "CreateGroup", {
            Name: physicalName(r),
            Description: r.inputs.description,
            ResourceQuery: r.inputs.resourceQuery && {
                Type: r.inputs.resourceQuery.type,
                Query: r.inputs.resourceQuery.query,
            },
            Tags: mapTags(r.inputs.tags),
        }),
    ],
    "aws:ssm/association:Association": (r) => [
        req("ssm", "CreateAssociation", {
            Name: r.inputs.name,
            AssociationName: r.inputs.associationName,
            ScheduleExpression: r.inputs.scheduleExpression,
            ScheduleOffset: r.inputs.scheduleOffset,
            ApplyOnlyAtCronInterval: r.inputs.applyOnlyAtCronInterval,
            ComplianceSeverity: r.inputs.complianceSeverity,
            MaxConcurrency: r.inputs.maxConcurrency,
            MaxErrors: r.inputs.maxErrors,
            Targets: targets(r.inputs.targets),
            // The provider sends each parameter as a one-value list.
            Parameters:
                r.inputs.parameters &&
                Object.fromEntries(Object.entries(r.inputs.parameters).map(([k, v]) => [k, [v]])),
            OutputLocation: r.inputs.outputLocation && {
                S3Location: prune({
                    OutputS3BucketName: r.inputs.outputLocation.s3BucketName,
                    OutputS3KeyPrefix: r.inputs.outputLocation.s3KeyPrefix,
                    OutputS3Region: r.inputs.outputLocation.s3Region,
                }),
            },
            Tags: tagList(r.inputs.tags),
        }),
    ],
    // The provider creates nothing: it overwrites the account and Region's setting (and resets it on delete).
    "aws:ssm/serviceSetting:ServiceSetting": (r) => [
        req("ssm", "UpdateServiceSetting", { SettingId: r.inputs.settingId, SettingValue: r.inputs.settingValue }),
    ],
    "aws:ssm/resourceDataSync:ResourceDataSync": (r) => [
        req("ssm", "CreateResourceDataSync", {
            SyncName: r.inputs.name,
            S3Destination: prune({
                BucketName: r.inputs.s3Destination.bucketName,
                Prefix: r.inputs.s3Destination.prefix,
                SyncFormat: r.inputs.s3Destination.syncFormat,
                Region: r.inputs.s3Destination.region,
                AWSKMSKeyARN: r.inputs.s3Destination.kmsKeyArn,
                DestinationDataSharing: r.inputs.s3Destination.destinationDataSharing && {
                    DestinationDataSharingType:
                        r.inputs.s3Destination.destinationDataSharing.destinationDataSharingType,
                },
            }),
        }),
    ],
    "aws:ssm/patchBaseline:PatchBaseline": (r) => [
        req("ssm", "CreatePatchBaseline", {
            Name: r.inputs.name,
            Description: r.inputs.description,
            OperatingSystem: r.inputs.operatingSystem,
            ApprovalRules: r.inputs.approvalRules && {
                PatchRules: r.inputs.approvalRules.map((rule: any) =>
                    prune({
                        PatchFilterGroup: {
                            PatchFilters: rule.patchFilters.map((f: any) => ({ Key: f.key, Values: f.values })),
                        },
                        ComplianceLevel: rule.complianceLevel,
                        ApproveAfterDays: rule.approveAfterDays,
                        ApproveUntilDate: rule.approveUntilDate,
                        EnableNonSecurity: rule.enableNonSecurity,
                    }),
                ),
            },
            ApprovedPatches: r.inputs.approvedPatches,
            RejectedPatches: r.inputs.rejectedPatches,
            RejectedPatchesAction: r.inputs.rejectedPatchesAction,
            Tags: tagList(r.inputs.tags),
        }),
    ],
    "aws:ssm/patchGroup:PatchGroup": (r) => [
        req("ssm", "RegisterPatchBaselineForPatchGroup", {
            BaselineId: r.inputs.baselineId,
            PatchGroup: r.inputs.patchGroup,
        }),
    ],
    "aws:cloudwatch/logGroup:LogGroup": (r) => [
        req("logs", "CreateLogGroup", {
            logGroupName: physicalName(r),
            kmsKeyId: r.inputs.kmsKeyId,
            tags: mapTags(r.inputs.tags),
        }),
        ...(r.inputs.retentionInDays === undefined
            ? []
            : [
                  req("logs", "PutRetentionPolicy", {
                      logGroupName: physicalName(r),
                      retentionInDays: r.inputs.retentionInDays,
                  }),
              ]),
    ],
    "aws:ssm/maintenanceWindow:MaintenanceWindow": (r) => [
        req("ssm", "CreateMaintenanceWindow", {
            Name: r.inputs.name,
            Description: r.inputs.description,
            Schedule: r.inputs.schedule,
            ScheduleTimezone: r.inputs.scheduleTimezone,
            ScheduleOffset: r.inputs.scheduleOffset,
            Duration: r.inputs.duration,
            Cutoff: r.inputs.cutoff,
            AllowUnassociatedTargets: r.inputs.allowUnassociatedTargets ?? false,
            Tags: tagList(r.inputs.tags),
        }),
    ],
    "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget": (r) => [
        req("ssm", "RegisterTargetWithMaintenanceWindow", {
            WindowId: r.inputs.windowId,
            ResourceType: r.inputs.resourceType,
            Targets: targets(r.inputs.targets),
            Name: r.inputs.name,
            Description: r.inputs.description,
            OwnerInformation: r.inputs.ownerInformation,
        }),
    ],
    "aws:ssm/document:Document": (r) => [
        req("ssm", "CreateDocument", {
            Name: r.inputs.name,
            Content: r.inputs.content,
            DocumentType: r.inputs.documentType,
            DocumentFormat: r.inputs.documentFormat,
            Tags: tagList(r.inputs.tags),
        }),
        ...runbookStepRequests(r.inputs.documentType, r.inputs.content),
    ],
    "aws:ssm/parameter:Parameter": (r) => [
        req("ssm", "PutParameter", {
            Name: r.inputs.name,
            Description: r.inputs.description,
            Value: r.inputs.insecureValue ?? r.inputs.value,
            Type: r.inputs.type,
            Tags: tagList(r.inputs.tags),
        }),
    ],
    "aws:backup/vault:Vault": (r) => [
        req("backup", "CreateBackupVault", {
            BackupVaultName: r.inputs.name,
            EncryptionKeyArn: r.inputs.kmsKeyArn,
            BackupVaultTags: r.inputs.tags,
        }),
    ],
    "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask": (r) => {
        const run = r.inputs.taskInvocationParameters?.runCommandParameters;
        const automation = r.inputs.taskInvocationParameters?.automationParameters;
        return [
            req("ssm", "RegisterTaskWithMaintenanceWindow", {
                WindowId: r.inputs.windowId,
                Targets: targets(r.inputs.targets),
                TaskArn: r.inputs.taskArn,
                ServiceRoleArn: r.inputs.serviceRoleArn,
                TaskType: r.inputs.taskType,
                Priority: r.inputs.priority,
                MaxConcurrency: r.inputs.maxConcurrency,
                MaxErrors: r.inputs.maxErrors,
                Name: r.inputs.name,
                Description: r.inputs.description,
                CutoffBehavior: r.inputs.cutoffBehavior,
                TaskInvocationParameters:
                    (automation && {
                        Automation: prune({
                            DocumentVersion: automation.documentVersion,
                            Parameters: parameterMap(automation.parameters),
                        }),
                    }) ||
                    (run && {
                        RunCommand: prune({
                            Comment: run.comment,
                            DocumentVersion: run.documentVersion,
                            Parameters: parameterMap(run.parameters),
                            OutputS3BucketName: run.outputS3Bucket,
                            OutputS3KeyPrefix: run.outputS3KeyPrefix,
                            ServiceRoleArn: run.serviceRoleArn,
                            TimeoutSeconds: run.timeoutSeconds,
                            CloudWatchOutputConfig:
                                run.cloudwatchConfig &&
                                prune({
                                    CloudWatchLogGroupName: run.cloudwatchConfig.cloudwatchLogGroupName,
                                    CloudWatchOutputEnabled: run.cloudwatchConfig.cloudwatchOutputEnabled,
                                }),
                            NotificationConfig:
                                run.notificationConfig &&
                                prune({
                                    NotificationArn: run.notificationConfig.notificationArn,
                                    NotificationEvents: run.notificationConfig.notificationEvents,
                                    NotificationType: run.notificationConfig.notificationType,
                                }),
                        }),
                    }),
            }),
        ];
    },
    "aws:kms/key:Key": (r) => [
        req("kms", "CreateKey", {
            Description: r.inputs.description,
            Policy: r.inputs.policy,
            Tags: tagList(r.inputs.tags, "TagKey", "TagValue"),
        }),
        ...(r.inputs.enableKeyRotation
            ? [
                  req("kms", "EnableKeyRotation", {
                      KeyId: r.state.keyId ?? r.state.id ?? "key-id",
                      RotationPeriodInDays: r.inputs.rotationPeriodInDays,
                  }),
              ]
            : []),
        // Sent on destroy: the waiting period before the key is deleted.
        ...(r.inputs.deletionWindowInDays === undefined
            ? []
            : [
                  req("kms", "ScheduleKeyDeletion", {
                      KeyId: r.state.keyId ?? "key-id",
                      PendingWindowInDays: r.inputs.deletionWindowInDays,
                  }),
              ]),
    ],
    "aws:sns/topic:Topic": (r) => [
        req("sns", "CreateTopic", {
            Name: physicalName(r),
            Attributes: prune({
                DisplayName: r.inputs.displayName,
                KmsMasterKeyId: r.inputs.kmsMasterKeyId,
                Policy: r.inputs.policy,
            }),
            Tags: tagList(r.inputs.tags),
        }),
    ],
    "aws:sns/topicPolicy:TopicPolicy": (r) => [
        req("sns", "SetTopicAttributes", {
            TopicArn: r.inputs.arn,
            AttributeName: "Policy",
            AttributeValue: r.inputs.policy,
        }),
    ],
    "aws:sns/topicSubscription:TopicSubscription": (r) => [
        req("sns", "Subscribe", {
            TopicArn: r.inputs.topic,
            Protocol: r.inputs.protocol,
            Endpoint: r.inputs.endpoint,
            ReturnSubscriptionArn: true,
        }),
    ],
    "aws:cloudwatch/eventRule:EventRule": (r) => [
        req("events", "PutRule", {
            Name: physicalName(r),
            EventPattern: r.inputs.eventPattern,
            ScheduleExpression: r.inputs.scheduleExpression,
            Description: r.inputs.description,
            State: r.inputs.state ?? "ENABLED",
            Tags: tagList(r.inputs.tags),
        }),
    ],
    "aws:cloudwatch/eventTarget:EventTarget": (r) => [
        req("events", "PutTargets", {
            Rule: r.inputs.rule,
            Targets: [
                prune({
                    // Unset, the provider generates a unique id: "terraform-" and 26 characters.
                    Id: r.inputs.targetId ?? `terraform-${"x".repeat(26)}`,
                    Arn: r.inputs.arn,
                    RoleArn: r.inputs.roleArn,
                    InputTransformer: r.inputs.inputTransformer && {
                        InputPathsMap: r.inputs.inputTransformer.inputPaths,
                        InputTemplate: r.inputs.inputTransformer.inputTemplate,
                    },
                }),
            ],
        }),
    ],
};

function securityGroupRule(operation: string, r: PlannedResource): ApiRequest {
    return req("ec2", operation, {
        GroupId: r.inputs.securityGroupId,
        IpPermissions: [
            prune({
                IpProtocol: r.inputs.ipProtocol,
                FromPort: r.inputs.fromPort,
                ToPort: r.inputs.toPort,
                IpRanges:
                    r.inputs.cidrIpv4 === undefined
                        ? undefined
                        : [prune({ CidrIp: r.inputs.cidrIpv4, Description: r.inputs.description })],
            }),
        ],
        TagSpecifications: ec2Tags("security-group-rule", r.inputs.tags),
    });
}

/** The requests a resource's creation sends; components (no AWS request of their own) send none. */
export function requestsFor(
    r: PlannedResource & { readonly custom: boolean },
    context: { region: string },
): ApiRequest[] {
    const mapping = MAPPINGS[r.type];
    if (mapping) return mapping(r, context);
    if (!r.custom) return [];
    throw new Error(
        `contract: no request mapping for resource type ${r.type} (${r.name}); add it to tools/contract/requests.ts`,
    );
}
