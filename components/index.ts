/**
 * The package's entry point (PulumiPlugin.yaml `main`): every component, for other Pulumi languages
 * through `pulumi package add`, and for TypeScript programs by import.
 */
export { AlertTopic } from "./alertTopic";
export { ComplianceReporting } from "./complianceReporting";
export { CoverageCheck } from "./coverageCheck";
export { HostManagement } from "./hostManagement";
export { InventoryAssociation } from "./inventoryAssociation";
export { LabNetwork } from "./labNetwork";
export { ManagedFleet } from "./managedFleet";
export { PatchAlerts } from "./patchAlerts";
export { PatchingPolicy } from "./patchingPolicy";
export { PatchMaintenanceWindow } from "./patchMaintenanceWindow";
export { PatchRunbook } from "./patchRunbook";
export { PatchScanAssociation } from "./patchScanAssociation";
