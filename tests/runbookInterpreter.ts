/**
 * An interpreter of Automation runbooks (schemaVersion 0.3) for the specs: it executes a document's
 * mainSteps as Systems Manager does, by the rules of AWS's "Systems Manager Automation actions
 * reference" (automation-actions.html): `{{ }}` references to parameters, step outputs and
 * `global:`/`automation:` variables; outputs picked by JSONPath selectors; onFailure Abort/Continue/step:;
 * nextStep and isEnd; aws:branch choices with Default. Every AWS call goes to a fake; aws:executeScript
 * runs the real Python script with python3, through the script-step harness (tests/fakeBoto3.py): its
 * `boto3.client(...)` is a real botocore client that validates every request against the API's model and
 * answers from `Fakes.script`'s canned responses instead of AWS.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { PROJECT_ROOT } from "../config/stackFiles";

export type ApiFake = (service: string, api: string, input: Record<string, unknown>) => unknown;

/** One canned answer to a script's boto3 call (first match wins; answers any number of times). */
export interface CannedResponse {
    /** botocore's service name, as in `boto3.client("ssm")`. */
    readonly service: string;
    /** The API's operation name: `DescribeMaintenanceWindowExecutionTasks`. */
    readonly operation: string;
    /** Answers only requests whose parameters have these values (e.g. `{ NextToken: "2" }` for a second page). */
    readonly when?: Record<string, unknown>;
    /** The response, in the operation's output shape (checked against botocore's model). */
    readonly response?: Record<string, unknown>;
    /** Or an error: raised in the script as the service's botocore ClientError (status 400 unless given). */
    readonly error?: { readonly code: string; readonly message: string; readonly status?: number };
}

/** A call a script made through boto3. `invalid` is botocore's ParamValidationError, when it refused it. */
export interface ScriptCall {
    readonly service: string;
    readonly operation: string;
    readonly params: Record<string, unknown>;
    readonly invalid?: string;
}

export interface Fakes {
    /** aws:executeAwsApi, aws:assertAwsResourceProperty, aws:waitForAwsResourceProperty. */
    readonly api: ApiFake;
    /** aws:approve: the approvers' answer. */
    readonly approve?: (inputs: Record<string, unknown>) => "Approved" | "Rejected" | "TimedOut";
    /** aws:runCommand: the command's final status on its instances. */
    readonly runCommand?: (inputs: Record<string, unknown>) => {
        status: "Success" | "Failed" | "TimedOut";
        output: string;
    };
    /** aws:executeScript: what its boto3 calls answer. */
    readonly script?: readonly CannedResponse[];
}

export interface Execution {
    readonly status: "Success" | "Failed" | "TimedOut";
    /** The step that failed, when one did. */
    readonly failedStep?: string;
    readonly failureMessage?: string;
    /** Steps in the order they ran. */
    readonly executed: string[];
    readonly outputs: Record<string, unknown>;
    /** Every boto3 call the steps' scripts made, in order. */
    readonly calls: ScriptCall[];
}

type Step = {
    name: string;
    action: string;
    inputs: Record<string, unknown>;
    outputs?: { Name: string; Selector: string; Type: string }[];
    onFailure?: string;
    nextStep?: string;
    isEnd?: boolean;
    timeoutSeconds?: number;
};

/** How often a wait polls before its timeout, in this interpreter. */
const WAIT_POLLS = 20;

/** `$.A.B[0].C` on a response. */
export function select(value: unknown, selector: string): unknown {
    const parts = selector.replace(/^\$\.?/, "").match(/[^.[\]]+|\[\d+\]/g) ?? [];
    return parts.reduce<unknown>((node, part) => {
        if (node === undefined || node === null) return undefined;
        const index = /^\[(\d+)\]$/.exec(part);
        return index ? (node as unknown[])[Number(index[1])] : (node as Record<string, unknown>)[part];
    }, value);
}

/** Every `{{ name }}` in a document's strings (for the reference spec). */
export function references(value: unknown): string[] {
    if (typeof value === "string") return [...value.matchAll(/\{\{\s*([^}\s]+)\s*\}\}/g)].map((m) => m[1]);
    if (Array.isArray(value)) return value.flatMap(references);
    if (value && typeof value === "object") return Object.values(value).flatMap(references);
    return [];
}

class StepFailure extends Error {
    constructor(
        message: string,
        public readonly timedOut = false,
    ) {
        super(message);
    }
}

