/**
 * The shapes and helpers the request mappings share: a planned resource, an API request, and how
 * the AWS provider turns tags, parameters and targets into request members.
 */
import type { Service } from "./models";

/** One API request a resource's creation sends. */
export interface ApiRequest {
    readonly service: Service;
    readonly operation: string;
    readonly request: Record<string, unknown>;
}

/** What the mapping sees of a planned resource. */
export interface PlannedResource {
    readonly type: string;
    /** The logical (Pulumi) name. */
    readonly name: string;
    readonly inputs: Record<string, any>;
    /** Inputs plus what the provider computes (physical names, ARNs), as the mocks give them. */
    readonly state: Record<string, any>;
}

/**
 * The physical name the provider gives a resource: its explicit name, else `namePrefix` plus the
 * provider's 26-character unique suffix, else the logical name plus Pulumi's 7-character
 * auto-name suffix. The mocks compute it the same way (tools/plan/evaluate.ts).
 */
export function physicalName(r: PlannedResource, property = "name"): string {
    return (
        r.state[property] ??
        r.inputs[property] ??
        (r.inputs.namePrefix !== undefined ? `${r.inputs.namePrefix}${"x".repeat(26)}` : `${r.name}-xxxxxxx`)
    );
}

export type Tags = Record<string, string> | undefined;

/** `[{Key, Value}]`, or nothing when there are no tags (the provider then sends none). */
export function tagList(tags: Tags, keyName = "Key", valueName = "Value") {
    const entries = Object.entries(tags ?? {});
    return entries.length === 0 ? undefined : entries.map(([k, v]) => ({ [keyName]: k, [valueName]: v }));
}

export function ec2Tags(resourceType: string, tags: Tags) {
    const list = tagList(tags);
    return list ? [{ ResourceType: resourceType, Tags: list }] : undefined;
}

export function mapTags(tags: Tags) {
    return Object.keys(tags ?? {}).length === 0 ? undefined : tags;
}

/** Run Command `Parameters` as the API takes them: name to list of values. */
export function parameterMap(parameters: { name: string; values: string[] }[] | undefined) {
    return parameters === undefined ? undefined : Object.fromEntries(parameters.map((p) => [p.name, p.values]));
}

export function targets(list: { key: string; values: string[] }[] | undefined) {
    return list?.map((t) => ({ Key: t.key, Values: t.values }));
}

export const req = (service: Service, operation: string, request: Record<string, unknown>): ApiRequest => ({
    service,
    operation,
    request: prune(request),
});

/** Drops undefined members (the provider does not send unset arguments). */
export function prune(value: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

export type Mapping = (r: PlannedResource, context: { region: string }) => ApiRequest[];

export const s3 = (operation: string, r: PlannedResource, body: Record<string, unknown>) =>
    req("s3", operation, { Bucket: r.inputs.bucket, ...body });
