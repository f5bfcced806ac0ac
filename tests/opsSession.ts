/**
 * Runs an ops command in-process, as a person at a terminal or a script would, with its output
 * captured: the specs of the operations commands share it (their AWS clients are mocked there).
 */
import * as fs from "fs";
import * as path from "path";
import { Environment, main } from "../tools/ops/cli";
import { PROJECT_ROOT } from "../config/stackFiles";

export interface Session {
    code: number;
    out: string;
    err: string;
    asked: string[];
}

/** The Chart.js version package.json pins exactly: the one the report inlines. */
export const CHART_JS_VERSION: string = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8"))
    .dependencies["chart.js"];

/** The report's clock in the specs. */
export const SPEC_NOW = new Date("2026-11-28T09:00:00.000Z");

/** Runs an ops command against the mocked clients, as a person (interactive) or a script would. */
export async function ops(
    args: string[],
    options: { interactive?: boolean; answer?: string; signal?: AbortSignal } = {},
): Promise<Session> {
    const session: Session = { code: -1, out: "", err: "", asked: [] };
    const env: Environment = {
        io: { out: (t) => (session.out += t), err: (t) => (session.err += t) },
        interactive: options.interactive ?? false,
        ask: async (question) => {
            session.asked.push(question);
            return options.answer ?? "";
        },
        delays: { minDelay: 0.001, maxDelay: 0.002 },
        signal: options.signal,
        now: () => SPEC_NOW,
    };
    session.code = await main(["node", "ops", ...args], env);
    return session;
}
