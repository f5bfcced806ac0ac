/**
 * The API calls an Automation runbook's steps make (aws:executeAwsApi, aws:assertAwsResourceProperty,
 * aws:waitForAwsResourceProperty: `Service`, `Api` and the API's own request members; AWS Systems
 * Manager User Guide, automation-action-executeAwsApi.html), as requests the contract holds against
 * botocore's models like the resources' own. A `{{ }}` reference is replaced by a sample of what it
 * holds at run time (the interpreter specs, tests/runbook.spec.ts, run the real values); a reference
 * without a sample stays as written, so the model's pattern judges it.
 */
import type { Service } from "./models";
import { ApiRequest } from "./requestShapes";

const CALLING_ACTIONS = ["aws:executeAwsApi", "aws:assertAwsResourceProperty", "aws:waitForAwsResourceProperty"];
/** What the action itself reads, not the API. */
const ACTION_INPUTS = ["Service", "Api", "PropertySelector", "DesiredValues"];

/** Samples of the references the stack's runbooks use, in the shape AWS gives them. */
const SAMPLES: Record<string, string> = {
    InstanceId: "i-0123456789abcdef0",
    WindowExecutionId: "01234567-89ab-cdef-0123-456789abcdef",
    "automation:EXECUTION_ID": "01234567-89ab-cdef-0123-456789abcdef",
    "FindRingWindow.WindowId": "mw-0123456789abcdef0",
    "TakeRestorePoint.BackupJobId": "01234567-89AB-CDEF-0123-456789ABCDEF",
};

function sampled(value: unknown): unknown {
    if (typeof value === "string")
        return value.replace(/\{\{\s*([^}\s]+)\s*\}\}/g, (whole, ref: string) => SAMPLES[ref] ?? whole);
    if (Array.isArray(value)) return value.map(sampled);
    if (value && typeof value === "object")
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sampled(v)]));
    return value;
}

/** Every API request of an Automation document's steps; none for other documents. */
export function runbookStepRequests(documentType: string, content: string): ApiRequest[] {
    if (documentType !== "Automation") return [];
    const steps = (JSON.parse(content).mainSteps ?? []) as { action: string; inputs: Record<string, unknown> }[];
    return steps
        .filter((s) => CALLING_ACTIONS.includes(s.action))
        .map((s) => ({
            service: String(s.inputs.Service) as Service,
            operation: String(s.inputs.Api),
            request: sampled(
                Object.fromEntries(Object.entries(s.inputs).filter(([k]) => !ACTION_INPUTS.includes(k))),
            ) as Record<string, unknown>,
        }));
}
