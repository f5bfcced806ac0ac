/**
 * The maintenance window's keys for the patch runbook (components/patchRunbook.ts owns each default
 * and check; docs/configuration.md "Safe patching").
 */
import { emailProblem } from "../../components/alertTopic";
import {
    INSTALL_MODES,
    MAX_APPROVAL_TIMEOUT_HOURS,
    MAX_RETENTION_DAYS,
    RUNBOOK_DEFAULTS,
} from "../../components/patchRunbook";
import { area, checked, list, oneOf, text, wholeNumber } from "./blocks";

/** An IAM principal aws:approve accepts: a user, group or role ARN, or a user name. */
const PRINCIPAL = /^(arn:aws[a-z-]*:iam::\d{12}:(user|group|role)\/[\w+=,.@/-]{1,512}|[\w+=,.@-]{1,64})$/;

export const runbookKeys = {
    /** `RunPatchBaseline` (the lab's plain task; the default) or `Runbook` (restore point, hooks, health check). */
    installMode: oneOf(INSTALL_MODES).default(RUNBOOK_DEFAULTS.installMode),
    /** The stack this one follows (prod follows test): its window and patch group come from its stack file. */
    followRing: text("must be a stack name such as test", /^[A-Za-z0-9_.-]{1,100}$/).optional(),
    /** Days the earlier ring must have run its installs successfully before this ring patches. */
    soakDays: wholeNumber(0, 90).default(RUNBOOK_DEFAULTS.soakDays),
    /** A human approval once per window run, before the first instance. */
    approval: area({
        approvers: list(
            text("must be an IAM user, group or role ARN, or a user name", PRINCIPAL),
            "must be a list of IAM principals",
        )
            .min(1, "must name 1 to 10 IAM principals")
            .max(10, "must name 1 to 10 IAM principals"),
        minRequiredApprovals: wholeNumber(1, 10).default(RUNBOOK_DEFAULTS.minRequiredApprovals),
        timeoutHours: wholeNumber(1, MAX_APPROVAL_TIMEOUT_HOURS).default(RUNBOOK_DEFAULTS.approvalTimeoutHours),
        emails: list(
            checked(emailProblem, "must be an e-mail address such as ops@example.com"),
            "must be a list of e-mail addresses",
        ).default([]),
    }).optional(),
    /** Days AWS Backup keeps each restore point (its lifecycle deletes it then). */
    restorePointRetentionDays: wholeNumber(1, MAX_RETENTION_DAYS).default(RUNBOOK_DEFAULTS.restorePointRetentionDays),
    restorePointTimeoutMinutes: wholeNumber(5, 1440).default(RUNBOOK_DEFAULTS.restorePointTimeoutMinutes),
    installTimeoutMinutes: wholeNumber(5, 1440).default(RUNBOOK_DEFAULTS.installTimeoutMinutes),
    /** What a web server must answer with HTTP 200 after patching. */
    healthCheckUrl: text(
        "must be an http(s) URL without spaces or quotes, such as http://localhost/",
        /^https?:\/\/[^\s'"`$\\]+$/,
    ).default(RUNBOOK_DEFAULTS.healthCheckUrl),
};
