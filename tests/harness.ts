/**
 * The one mock harness every spec uses: runs the real program (index.ts) with a stack's real
 * config under Pulumi's runtime mocks and records every resource it registers.
 *
 * - Config: the declared values of Pulumi.yaml, overridden per key by Pulumi.<stack>.yaml, as the
 *   CLI does; a spec may override single paths on top (`"network.sourceCidr": "..."`).
 * - Resources: each type gets realistic state (ids, ARNs, names, public IPs), derived
 *   deterministically from the logical name so two runs agree.
 * - Calls (data sources): answered by exact token; an unknown token or an AMI parameter the
 *   project does not know fails loudly.
 * - Each run sets fresh mocks and config and re-evaluates index.ts, so runs are independent.
 */
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { OPERATING_SYSTEM_SPECS } from "../components/operatingSystems";
import { PROJECT } from "../config";

/** The folder of Pulumi.yaml: the stack files live there whether the specs run from tests/ or bin/tests/. */
export const PROJECT_ROOT = findProjectRoot(__dirname);
/** The program, as compiled beside this harness (bin/index.js) or as source under ts-node (index.ts). */
const PROGRAM = path.join(__dirname, "..", "index");

function findProjectRoot(from: string): string {
    for (let dir = from; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
        if (path.dirname(dir) === dir) throw new Error(`no Pulumi.yaml above ${from}`);
    }
}

export const MOCK_ACCOUNT = "123456789012";
export const MOCK_PARTITION = "aws";

export interface RecordedResource {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, any>;
    readonly id: string;
    readonly state: Record<string, any>;
}

export interface StackRun {
    readonly stack: string;
    readonly region: string;
    /** Every resource registered, in registration order. */
    readonly resources: readonly RecordedResource[];
    /** The resolved stack outputs. */
    readonly outputs: Record<string, unknown>;
}

export interface FailedRun {
    readonly error: Error;
    readonly resources: readonly RecordedResource[];
}

/** Config overrides: a top-level key (`workload`) or a path into an object key (`network.sourceCidr`). Undefined deletes. */
export type ConfigOverrides = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Config, as the Pulumi CLI assembles it.

interface ProjectConfigDeclaration {
    type?: string;
    default?: unknown;
    value?: unknown;
}

function readYaml(file: string): Record<string, any> {
    return (yaml.load(fs.readFileSync(file, "utf8")) ?? {}) as Record<string, any>;
}

function qualify(key: string): string {
    return key.includes(":") ? key : `${PROJECT}:${key}`;
}

/** The stack's config as fully-qualified keys and plain values: Pulumi.yaml, then Pulumi.<stack>.yaml, then overrides. */
export function loadStackConfig(stack: string, overrides: ConfigOverrides = {}): Record<string, unknown> {
    const stackFile = path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) {
        throw new Error(`no stack file ${path.basename(stackFile)}`);
    }
    const values: Record<string, unknown> = {};
    const required: string[] = [];
    const declared = (readYaml(path.join(PROJECT_ROOT, "Pulumi.yaml")).config ?? {}) as Record<string, unknown>;
    for (const [key, declaration] of Object.entries(declared)) {
        const d = declaration as ProjectConfigDeclaration;
        if (d !== null && typeof d === "object" && ("value" in d || "type" in d)) {
            if ("value" in d) values[qualify(key)] = d.value;
            else if ("default" in d) values[qualify(key)] = d.default;
            else required.push(qualify(key));
        } else {
            values[qualify(key)] = declaration;
        }
    }
    Object.assign(values, readYaml(stackFile).config ?? {});
    for (const key of required.filter((k) => !(k in values))) {
        throw new Error(`Stack '${stack}' is missing configuration value '${key}'`);
    }
    for (const [dotted, value] of Object.entries(overrides)) {
        setPath(values, dotted, value);
    }
    return values;
}

function setPath(values: Record<string, unknown>, dotted: string, value: unknown): void {
    const [top, ...rest] = dotted.split(".");
    const key = qualify(top);
    if (rest.length === 0) {
        if (value === undefined) delete values[key];
        else values[key] = value;
        return;
    }
    const root = structuredClone((values[key] ?? {}) as Record<string, unknown>);
    let node = root;
    for (const part of rest.slice(0, -1)) {
        node = (node[part] ??= {}) as Record<string, unknown>;
    }
    const last = rest[rest.length - 1];
    if (value === undefined) delete node[last];
    else node[last] = value;
    values[key] = root;
}

