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

/** A problem for a count that must be a whole number from `min` to `max`, or undefined. */
export function countProblem(field: string, value: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): string | undefined {
    if (value === undefined || (Number.isInteger(value) && value >= min && value <= max)) {
        return undefined;
    }
    return `${field} ${value} must be a whole number ${max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`}`;
}
