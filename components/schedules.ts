/**
 * Schedule expressions as Systems Manager documents them, for each place they are used
 * ("Reference: Cron and rate expressions for Systems Manager",
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/reference-cron-and-rate-expressions.html):
 *
 * - Both: `rate(<value> <unit>)`, a positive value, unit minute(s)/hour(s)/day(s), singular for 1
 *   and plural otherwise (`rate(1 hours)` and `rate(5 hour)` are refused). Cron: six fields
 *   (minutes hours day-of-month month day-of-week year), an optional seconds field first, `?` in
 *   exactly one of day-of-month and day-of-week, values in the ranges of the table below.
 * - State Manager associations: rates of 30 minutes or more and less than 31 days; cron only
 *   every 30 minutes, every 1, 2, 4, 8 or 12 hours, or every day or week at a given time; a
 *   seconds field may only be 0.
 * - Maintenance windows: every cron and rate expression, but none firing faster than every
 *   5 minutes; a seconds field may not be 0.
 *
 * Pure functions returning a problem (what is allowed) or undefined. Shared by the components'
 * argument checks, the config schema and the API contract spec.
 */

interface CronField {
    readonly name: string;
    readonly min: number;
    readonly max: number;
    /** Special characters allowed besides , - * / */
    readonly special: string;
    readonly names?: readonly string[];
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const FIELDS: readonly CronField[] = [
    { name: "minutes", min: 0, max: 59, special: "" },
    { name: "hours", min: 0, max: 23, special: "" },
    { name: "day-of-month", min: 1, max: 31, special: "?LW" },
    { name: "month", min: 1, max: 12, special: "", names: MONTHS },
    { name: "day-of-week", min: 1, max: 7, special: "?L#", names: DAYS },
    { name: "year", min: 1970, max: 2199, special: "" },
];

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const UNIT_MINUTES: Record<string, number> = { minute: 1, hour: 60, day: 1440 };

/** A rate's interval in minutes, or a problem. */
function rateMinutes(expression: string): number | string | undefined {
    const rate = RATE.exec(expression);
    if (!rate)
        return expression.startsWith("rate(")
            ? "a rate must be rate(<value> minutes|hours|days), e.g. rate(30 minutes)"
            : undefined;
    const [, amount, unit] = rate;
    if (/^0\d/.test(amount)) return `the rate value ${amount} must be written without leading zeros`;
    const n = Number(amount);
    if (n < 1) return "the rate value must be a positive whole number";
    if ((n === 1) === unit.endsWith("s"))
        return `a rate of ${n} takes the ${n === 1 ? "singular" : "plural"} unit, e.g. ${n === 1 ? `rate(1 ${unit.replace(/s$/, "")})` : `rate(${n} ${unit.endsWith("s") ? unit : `${unit}s`})`}`;
    return n * UNIT_MINUTES[unit.replace(/s$/, "")];
}

/** The values one cron field names, or a problem. */
function fieldValues(text: string, field: CronField): number[] | string {
    const allowed = `${field.name} takes ${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : ""} with , - * /${field.special ? ` ${field.special.split("").join(" ")}` : ""}`;
    const value = (token: string): number | undefined => {
        if (/^\d+$/.test(token)) {
            const n = Number(token);
            return n >= field.min && n <= field.max ? n : undefined;
        }
        const i = field.names?.indexOf(token.toUpperCase()) ?? -1;
        return i >= 0 ? i + field.min : undefined;
    };
    const values: number[] = [];
    for (const item of text.split(",")) {
        if (item === "?" && field.special.includes("?")) continue;
        if (item === "L" && field.special.includes("L")) continue;
        if (field.special.includes("W") && /^(\d{1,2}W|LW)$/.test(item)) {
            if (item !== "LW" && value(item.slice(0, -1)) === undefined) return `${field.name} ${item}: ${allowed}`;
            continue;
        }
        if (field.special.includes("#") && item.includes("#")) {
            const [day, nth] = item.split("#");
            if (value(day) === undefined || !/^[1-5]$/.test(nth))
                return `${field.name} ${item}: <day>#<1-5>, e.g. TUE#2`;
            continue;
        }
        if (field.name === "day-of-week" && /^\d?L$/.test(item)) {
            if (item !== "L" && value(item.slice(0, -1)) === undefined) return `${field.name} ${item}: ${allowed}`;
            continue;
        }
        const step = /^(\*|[^/]+)\/(\d+)$/.exec(item);
        const base = step ? step[1] : item;
        const increment = step ? Number(step[2]) : 1;
        if (step && (increment < 1 || increment > field.max))
            return `${field.name} ${item}: the increment must be 1-${field.max}`;
        let from: number | undefined;
        let to: number | undefined;
        if (base === "*") {
            [from, to] = [field.min, field.max];
        } else if (base.includes("-")) {
            const [a, b] = base.split("-");
            [from, to] = [value(a), value(b)];
            if (from !== undefined && to !== undefined && from > to)
                return `${field.name} ${item}: a range must run from low to high`;
        } else {
            from = value(base);
            to = step ? field.max : from;
        }
        if (from === undefined || to === undefined) return `${field.name} ${item}: ${allowed}`;
        for (let v = from; v <= to; v += increment) values.push(v);
    }
    return values;
}

interface ParsedCron {
    readonly seconds?: string;
    readonly fields: readonly string[];
    /** The minutes of the hour it fires at. */
    readonly minutes: readonly number[];
}

function parseCron(expression: string): ParsedCron | string | undefined {
    const cron = /^cron\((.*)\)$/.exec(expression);
    if (!cron) return undefined;
    const parts = cron[1].trim().split(/\s+/);
    if (parts.length !== 6 && parts.length !== 7) {
        return "a cron needs six fields: minutes hours day-of-month month day-of-week year (optionally seconds first), e.g. cron(0 2 ? * * *)";
    }
    const seconds = parts.length === 7 ? parts[0] : undefined;
    const fields = parts.slice(parts.length - 6);
    let minutes: number[] = [];
    for (let i = 0; i < 6; i++) {
        const values = fieldValues(fields[i], FIELDS[i]);
        if (typeof values === "string") return values;
        if (i === 0) minutes = values;
    }
    if ((fields[2] === "?") === (fields[4] === "?"))
        return "a cron needs ? in exactly one of day-of-month and day-of-week, e.g. cron(0 2 ? * * *)";
    return { seconds, fields, minutes: [...new Set(minutes)].sort((a, b) => a - b) };
}

const EXAMPLES = "e.g. cron(0 2 ? * * *) or rate(1 day)";

/** Why a maintenance window would refuse a schedule, or undefined. */
export function windowScheduleProblem(expression: string): string | undefined {
    const rate = rateMinutes(expression);
    if (typeof rate === "string") return rate;
    if (typeof rate === "number") return undefined;
    const cron = parseCron(expression);
    if (cron === undefined) return `must be a recurring cron(...) or rate(...) expression, ${EXAMPLES}`;
    if (typeof cron === "string") return cron;
    if (cron.seconds !== undefined && !/^([1-9]|[1-5]\d)$/.test(cron.seconds))
        return "a maintenance window's seconds field must be 1-59 (0 is not supported)";
    // Gaps between firing minutes, the last of one hour to the first of the next included.
    const gaps = cron.minutes.map(
        (minute, i) => minute - (i === 0 ? cron.minutes[cron.minutes.length - 1] - 60 : cron.minutes[i - 1]),
    );
    if (cron.minutes.length > 1 && Math.min(...gaps) < 5)
        return "a maintenance window cannot run more often than every 5 minutes";
    return undefined;
}

/** Hour intervals an association's cron may repeat at. */
const ASSOCIATION_HOURS = [1, 2, 4, 8, 12];
const ASSOCIATION_FORMS =
    "cron(0/30 * * * ? *), cron(<m> 0/<1|2|4|8|12> * * ? *), cron(<m> <h> * * ? *) (daily) or cron(<m> <h> ? * <day> *) (weekly)";

/** Why a State Manager association would refuse a schedule, or undefined. */
export function associationScheduleProblem(expression: string): string | undefined {
    const rate = rateMinutes(expression);
    if (typeof rate === "string") return rate;
    if (typeof rate === "number") {
        return rate >= 30 && rate < 31 * 1440
            ? undefined
            : "an association's rate must be at least 30 minutes and less than 31 days";
    }
    const cron = parseCron(expression);
    if (cron === undefined)
        return `must be a cron(...) or rate(...) expression, e.g. rate(30 minutes) or cron(0 2 ? * * *)`;
    if (typeof cron === "string") return cron;
    if (cron.seconds !== undefined && cron.seconds !== "0") return "an association's seconds field may only be 0";
    const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = cron.fields;
    const single = (text: string) => /^\d{1,2}$/.test(text);
    const everyDay = (dayOfMonth === "*" && dayOfWeek === "?") || (dayOfMonth === "?" && dayOfWeek === "*");
    const oneWeekday = dayOfMonth === "?" && /^([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)(#[1-5])?$/i.test(dayOfWeek);
    const hourStep = /^(?:0|\*)\/(\d+)$/.exec(hours);
    const ok =
        month === "*" &&
        year === "*" &&
        ((everyDay && /^(0|\*)\/30$/.test(minutes) && hours === "*") ||
            (everyDay &&
                single(minutes) &&
                (hours === "*" || (hourStep !== null && ASSOCIATION_HOURS.includes(Number(hourStep[1]))))) ||
            ((everyDay || oneWeekday) && single(minutes) && single(hours)));
    return ok
        ? undefined
        : `an association's cron may only run every 30 minutes, every 1, 2, 4, 8 or 12 hours, or daily or weekly at a given time: ${ASSOCIATION_FORMS}`;
}

/** The interval of a rate expression in minutes (undefined for cron): for minimums of particular documents. */
export function rateIntervalMinutes(expression: string): number | undefined {
    const rate = rateMinutes(expression);
    return typeof rate === "number" ? rate : undefined;
}
