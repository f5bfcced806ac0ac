/**
 * The stack config schema: every key a stack file may set, its type, default and what is allowed.
 *
 * One typed object per area. `LabConfig` (the parsed, fully-defaulted result) is derived from
 * the schema, so the types, defaults and validation cannot drift apart. Every default and rule
 * lives once, in the component that owns it; Pulumi.yaml declares only the required `workload`
 * (tests/config.spec.ts). By kind: blocks.ts (typed values that say what is allowed), areas.ts, alerts.ts
 * and reporting.ts (one object per area), topLevel.ts (the stack file's keys), crossChecks.ts (rules
 * across fields and areas).
 */
export * from "./alerts";
export * from "./areas";
export * from "./blocks";
export * from "./crossChecks";
export * from "./reporting";
export * from "./topLevel";
