/**
 * `npm run fleet -- plan`: every target's offline plan and API contract, in one process. The plan
 * machinery (plan/evaluate.ts, plan/model.ts, contract/) is loaded once; each target is a fresh
 * evaluation of the real program with its base stack file, its overrides and its Region, under its
 * own stack name. No Pulumi CLI, no credentials, no network.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../../config";
import { StackFileError } from "../../config/stackFiles";
import { checkContract, formatViolation } from "../contract";
import { evaluateStack, mockAmiArchitecture } from "../plan/evaluate";
import { buildPlan, stableJson } from "../plan/model";
import { Target } from "./targets";
import { table } from "./table";

/** One row of summary.json. */
export interface PlanRow {
    readonly stack: string;
    readonly account: string;
    readonly region: string;
    readonly base: string;
    /** `planned`: the plan is written and every request passes AWS's API models; `failed`: see problems. */
    readonly status: "planned" | "failed";
    /** Resources to create, as `pulumi preview` counts them (Plan.toCreate; 0 when the program failed). */
    readonly resources: number;
    readonly problems: readonly string[];
}

export interface FleetPlanOptions {
    /** Hold every planned request against AWS's API models (default true). */
    readonly check?: boolean;
    readonly projectDir?: string;
    /** Called after each target, e.g. for a progress line. */
    readonly onTarget?: (row: PlanRow, index: number) => void;
}

async function planTarget(target: Target, outDir: string, options: FleetPlanOptions): Promise<PlanRow> {
    const row = { stack: target.stack, account: target.account, region: target.region, base: target.base };
    const evaluation = { stackFile: target.base, overrides: target.overrides, projectDir: options.projectDir };
    try {
        const run = await evaluateStack(target.stack, [], { ...evaluation, values: "placeholder" });
        const plan = buildPlan(run);
        fs.writeFileSync(path.join(outDir, `${target.stack}.json`), stableJson(plan));
        const problems: string[] = [];
        if (options.check !== false) {
            const realistic = await evaluateStack(target.stack, [], { ...evaluation, values: "realistic" });
            problems.push(
                ...checkContract(realistic, { amiArchitecture: mockAmiArchitecture }).map(
                    (v) => `API contract: ${formatViolation(v)}`,
                ),
            );
        }
        return {
            ...row,
            status: problems.length === 0 ? "planned" : "failed",
            resources: plan.toCreate,
            problems,
        };
    } catch (error) {
        const problems =
            error instanceof ConfigError
                ? [...error.problems]
                : [error instanceof StackFileError ? error.message : `the program failed: ${(error as Error).message}`];
        return { ...row, status: "failed", resources: 0, problems };
    }
}

/** Plans every target in turn, writing `<outDir>/<stack>.json` per target and `<outDir>/summary.json`. */
export async function planFleet(
    targets: readonly Target[],
    outDir: string,
    options: FleetPlanOptions = {},
): Promise<PlanRow[]> {
    fs.mkdirSync(outDir, { recursive: true });
    const rows: PlanRow[] = [];
    for (const [i, target] of targets.entries()) {
        const row = await planTarget(target, outDir, options);
        rows.push(row);
        options.onTarget?.(row, i);
    }
    fs.writeFileSync(path.join(outDir, "summary.json"), `${JSON.stringify(rows, null, 2)}\n`);
    return rows;
}

/** The terminal table of a fleet plan, then every failing target with its problems. */
export function renderPlanSummary(rows: readonly PlanRow[]): string {
    const body = table(
        ["stack", "account", "region", "base", "status", "resources", "problems"],
        rows.map((r) => [
            r.stack,
            r.account,
            r.region,
            r.base,
            r.status,
            String(r.resources),
            String(r.problems.length),
        ]),
    );
    const failed = rows.filter((r) => r.status === "failed");
    const tail =
        failed.length === 0
            ? `\n${rows.length} target${rows.length === 1 ? "" : "s"} planned; every request passes AWS's API models.\n`
            : `\n${failed.length} of ${rows.length} targets failed:\n${failed.map((r) => `  ${r.stack}:\n${r.problems.map((p) => `    - ${p}`).join("\n")}`).join("\n")}\n`;
    return body + tail;
}