export function runAutomation(
    document: Record<string, unknown>,
    parameters: Record<string, string>,
    fakes: Fakes,
    globals: Record<string, string> = {},
): Execution {
    const declared = document.parameters as Record<string, { default?: unknown; allowedPattern?: string }>;
    const values: Record<string, unknown> = {};
    for (const [name, p] of Object.entries(declared)) {
        const value = parameters[name] ?? p.default;
        if (value === undefined) throw new Error(`parameter ${name} is required`);
        if (p.allowedPattern && !new RegExp(p.allowedPattern).test(String(value)))
            throw new Error(`parameter ${name} = ${value} does not match ${p.allowedPattern}`);
        values[name] = value;
    }
    for (const name of Object.keys(parameters))
        if (!(name in declared)) throw new Error(`the document has no parameter ${name}`);
    const vars: Record<string, unknown> = {
        "automation:EXECUTION_ID": "00000000-1111-2222-3333-444444444444",
        "global:ACCOUNT_ID": "123456789012",
        "global:REGION": "ap-northeast-1",
        ...globals,
    };
    const resolve = (value: unknown): unknown => {
        if (typeof value === "string") {
            const whole = /^\{\{\s*([^}\s]+)\s*\}\}$/.exec(value);
            if (whole) return lookup(whole[1]);
            return value.replace(/\{\{\s*([^}\s]+)\s*\}\}/g, (_, ref: string) => String(lookup(ref)));
        }
        if (Array.isArray(value)) return value.map(resolve);
        if (value && typeof value === "object")
            return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
        return value;
    };
    const lookup = (ref: string): unknown => {
        if (ref in values) return values[ref];
        if (ref in vars) return vars[ref];
        throw new StepFailure(`the reference {{${ref}}} resolves to nothing`);
    };

    const steps = document.mainSteps as Step[];
    const executed: string[] = [];
    const calls: ScriptCall[] = [];
    const script = { responses: fakes.script ?? [], region: String(vars["global:REGION"]), calls };
    let index = 0;
    while (index < steps.length) {
        const step = steps[index];
        executed.push(step.name);
        let next: string | undefined;
        try {
            next = runStep(step, resolve, fakes, script, (name, value) => (vars[`${step.name}.${name}`] = value));
        } catch (error) {
            if (!(error instanceof StepFailure)) throw error;
            const onFailure = step.onFailure ?? "Abort";
            if (onFailure === "Continue") next = undefined;
            else if (onFailure.startsWith("step:")) next = onFailure.slice(5);
            else
                return {
                    status: error.timedOut ? "TimedOut" : "Failed",
                    failedStep: step.name,
                    failureMessage: error.message,
                    executed,
                    outputs: collect(document, vars),
                    calls,
                };
        }
        if (step.isEnd) break;
        const target = next ?? step.nextStep;
        if (target === undefined) index += 1;
        else {
            index = steps.findIndex((s) => s.name === target);
            if (index < 0) throw new Error(`step ${step.name} goes to ${target}, which does not exist`);
        }
    }
    return { status: "Success", executed, outputs: collect(document, vars), calls };
}

function collect(document: Record<string, unknown>, vars: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(((document.outputs as string[]) ?? []).map((o) => [o, vars[o]]));
}

