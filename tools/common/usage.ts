/**
 * Usage errors alike in the three CLIs: commander's own messages (unknown option or command, with
 * its "Did you mean ...?" from showSuggestionAfterError), always exit 2 (EXIT.usage).
 */
import { Command } from "commander";
import { closest } from "../../config/suggest";
import { EXIT } from "./exit";

/**
 * An unknown subcommand, found before commander parses: commander shows the root's help for
 * `fleet apply --help` (help is handled before the unknown command), which reads as success.
 */
export function unknownCommand(cli: Command, args: readonly string[]): string | undefined {
    if (cli.commands.length === 0) return undefined;
    const known = ["help", ...cli.commands.flatMap((c) => [c.name(), ...c.aliases()])];
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        if (arg === "--") return undefined;
        if (arg.startsWith("-")) {
            const option = cli.options.find((o) => o.long === arg || o.short === arg);
            if (option?.required) i++; // its value
            continue;
        }
        if (known.includes(arg)) return undefined;
        const similar = closest(arg, known);
        return `error: unknown command '${arg}'${similar.length > 0 ? `\n(Did you mean ${similar[0]}?)` : ""}`;
    }
    return undefined;
}

/** Fails the command as commander fails it, with the usage exit code. */
export function refuseUnknownCommand(cli: Command, argv: readonly string[]): void {
    const problem = unknownCommand(cli, argv.slice(2));
    if (problem !== undefined) cli.error(problem, { exitCode: EXIT.usage, code: "commander.unknownCommand" });
}

/**
 * Unknown options reported before missing required ones: commander checks required options first,
 * so `plan --stak test` would say "--stack not specified" rather than "unknown option '--stak'
 * (Did you mean --stack?)". The required options become ordinary ones checked in a preAction hook,
 * which commander runs after its unknown-option check. Call it on the root once every command exists.
 */
export function unknownOptionsFirst(cli: Command): Command {
    const required = new Map<Command, { flags: string; name: string }[]>();
    const visit = (command: Command) => {
        const mandatory = command.options.filter((o) => o.mandatory);
        for (const o of mandatory) o.makeOptionMandatory(false);
        required.set(
            command,
            mandatory.map((o) => ({ flags: o.flags, name: o.attributeName() })),
        );
        command.commands.forEach(visit);
    };
    visit(cli);
    return cli.hook("preAction", (_root, action) => {
        const missing = (required.get(action) ?? []).find((o) => action.getOptionValue(o.name) === undefined);
        if (missing)
            action.error(`error: required option '${missing.flags}' not specified`, {
                exitCode: EXIT.usage,
                code: "commander.missingMandatoryOptionValue",
            });
    });
}
