import * as assert from "assert";
import type {
    PolicyResource,
    ResourceValidation,
    ResourceValidationPolicy,
    StackValidationPolicy,
} from "@pulumi/policy";
import { resourcePolicies, stackPolicies } from "../policy/policies";
import { EVERY_STACK, RecordedResource, runStack, STACKS, StackRun } from "./harness";

/**
 * The policy SDK's view of a resource, built from a recorded one, so the pack's policies run
 * offline exactly as the engine would call them (props are the resource's inputs).
 */
class NotApplicable extends Error {}

function policyResources(resources: readonly RecordedResource[]): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    for (const r of resources) {
        byUrn.set(r.urn, {
            type: r.type,
            name: r.name,
            urn: r.urn,
            props: structuredClone(r.inputs),
            opts: {
                protect: false,
                ignoreChanges: [],
                aliases: [],
                additionalSecretOutputs: [],
                customTimeouts: {},
            } as any,
            dependencies: [],
            propertyDependencies: {},
            isType: (cls: any) => cls.__pulumiType === r.type,
            asType: (cls: any) => (cls.__pulumiType === r.type ? (byUrn.get(r.urn)!.props as any) : undefined),
        } as PolicyResource);
    }
    for (const r of resources) {
        const resource = byUrn.get(r.urn)! as any;
        resource.parent = r.parent ? byUrn.get(r.parent) : undefined;
        resource.dependencies = r.dependencies.map((u) => byUrn.get(u)).filter(Boolean);
        resource.propertyDependencies = Object.fromEntries(
            Object.entries(r.propertyDependencies).map(([k, urns]) => [
                k,
                urns.map((u) => byUrn.get(u)).filter(Boolean),
            ]),
        );
    }
    return [...byUrn.values()];
}

/** Runs a resource policy on one resource: its violations, or undefined when it does not apply. */
async function check(policy: ResourceValidationPolicy, resource: PolicyResource): Promise<string[] | undefined> {
    const violations: string[] = [];
    let applies = false;
    for (const validate of [policy.validateResource ?? []].flat() as ResourceValidation[]) {
        const args = {
            ...resource,
            stackTags: new Map(),
            getConfig: () => ({}),
            notApplicable: (reason?: string) => {
                throw new NotApplicable(reason);
            },
        } as any;
        try {
            await validate(args, (message: string) => violations.push(message));
            applies = true;
        } catch (error) {
            if (!(error instanceof NotApplicable)) throw error;
        }
    }
    return applies ? violations : undefined;
}

async function checkStack(policy: StackValidationPolicy, resources: PolicyResource[]): Promise<string[]> {
    const violations: string[] = [];
    await policy.validateStack(
        { resources, stackTags: new Map(), getConfig: () => ({}) as any, notApplicable: () => undefined as never },
        (message: string) => violations.push(message),
    );
    return violations;
}

function find(resources: PolicyResource[], type: string, name?: string): PolicyResource {
    const found = resources.find((r) => r.type === type && (name === undefined || r.name === name));
    assert.ok(found, `${type} ${name ?? ""}`);
    return found;
}

function policy(name: string): ResourceValidationPolicy {
    const found = resourcePolicies.find((p) => p.name === name);
    assert.ok(found, name);
    return found;
}

for (const stack of EVERY_STACK) {
    describe(`policy pack on the ${stack} stack's planned resources`, () => {
        let run: StackRun;
        let resources: PolicyResource[];
        before(async () => {
            run = await runStack(stack);
            resources = policyResources(run.resources);
        });

        for (const p of resourcePolicies) {
            // The existing-fleet stack creates no instance and no security group: the EC2 policies apply to nothing
            // there;
            // the reporting stack has buckets and a workgroup only; only it has a workgroup.
            const mustApply =
                stack === "reporting"
                    ? p.name.startsWith("athena-")
                    : (STACKS as readonly string[]).includes(stack)
                      ? !p.name.startsWith("athena-")
                      : !/^(ec2-|no-world-|athena-)/.test(p.name);
            it(`${p.name}: passes${mustApply ? ", and applies to at least one resource" : ""}`, async () => {
                let applied = 0;
                for (const resource of resources) {
                    const violations = await check(p, resource);
                    if (violations === undefined) continue;
                    applied++;
                    assert.deepStrictEqual(violations, [], `${resource.type} ${resource.name}`);
                }
                if (mustApply) assert.ok(applied > 0, `${p.name} applied to nothing`);
            });
        }

        for (const p of stackPolicies) {
            it(`${p.name}: passes`, async () => {
                assert.deepStrictEqual(await checkStack(p, resources), []);
            });
        }
    });
}

