/**
 * The plan as a Mermaid flowchart: components as groups, and edges for how things reach each
 * other: maintenance window targets and the inventory's resource group to the instances they
 * select by tags, the baseline through its patch group to the instances tagged with it, tasks and
 * the association to where they write, rules to what they watch and to the topic, the topic to
 * its subscribers; a reporting stack's tables to the bucket they read and its saved queries to
 * their workgroup. IAM and bucket settings stay in the text plan.
 */
import { compare, Plan, PlanResource, shortType } from "./model";

/** The resource types that appear as nodes. */
const NODE_TYPES = new Set([
    "awsx:ec2:Vpc",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/instance:Instance",
    "aws:s3/bucket:Bucket",
    "aws:resourcegroups/group:Group",
    "aws:ssm/association:Association",
    "aws:ssm/resourceDataSync:ResourceDataSync",
    "aws:ssm/patchBaseline:PatchBaseline",
    "aws:ssm/patchGroup:PatchGroup",
    "aws:ssm/maintenanceWindow:MaintenanceWindow",
    "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget",
    "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:kms/key:Key",
    "aws:sns/topic:Topic",
    "aws:sns/topicSubscription:TopicSubscription",
    "aws:cloudwatch/eventRule:EventRule",
    "aws:glue/catalogDatabase:CatalogDatabase",
    "aws:glue/catalogTable:CatalogTable",
    "aws:athena/workgroup:Workgroup",
    "aws:athena/namedQuery:NamedQuery",
    "pulumi:pulumi:StackReference",
]);

/**
 * Edges read off dependencies: `Dependent>Dependency` (short types) gives the label, and whether
 * the arrow points from the dependency to the dependent (`reverse`) to follow how things reach.
 */
const DEPENDENCY_EDGES: Record<string, { label: string; reverse?: boolean; dotted?: boolean }> = {
    "SecurityGroup>Vpc": { label: "in" },
    "Instance>SecurityGroup": { label: "in" },
    "Association>Group": { label: "targets" },
    "Association>Bucket": { label: "logs to" },
    "ResourceDataSync>Bucket": { label: "syncs to" },
    "PatchGroup>PatchBaseline": { label: "applies to", reverse: true },
    "MaintenanceWindowTarget>MaintenanceWindow": { label: "has target", reverse: true },
    "MaintenanceWindowTask>MaintenanceWindowTarget": { label: "runs on" },
    "MaintenanceWindowTask>MaintenanceWindow": { label: "runs", reverse: true },
    "MaintenanceWindowTask>Bucket": { label: "output to" },
    "MaintenanceWindowTask>LogGroup": { label: "output to" },
    "MaintenanceWindowTask>Topic": { label: "notifies" },
    "Topic>Key": { label: "encrypts", reverse: true },
    "TopicSubscription>Topic": { label: "mails", reverse: true },
    "EventRule>Instance": { label: "watches", dotted: true },
    "EventRule>MaintenanceWindow": { label: "watches", dotted: true },
    "EventRule>PatchBaseline": { label: "watches", dotted: true },
    "EventRule>Association": { label: "watches", dotted: true },
    "ResourceDataSync>StackReference": { label: "syncs to the bucket of" },
    "CatalogTable>CatalogDatabase": { label: "in" },
    "CatalogTable>Bucket": { label: "reads" },
    "Workgroup>Bucket": { label: "results to" },
    "NamedQuery>Workgroup": { label: "saved in" },
    "NamedQuery>CatalogDatabase": { label: "queries" },
};

/** Above this many instances, each role is drawn as one node. */
const MAX_INSTANCE_NODES = 8;

type Tags = Record<string, string>;

interface Edge {
    from: string;
    to: string;
    label: string;
    dotted?: boolean;
}

