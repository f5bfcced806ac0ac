/**
 * The stack config schema: every key a stack file may set, its type, default and what is allowed.
 *
 * One typed object per area. `LabConfig` (the parsed, fully-defaulted result) is derived from
 * the schema, so the types, defaults and validation cannot drift apart. Each area's defaults are
 * also declared in Pulumi.yaml; `tests/config.spec.ts` proves the two agree.
 */
export * from "./areas";
export * from "./blocks";
export * from "./crossChecks";
export * from "./reporting";
export * from "./topLevel";
