/**
 * Beyond one machine: the targets as a GitHub Actions matrix (one job per target, each assuming
 * its own account's role through OIDC), and the accounts and Regions the reporting stack reads.
 */
import { LabConfig } from "../../config";
import { Target } from "./targets";

/** GitHub Actions allows at most 256 jobs per matrix (docs.github.com, "Using a matrix for your jobs"). */
export const MAX_MATRIX_JOBS = 256;

export interface MatrixEntry {
    readonly stack: string;
    readonly account: string;
    readonly region: string;
    readonly base: string;
    /** The role the job assumes with aws-actions/configure-aws-credentials (role-to-assume). */
    readonly role: string;
    /** True when the target's config protects its stack: the workflow never destroys it. */
    readonly protected: boolean;
}

/** `{"include":[...]}` for `strategy.matrix: ${{ fromJSON(...) }}`; refused beyond GitHub's 256 jobs. */
export function githubMatrix(
    targets: readonly Target[],
    configs: ReadonlyMap<string, LabConfig>,
): { include: MatrixEntry[] } {
    if (targets.length > MAX_MATRIX_JOBS) {
        throw new Error(
            `${targets.length} targets: a GitHub Actions matrix runs at most ${MAX_MATRIX_JOBS} jobs; split the targets (--only <account or Region>) over several workflow runs, or run the fleet from one runner (npm run fleet -- up)`,
        );
    }
    return {
        include: targets.map((t) => ({
            stack: t.stack,
            account: t.account,
            region: t.region,
            base: t.base,
            role: t.roleArn,
            protected: configs.get(t.stack)?.protect === true,
        })),
    };
}

/** The distinct accounts and Regions of the targets, sorted: the reporting stack's `reporting.accounts`, `regions`. */
export function reportingScope(targets: readonly Target[]): { accounts: string[]; regions: string[] } {
    return {
        accounts: [...new Set(targets.map((t) => t.account))].sort(),
        regions: [...new Set(targets.map((t) => t.region))].sort(),
    };
}
