/**
 * The plan of a stack: what an offline evaluation registered, in a stable shape. The JSON form is
 * sorted everywhere and carries no timestamps, so two plans of the same sources are byte-identical
 * and two plans of different sources can be diffed.
 */
import { RecordedResource, StackRun } from "./evaluate";

export interface PlanResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** False for component resources. */
    readonly custom: boolean;
    readonly parent?: string;
    readonly dependencies: readonly string[];
    readonly inputs: Record<string, any>;
}

export interface Plan {
    readonly stack: string;
    readonly region: string;
    /** Sorted by URN. */
    readonly resources: readonly PlanResource[];
    /**
     * Resources to create per type, sorted by type: every custom resource, and what each remote
     * component (awsx's Vpc) creates for its inputs, as its source documents it; components
     * themselves are not counted, nor what is only read (a StackReference).
     */
    readonly counts: Readonly<Record<string, number>>;
    /**
     * What `pulumi preview` prints as "N to create" for a new stack: the stack itself, every
     * component, every custom resource and what remote components register, but no read
     * (previewCount). The one count the plan, `--check`, the fleet table and the docs use.
     */
    readonly toCreate: number;
    /** Per remote component (by URN), the resources it creates, by type. */
    readonly expansions: Readonly<Record<string, Readonly<Record<string, number>>>>;
    readonly outputs: Readonly<Record<string, unknown>>;
}

export function buildPlan(run: StackRun): Plan {
    const resources = [...run.resources].map(toPlanResource).sort((a, b) => compare(a.urn, b.urn));
    const counts: Record<string, number> = {};
    const expansions: Record<string, Record<string, number>> = {};
    for (const r of resources) {
        const expansion = REMOTE_COMPONENTS[r.type];
        if (expansion) {
            // Its provider creates these at deployment; under mocks there is one registration.
            expansions[r.urn] = sortKeys(expansion(r.inputs));
            for (const [type, n] of Object.entries(expansions[r.urn])) counts[type] = (counts[type] ?? 0) + n;
        } else if (r.custom && !READ_TYPES.has(r.type)) {
            counts[r.type] = (counts[r.type] ?? 0) + 1;
        }
    }
    return {
        stack: run.stack,
        region: run.region,
        resources,
        counts: sortKeys(counts),
        toCreate: previewCount(resources, expansions),
        expansions,
        outputs: run.outputs,
    };
}

/** Registrations that read what exists and create nothing. */
const READ_TYPES: ReadonlySet<string> = new Set(["pulumi:pulumi:StackReference"]);

/**
 * The resources `pulumi preview` counts as "to create" for a new stack. The engine counts one
 * step per registration it reports (pulumi/pulumi pkg/engine/update.go,
 * `previewActions.OnResourceStepPost`: `acts.Ops[op]++` for every step `shouldReportStep` lets
 * through, which leaves out only default providers: pkg/engine/deployment.go
 * `isDefaultProviderStep`). So it counts the stack (`pulumi:pulumi:Stack`), every component,
 * every custom resource, and each remote component's children (awsx registers them from its own
 * process); a read (a StackReference) counts only when its outputs changed since the last update
 * (`ShouldRecordReadStep`), never on a new stack.
 */
export function previewCount(
    resources: readonly PlanResource[],
    expansions: Readonly<Record<string, Readonly<Record<string, number>>>>,
): number {
    const children = Object.values(expansions)
        .flatMap((e) => Object.values(e))
        .reduce((a, b) => a + b, 0);
    return 1 + resources.filter((r) => !READ_TYPES.has(r.type)).length + children;
}

/**
 * What awsx's `ec2.Vpc` creates for its inputs (pulumi-awsx, awsx/ec2/vpc.ts): the VPC; an
 * internet gateway, always; per availability zone and subnet spec (not `Unused`) a subnet, a route
 * table and its association; a route to the internet gateway per public subnet, and per private
 * subnet a route to a NAT gateway unless the NAT strategy is `None`; NAT gateways, each with an
 * Elastic IP, one (`Single`) or one per zone (`OnePerAz`, the default). Without `subnetSpecs`,
 * awsx makes a public and a private subnet per zone; without a zone count, three zones.
 */
export function awsxVpcChildren(inputs: Record<string, any>): Record<string, number> {
    const zones: number = inputs.availabilityZoneNames?.length ?? inputs.numberOfAvailabilityZones ?? 3;
    const specs: { type: string }[] = inputs.subnetSpecs ?? [{ type: "Public" }, { type: "Private" }];
    const perZone = (type: string) => specs.filter((s) => s.type === type).length * zones;
    const subnets = specs.filter((s) => s.type !== "Unused").length * zones;
    const strategy: string = inputs.natGateways?.strategy ?? "OnePerAz";
    const nat = strategy === "None" ? 0 : strategy === "Single" ? 1 : zones;
    const counts: Record<string, number> = {
        "aws:ec2/vpc:Vpc": 1,
        "aws:ec2/internetGateway:InternetGateway": 1,
        "aws:ec2/subnet:Subnet": subnets,
        "aws:ec2/routeTable:RouteTable": subnets,
        "aws:ec2/routeTableAssociation:RouteTableAssociation": subnets,
        "aws:ec2/route:Route": perZone("Public") + (nat > 0 ? perZone("Private") : 0),
        "aws:ec2/natGateway:NatGateway": nat,
        "aws:ec2/eip:Eip": nat,
    };
    return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
}

/** Remote components the plan can expand, by type. */
const REMOTE_COMPONENTS: Readonly<Record<string, (inputs: Record<string, any>) => Record<string, number>>> = {
    "awsx:ec2:Vpc": awsxVpcChildren,
};

function toPlanResource(r: RecordedResource): PlanResource {
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        custom: r.custom,
        parent: r.parent,
        dependencies: [...r.dependencies].sort(compare),
        inputs: r.inputs,
    };
}

/** Code-point order: the same everywhere, whatever the locale. */
export function compare(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
    return Object.fromEntries(Object.entries(record).sort(([a], [b]) => compare(a, b)));
}

/** JSON with every object's keys sorted (arrays keep their order), two-space indented, newline-terminated. */
export function stableJson(value: unknown): string {
    return `${JSON.stringify(value, (_key, v) => (v !== null && typeof v === "object" && !Array.isArray(v) ? sortKeys(v as Record<string, unknown>) : v), 2)}\n`;
}

/** The type's last segment: `aws:ec2/instance:Instance` -> `Instance`. */
export function shortType(type: string): string {
    return type.split(":").pop()!;
}
