/**
 * The reporting area: a stack that collects every stack's compliance (docs/reporting.md). Each limit
 * is the component's own rule (components/complianceReporting.ts), reused here.
 */
import { z } from "zod";
import {
    ACCOUNT_ID_PATTERN,
    bytesScannedCutoffProblem,
    DEFAULT_ACCESS_LOG_RETENTION_DAYS,
    DEFAULT_BYTES_SCANNED_CUTOFF,
    DEFAULT_HISTORY_RETENTION_DAYS,
    DEFAULT_RESULT_RETENTION_DAYS,
    DEFAULT_SYNC_PREFIX,
    maxSyncAccounts,
    ORGANIZATION_ID_PATTERN,
    syncPrefixProblem,
} from "../../components/complianceReporting";

import { area, awsRegion, checked, list, ofList, says, text, wholeNumber } from "./blocks";

/** The most accounts the sync bucket's policy holds with the default prefix (43; a longer prefix holds fewer). */
export const MAX_REPORTING_ACCOUNTS = maxSyncAccounts(DEFAULT_SYNC_PREFIX);

export const reportingSchema = area({
    /**
     * The accounts whose syncs may write (each under its own prefix) and whose data the tables read. Default: this
     * stack's account. As many as the sync bucket's policy holds within S3's 20 KB, which depends on syncPrefix (a
     * cross check).
     */
    accounts: list(
        text("must be a 12-digit AWS account id, quoted so YAML keeps it a string", ACCOUNT_ID_PATTERN),
        "must be a list of account ids",
    )
        .min(1, ofList("must name at least one account"))
        .optional(),
    /** An AWS Organizations id: any account of it may write (the tables still read `accounts`). */
    organizationId: text("must be an AWS Organizations id such as o-a1b2c3d4e5", ORGANIZATION_ID_PATTERN).optional(),
    /** The Regions whose syncs the tables read. Default: this stack's. */
    regions: list(awsRegion, "must be a list of Regions such as [ap-northeast-1]")
        .min(1, ofList("must name at least one Region"))
        .superRefine((regions, ctx) => {
            const repeated = regions.filter((region, i) => regions.indexOf(region) !== i);
            if (repeated.length > 0)
                ctx.addIssue({
                    code: "custom",
                    message: `lists ${[...new Set(repeated)].join(", ")} more than once; each Region may appear once`,
                });
        })
        .optional(),
    /** The key prefix the syncs write under: at most 256 characters (CreateResourceDataSync). */
    syncPrefix: checked(syncPrefixProblem, "must be an S3 key prefix such as inventory").default(DEFAULT_SYNC_PREFIX),
    /** Bytes one Athena query may scan before it is cancelled: 10,485,760 (the provider's minimum) to an int64. */
    bytesScannedCutoffPerQuery: z
        .number(says(bytesScannedCutoffProblem(0)!))
        .superRefine((value, ctx) => {
            const found = bytesScannedCutoffProblem(value);
            if (found) ctx.addIssue({ code: "custom", message: found });
        })
        .default(DEFAULT_BYTES_SCANNED_CUTOFF),
    /** Days query results are kept. */
    resultRetentionDays: wholeNumber(1, 3650).default(DEFAULT_RESULT_RETENTION_DAYS),
    /** Days the daily compliance snapshots (compliance_history) are kept. */
    historyRetentionDays: wholeNumber(1, 3650).default(DEFAULT_HISTORY_RETENTION_DAYS),
    /** Days the sync bucket's S3 server access logs are kept. */
    accessLogRetentionDays: wholeNumber(1, 3650).default(DEFAULT_ACCESS_LOG_RETENTION_DAYS),
});
