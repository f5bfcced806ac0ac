/**
 * The reporting area: a stack that collects every stack's compliance (docs/reporting.md).
 */
import { z } from "zod";
import {
    ACCOUNT_ID_PATTERN,
    DEFAULT_BYTES_SCANNED_CUTOFF,
    DEFAULT_RESULT_RETENTION_DAYS,
    DEFAULT_SYNC_PREFIX,
    MIN_BYTES_SCANNED_CUTOFF,
    ORGANIZATION_ID_PATTERN,
} from "../../components/complianceReporting";
import { logPrefixProblem } from "../../components/inventoryAssociation";

import { area, awsRegion, checked, list, says, text, wholeNumber } from "./blocks";
/** The S3 bucket policy size limit (20 KB) allows about 85 bytes per account at about 200 accounts; 100 leaves room. */
export const MAX_REPORTING_ACCOUNTS = 100;

export const reportingSchema = area({
    /**
     * The accounts whose syncs may write (each under its own prefix) and whose data the tables read. Default: this
     * stack's account.
     */
    accounts: list(
        text("must be a 12-digit AWS account id, quoted so YAML keeps it a string", ACCOUNT_ID_PATTERN),
        "must be a list of account ids",
    )
        .min(1, `must name 1 to ${MAX_REPORTING_ACCOUNTS} accounts`)
        .max(
            MAX_REPORTING_ACCOUNTS,
            `must name 1 to ${MAX_REPORTING_ACCOUNTS} accounts: the bucket policy names each, and S3 allows 20 KB of policy`,
        )
        .optional(),
    /** An AWS Organizations id: any account of it may write (the tables still read `accounts`). */
    organizationId: text("must be an AWS Organizations id such as o-a1b2c3d4e5", ORGANIZATION_ID_PATTERN).optional(),
    /** The Regions whose syncs the tables read. Default: this stack's. */
    regions: list(awsRegion, "must be a list of Regions").min(1, "must name at least one Region").optional(),
    /** The key prefix the syncs write under. */
    syncPrefix: checked(logPrefixProblem, "must be an S3 key prefix such as inventory").default(DEFAULT_SYNC_PREFIX),
    /** Bytes one Athena query may scan before it is cancelled: at least 10,000,000 (Athena's minimum). */
    bytesScannedCutoffPerQuery: z
        .number(says(`must be a whole number of bytes from ${MIN_BYTES_SCANNED_CUTOFF}`))
        .int(`must be a whole number of bytes from ${MIN_BYTES_SCANNED_CUTOFF}`)
        .min(MIN_BYTES_SCANNED_CUTOFF, `must be at least ${MIN_BYTES_SCANNED_CUTOFF} bytes (Athena's minimum)`)
        .default(DEFAULT_BYTES_SCANNED_CUTOFF),
    /** Days query results are kept. */
    resultRetentionDays: wholeNumber(1, 3650).default(DEFAULT_RESULT_RETENTION_DAYS),
});
