/**
 * EventBridge's event-pattern matching and input transformation, as AWS documents them, for the
 * specs to hold the alert rules against AWS's sample events. No npm package implements
 * EventBridge's matcher (AWS's own, Event Ruler, is Java), so this follows the EventBridge User
 * Guide (awsdocs/amazon-eventbridge-user-guide, doc_source at commit 896fdda):
 * - eb-event-patterns.md: "the event must contain all the field names listed in the event pattern
 *   ... with the same nesting structure"; strings match "character-by-character ... without
 *   case-folding"; fields the pattern does not name are ignored.
 * - eb-event-patterns-arrays.md: a pattern's value is an array and matches if any of its values
 *   matches; an array in the event matches if the two arrays intersect.
 * - eb-event-patterns-content-based-filtering.md: prefix, suffix, anything-but (a value, a list,
 *   a prefix or suffix), numeric, exists, equals-ignore-case, wildcard, $or. `exists` matches leaf
 *   fields only; anything-but never matches a missing field.
 * - eb-transform-target-input.md: up to 100 input path variables; a variable whose path is not in
 *   the event "isn't created"; values are inserted without escaping.
 * An operator this file does not know throws, so a rule using one fails its spec instead of
 * being judged by a guess.
 */

export type EventPattern = Record<string, unknown>;
type Json = unknown;

const isObject = (v: Json): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Whether the event matches the pattern, as EventBridge decides it. */
export function matches(pattern: EventPattern, event: Json): boolean {
    if (!isObject(event)) return false;
    return Object.entries(pattern).every(([key, expected]) => {
        if (key === "$or") {
            if (!Array.isArray(expected) || expected.length < 2)
                throw new Error(`$or takes an array of at least two patterns: ${JSON.stringify(expected)}`);
            return expected.some((alternative) => matches(alternative as EventPattern, event));
        }
        const present = Object.hasOwn(event, key);
        const value = event[key];
        if (isObject(expected)) return present && matches(expected, value);
        if (!Array.isArray(expected) || expected.length === 0)
            throw new Error(
                `the pattern's "${key}" must be an object or a non-empty array: ${JSON.stringify(expected)}`,
            );
        return expected.some((matcher) => leafMatches(matcher, present, value));
    });
}

/** One matcher of a pattern array against a field (absent, a leaf, or an array of leaves). */
function leafMatches(matcher: Json, present: boolean, value: Json): boolean {
    if (isObject(matcher) && Object.hasOwn(matcher, "exists")) {
        if (typeof matcher.exists !== "boolean")
            throw new Error(`exists takes true or false: ${JSON.stringify(matcher)}`);
        const leaf = present && !isObject(value);
        return matcher.exists === leaf;
    }
    if (!present || isObject(value)) return false;
    const values = Array.isArray(value) ? value : [value];
    return values.some((v) => valueMatches(matcher, v));
}

function valueMatches(matcher: Json, value: Json): boolean {
    if (!isObject(matcher)) {
        if (typeof matcher === "number" && typeof value === "number") return matcher === value;
        return matcher === value;
    }
    const keys = Object.keys(matcher);
    if (keys.length !== 1) throw new Error(`a matcher object has one operator: ${JSON.stringify(matcher)}`);
    const [operator] = keys;
    const operand = matcher[operator];
    switch (operator) {
        case "prefix":
            return typeof value === "string" && stringTest(operand, value, (v, o) => v.startsWith(o));
        case "suffix":
            return typeof value === "string" && stringTest(operand, value, (v, o) => v.endsWith(o));
        case "equals-ignore-case":
            return (
                typeof value === "string" &&
                typeof operand === "string" &&
                value.toLowerCase() === operand.toLowerCase()
            );
        case "wildcard":
            return typeof value === "string" && typeof operand === "string" && wildcard(operand).test(value);
        case "numeric":
            return typeof value === "number" && numeric(operand, value);
        case "anything-but":
            return !anythingBut(operand, value);
        default:
            throw new Error(`unsupported matcher ${JSON.stringify(matcher)}`);
    }
}

/** prefix and suffix take a string, or `{ "equals-ignore-case": string }`. */
function stringTest(operand: Json, value: string, test: (v: string, o: string) => boolean): boolean {
    if (typeof operand === "string") return test(value, operand);
    if (isObject(operand) && typeof operand["equals-ignore-case"] === "string")
        return test(value.toLowerCase(), operand["equals-ignore-case"].toLowerCase());
    throw new Error(`unsupported operand ${JSON.stringify(operand)}`);
}

