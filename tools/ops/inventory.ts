/**
 * `inventory`: what the inventory association collected, per instance: OS, agent version and
 * number of applications; with `--app NAME`, which instances have that package and its version.
 */
import { InventoryFilter, ListInventoryEntriesCommand, SSMClient } from "@aws-sdk/client-ssm";
import { call } from "./aws";
import { fleetInstances, StackContext } from "./fleet";
import { Io, renderTable } from "./output";

/**
 * The application entries of an instance. ListInventoryEntries has no SDK paginator, so this
 * follows NextToken itself.
 */
export async function applications(
    ssm: SSMClient,
    instanceId: string,
    filters?: InventoryFilter[],
): Promise<Record<string, string>[]> {
    const entries: Record<string, string>[] = [];
    let token: string | undefined;
    do {
        const page = await call("ssm:ListInventoryEntries", () =>
            ssm.send(
                new ListInventoryEntriesCommand({
                    InstanceId: instanceId,
                    TypeName: "AWS:Application",
                    Filters: filters,
                    NextToken: token,
                }),
            ),
        );
        entries.push(...(page.Entries ?? []));
        token = page.NextToken;
    } while (token);
    return entries;
}

export async function inventory(context: StackContext, app: string | undefined, io: Io): Promise<number> {
    const instances = await fleetInstances(context);
    if (app === undefined) {
        const rows: (string | number)[][] = [];
        for (const i of instances) {
            rows.push([
                i.InstanceId ?? "",
                i.ComputerName ?? "",
                `${i.PlatformName ?? "?"} ${i.PlatformVersion ?? ""}`.trim(),
                i.AgentVersion ?? "",
                (await applications(context.ssm, i.InstanceId!)).length,
            ]);
        }
        io.out(renderTable(["Instance", "Computer name", "OS", "Agent", "Applications"], rows));
        return 0;
    }
    const rows: string[][] = [];
    for (const i of instances) {
        const found = await applications(context.ssm, i.InstanceId!, [{ Key: "Name", Values: [app], Type: "Equal" }]);
        rows.push([
            i.InstanceId ?? "",
            i.ComputerName ?? "",
            found.length > 0 ? found.map((e) => e.Version ?? "?").join(", ") : "not installed",
        ]);
    }
    io.out(renderTable(["Instance", "Computer name", `${app} version`], rows));
    const having = rows.filter((r) => r[2] !== "not installed").length;
    io.out(`${having} of ${rows.length} instances have ${app}.\n`);
    return 0;
}
