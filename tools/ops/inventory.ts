/**
 * `inventory`: what the inventory association collected, per instance: OS, agent version and
 * number of applications; with `--app NAME`, which instances have that package and its version.
 */
import { InventoryFilter, ListInventoryEntriesCommand, SSMClient } from "@aws-sdk/client-ssm";
import { fleetInstances, StackContext } from "./fleet";
import { Io, renderTable } from "./output";
import { outcomeCell as cell, readEach, readSummary } from "./perInstance";
import { allPages, Run } from "./run";

/** The application entries of an instance, 50 a page (ListInventoryEntries has no SDK paginator). */
export function applications(
    ssm: SSMClient,
    instanceId: string,
    run: Run,
    filters?: InventoryFilter[],
): Promise<Record<string, string>[]> {
    return allPages(
        "ssm:ListInventoryEntries",
        (token) =>
            ssm.send(
                new ListInventoryEntriesCommand({
                    InstanceId: instanceId,
                    TypeName: "AWS:Application",
                    Filters: filters,
                    MaxResults: 50,
                    NextToken: token,
                }),
                {
                    abortSignal: run.signal,
                },
            ),
        (page) => page.Entries,
    );
}

export async function inventory(context: StackContext, app: string | undefined, run: Run, io: Io): Promise<number> {
    const instances = await fleetInstances(context, undefined, run);
    const ids = instances.map((i) => i.InstanceId!);
    const filters = app === undefined ? undefined : [{ Key: "Name", Values: [app], Type: "Equal" as const }];
    const outcomes = await readEach(ids, run, io, (id) => applications(context.ssm, id, run, filters));
    const read = instances
        .map((instance, i) => ({ instance, outcome: outcomes[i] }))
        .filter((r) => r.outcome !== undefined);
    if (app === undefined) {
        const rows = read.map(({ instance: i, outcome }) => [
            i.InstanceId ?? "",
            i.ComputerName ?? "",
            `${i.PlatformName ?? "?"} ${i.PlatformVersion ?? ""}`.trim(),
            i.AgentVersion ?? "",
            cell(outcome, (entries) => entries.length),
        ]);
        io.out(renderTable(["Instance", "Computer name", "OS", "Agent", "Applications"], rows));
        return readSummary(ids, outcomes, run, io);
    }
    const version = (entries: Record<string, string>[]) =>
        entries.length > 0 ? entries.map((e) => e.Version ?? "?").join(", ") : "not installed";
    const rows = read.map(({ instance: i, outcome }) => [
        i.InstanceId ?? "",
        i.ComputerName ?? "",
        String(cell(outcome, version)),
    ]);
    io.out(renderTable(["Instance", "Computer name", `${app} version`], rows));
    const having = read.filter(({ outcome }) => (outcome?.value?.length ?? 0) > 0).length;
    io.out(`${having} of ${read.filter(({ outcome }) => outcome?.value).length} instances have ${app}.\n`);
    return readSummary(ids, outcomes, run, io);
}
