/**
 * The plan as text: the resources as a tree under their components, each with the properties a
 * reviewer checks (tags, targets, schedules, rules, policies, ports); then counts and outputs.
 */
import { awsxVpcChildren, compare, Plan, PlanResource, shortType } from "./model";

type Inputs = Record<string, any>;
type Summary = (inputs: Inputs) => (string | undefined)[];

const tagsLine = (tags: Record<string, string> | undefined) =>
    tags && Object.keys(tags).length > 0
        ? `tags: ${Object.entries(tags)
              .map(([k, v]) => `${k}=${v}`)
              .join(", ")}`
        : undefined;

const json = (text: unknown) => (typeof text === "string" ? safeParse(text) : text);

function safeParse(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

/** Policy statements in one line each: `Allow s3:PutObject on arn:… if {…}`. */
function statements(policy: unknown): string[] {
    const doc = json(policy) as { Statement?: Inputs[] } | undefined;
    return (doc?.Statement ?? []).map((s) => {
        const who = s.Principal
            ? ` for ${typeof s.Principal === "string" ? s.Principal : Object.values(s.Principal).flat().join(", ")}`
            : "";
        const what = [s.Action].flat().join(", ");
        const where = s.Resource ? ` on ${[s.Resource].flat().join(", ")}` : "";
        const when = s.Condition ? ` if ${JSON.stringify(s.Condition)}` : "";
        return `${s.Effect} ${what}${who}${where}${when}`;
    });
}

const targets = (list: { key: string; values: string[] }[] | undefined) =>
    (list ?? []).map((t) => `${t.key} = ${t.values.join(" | ")}`).join(" AND ");

const SUMMARIES: Record<string, Summary> = {
    "awsx:ec2:Vpc": (i) => [
        `creates the VPC, its subnets, route tables and internet gateway: cidr ${i.cidrBlock}, ${i.numberOfAvailabilityZones} availability zones`,
        `subnets: ${(i.subnetSpecs ?? []).map((s: Inputs) => `${s.type} /${s.cidrMask}`).join(", ")} per zone; NAT gateways: ${i.natGateways?.strategy}`,
        `expands into (as awsx creates them): ${Object.entries(awsxVpcChildren(i))
            .map(([type, n]) => `${n} ${shortType(type)}`)
            .join(", ")}`,
    ],
    "aws:ec2/securityGroup:SecurityGroup": (i) => [`in vpc ${i.vpcId}: ${i.description}`],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (i) => [
        `ingress ${i.ipProtocol} ${i.fromPort}-${i.toPort} from ${i.cidrIpv4}`,
    ],
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (i) => [
        `egress ${i.ipProtocol} ${i.fromPort}-${i.toPort} to ${i.cidrIpv4}`,
    ],
    "aws:iam/role:Role": (i) => [
        `name ${i.path && i.path !== "/" ? i.path : ""}${i.name ?? `${i.namePrefix}…`}`,
        ...statements(i.assumeRolePolicy).map((s) => `trust: ${s}`),
    ],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (i) => [`attach ${i.policyArn} to ${i.role}`],
    "aws:iam/rolePolicy:RolePolicy": (i) => [`inline policy of ${i.role}`, ...statements(i.policy)],
    "aws:iam/policy:Policy": (i) => [`name ${i.name ?? `${i.namePrefix}…`}`, ...statements(i.policy)],
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": (i) => [`attach ${i.policyArn} to group ${i.group}`],
    "aws:iam/instanceProfile:InstanceProfile": (i) => [`name ${i.namePrefix}…, role ${i.role}`],
    "aws:ec2/instance:Instance": (i) => [
        `${i.instanceType}, ami ${i.ami}, subnet ${i.subnetId}, public IP ${i.associatePublicIpAddress ? "yes" : "no"}`,
        `IMDS tokens ${i.metadataOptions?.httpTokens}, root volume ${i.rootBlockDevice?.encrypted ? "encrypted" : "NOT encrypted"} ${i.rootBlockDevice?.volumeType ?? ""}`,
        `profile ${i.iamInstanceProfile}${i.keyName ? `, key pair ${i.keyName}` : ""}${i.userData ? `, user data installs ${userDataServer(i.userData)}` : ""}`,
        tagsLine(i.tags),
    ],
    "aws:s3/bucket:Bucket": (i) => [
        i.forceDestroy ? "deleted with its objects on destroy" : "kept (with its objects) on destroy",
    ],
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": (i) => [
        `block public ACLs ${i.blockPublicAcls}, policies ${i.blockPublicPolicy}, ignore ACLs ${i.ignorePublicAcls}, restrict ${i.restrictPublicBuckets}`,
    ],
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": (i) => [`object ownership ${i.rule?.objectOwnership}`],
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (i) => [
        `encryption ${(i.rules ?? []).map((r: Inputs) => r.applyServerSideEncryptionByDefault?.sseAlgorithm).join(", ")}`,
    ],
    "aws:s3/bucketVersioning:BucketVersioning": (i) => [`versioning ${i.versioningConfiguration?.status}`],
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (i) =>
        (i.rules ?? []).map(
            (r: Inputs) =>
                `${r.id}: ${r.expiration ? `expire after ${r.expiration.days} days, ` : ""}old versions after ${r.noncurrentVersionExpiration?.noncurrentDays}`,
        ),
    "aws:glue/catalogDatabase:CatalogDatabase": (i) => [`${i.name}: ${i.description}`],
    "aws:glue/catalogTable:CatalogTable": (i) => [
        `${i.name}: ${(i.storageDescriptor?.columns ?? []).length} columns, partitions ${(i.partitionKeys ?? []).map((k: Inputs) => k.name).join(", ")} projected (${(i.partitionKeys ?? []).map((k: Inputs) => i.parameters?.[`projection.${k.name}.values`] ?? i.parameters?.[`projection.${k.name}.range`]).join("; ")})`,
        `reads ${i.parameters?.["storage.location.template"] ?? i.storageDescriptor?.location}`,
    ],
    "aws:s3/bucketLogging:BucketLogging": (i) => [`access logs to ${i.targetBucket}/${i.targetPrefix}`],
    "aws:scheduler/schedule:Schedule": (i) => [
        `${i.scheduleExpression} (${i.scheduleExpressionTimezone}): ${i.target?.arn} as ${i.target?.roleArn}`,
    ],
    "aws:athena/workgroup:Workgroup": (i) => {
        const c = i.configuration ?? {};
        return [
            `${i.name}: results to ${c.resultConfiguration?.outputLocation} (${c.resultConfiguration?.encryptionConfiguration?.encryptionOption})`,
            `at most ${c.bytesScannedCutoffPerQuery} bytes scanned per query, configuration ${c.enforceWorkgroupConfiguration ? "enforced" : "not enforced"}`,
        ];
    },
    "aws:athena/namedQuery:NamedQuery": (i) => [`${i.name} in ${i.workgroup}: ${i.description}`],
    "aws:s3/bucketPolicy:BucketPolicy": (i) => statements(i.policy),
    "aws:resourcegroups/group:Group": (i) => {
        const query = json(i.resourceQuery?.query) as Inputs;
        return [
            `${(query?.ResourceTypeFilters ?? []).join(", ")} with ${(query?.TagFilters ?? []).map((f: Inputs) => `${f.Key}=${f.Values.join("|")}`).join(" AND ")}`,
        ];
    },
    "aws:ssm/association:Association": (i) => [
        `${i.associationName}: ${i.name}, ${i.scheduleExpression}`,
        `targets ${targets(i.targets)}`,
        ...(i.outputLocation ? [`logs to s3://${i.outputLocation.s3BucketName}/${i.outputLocation.s3KeyPrefix}/`] : []),
        ...(i.parameters
            ? [
                  `parameters: ${Object.entries(i.parameters)
                      .map(([k, v]) => `${k}=${v === "" ? '""' : v}`)
                      .join(", ")}`,
              ]
            : []),
    ],
    "aws:ssm/serviceSetting:ServiceSetting": (i) => [`${i.settingId} = ${i.settingValue}`],
    "aws:ssm/resourceDataSync:ResourceDataSync": (i) => [
        `${i.name} to s3://${i.s3Destination?.bucketName}/${i.s3Destination?.prefix}/`,
    ],
    "aws:ssm/patchBaseline:PatchBaseline": (i) => [
        `${i.name} for ${i.operatingSystem}`,
        ...(i.approvalRules ?? []).map(
            (r: Inputs) =>
                `approve ${(r.patchFilters ?? []).map((f: Inputs) => `${f.key}=${f.values.join("|")}`).join(", ")}${r.approveAfterDays === undefined ? " without delay" : ` after ${r.approveAfterDays} days`}, ${r.complianceLevel}${r.enableNonSecurity ? ", non-security too" : ""}`,
        ),
        `reject ${(i.rejectedPatches ?? []).join(", ")} (${i.rejectedPatchesAction})`,
    ],
    "aws:ssm/patchGroup:PatchGroup": (i) => [`patch group "${i.patchGroup}" -> baseline ${i.baselineId}`],
    "aws:ssm/maintenanceWindow:MaintenanceWindow": (i) => [
        `${i.name}: ${i.schedule} ${i.scheduleTimezone}${i.scheduleOffset ? ` +${i.scheduleOffset} days` : ""}, ${i.duration} h, cutoff ${i.cutoff} h`,
    ],
    "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget": (i) => [`${i.name}: ${targets(i.targets)}`],
    "aws:ssm/document:Document": (i) => {
        const doc = json(i.content) as Inputs;
        const steps = (doc?.mainSteps ?? []) as Inputs[];
        return [
            `${i.name}: ${i.documentType} document, schema ${doc?.schemaVersion}`,
            ...steps.map((s, n) => {
                const call = s.inputs?.Api ? ` ${s.inputs.Service}:${s.inputs.Api}` : "";
                const run = s.inputs?.DocumentName ? ` ${s.inputs.DocumentName}` : "";
                return `${n + 1}. ${s.name} (${s.action}${call}${run}${s.timeoutSeconds ? `, ${s.timeoutSeconds} s` : ""})`;
            }),
        ];
    },
    "aws:ssm/parameter:Parameter": (i) => [`${i.name} (${i.type}), starts ${JSON.stringify(i.insecureValue)}`],
    "aws:backup/vault:Vault": (i) => [`${i.name}${i.forceDestroy ? ", destroy deletes its recovery points" : ""}`],
    "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask": (i) => {
        const automation = i.taskInvocationParameters?.automationParameters;
        if (automation) {
            const params = (automation.parameters ?? []).map((p: Inputs) => `${p.name}=${p.values.join(",")}`);
            return [
                `${i.name}: Automation ${i.taskArn} ${params.join(", ")}, priority ${i.priority}, ${i.targets ? `concurrency ${i.maxConcurrency}, errors ${i.maxErrors}` : "no targets: once per run"}`,
                `role ${i.serviceRoleArn}`,
            ];
        }
        const run = i.taskInvocationParameters?.runCommandParameters ?? {};
        const params = (run.parameters ?? []).map((p: Inputs) => `${p.name}=${p.values.join(",")}`).join(", ");
        return [
            `${i.name}: ${i.taskArn} ${params}, priority ${i.priority}, concurrency ${i.maxConcurrency}, errors ${i.maxErrors}`,
            `role ${i.serviceRoleArn}, output s3://${run.outputS3Bucket}/${run.outputS3KeyPrefix}/${run.cloudwatchConfig ? ` and ${run.cloudwatchConfig.cloudwatchLogGroupName}` : ""}`,
            run.notificationConfig
                ? `notifies ${run.notificationConfig.notificationArn} on ${run.notificationConfig.notificationEvents.join(", ")}`
                : undefined,
        ];
    },
    "aws:cloudwatch/logGroup:LogGroup": (i) => [`${i.name ?? `${i.namePrefix}…`}, ${i.retentionInDays} days`],
    "aws:kms/key:Key": (i) => [`rotation ${i.enableKeyRotation ? "on" : "off"}`, ...statements(i.policy)],
    "aws:sns/topic:Topic": (i) => [`${i.name} ("${i.displayName}"), encrypted with ${i.kmsMasterKeyId}`],
    "aws:sns/topicPolicy:TopicPolicy": (i) => statements(i.policy),
    "aws:sns/topicSubscription:TopicSubscription": (i) => [`${i.protocol} ${i.endpoint} (pending until confirmed)`],
    "aws:cloudwatch/eventRule:EventRule": (i) => {
        const pattern = json(i.eventPattern) as Inputs;
        const detail = Object.entries(pattern?.detail ?? {}).map(([k, v]) => `${k} ${JSON.stringify(v)}`);
        return [`${i.name}: ${(pattern?.["detail-type"] ?? []).join(", ")}`, `where ${detail.join(", ")}`];
    },
    "aws:cloudwatch/eventTarget:EventTarget": (i) => [`-> ${i.arn}: ${json(i.inputTransformer?.inputTemplate)}`],
};