/** The Pulumi runtime sees config as strings; objects and arrays JSON-encoded (as the CLI passes them). */
function toRuntimeConfig(values: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

// ---------------------------------------------------------------------------------------------
// Mock state.

function hex(seed: string, length: number): string {
    return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

/** The AMI id the mock returns for a public AMI parameter. */
export function mockAmiId(parameterName: string): string {
    return `ami-${hex(parameterName, 17)}`;
}

const AMI_PARAMETERS = new Set<string>(Object.values(OPERATING_SYSTEM_SPECS).flatMap((os) => Object.values(os.amiParameter)));

type Call = (inputs: Record<string, any>, region: string) => Record<string, unknown>;

const CALLS: Record<string, Call> = {
    "aws:index/getPartition:getPartition": () => ({ id: MOCK_PARTITION, partition: MOCK_PARTITION, dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" }),
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({
        id: MOCK_ACCOUNT,
        accountId: MOCK_ACCOUNT,
        arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/ci`,
        userId: "AIDAEXAMPLEUSERID",
    }),
    "aws:index/getRegion:getRegion": (_inputs, region) => ({ id: region, region, name: region, endpoint: `ec2.${region}.amazonaws.com` }),
    "aws:ssm/getParameter:getParameter": (inputs, region) => {
        if (!AMI_PARAMETERS.has(inputs.name)) {
            throw new Error(`mock: unexpected SSM parameter lookup ${JSON.stringify(inputs.name)}`);
        }
        const ami = mockAmiId(inputs.name);
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
    return c.inputs.name ?? (c.inputs.namePrefix ? `${c.inputs.namePrefix}${hex(c.seed, 26)}` : `${c.name}-${hex(c.seed, 7)}`);
}

type StateFn = (c: StateContext) => { id: string; state: Record<string, unknown> };

/** Types whose provider state adds nothing the program reads: an id is all they need. */
const ID_ONLY = (prefix: string): StateFn => (c) => ({ id: `${prefix}${hex(c.seed, 17)}`, state: {} });

/** A uuid-shaped id (association ids, window target ids). */
function uuid(seed: string): string {
    const h = hex(seed, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const RESOURCES: Record<string, StateFn> = {
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
        return { id, state: { name: physicalName(c), arn: `arn:aws:ec2:${c.region}:${MOCK_ACCOUNT}:security-group/${id}` } };
    },
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ID_ONLY("sgr-"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ID_ONLY("sgr-"),
    "aws:iam/role:Role": (c) => {
        const name = physicalName(c);
        return { id: name, state: { name, arn: `arn:aws:iam::${MOCK_ACCOUNT}:role/${name}`, uniqueId: `AROA${hex(c.seed, 17).toUpperCase()}` } };
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (c) => ({ id: `${c.inputs.role}-${hex(c.seed, 8)}`, state: {} }),
    "aws:iam/instanceProfile:InstanceProfile": (c) => {
        const name = physicalName(c);
        return { id: name, state: { name, arn: `arn:aws:iam::${MOCK_ACCOUNT}:instance-profile/${name}` } };
    },
    "aws:iam/rolePolicy:RolePolicy": (c) => ({ id: `${c.inputs.role}:${physicalName(c)}`, state: { name: physicalName(c) } }),
    "aws:s3/bucket:Bucket": (c) => {
        const bucket = c.inputs.bucket ?? `${c.name}-${hex(c.seed, 7)}`;
        return { id: bucket, state: { bucket, arn: `arn:aws:s3:::${bucket}`, region: c.region } };
    },
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": (c) => ({ id: c.inputs.bucket, state: {} }),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": (c) => ({ id: c.inputs.bucket, state: {} }),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (c) => ({ id: c.inputs.bucket, state: {} }),
    "aws:s3/bucketVersioning:BucketVersioning": (c) => ({ id: c.inputs.bucket, state: {} }),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (c) => ({ id: c.inputs.bucket, state: {} }),
    "aws:s3/bucketPolicy:BucketPolicy": (c) => ({ id: c.inputs.bucket, state: {} }),
    "aws:resourcegroups/group:Group": (c) => {
        const name = physicalName(c);
        return { id: name, state: { name, arn: `arn:aws:resource-groups:${c.region}:${MOCK_ACCOUNT}:group/${name}` } };
    },
    "aws:ssm/association:Association": (c) => {
        const associationId = uuid(c.seed);
        return { id: associationId, state: { associationId, arn: `arn:aws:ssm:${c.region}:${MOCK_ACCOUNT}:association/${associationId}` } };
    },
    "aws:ssm/resourceDataSync:ResourceDataSync": (c) => ({ id: c.inputs.name, state: {} }),
    "aws:ssm/patchBaseline:PatchBaseline": (c) => {
        const id = `pb-${hex(c.seed, 17)}`;
        return { id, state: { arn: `arn:aws:ssm:${c.region}:${MOCK_ACCOUNT}:patchbaseline/${id}` } };
    },
    "aws:iam/policy:Policy": (c) => {
        const name = physicalName(c);
        return { id: `arn:aws:iam::${MOCK_ACCOUNT}:policy/${name}`, state: { name, arn: `arn:aws:iam::${MOCK_ACCOUNT}:policy/${name}` } };
    },
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": ID_ONLY("gpa-"),
    "aws:cloudwatch/logGroup:LogGroup": (c) => {
        const name = physicalName(c);
        return { id: name, state: { name, arn: `arn:aws:logs:${c.region}:${MOCK_ACCOUNT}:log-group:${name}` } };
    },
    "aws:ssm/maintenanceWindow:MaintenanceWindow": ID_ONLY("mw-"),
    "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget": (c) => ({ id: uuid(c.seed), state: {} }),
    "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask": (c) => ({ id: uuid(c.seed), state: {} }),
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

function mocksFor(recorded: RecordedResource[], stack: string, region: string): pulumi.runtime.Mocks {
    return {
        newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, any> } {
            const stateFn = RESOURCES[args.type];
            if (!stateFn && args.custom !== false) {
                throw new Error(`mock: no state for resource type ${args.type} (${args.name}); add it to tests/harness.ts`);
            }
            const c = { region, name: args.name, inputs: args.inputs, seed: `${stack}/${args.type}/${args.name}` };
            const { id, state } = stateFn ? stateFn(c) : { id: "", state: {} };
            const full = { ...args.inputs, ...state };
            recorded.push({ type: args.type, name: args.name, inputs: args.inputs, id, state: full });
            return { id, state: full };
        },
        call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
            const call = CALLS[args.token];
            if (!call) {
                throw new Error(`mock: unexpected call ${args.token}; add it to tests/harness.ts`);
            }
            return call(args.inputs, region);
        },
    };
}

// ---------------------------------------------------------------------------------------------
// Running the program.

/** Resolves any Input, including Outputs, to its plain value. */
export function resolve<T>(value: pulumi.Input<T>): Promise<pulumi.Unwrap<T>> {
    return new Promise((done) => pulumi.output(value).apply((v) => done(v as pulumi.Unwrap<T>)));
}

/** The runtime's own "wait until every registration has been answered" (internal in 3.248). */
function waitForRegistrations(): Promise<void> {
    const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
    if (typeof runtime.waitForRPCs !== "function") {
        throw new Error("pulumi.runtime.waitForRPCs is gone: the harness needs another way to await registrations");
    }
    return runtime.waitForRPCs();
}

/** Runs share the process-wide Pulumi runtime: one at a time, whatever the caller awaits. */
let queue: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    const result = queue.then(work, work);
    queue = result.catch(() => undefined);
    return result;
}

function evaluate(stack: string, overrides: ConfigOverrides, recorded: RecordedResource[]): Promise<StackRun> {
    return oneAtATime(() => evaluateNow(stack, overrides, recorded));
}

async function evaluateNow(stack: string, overrides: ConfigOverrides, recorded: RecordedResource[]): Promise<StackRun> {
    const values = loadStackConfig(stack, overrides);
    const region = String(values["aws:region"] ?? "us-east-1");
    pulumi.runtime.setAllConfig(toRuntimeConfig(values));
    await pulumi.runtime.setMocks(mocksFor(recorded, stack, region), PROJECT, stack, false);
    try {
        // A fresh evaluation of the real program for every run (an import would be cached).
        delete require.cache[require.resolve(PROGRAM)];
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const exported = require(PROGRAM) as Record<string, unknown>;
        const outputs: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(exported)) {
            outputs[key] = await resolve(value as pulumi.Input<unknown>);
        }
        return { stack, region, resources: recorded, outputs };
    } finally {
        // Even a failed program may have registrations in flight: let them land before the next run.
        await waitForRegistrations();
    }
}

const runs = new Map<string, Promise<StackRun>>();

/**
 * Runs the program for a stack file (with optional overrides); rejects if the program throws.
 * A run is deterministic and its record read-only, so identical runs are evaluated once per process.
 */
export function runStack(stack: string, overrides: ConfigOverrides = {}): Promise<StackRun> {
    const key = JSON.stringify([stack, overrides]);
    if (!runs.has(key)) {
        runs.set(key, evaluate(stack, overrides, []));
    }
    return runs.get(key)!;
}

/** Runs a program that is expected to fail; returns the error and whatever was registered anyway. */
export async function runFailingStack(stack: string, overrides: ConfigOverrides = {}): Promise<FailedRun> {
    const recorded: RecordedResource[] = [];
    try {
        await evaluate(stack, overrides, recorded);
    } catch (error) {
        return { error: error as Error, resources: recorded };
    }
    throw new Error(`stack ${stack} with ${JSON.stringify(overrides)} was expected to fail, but it evaluated`);
}

// ---------------------------------------------------------------------------------------------
// Looking things up in a run.

export function ofType(run: StackRun, type: string): RecordedResource[] {
    return run.resources.filter((r) => r.type === type);
}

/** The one resource of a type (optionally with a logical name); fails unless exactly one matches. */
export function single(run: StackRun, type: string, name?: string): RecordedResource {
    const found = ofType(run, type).filter((r) => name === undefined || r.name === name);
    if (found.length !== 1) {
        throw new Error(`expected exactly one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
    }
    return found[0];
}

/** The stacks that have a committed stack file: the specs run each of them. */
export const STACKS = ["test", "prod"] as const;