describe("policy pack on deliberately broken resources", () => {
    let resources: PolicyResource[];
    beforeEach(async () => {
        // A fresh copy each time: the cases break it.
        resources = policyResources((await runStack("test")).resources);
    });
    const instance = () => find(resources, "aws:ec2/instance:Instance", "lab-fleet-web1");

    it("IMDSv1 allowed", async () => {
        instance().props.metadataOptions.httpTokens = "optional";
        assert.deepStrictEqual(await check(policy("ec2-imdsv2-required"), instance()), [
            'metadataOptions.httpTokens is "optional"; set it to "required" (IMDSv2 only)',
        ]);
        delete instance().props.metadataOptions;
        assert.deepStrictEqual(await check(policy("ec2-imdsv2-required"), instance()), [
            'metadataOptions.httpTokens is "unset"; set it to "required" (IMDSv2 only)',
        ]);
    });

    it("an unencrypted root volume", async () => {
        instance().props.rootBlockDevice.encrypted = false;
        assert.deepStrictEqual(await check(policy("ec2-root-volume-encrypted"), instance()), [
            "rootBlockDevice.encrypted is not true; encrypt the root volume",
        ]);
    });

    it("SSH or RDP from the world, in every way a security group can say it", async () => {
        const p = policy("no-world-ssh-rdp");
        const rule = find(
            resources,
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
            "lab-network-tcp443-out",
        );
        const ingress = {
            ...rule,
            type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            isType: (cls: any) => cls.__pulumiType === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        } as PolicyResource;
        ingress.props = { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" };
        assert.deepStrictEqual(await check(p, ingress), [
            "ingress rule admits 0.0.0.0/0 on SSH (22); allow a specific source instead, or use Session Manager",
        ]);
        ingress.props = { ipProtocol: "-1", cidrIpv6: "::/0" };
        assert.deepStrictEqual(await check(p, ingress), [
            "ingress rule admits ::/0 on SSH (22) and RDP (3389); allow a specific source instead, or use Session Manager",
        ]);
        ingress.props = { ipProtocol: "tcp", fromPort: 80, toPort: 80, cidrIpv4: "0.0.0.0/0" };
        assert.deepStrictEqual(await check(p, ingress), [], "HTTP from the world is not this policy's business");
        const group = find(resources, "aws:ec2/securityGroup:SecurityGroup");
        group.props.ingress = [{ protocol: "tcp", fromPort: 3000, toPort: 4000, cidrBlocks: ["0.0.0.0/0"] }];
        assert.deepStrictEqual(await check(p, group), [
            "inline ingress admits 0.0.0.0/0 on RDP (3389); allow a specific source instead, or use Session Manager",
        ]);
    });

    it("an Athena workgroup users can override, with unencrypted results and no scan limit", async () => {
        const reporting = policyResources((await runStack("reporting")).resources);
        const workgroup = find(reporting, "aws:athena/workgroup:Workgroup");
        workgroup.props.configuration.enforceWorkgroupConfiguration = false;
        delete workgroup.props.configuration.resultConfiguration.encryptionConfiguration;
        delete workgroup.props.configuration.bytesScannedCutoffPerQuery;
        assert.deepStrictEqual(await check(policy("athena-workgroup-guarded"), workgroup), [
            'workgroup "oe-lab-ipm-Reporting" lacks configuration.enforceWorkgroupConfiguration true (users cannot turn encryption off per query), configuration.resultConfiguration.encryptionConfiguration (encrypted results), configuration.bytesScannedCutoffPerQuery (a cost limit per query)',
        ]);
    });

    it("an unencrypted topic", async () => {
        const topic = find(resources, "aws:sns/topic:Topic");
        delete topic.props.kmsMasterKeyId;
        assert.deepStrictEqual(await check(policy("sns-topic-encrypted"), topic), [
            "kmsMasterKeyId is not set; encrypt the topic with a KMS key",
        ]);
    });

    it("a policy allowing * on *", async () => {
        const inline = find(resources, "aws:iam/rolePolicy:RolePolicy", "lab-inventory-write-logs");
        inline.props.policy = JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "*", Resource: ["*"] }],
        });
        assert.deepStrictEqual(await check(policy("iam-no-star-on-star"), inline), [
            'the policy allows "*" on "*"; grant the actions and resources the holder needs',
        ]);
        const managed = find(resources, "aws:iam/policy:Policy");
        managed.props.policy = JSON.stringify({
            Version: "2012-10-17",
            Statement: { Effect: "Allow", Action: ["s3:GetObject", "*"], Resource: "*" },
        });
        assert.deepStrictEqual(await check(policy("iam-no-star-on-star"), managed), [
            'the policy allows "*" on "*"; grant the actions and resources the holder needs',
        ]);
    });

    it("a Run Command task without service role or rate control", async () => {
        const task = find(resources, "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask", "lab-window-install");
        delete task.props.serviceRoleArn;
        delete task.props.maxErrors;
        assert.deepStrictEqual(await check(policy("maintenance-window-run-command-task"), task), [
            'Run Command task "PatchTestWorkloadWebServers" lacks serviceRoleArn (the window\'s service role), maxErrors',
        ]);
    });

    it("a Run Command task whose failures nothing reports", async () => {
        const p = stackPolicies.find((s) => s.name === "run-command-task-failures-reported")!;
        const rule = find(resources, "aws:cloudwatch/eventRule:EventRule", "lab-alert-rules-cmd-failed");
        // The created fleet's tasks send no notifications: the cmd-failed rule reports them, all three statuses.
        assert.deepStrictEqual(await checkStack(p, resources), []);
        const pattern = JSON.parse(rule.props.eventPattern);
        pattern.detail.status = ["Failed", "TimedOut"];
        rule.props.eventPattern = JSON.stringify(pattern);
        assert.deepStrictEqual(await checkStack(p, resources), [
            'Run Command task "PatchTestWorkloadWebServers" has no notificationConfig.notificationArn and no EventBridge rule ' +
                "reports AWS-RunPatchBaseline ending Failed, TimedOut or Cancelled",
        ]);
        resources = resources.filter((r) => r !== rule);
        const task = find(resources, "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask", "lab-window-install");
        task.props.taskInvocationParameters.runCommandParameters.notificationConfig = { notificationArn: "arn:topic" };
        assert.deepStrictEqual(await checkStack(p, resources), []);
    });

    it("a patch baseline without an operating system", async () => {
        const baseline = find(resources, "aws:ssm/patchBaseline:PatchBaseline");
        delete baseline.props.operatingSystem;
        assert.deepStrictEqual(await check(policy("patch-baseline-operating-system"), baseline), [
            "operatingSystem is not set; the API would default to WINDOWS",
        ]);
    });

    it("a bucket that is not blocked from the public, not encrypted and not TLS-only", async () => {
        const p = stackPolicies.find((s) => s.name === "s3-bucket-hardened")!;
        const remove = (type: string) => (resources = resources.filter((r) => r.type !== type));
        find(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").props.restrictPublicBuckets = false;
        remove("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration");
        find(resources, "aws:s3/bucketPolicy:BucketPolicy").props.policy = JSON.stringify({
            Version: "2012-10-17",
            Statement: [],
        });
        assert.deepStrictEqual(await checkStack(p, resources), [
            "bucket lab-inventory-logs has no public access block with blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets all true",
            "bucket lab-inventory-logs has no server-side encryption configuration",
            "bucket lab-inventory-logs has no bucket policy denying requests without TLS (aws:SecureTransport false)",
        ]);
    });
});