/** Whether the value is one of what anything-but excludes. */
function anythingBut(operand: Json, value: Json): boolean {
    if (Array.isArray(operand)) return operand.some((o) => o === value);
    if (isObject(operand)) return valueMatches(operand, value);
    return operand === value;
}

/** `*` matches any run of characters; `\*` and `\\` are literal. */
function wildcard(pattern: string): RegExp {
    let source = "";
    for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i];
        if (c === "\\" && (pattern[i + 1] === "*" || pattern[i + 1] === "\\")) source += `\\${pattern[++i]}`;
        else if (c === "*") source += ".*";
        else source += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }
    return new RegExp(`^${source}$`, "s");
}

function numeric(operand: Json, value: number): boolean {
    if (!Array.isArray(operand) || operand.length % 2 !== 0)
        throw new Error(`numeric takes operator and number pairs: ${JSON.stringify(operand)}`);
    for (let i = 0; i < operand.length; i += 2) {
        const [op, n] = [operand[i], operand[i + 1] as number];
        const ok = { "=": value === n, "<": value < n, "<=": value <= n, ">": value > n, ">=": value >= n }[
            op as string
        ];
        if (ok === undefined) throw new Error(`unknown numeric operator ${JSON.stringify(op)}`);
        if (!ok) return false;
    }
    return true;
}

// ---------------------------------------------------------------------------------------------
// Input transformation.

export interface InputTransformer {
    readonly inputPaths?: Record<string, string>;
    readonly inputTemplate: string;
}

/** EventBridge: "You can define up to 100 variables". */
export const MAX_INPUT_PATHS = 100;

/** The value at a JSON path of the forms EventBridge's examples use: `$.time`, `$.detail.x-y`, `$.resources[0]`. */
export function valueAt(event: Json, path: string): Json {
    const parts = /^\$((\.[A-Za-z0-9_-]+|\[\d+\])*)$/.exec(path);
    if (!parts) throw new Error(`unsupported JSON path ${path}`);
    let at: Json = event;
    for (const [, key, index] of parts[1].matchAll(/\.([A-Za-z0-9_-]+)|\[(\d+)\]/g)) {
        if (key !== undefined) at = isObject(at) ? at[key] : undefined;
        else at = Array.isArray(at) ? at[Number(index)] : undefined;
    }
    return at;
}

/**
 * What the target receives. A string template (a JSON string literal): each `<variable>` replaced by
 * the value at its path (a string as is, anything else as JSON), unescaped. A JSON template: a
 * variable placed as a JSON value gets its value as JSON, a string quoted ("Simple JSON" and "JSON
 * with a mix of variables and static information" in eb-transform-target-input.md); inside a JSON
 * string it is placed as is; the result must be JSON. Throws when a path is missing from the event:
 * EventBridge would create no variable, and the message would lose that part.
 */
export function transform(transformer: InputTransformer, event: Json): string {
    const paths = transformer.inputPaths ?? {};
    if (Object.keys(paths).length > MAX_INPUT_PATHS)
        throw new Error(`${Object.keys(paths).length} input paths; EventBridge allows ${MAX_INPUT_PATHS}`);
    const template = transformer.inputTemplate;
    const stringTemplate = /^".*"$/s.test(template);
    if (!stringTemplate && !/^[{[]/.test(template.trim()))
        throw new Error(`a template is a JSON string literal, object or array: ${template}`);
    let out = "";
    let inString = false;
    for (let i = 0; i < template.length; i++) {
        const c = template[i];
        const variable = c === "<" ? /^<([A-Za-z0-9_.-]+)>/.exec(template.slice(i)) : null;
        if (variable && Object.hasOwn(paths, variable[1])) {
            const value = valueAt(event, paths[variable[1]]);
            if (value === undefined)
                throw new Error(`input path ${variable[1]} = ${paths[variable[1]]} is not in the event`);
            out += typeof value === "string" && (stringTemplate || inString) ? value : JSON.stringify(value);
            i += variable[0].length - 1;
            continue;
        }
        if (c === "\\") {
            out += c + (template[i + 1] ?? "");
            i++;
            continue;
        }
        if (c === '"') inString = !inString;
        out += c;
    }
    if (!stringTemplate) JSON.parse(out);
    return out;
}