/** Runs one step; returns the step to go to (aws:branch) or undefined. Throws StepFailure. */
function runStep(
    step: Step,
    resolve: (value: unknown) => unknown,
    fakes: Fakes,
    script: ScriptAws,
    setOutput: (name: string, value: unknown) => void,
): string | undefined {
    const inputs = resolve(step.inputs) as Record<string, unknown>;
    const call = () => {
        const { Service, Api, ...rest } = inputs;
        const request = Object.fromEntries(
            Object.entries(rest).filter(([k]) => k !== "PropertySelector" && k !== "DesiredValues"),
        );
        try {
            return fakes.api(String(Service), String(Api), request);
        } catch (error) {
            throw new StepFailure(`${Service}:${Api} failed: ${(error as Error).message}`);
        }
    };
    switch (step.action) {
        case "aws:executeAwsApi": {
            const response = call();
            for (const output of step.outputs ?? []) {
                const value = select(response, output.Selector);
                setOutput(output.Name, output.Type === "String" && value !== undefined ? String(value) : value);
            }
            return undefined;
        }
        case "aws:assertAwsResourceProperty": {
            const actual = select(call(), String(inputs.PropertySelector));
            const desired = inputs.DesiredValues as string[];
            if (!desired.includes(String(actual)))
                throw new StepFailure(
                    `${inputs.PropertySelector} is ${JSON.stringify(actual)}; expected one of ${JSON.stringify(desired)}`,
                );
            return undefined;
        }
        case "aws:waitForAwsResourceProperty": {
            const desired = inputs.DesiredValues as string[];
            for (let i = 0; i < WAIT_POLLS; i++) {
                if (desired.includes(String(select(call(), String(inputs.PropertySelector))))) return undefined;
            }
            throw new StepFailure(`${inputs.PropertySelector} never became one of ${JSON.stringify(desired)}`, true);
        }
        case "aws:branch": {
            const choices = inputs.Choices as Record<string, unknown>[];
            const hit = choices.find(choiceHolds);
            const target = (hit?.NextStep as string | undefined) ?? (inputs.Default as string | undefined);
            if (target === undefined) throw new StepFailure("no choice holds and there is no Default");
            return target;
        }
        case "aws:sleep":
            return undefined;
        case "aws:approve": {
            const answer = fakes.approve?.(inputs) ?? "TimedOut";
            if (answer === "Approved") return undefined;
            throw new StepFailure(
                answer === "Rejected" ? "the approvers rejected the rollout" : "no approval before the timeout",
                answer === "TimedOut",
            );
        }
        case "aws:runCommand": {
            if (!fakes.runCommand) throw new Error("no runCommand fake");
            const result = fakes.runCommand(inputs);
            if (result.status !== "Success")
                throw new StepFailure(
                    `${inputs.DocumentName} ended ${result.status}: ${result.output}`,
                    result.status === "TimedOut",
                );
            return undefined;
        }
        case "aws:executeScript": {
            const result = runScript(String(inputs.Script), String(inputs.Handler), inputs.InputPayload, script);
            for (const output of step.outputs ?? [])
                setOutput(output.Name, select({ Payload: result }, output.Selector));
            return undefined;
        }
        default:
            throw new Error(`the interpreter does not know ${step.action}`);
    }
}

/** aws:branch's operators used here: StringEquals, NumericEquals, BooleanEquals, Not, And, Or. */
function choiceHolds(choice: Record<string, unknown>): boolean {
    if (choice.Not) return !choiceHolds(choice.Not as Record<string, unknown>);
    if (choice.And) return (choice.And as Record<string, unknown>[]).every(choiceHolds);
    if (choice.Or) return (choice.Or as Record<string, unknown>[]).some(choiceHolds);
    const variable = choice.Variable;
    if ("StringEquals" in choice) return String(variable) === String(choice.StringEquals);
    if ("NumericEquals" in choice) return Number(variable) === Number(choice.NumericEquals);
    if ("BooleanEquals" in choice) return String(variable) === String(choice.BooleanEquals);
    throw new Error(`the interpreter does not know the operator of ${JSON.stringify(choice)}`);
}

/** What a script's boto3 answers, and where its calls are recorded. */
export interface ScriptAws {
    readonly responses: readonly CannedResponse[];
    readonly region: string;
    readonly calls: ScriptCall[];
}

const HARNESS = path.join(PROJECT_ROOT, "tests", "fakeBoto3.py");

/**
 * The script's handler(events, context) in python3 through the harness; its exception is the step's
 * failure. A request botocore refuses (ParamValidationError) or a call without a canned response is a
 * defect of the script or the spec, not a step failure: it throws even when the script caught it.
 */
export function runScript(script: string, handler: string, payload: unknown, aws: ScriptAws): unknown {
    const job = JSON.stringify({ script, handler, payload, region: aws.region, responses: aws.responses });
    const run = spawnSync("python3", [HARNESS], { input: job, encoding: "utf8" });
    if (run.status !== 0) throw new Error(`python3 ${HARNESS}: ${run.stderr}`);
    const report = JSON.parse(run.stdout) as {
        result?: unknown;
        failed?: string;
        unanswered?: string;
        invalid?: string;
        calls: ScriptCall[];
    };
    aws.calls.push(...report.calls);
    if (report.invalid) throw new Error(`the script sent a request botocore refuses: ${report.invalid}`);
    if (report.unanswered) throw new Error(report.unanswered);
    if (report.failed !== undefined) throw new StepFailure(report.failed);
    return report.result;
}
