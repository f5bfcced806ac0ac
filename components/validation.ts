/**
 * Argument errors of the components. Each component validates its plain arguments synchronously,
 * before its first child, in an exported pure function, and reports every problem at once.
 */
export class ArgumentError extends Error {
    constructor(
        public readonly component: string,
        public readonly problems: readonly string[],
    ) {
        super(`${component}: invalid arguments: ${problems.join("; ")}`);
        this.name = "ArgumentError";
    }

    /** Throws with every problem given; `undefined` entries are checks that passed. */
    static throwIfAny(component: string, problems: readonly (string | undefined)[]): void {
        const found = problems.filter((p): p is string => p !== undefined);
        if (found.length > 0) {
            throw new ArgumentError(component, found);
        }
    }
}

/**
 * Systems Manager's names of documents, associations, baselines, windows and their targets and
 * tasks: 3-128 letters, digits, `_`, `-` and `.` (the API models' `^[a-zA-Z0-9_\-.]{3,128}$`).
 */
export const SSM_NAME_PATTERN = /^[a-zA-Z0-9_.-]{3,128}$/;
export const SSM_NAME_ALLOWED = "must be 3-128 letters, digits, _ - or . (no spaces)";

/** `field "value" problem` when there is a problem, else undefined: one line of an ArgumentError. */
export function fieldProblem(field: string, value: unknown, problem: string | undefined): string | undefined {
    return problem === undefined ? undefined : `${field} ${JSON.stringify(value)} ${problem}`;
}

/** A problem for a count that must be a whole number from `min` to `max`, or undefined. */
export function countProblem(
    field: string,
    value: number | undefined,
    min: number,
    max = Number.MAX_SAFE_INTEGER,
): string | undefined {
    if (value === undefined || (Number.isInteger(value) && value >= min && value <= max)) {
        return undefined;
    }
    return `${field} ${value} must be a whole number ${max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`}`;
}

/**
 * Tags: AWS allows at most 50 user tags per resource, and keys starting with `aws:` (in any case)
 * are reserved for AWS ("Tag naming limits and requirements",
 * https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html#tag-conventions).
 */
export const MAX_TAGS_PER_RESOURCE = 50;

/** A problem for a tag key AWS reserves, or undefined. */
export function reservedTagKeyProblem(key: string): string | undefined {
    return key.toLowerCase().startsWith("aws:")
        ? `tag key ${JSON.stringify(key)} starts with aws:, which AWS reserves (in any case)`
        : undefined;
}

/** The retention periods CloudWatch Logs accepts (PutRetentionPolicy), in days. */
export const LOG_RETENTION_DAYS: readonly number[] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/**
 * Run Command rate controls, as the models of RegisterTaskWithMaintenanceWindow and CreateAssociation have them: a
 * count
 * without leading zeros or a percentage, at most 7 characters; `MaxConcurrency` at least 1,
 * `MaxErrors` may be 0 or 0%.
 */
const RATE_CONTROL_PATTERNS = {
    1: /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/,
    0: /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/,
} as const;
const RATE_CONTROL_MAX_LENGTH = 7;

/** The problems of a run's rate controls (SendCommand, CreateAssociation, RegisterTaskWithMaintenanceWindow). */
export function rateControlsProblems(args: { maxConcurrency?: string; maxErrors?: string }): (string | undefined)[] {
    return [
        args.maxConcurrency === undefined
            ? undefined
            : fieldProblem("maxConcurrency", args.maxConcurrency, rateControlProblem(args.maxConcurrency, 1)),
        args.maxErrors === undefined
            ? undefined
            : fieldProblem("maxErrors", args.maxErrors, rateControlProblem(args.maxErrors, 0)),
    ];
}

/** Why a rate control would be refused, or undefined. */
export function rateControlProblem(value: string, minimum: 0 | 1): string | undefined {
    return RATE_CONTROL_PATTERNS[minimum].test(value) && value.length <= RATE_CONTROL_MAX_LENGTH
        ? undefined
        : `must be a number of instances (${minimum} to 9999999, no leading zeros) or a percentage (${minimum}% to 100%), e.g. 1 or 10%`;
}
