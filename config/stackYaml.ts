/**
 * Pulumi's YAML, as the CLI reads Pulumi.yaml and Pulumi.<stack>.yaml, and the config strings it
 * hands the program.
 *
 * The CLI reads both files with gopkg.in/yaml.v3 (pulumi/pulumi `sdk/go/common/encoding/marshal.go`,
 * yaml.v3 since 2022's comment-preserving config edits; yaml.v2 before), decoding each config value
 * into `any` (`sdk/go/common/resource/config/object.go` `UnmarshalYAML`). yaml.v3 3.0.1's rules
 * (`resolve.go`, `decode.go`), which this module follows on the `yaml` package's parser:
 * - booleans are only true/True/TRUE/false/False/FALSE: `yes`, `on`, `y` stay strings;
 * - null is empty, `~`, null/Null/NULL; .inf/.nan in their three spellings;
 * - plain scalars starting with a digit or sign: a timestamp (`2006-1-2`, with a time), else Go's
 *   `strconv.ParseInt(s, 0, 64)` with `_` removed (so `0x1F` = 31, `0o17` = 15, `0b11` = 3, and
 *   YAML 1.1's `0777` = 511), else an unsigned one, else a float (`1e3`; `012345678901`, not octal,
 *   is the float 12345678901); no sexagesimal (`1:30` is a string);
 * - merge keys `<<` (a map or a list of maps; keys of the map itself win, earlier maps win);
 * - a key twice in one map is an error (`mapping key "x" already defined`), `<<` included.
 * The `yaml` package (YAML 1.1 schema) would read `yes` as true and `0x1F`'s underscore forms
 * differently, so only its parser, alias and merge handling are used: scalars resolve here.
 */
import { isScalar, parseDocument, Scalar, ScalarTag, YAMLError } from "yaml";

/** A value of the YAML the CLI reads: what yaml.v3 decodes into `any`. */
export type YamlValue = null | boolean | number | string | YamlValue[] | { [key: string]: YamlValue };

/** Go's `time.Time` from a YAML timestamp, shown as the CLI passes it on: `t.String()`. */
function goTimestamp(text: string): string | undefined {
    // yaml.v3's allowedTimestampFormats: 2006-1-2T15:4:5.999999999Z07:00 (T or t), 2006-1-2 15:4:5.999999999, 2006-1-2.
    const m =
        /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:([Tt])|( ))(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?(Z|[-+]\d{2}:\d{2})?)?$/.exec(
            text,
        );
    if (!m) return undefined;
    const [, y, mo, d, t, space, h, mi, s, frac, zone] = m;
    // The T form needs a zone, the space form has none (time.Parse's layouts).
    if ((t !== undefined && zone === undefined) || (space !== undefined && zone !== undefined)) return undefined;
    const days = new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate();
    if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > days) return undefined;
    if (Number(h ?? 0) > 23 || Number(mi ?? 0) > 59 || Number(s ?? 0) > 59) return undefined;
    const two = (v: string | undefined) => (v ?? "0").padStart(2, "0");
    const fraction = frac && /[1-9]/.test(frac) ? `.${frac.replace(/0+$/, "")}` : "";
    // An offset becomes a zone without a name (Go prints the offset twice) unless it is the local
    // zone's: the CLI's machine is taken to run in UTC.
    const offset =
        zone === undefined || zone === "Z" || zone === "+00:00"
            ? "+0000 UTC"
            : `${zone.replace(":", "")} ${zone.replace(":", "")}`;
    return `${y}-${two(mo)}-${two(d)} ${two(h)}:${two(mi)}:${two(s)}${fraction} ${offset}`;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Go's `strconv.ParseInt(s, 0, 64)`, then `ParseUint(s, 0, 64)`: base prefixes 0x, 0o, 0b and a leading 0 (octal). */
