/**
 * Checks that span fields or areas of the stack config.
 */
import { z } from "zod";
import { approvalRuleProblems, PatchOperatingSystem, patchOperatingSystemsOf } from "../../components/operatingSystems";
import { MAX_TAGS_PER_RESOURCE, reservedTagKeyProblem } from "../../components/validation";
import { duplicateEmails } from "../../components/alertTopic";
import { associationNameProblem } from "../../components/inventoryAssociation";
import { DEFAULT_SYNC_PREFIX, syncBucketPolicyProblem } from "../../components/complianceReporting";

import { CREATE_MODE_ONLY } from "./areas";
import { duplicateGroupNamesProblem } from "../../components/managedFleet";
import { cutoffProblem, scheduleOffsetProblem } from "../../components/patchMaintenanceWindow";
import { FLEET_CHECKS } from "./fleetChecks";
import { RUNBOOK_CHECKS } from "./runbookChecks";
import { LAB_AREAS, labSchema } from "./topLevel";
import { MAX_USER_TAGS, PROGRAM_TAG_KEYS, RESERVED_TAG_KEYS } from "./blocks";

/** What parsed of each area, field by field: a cross check runs when the fields it needs are there. */
export type PartialLabConfig = {
    -readonly [K in keyof ParsedLabConfig]?: ParsedLabConfig[K] extends object
        ? Partial<ParsedLabConfig[K]>
        : ParsedLabConfig[K];
};

/** A problem a cross check found: where (path below the namespace) and what is allowed. */
export interface CrossIssue {
    readonly path: (string | number)[];
    readonly message: string;
}

/**
 * Checks that span fields or areas. They run on whatever parsed, so a broken area never hides
 * them, and each runs only when the fields it needs are valid.
 */
