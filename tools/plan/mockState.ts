/**
 * The values Pulumi's mocks return in an offline evaluation (tools/plan/evaluate.ts runs them): state
 * per resource type and answers to data-source calls, realistic (for the specs) or placeholders (for
 * the plan). A type or call not listed here fails loudly.
 */
import { createHash } from "crypto";
import { Architecture, OPERATING_SYSTEM_SPECS } from "../../components/operatingSystems";

export const MOCK_ACCOUNT = "123456789012";
export const MOCK_PARTITION = "aws";

/** How values known only after deployment are shown. */
export type ValueMode = "realistic" | "placeholder";

function hex(seed: string, length: number): string {
    return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

/** The AMI id the mock returns for a public AMI parameter. */
export function mockAmiId(parameterName: string): string {
    return `ami-${hex(parameterName, 17)}`;
}

const AMI_PARAMETERS = new Set<string>(
    Object.values(OPERATING_SYSTEM_SPECS).flatMap((os) => Object.values(os.amiParameter)),
);

/** The architecture of an AMI id the mocks handed out (realistic mode), for the API contract's AMI check. */
const MOCK_AMI_ARCHITECTURES = new Map<string, Architecture>(
    Object.values(OPERATING_SYSTEM_SPECS).flatMap((os) =>
        Object.entries(os.amiParameter).map(([arch, parameter]) => [mockAmiId(parameter), arch as Architecture]),
    ),
);
export function mockAmiArchitecture(amiId: string): Architecture | undefined {
    return MOCK_AMI_ARCHITECTURES.get(amiId);
}

type Call = (inputs: Record<string, any>, region: string, mode: ValueMode) => Record<string, unknown>;

/** The partition a region belongs to: known before deployment. */
function partitionOf(region: string): string {
    return region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : MOCK_PARTITION;
}

export const CALLS: Record<string, Call> = {
    "aws:index/getPartition:getPartition": (_inputs, region) => ({
        id: partitionOf(region),
        partition: partitionOf(region),
        dnsSuffix: "amazonaws.com",
        reverseDnsPrefix: "com.amazonaws",
    }),
    "aws:index/getCallerIdentity:getCallerIdentity": (_inputs, _region, mode) => {
        const account = mode === "realistic" ? MOCK_ACCOUNT : "<account id>";
        return {
            id: account,
            accountId: account,
            arn: `arn:aws:iam::${account}:user/ci`,
            userId: mode === "realistic" ? "AIDAEXAMPLEUSERID" : "<user id>",
        };
    },
    "aws:index/getRegion:getRegion": (_inputs, region) => ({
        id: region,
        region,
        name: region,
        endpoint: `ec2.${region}.amazonaws.com`,
    }),
    "aws:ssm/getParameter:getParameter": (inputs, region, mode) => {
        if (!AMI_PARAMETERS.has(inputs.name)) {
            throw new Error(`mock: unexpected SSM parameter lookup ${JSON.stringify(inputs.name)}`);
        }
        const ami = mode === "realistic" ? mockAmiId(inputs.name) : `<latest AMI in ${inputs.name}>`;
        return {
            id: inputs.name,
            name: inputs.name,
            arn: `arn:aws:ssm:${region}::parameter${inputs.name}`,
            type: "String",
            value: ami,
            insecureValue: ami,
            version: 1,
        };
    },
};

interface StateContext {
    readonly region: string;
    readonly name: string;
    readonly inputs: Record<string, any>;
    readonly seed: string;
}

/** The physical name AWS would give: an explicit name, or the prefix plus a suffix, or the logical name plus one. */
function physicalName(c: StateContext): string {
    return (
        c.inputs.name ??
        (c.inputs.namePrefix ? `${c.inputs.namePrefix}${hex(c.seed, 26)}` : `${c.name}-${hex(c.seed, 7)}`)
    );
}

type StateFn = (c: StateContext) => { id: string; state: Record<string, unknown> };

/** Types whose provider state adds nothing the program reads: an id is all they need. */
const ID_ONLY =
    (prefix: string): StateFn =>
    (c) => ({ id: `${prefix}${hex(c.seed, 17)}`, state: {} });

/** A uuid-shaped id (association ids, window target ids). */
function uuid(seed: string): string {
    const h = hex(seed, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const RESOURCES: Record<string, StateFn> = {
    "awsx:ec2:Vpc": (c) => {
        const zones = c.inputs.numberOfAvailabilityZones ?? 3;
        return {
            id: "",
            state: {
                vpcId: `vpc-${hex(c.seed, 17)}`,
                publicSubnetIds: Array.from({ length: zones }, (_, i) => `subnet-${hex(`${c.seed}/public/${i}`, 17)}`),
                privateSubnetIds: [],
                isolatedSubnetIds: [],
            },
        };
    },
    "aws:ec2/securityGroup:SecurityGroup": (c) => {
        const id = `sg-${hex(c.seed, 17)}`;
        return {
            id,
            state: { name: physicalName(c), arn: `arn:aws:ec2:${c.region}:${MOCK_ACCOUNT}:security-group/${id}` },
        };
    },
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ID_ONLY("sgr-"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ID_ONLY("sgr-"),
    "aws:iam/role:Role": (c) => {
        const name = physicalName(c);
        return {
            id: name,
            state: {
                name,
                arn: `arn:aws:iam::${MOCK_ACCOUNT}:role/${name}`,
                uniqueId: `AROA${hex(c.seed, 17).toUpperCase()}`,
            },
        };
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (c) => ({
        id: `${c.inputs.role}-${hex(c.seed, 8)}`,
        state: {},
    }),
    "aws:iam/instanceProfile:InstanceProfile": (c) => {
        const name = physicalName(c);
        return { id: name, state: { name, arn: `arn:aws:iam::${MOCK_ACCOUNT}:instance-profile/${name}` } };
    },
    "aws:iam/rolePolicy:RolePolicy": (c) => ({
        id: `${c.inputs.role}:${physicalName(c)}`,
        state: { name: physicalName(c) },
    }),
    "aws:s3/bucket:Bucket": (c) => {
        const bucket = c.inputs.bucket ?? `${c.name}-${hex(c.seed, 7)}`;
        return { id: bucket, state: { bucket, arn: `arn:aws:s3:::${bucket}`, region: c.region } };
    },
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": (c) => ({ id: c.inputs.bucket, state: {} }),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": (c) => ({ id: c.inputs.bucket, state: {} }),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (c) => ({
        id: c.inputs.bucket,
        state: {},
    }),
    "aws:s3/bucketVersioning:BucketVersioning": (c) => ({ id: c.inputs.bucket, state: {} }),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (c) => ({ id: c.inputs.bucket, state: {} }),
    "aws:s3/bucketPolicy:BucketPolicy": (c) => ({ id: c.inputs.bucket, state: {} }),
    "aws:s3/bucketLogging:BucketLogging": (c) => ({ id: c.inputs.bucket, state: {} }),
    "aws:scheduler/schedule:Schedule": (c) => {
        const name = physicalName(c);
        return {
            id: `default/${name}`,
            state: { name, arn: `arn:aws:scheduler:${c.region}:${MOCK_ACCOUNT}:schedule/default/${name}` },
        };
    },
    "aws:resourcegroups/group:Group": (c) => {
        const name = physicalName(c);
        return { id: name, state: { name, arn: `arn:aws:resource-groups:${c.region}:${MOCK_ACCOUNT}:group/${name}` } };
    },
    "aws:ssm/association:Association": (c) => {
        const associationId = uuid(c.seed);
        return {
            id: associationId,
            state: { associationId, arn: `arn:aws:ssm:${c.region}:${MOCK_ACCOUNT}:association/${associationId}` },
        };
    },
    "aws:ssm/resourceDataSync:ResourceDataSync": (c) => ({ id: c.inputs.name, state: {} }),
    // The provider's id is the setting's ARN (what UpdateServiceSetting returns); its status once overwritten.
    "aws:ssm/serviceSetting:ServiceSetting": (c) => ({
        id: c.inputs.settingId,
        state: { arn: c.inputs.settingId, status: "Customized" },
    }),
    "aws:glue/catalogDatabase:CatalogDatabase": (c) => ({
        id: `${MOCK_ACCOUNT}:${c.inputs.name}`,
        state: { arn: `arn:aws:glue:${c.region}:${MOCK_ACCOUNT}:database/${c.inputs.name}` },
    }),
    "aws:glue/catalogTable:CatalogTable": (c) => ({
        id: `${MOCK_ACCOUNT}:${c.inputs.databaseName}:${c.inputs.name}`,
        state: { arn: `arn:aws:glue:${c.region}:${MOCK_ACCOUNT}:table/${c.inputs.databaseName}/${c.inputs.name}` },
    }),
    "aws:athena/workgroup:Workgroup": (c) => ({
        id: c.inputs.name,
        state: { arn: `arn:aws:athena:${c.region}:${MOCK_ACCOUNT}:workgroup/${c.inputs.name}` },
    }),
    "aws:athena/namedQuery:NamedQuery": (c) => ({ id: uuid(c.seed), state: {} }),
    // Another stack's outputs are unknowable offline, in tests as in plans: marked as such.
    "pulumi:pulumi:StackReference": (c) => ({
        id: c.inputs.name,
        state: {
            outputs: Object.fromEntries(
                ["SyncBucketName", "SyncBucketRegion", "SyncPrefix"].map((key) => [
                    key,
                    `<${key} of stack ${c.inputs.name}>`,
                ]),
            ),
            secretOutputNames: [],
        },
    }),
    "aws:ssm/patchBaseline:PatchBaseline": (c) => {
        const id = `pb-${hex(c.seed, 17)}`;
        return { id, state: { arn: `arn:aws:ssm:${c.region}:${MOCK_ACCOUNT}:patchbaseline/${id}` } };
    },
    "aws:iam/policy:Policy": (c) => {
        const name = physicalName(c);
        return {
            id: `arn:aws:iam::${MOCK_ACCOUNT}:policy/${name}`,
            state: { name, arn: `arn:aws:iam::${MOCK_ACCOUNT}:policy/${name}` },
        };
    },
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": ID_ONLY("gpa-"),
    "aws:cloudwatch/logGroup:LogGroup": (c) => {
        const name = physicalName(c);
        return { id: name, state: { name, arn: `arn:aws:logs:${c.region}:${MOCK_ACCOUNT}:log-group:${name}` } };
    },
    "aws:ssm/maintenanceWindow:MaintenanceWindow": ID_ONLY("mw-"),
    "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget": (c) => ({ id: uuid(c.seed), state: {} }),
    "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask": (c) => ({ id: uuid(c.seed), state: {} }),
    // The patch runbook's (components/patchRunbook.ts): a document's id is its name; a parameter's too.
    "aws:ssm/document:Document": (c) => ({
        id: c.inputs.name,
        state: { name: c.inputs.name, arn: `arn:aws:ssm:${c.region}:${MOCK_ACCOUNT}:document/${c.inputs.name}` },
    }),
    "aws:ssm/parameter:Parameter": (c) => ({
        id: c.inputs.name,
        state: { name: c.inputs.name, arn: `arn:aws:ssm:${c.region}:${MOCK_ACCOUNT}:parameter${c.inputs.name}` },
    }),
    "aws:backup/vault:Vault": (c) => ({
        id: c.inputs.name,
        state: { name: c.inputs.name, arn: `arn:aws:backup:${c.region}:${MOCK_ACCOUNT}:backup-vault:${c.inputs.name}` },
    }),
    "aws:kms/key:Key": (c) => {
        const id = uuid(c.seed);
        return { id, state: { keyId: id, arn: `arn:aws:kms:${c.region}:${MOCK_ACCOUNT}:key/${id}` } };
    },
    "aws:sns/topic:Topic": (c) => {
        const name = physicalName(c);
        const arn = `arn:aws:sns:${c.region}:${MOCK_ACCOUNT}:${name}`;
        return { id: arn, state: { name, arn } };
    },
    "aws:sns/topicPolicy:TopicPolicy": (c) => ({ id: c.inputs.arn, state: {} }),
    "aws:sns/topicSubscription:TopicSubscription": (c) => ({ id: `${c.inputs.topic}:${uuid(c.seed)}`, state: {} }),
    "aws:cloudwatch/eventRule:EventRule": (c) => {
        const name = physicalName(c);
        return { id: name, state: { name, arn: `arn:aws:events:${c.region}:${MOCK_ACCOUNT}:rule/${name}` } };
    },
    "aws:cloudwatch/eventTarget:EventTarget": (c) => ({ id: `${c.inputs.rule}-${hex(c.seed, 8)}`, state: {} }),
    "aws:ssm/patchGroup:PatchGroup": (c) => ({ id: `${c.inputs.patchGroup},${c.inputs.baselineId}`, state: {} }),
    "aws:ec2/instance:Instance": (c) => {
        const id = `i-${hex(c.seed, 17)}`;
        const octets = Buffer.from(hex(c.seed, 4), "hex");
        return {
            id,
            state: {
                arn: `arn:aws:ec2:${c.region}:${MOCK_ACCOUNT}:instance/${id}`,
                // Documentation ranges (RFC 5737): never a real host.
                publicIp: `203.0.113.${(octets[0] % 254) + 1}`,
                privateIp: `10.0.${octets[1]}.${(octets[0] % 250) + 4}`,
                instanceState: "running",
            },
        };
    },
};

/** Replaces every value the mock made up (not an input the program gave) by a marked placeholder. */
export function placeholders(name: string, inputs: Record<string, any>, id: string, state: Record<string, unknown>) {
    const marked: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(state)) {
        if (JSON.stringify(inputs[key]) === JSON.stringify(value)) {
            marked[key] = value;
        } else if (Array.isArray(value)) {
            marked[key] = value.map((_, i) => `<${key}[${i}] of ${name}>`);
        } else {
            marked[key] = typeof value === "string" ? `<${key} of ${name}>` : value;
        }
    }
    return { id: id === "" ? "" : `<id of ${name}>`, state: marked };
}
