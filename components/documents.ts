/**
 * The AWS-owned Systems Manager documents the components run. Plain constants, shared by the
 * components without one component importing another.
 */

/** Scans for and installs patches (Operation=Scan|Install), on every OS Patch Manager supports. */
export const PATCH_DOCUMENT = "AWS-RunPatchBaseline";

/** Collects software inventory. */
export const INVENTORY_DOCUMENT = "AWS-GatherSoftwareInventory";