export const CROSS_CHECKS: readonly ((
    config: PartialLabConfig,
    broken: ReadonlySet<string>,
    raw: Readonly<Record<string, unknown>>,
) => CrossIssue[])[] = [
    // A cutoff at or after the end of the window; an offset on a rate schedule (PatchMaintenanceWindow's rules).
    ({ maintenanceWindow: w }) =>
        w?.cutoff !== undefined && w.duration !== undefined
            ? issueAt(["maintenanceWindow", "cutoff"], cutoffProblem(w.cutoff, w.duration))
            : [],
    ({ maintenanceWindow: w }) =>
        w?.schedule !== undefined
            ? issueAt(["maintenanceWindow", "scheduleOffset"], scheduleOffsetProblem(w.scheduleOffset, w.schedule))
            : [],
    ...RUNBOOK_CHECKS,
    // The fleet's mode decides where its instances come from: existing needs its targets; create needs no existing.
    ({ fleet }, broken) => {
        if (fleet?.mode === "existing" && fleet.existing === undefined && !broken.has("fleet.existing")) {
            return [
                {
                    path: ["fleet", "existing"],
                    message: "is required with mode existing: the instances' targetTags and operatingSystems",
                },
            ];
        }
        return fleet?.mode === "create" && fleet.existing !== undefined
            ? [
                  {
                      path: ["fleet", "existing"],
                      message: "applies to mode existing only; set fleet.mode: existing or remove it",
                  },
              ]
            : [];
    },
    // Keys of a created fleet, set for an existing one: what the stack file says (raw), not the defaults.
    ({ fleet }, broken, raw) =>
        fleet?.mode !== "existing"
            ? []
            : CREATE_MODE_ONLY.filter((keyPath) => {
                  const dotted = keyPath.join(".");
                  // A key already reported as broken gets no second message.
                  return (
                      valueAt(raw, keyPath) !== undefined &&
                      ![...broken].some((k) => k === dotted || k.startsWith(`${dotted}.`))
                  );
              }).map((keyPath) => ({
                  path: [...keyPath],
                  message:
                      "applies to fleet.mode create only (an existing fleet's network and instances are not the stack's); remove it",
              })),
    // Group names make instance and resource names: one each (ManagedFleet's rule); broken names are reported alone.
    ({ fleet }) =>
        issueAt(
            ["fleet", "groups"],
            duplicateGroupNamesProblem((fleet?.groups ?? []).flatMap((g) => (g.name === undefined ? [] : [g.name]))),
        ),
    // One baseline per OS the fleet runs; its rules only what that OS's Patch Manager supports.
    (config) => {
        const systems = fleetPatchOperatingSystems(config);
        if (systems === undefined || config.patching?.baselines === undefined) return [];
        return Object.entries(config.patching.baselines).flatMap(([os, baseline]) => {
            if (baseline === undefined) return [];
            if (!systems.includes(os as PatchOperatingSystem)) {
                return [
                    {
                        path: ["patching", "baselines", os],
                        message: `is for an OS the fleet does not run (it runs ${systems.join(", ")})`,
                    },
                ];
            }
            return (baseline.approvalRules ?? []).flatMap((rule, i) =>
                // The filters' limits are the rule's own check (areas.ts), whatever the fleet.
                approvalRuleProblems(os as PatchOperatingSystem, rule, { limits: false }).map((message) => ({
                    path: ["patching", "baselines", os, "approvalRules", i],
                    message,
                })),
            );
        });
    },
    // The data sync is named after the association: <name>-sync within SyncName's 64 characters.
    ({ inventory }) => {
        const problem =
            inventory?.associationName !== undefined && inventory.resourceDataSync !== undefined
                ? associationNameProblem(
                      inventory.associationName,
                      inventory.resourceDataSync || inventory.reportTo !== undefined,
                  )
                : undefined;
        return problem ? [{ path: ["inventory", "associationName"], message: problem }] : [];
    },
    // A reporting stack is the central store only: the lab's areas are not its.
    ({ reporting }, _broken, raw) =>
        reporting === undefined
            ? []
            : LAB_AREAS.filter((key) => valueAt(raw, [key]) !== undefined).map((key) => ({
                  path: [key],
                  message:
                      "applies to lab stacks; this stack sets reporting, which makes it a reporting stack (docs/reporting.md)",
              })),
    // The sync bucket's policy names each account: it must fit S3's 20 KB with this prefix.
    ({ reporting }, broken) => {
        const accounts = reporting?.accounts;
        if (accounts === undefined || broken.has("reporting.accounts") || broken.has("reporting.syncPrefix")) return [];
        const prefix = reporting?.syncPrefix ?? DEFAULT_SYNC_PREFIX;
        const problem = syncBucketPolicyProblem(accounts.length, prefix, reporting?.organizationId !== undefined);
        return problem
            ? [{ path: ["reporting", "accounts"], message: `names ${accounts.length} accounts, which ${problem}` }]
            : [];
    },
    // One destination for the stack's one sync: a reporting stack, or a bucket by name.
    ({ inventory }, broken, raw) => {
        const to = inventory?.reportTo;
        if (to === undefined || broken.has("inventory.reportTo")) return [];
        const issues: CrossIssue[] = [];
        if ((to.stack === undefined) === (to.bucketName === undefined)) {
            issues.push({
                path: ["inventory", "reportTo"],
                message: "needs exactly one of stack (a reporting stack) or bucketName (its sync bucket)",
            });
        }
        if (to.stack !== undefined) {
            for (const key of ["region", "prefix", "organization"]) {
                if (valueAt(raw, ["inventory", "reportTo", key]) !== undefined)
                    issues.push({
                        path: ["inventory", "reportTo", key],
                        message:
                            "comes from the reporting stack's outputs with reportTo.stack; set it only with bucketName",
                    });
            }
        }
        if (valueAt(raw, ["inventory", "resourceDataSync"]) === true) {
            issues.push({
                path: ["inventory", "resourceDataSync"],
                message:
                    "syncs to the stack's own bucket; with inventory.reportTo the stack's one sync goes to the reporting bucket: remove one",
            });
        }
        return issues;
    },
    // Tags: none of the program's own keys, no aws: prefix in any case, and room for the program's on every instance.
    ({ tags }) => {
        if (tags === undefined) return [];
        const issues: CrossIssue[] = Object.keys(tags).flatMap((key) => {
            if (RESERVED_TAG_KEYS.includes(key))
                return [
                    {
                        path: ["tags", key],
                        message: `is a tag the program sets itself (${RESERVED_TAG_KEYS.join(", ")}); set it through its own config key, or choose another key`,
                    },
                ];
            const reserved = reservedTagKeyProblem(key);
            return reserved ? [{ path: ["tags", key], message: reserved }] : [];
        });
        const count = Object.keys(tags).length;
        if (count > MAX_USER_TAGS) {
            issues.push({
                path: ["tags"],
                message: `has ${count} tags; at most ${MAX_USER_TAGS}, because every instance also carries the program's ${PROGRAM_TAG_KEYS.length} (${PROGRAM_TAG_KEYS.join(", ")}) and AWS allows ${MAX_TAGS_PER_RESOURCE} per resource`,
            });
        }
        return issues;
    },
    // A key for a log group that is not there.
    ({ maintenanceWindow }) =>
        maintenanceWindow?.kmsKeyId !== undefined && maintenanceWindow.cloudWatchLogs === false
            ? [
                  {
                      path: ["maintenanceWindow", "kmsKeyId"],
                      message: "encrypts the patching log group, which cloudWatchLogs: false removes; remove one",
                  },
              ]
            : [],
    // The same address twice.
    ({ alerts }) =>
        duplicateEmails(alerts?.emails ?? []).map((email) => ({
            path: ["alerts", "emails"],
            message: `lists ${email} more than once (letter case aside); each address may appear once`,
        })),
    ...FLEET_CHECKS,
];

/** A component's problem (if any) as an issue at a key path. */
function issueAt(path: (string | number)[], message: string | undefined): CrossIssue[] {
    return message === undefined ? [] : [{ path, message }];
}

/** The value a raw config gives at a key path, or undefined. */
export function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
    return path.reduce<unknown>(
        (node, key) =>
            node !== null && typeof node === "object" && Object.hasOwn(node, key)
                ? (node as Record<string, unknown>)[key]
                : undefined,
        root,
    );
}

/**
 * The patch operating systems of the fleet's instances (created or existing), or undefined while the fleet is broken.
 */
export function fleetPatchOperatingSystems(config: PartialLabConfig): PatchOperatingSystem[] | undefined {
    const fleet = config.fleet;
    if (fleet?.mode === undefined) return undefined;
    if (fleet.mode === "existing")
        return fleet.existing ? patchOperatingSystemsOf(fleet.existing.operatingSystems) : undefined;
    // A group whose operatingSystem is broken leaves the fleet's systems unknown.
    const systems = fleet.groups?.map((g) => g.operatingSystem);
    return systems && systems.every((os) => os !== undefined) ? patchOperatingSystemsOf(systems) : undefined;
}

/** The raw config the schema accepts: top-level keys without the project namespace. */
export type RawLabConfig = z.input<typeof labSchema>;
export type ParsedLabConfig = z.output<typeof labSchema>;
