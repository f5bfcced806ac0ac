/**
 * Checks across a created fleet's groups and the network they go into; each rule is the
 * component's own (components/managedFleet.ts, components/labNetwork.ts).
 */
import { subnetCapacityProblem } from "../../components/labNetwork";
import {
    derivedNameCollisionProblem,
    fleetSizeProblem,
    fullestSubnetLoad,
    pinnedAmiProblems,
} from "../../components/managedFleet";
import type { CrossIssue, PartialLabConfig } from "./crossChecks";

type Group = NonNullable<NonNullable<PartialLabConfig["fleet"]>["groups"]>[number];

/** The groups when every one parsed with the fields a check needs (a broken group is reported on its own). */
function complete(config: PartialLabConfig, fields: readonly (keyof Group)[]): Group[] | undefined {
    const groups = config.fleet?.mode === "create" ? config.fleet.groups : undefined;
    if (groups === undefined) return undefined;
    return groups.every((g) => fields.every((f) => g[f] !== undefined)) ? groups : undefined;
}

const issue = (message: string | undefined): CrossIssue[] => (message ? [{ path: ["fleet", "groups"], message }] : []);

export const FLEET_CHECKS: readonly ((config: PartialLabConfig) => CrossIssue[])[] = [
    // Instance names derived from two groups (Web × 11 and Web1): one URN twice.
    (config) => {
        const groups = complete(config, ["name", "count"]);
        return groups ? issue(derivedNameCollisionProblem(groups)) : [];
    },
    // The whole fleet, and what its fullest subnet must hold.
    (config) => {
        const groups = complete(config, ["count"]);
        const zones = config.network?.availabilityZones;
        if (!groups) return [];
        return [
            ...issue(fleetSizeProblem(groups)),
            ...(zones === undefined ? [] : issue(subnetCapacityProblem(fullestSubnetLoad(groups, zones)))),
        ];
    },
    // One pinned AMI for groups of different OS or architecture.
    (config) => {
        const groups = complete(config, ["name", "operatingSystem", "instanceType"]);
        if (!groups) return [];
        return pinnedAmiProblems(groups).map(({ ami, problem }) => ({
            path: ["fleet", "groups", groups.map((g) => g.amiId).lastIndexOf(ami), "amiId"],
            message: problem,
        }));
    },
];