function goInteger(text: string): number | undefined {
    const m = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]+)|([1-9][0-9]*|0))$/.exec(text);
    if (!m) return undefined;
    const [, sign, hex, oct, bin, legacyOctal, dec] = m;
    const magnitude =
        hex !== undefined
            ? BigInt(`0x${hex}`)
            : oct !== undefined
              ? BigInt(`0o${oct}`)
              : bin !== undefined
                ? BigInt(`0b${bin}`)
                : legacyOctal !== undefined
                  ? BigInt(`0o${legacyOctal}`)
                  : BigInt(dec);
    const value = sign === "-" ? -magnitude : magnitude;
    // ParseUint takes no sign; a signed value must fit int64.
    const fits = sign === "" ? value <= UINT64_MAX : value >= INT64_MIN && value <= INT64_MAX;
    return fits ? Number(value) : undefined;
}

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const WORDS: Record<string, YamlValue> = {
    ...Object.fromEntries(["true", "True", "TRUE"].map((w) => [w, true])),
    ...Object.fromEntries(["false", "False", "FALSE"].map((w) => [w, false])),
    ...Object.fromEntries(["", "~", "null", "Null", "NULL"].map((w) => [w, null])),
    ...Object.fromEntries([".nan", ".NaN", ".NAN"].map((w) => [w, NaN])),
    ...Object.fromEntries(
        ["", "+", "-"].flatMap((s) =>
            [".inf", ".Inf", ".INF"].map((w) => [`${s}${w}`, s === "-" ? -Infinity : Infinity]),
        ),
    ),
};

/** yaml.v3's `resolve("", text)` for a plain (unquoted, untagged) scalar. */
export function resolvePlainScalar(text: string): YamlValue {
    if (Object.hasOwn(WORDS, text)) return WORDS[text];
    const first = text[0];
    if (first === ".") {
        // strconv.ParseFloat: a fraction with an optional exponent; out of range is an error.
        const value = /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(text) ? Number(text) : NaN;
        return Number.isFinite(value) ? value : text;
    }
    if (!/^[-+0-9]/.test(first)) return text;
    const timestamp = goTimestamp(text);
    if (timestamp !== undefined) return timestamp;
    const plain = text.replace(/_/g, "");
    const integer = goInteger(plain);
    if (integer !== undefined) return integer;
    if (YAML_STYLE_FLOAT.test(plain) && Number.isFinite(Number(plain))) return Number(plain);
    return text;
}

/** Every plain scalar goes through resolvePlainScalar; quoted ones and `!!str` stay strings. */
const GO_SCALARS: ScalarTag = {
    tag: "tag:oe-lab-ipm,2026:yaml.v3-plain",
    default: true,
    test: /^/,
    resolve: (text: string) => resolvePlainScalar(text) as unknown as string,
};

/** A key twice in one map, as yaml.v3 compares them: the scalars' texts (so `"a"` and `a` clash, and two `<<`). */
function sameKey(a: unknown, b: unknown): boolean {
    return (
        isScalar(a) &&
        isScalar(b) &&
        String((a as Scalar).source ?? (a as Scalar).value) === String((b as Scalar).source ?? (b as Scalar).value)
    );
}

/** A YAML file the CLI would refuse to read; where, when the parser says (1-based, as yaml.v3's "yaml: line N"). */
export class YamlError extends Error {
    constructor(
        message: string,
        public readonly line?: number,
        public readonly column?: number,
    ) {
        super(message);
    }
}

/** The 1-based line and column of an offset in the text. */
function lineAndColumn(text: string, offset: number): [number, number] {
    const before = text.slice(0, offset).split("\n");
    return [before.length, before[before.length - 1].length + 1];
}

/**
 * gopkg.in/yaml.v3's words for the problems the `yaml` package finds too, so the message reads as the
 * Pulumi CLI's would. Each is a fixture of tests/fixtures/stack-yaml/ (`syntax-*.yaml`) whose error
 * in expected.json the real yaml.v3 wrote (npm run test:yaml); other problems keep the yaml package's words.
 */