/** The tree of resources under their components, with each resource's summary. */
export function renderTree(plan: Plan): string[] {
    const children = new Map<string | undefined, PlanResource[]>();
    for (const r of plan.resources) {
        children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    }
    const lines: string[] = [];
    const walk = (parent: string | undefined, indent: string) => {
        const list = (children.get(parent) ?? []).sort((a, b) => compare(`${a.type} ${a.name}`, `${b.type} ${b.name}`));
        list.forEach((r, i) => {
            const last = i === list.length - 1;
            lines.push(`${indent}${last ? "└─" : "├─"} ${r.type}  ${r.name}`);
            const inner = `${indent}${last ? "   " : "│  "}`;
            for (const line of (SUMMARIES[r.type]?.(r.inputs) ?? []).filter((l) => l !== undefined)) {
                lines.push(`${inner}${children.has(r.urn) ? "│" : " "}    ${line}`);
            }
            walk(r.urn, inner);
        });
    };
    walk(undefined, "");
    return lines;
}

export function renderPlan(plan: Plan): string {
    const counts = Object.entries(plan.counts);
    const width = Math.max(...counts.map(([type]) => type.length));
    const outputs = Object.entries(plan.outputs).sort(([a], [b]) => compare(a, b));
    const inAws = counts.reduce((n, [, c]) => n + c, 0);
    const components = plan.toCreate - 1 - inAws;
    return [
        `Plan of stack "${plan.stack}" in ${plan.region} (offline: values in <angle brackets> are known only after deployment)`,
        "",
        ...renderTree(plan),
        "",
        `Resources: ${plan.toCreate} to create, as pulumi preview counts them (the stack, ${components} component${components === 1 ? "" : "s"}, ${inAws} resources in AWS):`,
        ...counts.map(([type, n]) => `  ${type.padEnd(width)}  ${n}`),
        "",
        "Outputs:",
        ...outputs
            .filter(([, value]) => value !== undefined)
            .map(([key, value]) => `  ${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`),
        "",
    ].join("\n");
}

/** What a web server's user data installs, read from the script: IIS (PowerShell), apache2 or httpd. */
function userDataServer(userData: string): string {
    if (userData.includes("Install-WindowsFeature -Name Web-Server")) return "IIS";
    return /install -y (\S+)/.exec(userData)?.[1] ?? "a script";
}
