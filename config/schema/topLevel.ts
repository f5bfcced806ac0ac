/**
 * The top level of a stack's config: the workload, tags, protection and one object per area.
 */
import { z } from "zod";
import { MAX_WORKLOAD_LENGTH } from "../lab";

import { area, flag, keyedMap, TAG_KEY, TAG_VALUE, text } from "./blocks";
import { alertsSchema } from "./alerts";
import { fleetSchema, inventorySchema, maintenanceWindowSchema, networkSchema, patchingSchema } from "./areas";
import { reportingSchema } from "./reporting";
/**
 * Workload names end up in resource names (`<Workload>-Web1`) and IAM role name prefixes:
 * `SSMMaintenanceWindowRole-<Workload>-` must fit IAM's 38-character prefix, hence 12.
 */
export const WORKLOAD_PATTERN = new RegExp(`^[A-Z][A-Za-z0-9]{0,${MAX_WORKLOAD_LENGTH - 1}}$`);
const WORKLOAD_MESSAGE = `must start with a capital letter and be 1-${MAX_WORKLOAD_LENGTH} letters or digits, e.g. Test`;

/** The top-level keys: the workload, the user's tags, and one object per area. */
export const TOP_LEVEL = {
    /** The lab's WorkloadName (`Test`, `Prod`). Required: Pulumi.yaml declares it without a default. */
    workload: z
        .string({
            error: (issue) =>
                issue.input === undefined ? "is required: set it in the stack file, e.g. Test" : WORKLOAD_MESSAGE,
        })
        .regex(WORKLOAD_PATTERN, WORKLOAD_MESSAGE),
    /** Extra tags on every taggable resource (the lab's `Owner`). */
    tags: keyedMap(
        text("tag keys must be 1-128 characters of letters, digits, spaces and _.:/=+-@", TAG_KEY),
        text("tag values must be 0-256 characters of letters, digits, spaces and _.:/=+-@", TAG_VALUE),
        "must be a map of tag keys to string values",
        // __proto__ cannot be carried by a JavaScript object: it would be dropped without a word.
        { refusedKey: { key: "__proto__", message: "tag key __proto__ cannot be passed on; choose another key" } },
    ).default({}),
    /**
     * Protect every component of the stack (children inherit it): the engine deletes and replaces
     * none of its resources until they are unprotected. `prod` and `reporting` set it.
     */
    protect: flag().default(false),
    network: networkSchema.prefault({}),
    fleet: fleetSchema.prefault({}),
    inventory: inventorySchema.prefault({}),
    maintenanceWindow: maintenanceWindowSchema.prefault({}),
    alerts: alertsSchema.prefault({}),
    patching: patchingSchema.prefault({}),
    /**
     * Makes this a reporting stack: the central store and Athena queries for every stack's compliance
     * (docs/reporting.md).
     */
    reporting: reportingSchema.optional(),
};

/** The areas of a lab stack, which a reporting stack does not have. */
export const LAB_AREAS = ["network", "fleet", "inventory", "maintenanceWindow", "alerts", "patching"] as const;

/** The whole schema, for its types and defaults (parsing goes area by area: config/index.ts). */
export const labSchema = area(TOP_LEVEL);
