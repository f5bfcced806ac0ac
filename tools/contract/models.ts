/**
 * AWS's own API models (botocore's, extracted by tools/contract/generate-models.py into
 * tools/contract/aws-models.json) and a validator that holds a request against them: required members,
 * string length, pattern, enum, integer range, list and map sizes, nested structures. The same
 * checks AWS runs before it acts on a request ("1 validation error detected: Value ... failed to
 * satisfy constraint").
 */
import * as fs from "fs";
import * as path from "path";

/**
 * The committed extract, read from the project's tools/contract/ folder whether this runs from
 * tools/contract/ (ts-node) or bin/tools/contract/ (compiled). No config import: config reads the models.
 */
export const MODELS_FILE =
    [
        path.join(__dirname, "aws-models.json"),
        path.join(__dirname, "..", "..", "..", "tools", "contract", "aws-models.json"),
    ].find((f) => fs.existsSync(f)) ?? path.join(__dirname, "aws-models.json");

const models = JSON.parse(fs.readFileSync(MODELS_FILE, "utf8")) as {
    readonly source: string;
    readonly botocore: string;
    readonly services: Readonly<Record<Service, ServiceModel>>;
};

/** The botocore version the models come from. */
export const MODELS_SOURCE: string = models.source;

/** The services whose operations the program's resources call. */
export type Service =
    | "athena"
    | "backup"
    | "ec2"
    | "events"
    | "glue"
    | "iam"
    | "kms"
    | "logs"
    | "resource-groups"
    | "s3"
    | "scheduler"
    | "sns"
    | "ssm"
    | "sts";

interface Shape {
    readonly type: string;
    readonly min?: number;
    readonly max?: number;
    readonly pattern?: string;
    readonly enum?: readonly string[];
    readonly required?: readonly string[];
    readonly members?: Readonly<Record<string, string>>;
    readonly member?: string;
    readonly key?: string;
    readonly value?: string;
}

interface ServiceModel {
    readonly operations: Readonly<Record<string, string>>;
    /** The AWS CLI's command per operation and its `--parameter` names (botocore.xform_name). */
    readonly cli: Readonly<Record<string, { operation: string; parameters: Readonly<Record<string, string>> }>>;
    readonly shapes: Readonly<Record<string, Shape>>;
}

/** An AWS CLI command of the models: its operation, its `--parameter` names and the required ones. */
export interface CliCommand {
    readonly operation: string;
    /** `--instance-id` → `InstanceId`. */
    readonly parameters: Readonly<Record<string, string>>;
    /** The `--parameter` names the operation requires. */
    readonly required: readonly string[];
}

/**
 * `aws <service> <command>`'s operation in the models, or undefined when the models lack the service
 * or the command (tools/contract/generate-models.py's DOCUMENTED names the operations the docs use).
 */
export function cliCommand(service: string, command: string): CliCommand | undefined {
    const model = (models.services as Record<string, ServiceModel | undefined>)[service];
    const entry = model?.cli[command];
    if (!model || !entry) return undefined;
    const required = model.shapes[model.operations[entry.operation]].required ?? [];
    const flag = Object.fromEntries(Object.entries(entry.parameters).map(([f, m]) => [m, f]));
    return { ...entry, required: required.map((m) => flag[m]) };
}

/** One way a request breaks its API's model. */
export interface ModelViolation {
    /** Dotted path from the request's top (`TaskInvocationParameters.RunCommand.Parameters.Operation[0]`). */
    readonly field: string;
    readonly value: unknown;
    readonly constraint: string;
}

function serviceModel(service: Service): ServiceModel {
    const model = models.services[service];
    if (!model)
        throw new Error(
            `contract: no service ${service} in aws-models.json; add it to tools/contract/generate-models.py`,
        );
    return model;
}

/** The operations of a service that the models hold. */
export function operationsOf(service: Service): string[] {
    return Object.keys(serviceModel(service).operations);
}

/** An enum of the models, by service and shape name (`ec2`, `InstanceType`). */
export function enumOf(service: Service, shapeName: string): readonly string[] {
    const values = serviceModel(service).shapes[shapeName]?.enum;
    if (!values) throw new Error(`contract: no enum shape ${service}:${shapeName} in aws-models.json`);
    return values;
}

/**
 * AWS's patterns are Java regular expressions matched against the whole value. Compiled with the
 * `u` flag (for `\p{L}`) where JavaScript accepts them so, otherwise without it (identity escapes
 * such as `\_` are errors under `u`).
 */
const compiled = new Map<string, RegExp>();
export function awsPattern(pattern: string): RegExp {
    let regex = compiled.get(pattern);
    if (!regex) {
        const source = `^(?:${pattern})$`;
        try {
            regex = new RegExp(source, "u");
        } catch {
            regex = new RegExp(source);
        }
        compiled.set(pattern, regex);
    }
    return regex;
}