export function renderDiagram(plan: Plan): string {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const instances = plan.resources.filter((r) => r.type === "aws:ec2/instance:Instance");
    const collapse = instances.length > MAX_INSTANCE_NODES;
    const nodeId = (r: PlanResource) =>
        r.type === "aws:ec2/instance:Instance" && collapse
            ? mermaidId(`instances-${r.inputs.tags?.InstanceRole}`)
            : mermaidId(r.name);
    const edges: Edge[] = [];
    const add = (from: PlanResource, to: PlanResource, label: string, dotted?: boolean) =>
        edges.push({ from: nodeId(from), to: nodeId(to), label, dotted });

    for (const r of plan.resources) {
        for (const dependency of r.dependencies
            .map((u) => byUrn.get(u))
            .filter((d): d is PlanResource => d !== undefined)) {
            const edge = DEPENDENCY_EDGES[`${shortType(r.type)}>${shortType(dependency.type)}`];
            if (edge && NODE_TYPES.has(r.type) && NODE_TYPES.has(dependency.type)) {
                const [from, to] = edge.reverse ? [dependency, r] : [r, dependency];
                add(from, to, edge.label, edge.dotted);
            }
        }
        if (r.type === "aws:cloudwatch/eventTarget:EventTarget") {
            // A rule reaches the topic through its target.
            const rule = r.dependencies
                .map((u) => byUrn.get(u))
                .find((d) => d?.type === "aws:cloudwatch/eventRule:EventRule");
            const topic = r.dependencies.map((u) => byUrn.get(u)).find((d) => d?.type === "aws:sns/topic:Topic");
            if (rule && topic) add(rule, topic, "alerts");
        }
        // Selections by tags: what AWS will match once the instances exist.
        for (const instance of instances) {
            const tags: Tags = instance.inputs.tags ?? {};
            if (r.type === "aws:resourcegroups/group:Group" && groupSelects(r, tags)) add(r, instance, "tags match");
            if (r.type === "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget" && windowTargetSelects(r, tags))
                add(r, instance, "tags match");
            if (r.type === "aws:ssm/patchGroup:PatchGroup" && tags["Patch Group"] === r.inputs.patchGroup)
                add(r, instance, "Patch Group tag");
        }
    }

    const nodes = plan.resources.filter((r) => NODE_TYPES.has(r.type));
    const lines = ["flowchart LR"];
    const components = plan.resources
        .filter((r) => !r.custom && !NODE_TYPES.has(r.type))
        .sort((a, b) => compare(a.urn, b.urn));
    const drawn = new Set<string>();
    for (const component of components) {
        const members = nodes.filter((n) => n.parent === component.urn);
        if (members.length === 0) continue;
        lines.push(
            `    subgraph ${mermaidId(component.name)}["${escape(`${shortType(component.type)} ${component.name}`)}"]`,
        );
        for (const member of members) {
            const id = nodeId(member);
            if (drawn.has(id)) continue;
            drawn.add(id);
            lines.push(
                `        ${id}["${escape(nodeLabel(member, collapse ? instances.filter((i) => nodeId(i) === id).length : 1))}"]`,
            );
        }
        lines.push("    end");
    }
    // Nodes of no component (a StackReference): drawn on their own.
    for (const node of nodes.filter((n) => !components.some((c) => c.urn === n.parent))) {
        lines.push(`    ${nodeId(node)}["${escape(nodeLabel(node, 1))}"]`);
    }
    const unique = new Map(edges.map((e) => [`${e.from}|${e.to}|${e.label}`, e]));
    for (const e of [...unique.values()].sort((a, b) =>
        compare(`${a.from} ${a.to} ${a.label}`, `${b.from} ${b.to} ${b.label}`),
    )) {
        lines.push(`    ${e.from} ${e.dotted ? "-." : "--"} ${escape(e.label)} ${e.dotted ? ".->" : "-->"} ${e.to}`);
    }
    return `${lines.join("\n")}\n`;
}

function groupSelects(group: PlanResource, tags: Tags): boolean {
    const query = JSON.parse(group.inputs.resourceQuery?.query ?? "{}") as {
        TagFilters?: { Key: string; Values: string[] }[];
    };
    return (query.TagFilters ?? []).every((f) => f.Values.includes(tags[f.Key]));
}

function windowTargetSelects(target: PlanResource, tags: Tags): boolean {
    // Several tag keys of one window target must all match (AND); the values of a key are alternatives.
    return (target.inputs.targets as { key: string; values: string[] }[]).every(
        (t) => t.key.startsWith("tag:") && t.values.includes(tags[t.key.slice(4)]),
    );
}

function nodeLabel(r: PlanResource, count: number): string {
    const i = r.inputs;
    const detail: Record<string, () => string | undefined> = {
        "aws:ec2/instance:Instance": () =>
            count > 1
                ? `${count} × ${i.tags?.InstanceRole} (${i.instanceType})`
                : `${i.tags?.Name} (${i.instanceType})`,
        "awsx:ec2:Vpc": () => i.cidrBlock,
        "aws:ssm/association:Association": () => `${i.associationName}<br/>${i.name}, ${i.scheduleExpression}`,
        "aws:glue/catalogTable:CatalogTable": () => i.name,
        "aws:athena/workgroup:Workgroup": () => i.name,
        "aws:athena/namedQuery:NamedQuery": () => i.name,
        "pulumi:pulumi:StackReference": () => "another stack's outputs",
        "aws:ssm/patchBaseline:PatchBaseline": () => `${i.name}<br/>${i.operatingSystem}`,
        "aws:ssm/patchGroup:PatchGroup": () => i.patchGroup,
        "aws:ssm/maintenanceWindow:MaintenanceWindow": () => `${i.name}<br/>${i.schedule} ${i.scheduleTimezone}`,
        "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget": () => i.name,
        "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask": () =>
            `${i.taskArn} ${(i.taskInvocationParameters?.runCommandParameters?.parameters ?? []).find((p: { name: string }) => p.name === "Operation")?.values[0]}`,
        "aws:sns/topic:Topic": () => i.name,
        "aws:sns/topicSubscription:TopicSubscription": () => `${i.protocol}: ${i.endpoint}`,
        "aws:cloudwatch/eventRule:EventRule": () => i.name,
        "aws:resourcegroups/group:Group": () => "tag-based resource group",
    };
    const text = detail[r.type]?.();
    return count > 1 ? `Instances<br/>${text}` : `${shortType(r.type)}: ${r.name}${text ? `<br/>${text}` : ""}`;
}

/** Logical names are unique in the program: they make readable node ids. */
function mermaidId(text: string): string {
    return text.replace(/[^A-Za-z0-9]+/g, "_");
}

function escape(text: string): string {
    return text
        .replace(/"/g, "#quot;")
        .replace(/</g, "#lt;")
        .replace(/>/g, "#gt;")
        .replace(/#lt;br\/#gt;/g, "<br/>");
}
