/**
 * Two rules of Pulumi's deployment engine, modelled on what the harness records of a stack (URN,
 * parent, dependencies, aliases, protect), so the specs can hold the program to them. Each follows
 * pulumi/pulumi's source (checked at v3.259.0, commit 1b5949891b3c); re-check on a CLI upgrade.
 */
import { RecordedResource } from "./harness";

// ---------------------------------------------------------------------------------------------
// URNs: sdk/go/common/resource/urn.go (NewURN, CreateURN, QualifiedType).

interface Urn {
    readonly stack: string;
    readonly project: string;
    /** The parent's qualified type, `$`, the type: `a$b$c`. */
    readonly qualifiedType: string;
    readonly name: string;
}

export function parseUrn(urn: string): Urn {
    const match = /^urn:pulumi:([^:]+)::([^:]+)::(.+?)::(.*)$/s.exec(urn);
    if (!match) throw new Error(`not a URN: ${urn}`);
    return { stack: match[1], project: match[2], qualifiedType: match[3], name: match[4] };
}

function newUrn(stack: string, project: string, parentType: string, type: string, name: string): string {
    return `urn:pulumi:${stack}::${project}::${parentType ? `${parentType}$` : ""}${type}::${name}`;
}

/** CreateURN: under the parent's qualified type, unless the parent is the root stack (never under mocks). */
function createUrn(name: string, type: string, parent: string | undefined, project: string, stack: string): string {
    const parentType = parent ? parseUrn(parent).qualifiedType : "";
    return newUrn(stack, project, parentType === "pulumi:pulumi:Stack" ? "" : parentType, type, name);
}

// ---------------------------------------------------------------------------------------------
// Aliases: pkg/resource/deploy/step_generator.go, collapseAliasToUrn, inheritedChildAlias,
// generateAliases and getOldResource. A resource is found in the old state by its URN first, then
// by each alias; when found by an alias, its children inherit that alias (sg.aliases[urn]).

/** An alias as the SDK sends it: a URN, or a spec `type <token>` (the SDK adds the resource's parent). */
function collapseAlias(resource: RecordedResource, alias: string, aliased: ReadonlyMap<string, string>): string {
    if (!alias.startsWith("type ")) return alias;
    const { stack, project } = parseUrn(resource.urn);
    // The spec's parent is the resource's own; if that parent was found by an alias, its old URN.
    const parent = resource.parent ? (aliased.get(resource.parent) ?? resource.parent) : undefined;
    return createUrn(resource.name, alias.slice("type ".length), parent, project, stack);
}

/** inheritedChildAlias: the child under the parent's old qualified type, its name prefix swapped to the old name. */
function inheritedChildAlias(childType: string, childName: string, parentName: string, parentAlias: string): string {
    const old = parseUrn(parentAlias);
    const name = childName.startsWith(parentName) ? old.name + childName.slice(parentName.length) : childName;
    return newUrn(old.stack, old.project, old.qualifiedType, childType, name);
}

function generateAliases(resource: RecordedResource, aliased: ReadonlyMap<string, string>): string[] {
    const result = new Set(resource.options.aliases.map((alias) => collapseAlias(resource, alias, aliased)));
    const parentAlias = resource.parent ? aliased.get(resource.parent) : undefined;
    if (resource.parent && parentAlias) {
        const parentName = parseUrn(resource.parent).name;
        result.add(inheritedChildAlias(resource.type, resource.name, parentName, parentAlias));
        for (const alias of resource.options.aliases) {
            const child = parseUrn(collapseAlias(resource, alias, aliased));
            result.add(inheritedChildAlias(child.qualifiedType.split("$").pop()!, child.name, parentName, parentAlias));
        }
    }
    return [...result];
}

export interface Upgrade {
    /** New URN -> the old URN it takes over (itself when unchanged). */
    readonly kept: ReadonlyMap<string, string>;
    /** Registered now, found under no URN or alias in the old state: created. */
    readonly created: readonly string[];
    /** In the old state, claimed by no registration: deleted. */
    readonly deleted: readonly string[];
}

/** What an update from `oldUrns` (a release's state) to `resources` (a registration run) does to identities. */
export function replayAliases(oldUrns: readonly string[], resources: readonly RecordedResource[]): Upgrade {
    const olds = new Set(oldUrns);
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const aliased = new Map<string, string>();
    const kept = new Map<string, string>();
    const created: string[] = [];
    const visit = (resource: RecordedResource): void => {
        if (kept.has(resource.urn) || created.includes(resource.urn)) return;
        // The engine sees a parent registered before its children.
        const parent = resource.parent ? byUrn.get(resource.parent) : undefined;
        if (parent) visit(parent);
        const found = [resource.urn, ...generateAliases(resource, aliased)].find((urn) => olds.has(urn));
        if (found === undefined) {
            created.push(resource.urn);
            return;
        }
        if (found !== resource.urn) aliased.set(resource.urn, found);
        kept.set(resource.urn, found);
    };
    resources.forEach(visit);
    const claimed = new Set(kept.values());
    return { kept, created, deleted: oldUrns.filter((urn) => !claimed.has(urn)) };
}

// ---------------------------------------------------------------------------------------------
// Destroy: pkg/resource/deploy/deployment_executor.go (performPostSteps) and step.go
// (DeleteStep.Apply), step_executor.go (cancelDueToError). Since 3.149 ("Deployments continue past
// delete errors due to protect", CHANGELOG) a protected resource's delete fails with
// deleteProtectedError and the deployment continues: every later antichain leaves out the
// transitive dependencies of the failed step (graph.TransitiveDependenciesOf: provider,
// dependencies, property dependencies, deletedWith, and each ancestor) and deletes the rest.
// Dependents are deleted before what they depend on (ScheduleDeletes), so they always go.

export interface Destroy {
    /** Custom resources deleted (read resources only leave the state). */
    readonly deleted: readonly string[];
    /** Custom resources whose delete fails because they are protected. */
    readonly refused: readonly string[];
    /** Custom resources left because a protected one depends on them. */
    readonly skipped: readonly string[];
}

/** The default AWS provider every custom resource depends on (a resource of the state like any other). */
const PROVIDER = "default-provider";

/** `pulumi destroy` of a stack whose state holds `resources`, with each one's recorded `protect`. */
export function destroy(resources: readonly RecordedResource[]): Destroy {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const dependenciesOf = (r: RecordedResource): string[] => [
        ...(r.custom ? [PROVIDER] : []),
        ...r.dependencies,
        ...Object.values(r.propertyDependencies).flat(),
        ...(r.parent ? [r.parent] : []),
    ];
    const kept = new Set<string>();
    const mark = (urn: string): void => {
        if (kept.has(urn)) return;
        kept.add(urn);
        const r = byUrn.get(urn);
        if (r) dependenciesOf(r).forEach(mark);
    };
    const protectedOnes = resources.filter((r) => r.options.protect);
    protectedOnes.forEach((r) => dependenciesOf(r).forEach(mark));
    const custom = resources.filter((r) => r.custom);
    return {
        deleted: custom.filter((r) => !r.options.protect && !kept.has(r.urn)).map((r) => r.urn),
        refused: custom.filter((r) => r.options.protect).map((r) => r.urn),
        skipped: custom.filter((r) => !r.options.protect && kept.has(r.urn)).map((r) => r.urn),
    };
}