const YAML_V3_WORDS: readonly [(error: YAMLError, atEnd: boolean) => boolean, string][] = [
    [(e) => e.code === "TAB_AS_INDENT", "found character that cannot start any token"],
    [(e, atEnd) => e.code === "MISSING_CHAR" && atEnd, "found unexpected end of stream"],
    [
        (e) => e.message.startsWith("Nested mappings are not allowed in compact mappings"),
        "mapping values are not allowed in this context",
    ],
    [
        (e) => e.message.startsWith("Flow map in block collection must be sufficiently indented"),
        "did not find expected ',' or '}'",
    ],
];

/** The problem in yaml.v3's words where it has them, else in the yaml package's. */
function cliWords(error: YAMLError, text: string): string {
    const atEnd = text.slice(error.pos[1]).trim() === "";
    return YAML_V3_WORDS.find(([matches]) => matches(error, atEnd))?.[1] ?? error.message;
}

/** A YAML document as the CLI decodes it, or a YamlError with the first problem. */
export function parsePulumiYaml(text: string): YamlValue {
    const doc = parseDocument(text, {
        schema: "failsafe",
        customTags: ["merge", GO_SCALARS],
        uniqueKeys: sameKey,
        prettyErrors: false,
    });
    const [error] = [...doc.errors, ...doc.warnings];
    if (error) throw new YamlError(cliWords(error, text), ...lineAndColumn(text, error.pos[0]));
    try {
        return fromMaps(doc.toJS({ maxAliasCount: 10000, mapAsMap: true }) ?? null);
    } catch (e) {
        throw new YamlError((e as Error).message);
    }
}

/**
 * Maps to objects with the keys' text as Go's `%v` writes them (object.go: `fmt.Sprintf("%v", k)`):
 * `0777` is "511", `true` "true", a null key "<nil>" (a float key such as 1e6 would be "1e+06" in Go
 * and "1000000" here: no config key is one). `__proto__` stays an own key, as it is to Go.
 */
function fromMaps(value: unknown): YamlValue {
    if (Array.isArray(value)) return value.map(fromMaps);
    if (!(value instanceof Map)) return value as YamlValue;
    const object: Record<string, YamlValue> = {};
    for (const [key, entry] of value) {
        const text = key === null ? "<nil>" : String(key);
        Object.defineProperty(object, text, {
            value: fromMaps(entry),
            enumerable: true,
            writable: true,
            configurable: true,
        });
    }
    return object;
}

/**
 * The string the program gets for a config value (PULUMI_CONFIG; `pulumi.Config#get`): a string
 * as it is; anything else JSON-encoded, as Go's `json.Marshal` does it (object.go `MarshalString`):
 * map keys sorted, NaN and infinities refused (`json: unsupported value`).
 */
export function cliConfigString(value: unknown): string {
    return typeof value === "string" ? value : goJson(value);
}

/** Go's `json.Marshal`: keys sorted, <, > and & escaped (HTML-safe), U+2028/U+2029 escaped. */
export function goJson(value: unknown): string {
    return JSON.stringify(sortedForGo(value)).replace(
        /[<>&\u2028\u2029]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
}

/** A copy whose objects have their keys in Go's order (sorted by bytes), as the program receives them. */
export function sortedForGo(value: unknown): unknown {
    if (typeof value === "number" && !Number.isFinite(value))
        throw new YamlError(`json: unsupported value: ${goNumber(value)}`);
    if (Array.isArray(value)) return value.map(sortedForGo);
    if (value === null || typeof value !== "object") return value;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort(byUtf8)) {
        // __proto__ stays an own key, as in Go's map and in JSON.parse's result.
        Object.defineProperty(sorted, key, {
            value: sortedForGo((value as Record<string, unknown>)[key]),
            enumerable: true,
            writable: true,
            configurable: true,
        });
    }
    return sorted;
}

/** Go sorts map keys by their bytes. */
function byUtf8(a: string, b: string): number {
    return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function goNumber(value: number): string {
    return Number.isNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";
}