/** Length as AWS counts it: characters (code points), not UTF-16 units. */
function length(value: string): number {
    return [...value].length;
}

/** Validates a request against an operation's input shape; returns every violation. */
export function validateRequest(service: Service, operation: string, request: unknown): ModelViolation[] {
    const model = serviceModel(service);
    const input = model.operations[operation];
    if (!input)
        throw new Error(
            `contract: ${service}:${operation} is not in aws-models.json; add it to tools/contract/generate-models.py`,
        );
    const violations: ModelViolation[] = [];
    validate(model, input, request, "", violations);
    return violations;
}

function validate(model: ServiceModel, shapeName: string, value: unknown, path: string, out: ModelViolation[]): void {
    const shape = model.shapes[shapeName];
    const fail = (constraint: string) => out.push({ field: path || "(request)", value, constraint });
    switch (shape.type) {
        case "structure": {
            if (value === null || typeof value !== "object" || Array.isArray(value))
                return void fail("must be a structure");
            const record = value as Record<string, unknown>;
            for (const required of shape.required ?? []) {
                if (record[required] === undefined)
                    out.push({ field: join(path, required), value: undefined, constraint: "is required" });
            }
            for (const [member, memberValue] of Object.entries(record)) {
                if (memberValue === undefined) continue;
                const memberShape = shape.members?.[member];
                if (!memberShape) {
                    out.push({
                        field: join(path, member),
                        value: memberValue,
                        constraint: `is not a member of ${shapeName}`,
                    });
                    continue;
                }
                validate(model, memberShape, memberValue, join(path, member), out);
            }
            return;
        }
        case "list": {
            if (!Array.isArray(value)) return void fail("must be a list");
            if (shape.min !== undefined && value.length < shape.min) fail(`must have at least ${shape.min} item(s)`);
            if (shape.max !== undefined && value.length > shape.max) fail(`must have at most ${shape.max} item(s)`);
            value.forEach((item, i) => validate(model, shape.member!, item, `${path}[${i}]`, out));
            return;
        }
        case "map": {
            if (value === null || typeof value !== "object" || Array.isArray(value)) return void fail("must be a map");
            const entries = Object.entries(value as Record<string, unknown>);
            if (shape.min !== undefined && entries.length < shape.min)
                fail(`must have at least ${shape.min} entr(ies)`);
            if (shape.max !== undefined && entries.length > shape.max) fail(`must have at most ${shape.max} entries`);
            for (const [key, entry] of entries) {
                validate(model, shape.key!, key, `${path}{${key}}`, out);
                validate(model, shape.value!, entry, join(path, key), out);
            }
            return;
        }
        case "string": {
            if (typeof value !== "string") return void fail("must be a string");
            const n = length(value);
            if (shape.min !== undefined && n < shape.min)
                fail(`must be at least ${shape.min} character(s) long (is ${n})`);
            if (shape.max !== undefined && n > shape.max)
                fail(`must be at most ${shape.max} characters long (is ${n})`);
            if (shape.pattern !== undefined && !awsPattern(shape.pattern).test(value))
                fail(`must match the pattern ${shape.pattern}`);
            if (shape.enum !== undefined && !shape.enum.includes(value))
                fail(`must be one of ${summarise(shape.enum)}`);
            return;
        }
        case "integer":
        case "long": {
            if (typeof value !== "number" || !Number.isInteger(value)) return void fail("must be a whole number");
            if (shape.min !== undefined && value < shape.min) fail(`must be at least ${shape.min}`);
            if (shape.max !== undefined && value > shape.max) fail(`must be at most ${shape.max}`);
            return;
        }
        case "boolean":
            if (typeof value !== "boolean") fail("must be true or false");
            return;
        case "blob": {
            if (typeof value !== "string") return void fail("must be base64 text");
            if (shape.max !== undefined && value.length > shape.max) fail(`must be at most ${shape.max} bytes`);
            return;
        }
        case "timestamp":
            if (typeof value !== "string" || Number.isNaN(Date.parse(value))) fail("must be a timestamp");
            return;
        default:
            throw new Error(`contract: shape type ${shape.type} of ${shapeName} is not handled`);
    }
}

function join(path: string, member: string): string {
    return path ? `${path}.${member}` : member;
}

function summarise(values: readonly string[]): string {
    return values.length <= 12 ? values.join(", ") : `${values.slice(0, 8).join(", ")}, … (${values.length} values)`;
}

/** Every pattern in the models, for the spec that proves each one compiles. */
export function allPatterns(): string[] {
    const patterns = new Set<string>();
    for (const service of Object.keys(models.services) as Service[]) {
        for (const shape of Object.values(serviceModel(service).shapes)) {
            if (shape.pattern !== undefined) patterns.add(shape.pattern);
        }
    }
    return [...patterns];
}
