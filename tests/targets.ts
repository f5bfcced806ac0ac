/**
 * How AWS selects instances for the things that target them, written down once for the specs
 * that prove who reaches what.
 */
import * as assert from "assert";
import { RecordedResource } from "./harness";

/**
 * Which instances an association reaches, evaluated as AWS does: a `resource-groups:Name` target
 * reaches the instances matching every tag filter of the group's query (Resource Groups ANDs tag
 * filters); several `tag:` targets reach an instance carrying any one of them (State Manager ORs them).
 */
export function associationReaches(
    association: RecordedResource,
    groups: RecordedResource[],
    instances: RecordedResource[],
): string[] {
    const matches = (instance: RecordedResource, key: string, values: string[]) =>
        values.includes(instance.inputs.tags[key]);
    return instances
        .filter((instance) =>
            association.inputs.targets.some((target: { key: string; values: string[] }) => {
                if (target.key === "resource-groups:Name") {
                    const group = groups.find((g) => g.state.name === target.values[0]);
                    assert.ok(group, `resource group ${target.values[0]} exists`);
                    const query = JSON.parse(group.inputs.resourceQuery.query);
                    assert.deepStrictEqual(query.ResourceTypeFilters, ["AWS::EC2::Instance"]);
                    return query.TagFilters.every((f: { Key: string; Values: string[] }) =>
                        matches(instance, f.Key, f.Values),
                    );
                }
                assert.match(target.key, /^tag:/);
                return matches(instance, target.key.slice(4), target.values);
            }),
        )
        .map((instance) => instance.inputs.tags.Name as string)
        .sort();
}

/** Maintenance window targets: several tag keys must all match (AND); values of one key are alternatives. */
export function windowTargetReaches(target: RecordedResource, instances: RecordedResource[]): string[] {
    return instances
        .filter((instance) =>
            target.inputs.targets.every(
                (t: { key: string; values: string[] }) =>
                    t.key.startsWith("tag:") && t.values.includes(instance.inputs.tags[t.key.slice(4)]),
            ),
        )
        .map((instance) => instance.inputs.tags.Name as string)
        .sort();
}

/**
 * Patch Manager's view of a run's patch groups: each registration as the OS of the baseline it
 * registers and the group (`RegisterPatchBaselineForPatchGroup` takes a baseline id; the baseline carries the OS).
 */
export function registrations(resources: readonly RecordedResource[]): { os: string; patchGroup: string }[] {
    const baselines = resources.filter((r) => r.type === "aws:ssm/patchBaseline:PatchBaseline");
    return resources
        .filter((r) => r.type === "aws:ssm/patchGroup:PatchGroup")
        .map((g) => {
            const baseline = baselines.find((b) => b.id === g.inputs.baselineId);
            assert.ok(baseline, `${g.name} registers a baseline of the same stack`);
            return { os: baseline.inputs.operatingSystem, patchGroup: g.inputs.patchGroup };
        });
}
