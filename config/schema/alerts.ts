/**
 * The alerts area: the topic, its subscriptions, and the daily coverage check that publishes to it.
 */
import { emailProblem, TOPIC_NAME_PATTERN } from "../../components/alertTopic";
import { DEFAULT_SILENT_HOURS, SILENT_HOURS_RANGE } from "../../components/coverageCheck";
import { area, checked, flag, list, text, wholeNumber } from "./blocks";

/** The coverage check is on for every lab stack: "a daily coverage check owned by the stack" (issue 32). */
export const DEFAULT_COVERAGE_CHECK = true;

export const alertsSchema = area({
    /** The SNS topic's name. Default `AdminAlert-<Workload>` (the lab's `AdminAlert`, per workload). */
    topicName: text("must be 1-30 letters, digits, _ or -", TOPIC_NAME_PATTERN).optional(),
    /** E-mail addresses to subscribe; each receives a confirmation mail it must accept. */
    emails: list(
        checked(emailProblem, "must be an e-mail address such as ops@example.com"),
        "must be a list of e-mail addresses",
    ).default([]),
    /**
     * A daily coverage check (components/coverageCheck.ts): one message to the topic naming every
     * in-scope instance that is unmanaged or silent past `silentAfterHours`.
     */
    coverageCheck: flag().default(DEFAULT_COVERAGE_CHECK),
    /**
     * Hours without a ping after which a running managed instance is silent: the coverage check's,
     * and the default of `ops coverage --silent-hours` and of the report.
     */
    silentAfterHours: wholeNumber(SILENT_HOURS_RANGE.min, SILENT_HOURS_RANGE.max).default(DEFAULT_SILENT_HOURS),
});
