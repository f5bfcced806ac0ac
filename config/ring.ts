/**
 * The ring a stack follows (maintenanceWindow.followRing), derived from that stack's own stack file:
 * its window's name and its patch group, as its config makes them, never hand-copied ids.
 */
import type { RingSpec } from "../components/patchRunbook";
import { ConfigError, LabConfig, PROJECT } from "./index";
import { readStackConfig } from "./stackFiles";

/** The earlier ring: its window's name and patch group, as its own stack file makes them. */
export function ringOf(config: LabConfig): RingSpec | undefined {
    const follows = config.maintenanceWindow.followRing;
    if (follows === undefined) return undefined;
    const key = `${PROJECT}:maintenanceWindow.followRing = ${JSON.stringify(follows)}`;
    if (follows === config.stack) throw new ConfigError(config.stack, [`${key}: a stack cannot follow itself`]);
    let ring: { config: LabConfig; region: string };
    try {
        ring = readStackConfig(follows);
    } catch (error) {
        throw new ConfigError(config.stack, [`${key}: its stack file does not load: ${(error as Error).message}`]);
    }
    return {
        stack: follows,
        windowName: ring.config.maintenanceWindow.windowName,
        patchGroup: ring.config.patching.patchGroup,
        soakDays: config.maintenanceWindow.soakDays,
    };
}
