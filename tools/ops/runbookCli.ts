/**
 * How `ops install` chooses between the lab's SendCommand and the stack's runbook: the stack file's
 * maintenanceWindow.installMode decides, and the runbook takes the stack's own rate controls
 * (maintenanceWindow.maxConcurrency and maxErrors: prod stops at the first failed instance) unless the
 * command line names others. Its RebootOption is the runbook's own (maintenanceWindow.rebootOption).
 */
import { EXIT, OpsError } from "./aws";
import { StackContext } from "./fleet";
import { RunbookNames, runbookNames, RunbookRunOptions } from "./runbookInstall";

interface InstallFlags {
    readonly role?: string;
    readonly concurrency: string;
    readonly maxErrors: string;
    readonly rebootOption: string;
    readonly json?: boolean;
}

/** Where a flag's value came from (commander's getOptionValueSource: "default", "cli", ...). */
type Source = (key: string) => string | undefined;

export interface RunbookInstallPlan {
    readonly names: RunbookNames;
    readonly options: RunbookRunOptions;
    /** The confirmation question, for `who` ("every instance", "the WebServer instances"). */
    question(who: string): string;
}

/** The runbook run `ops install` makes on a Runbook stack; undefined on a plain one. */
export function runbookInstallPlan(
    ctx: StackContext,
    flags: InstallFlags,
    source: Source,
): RunbookInstallPlan | undefined {
    const names = runbookNames(ctx);
    const mode = `maintenanceWindow.installMode = ${ctx.config.maintenanceWindow.installMode}`;
    if (!names) {
        if (flags.json)
            throw new OpsError(
                `--json is for a stack whose runbook installs (installMode Runbook); stack "${ctx.stack}" has ${mode}.`,
                EXIT.usage,
            );
        return undefined;
    }
    if (source("rebootOption") === "cli")
        throw new OpsError(
            `--reboot-option does not apply to stack "${ctx.stack}" (${mode}): its runbook reboots as maintenanceWindow.rebootOption = ${ctx.config.maintenanceWindow.rebootOption} says. Nothing installed.`,
            EXIT.usage,
        );
    const w = ctx.config.maintenanceWindow;
    const options: RunbookRunOptions = {
        role: flags.role,
        maxConcurrency: source("concurrency") === "cli" ? flags.concurrency : w.maxConcurrency,
        maxErrors: source("maxErrors") === "cli" ? flags.maxErrors : w.maxErrors,
        json: flags.json === true,
    };
    const gate = names.gate ? `after its gate ${names.gate} passes, ` : "";
    return {
        names,
        options,
        question: (who) =>
            `Run ${names.instance} (restore point, install, health check) on ${who} of stack "${ctx.stack}" (${ctx.region}), ${gate}${options.maxConcurrency} at a time, stopping when more than ${options.maxErrors} fail, ${w.rebootOption}? [y/N] `,
    };
}
