/**
 * The API contract: every request a planned stack would send to AWS, held against AWS's API
 * models (tools/contract/models.ts), the constraints the models do not carry (tools/contract/constraints.ts)
 * and IAM's policy grammar (tools/contract/iamPolicy.ts). Zero violations means AWS's request
 * validation accepts every create call; what only a real `pulumi up` shows (quotas in use, names
 * already taken, permissions of the deploying identity) is outside it (docs/contract.md).
 */
import { CONSTRAINTS, ConstraintContext, inlinePolicyTotals } from "./constraints";
import { POLICY_LIMITS } from "./iamPolicy";
import { validateRequest } from "./models";
import { ApiRequest, PlannedResource, requestsFor } from "./requests";

export interface Violation {
    /** `<type> <logical name>`. */
    readonly resource: string;
    /** `ssm:CreateAssociation`. */
    readonly operation: string;
    readonly field: string;
    readonly value: unknown;
    readonly constraint: string;
}

export interface ContractInput {
    readonly region: string;
    readonly resources: readonly (PlannedResource & { readonly custom: boolean })[];
}

/** Every violation of the planned requests of a stack; an empty list is a stack AWS accepts. */
export function checkContract(run: ContractInput, context: ConstraintContext): Violation[] {
    const violations: Violation[] = [];
    const all: ApiRequest[] = [];
    for (const resource of run.resources) {
        for (const request of requestsFor(resource, { region: run.region })) {
            all.push(request);
            const at = {
                resource: `${resource.type} ${resource.name}`,
                operation: `${request.service}:${request.operation}`,
            };
            for (const v of validateRequest(request.service, request.operation, request.request))
                violations.push({ ...at, ...v });
            for (const constraint of CONSTRAINTS) {
                for (const v of constraint.check(request, resource, context))
                    violations.push({ ...at, ...v, constraint: `${v.constraint} [${constraint.id}]` });
            }
        }
    }
    for (const { role, size } of inlinePolicyTotals(all)) {
        violations.push({
            resource: `role ${role}`,
            operation: "iam:PutRolePolicy",
            field: "PolicyDocument",
            value: `${size} characters in all`,
            constraint: `a role's inline policies together must be at most ${POLICY_LIMITS.inlinePerRole.max} characters (white space not counted) [iam-policy-documents]`,
        });
    }
    return violations;
}

/** One line per violation: resource, operation, field, value and constraint. */
export function formatViolation(v: Violation): string {
    return `${v.resource}: ${v.operation} ${v.field}${v.value === undefined ? "" : ` = ${JSON.stringify(v.value)}`}: ${v.constraint}`;
}
