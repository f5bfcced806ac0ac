import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    ApprovalRule,
    approvalRuleProblems,
    COMPLIANCE_LEVELS,
    PATCH_OPERATING_SYSTEM_SPECS,
    PATCH_OPERATING_SYSTEMS,
    isPatchOperatingSystem,
    PatchOperatingSystem,
} from "./operatingSystems";
import { ArgumentError, countProblem, SSM_NAME_ALLOWED, SSM_NAME_PATTERN } from "./validation";
import { componentToken, withFormerToken } from "./tokens";

export { COMPLIANCE_LEVELS } from "./operatingSystems";
export type { ApprovalRule, ComplianceLevel } from "./operatingSystems";

/** What Patch Manager does with a rejected patch another package depends on. */
export const RejectedPatchesAction = {
    /** Install it as a dependency (the console's default), and report the instance non-compliant. */
    ALLOW_AS_DEPENDENCY: "ALLOW_AS_DEPENDENCY",
    /** Never install it, nor the packages that depend on it. */
    BLOCK: "BLOCK",
} as const;
export type RejectedPatchesAction = (typeof RejectedPatchesAction)[keyof typeof RejectedPatchesAction];
export const REJECTED_PATCHES_ACTIONS = Object.values(RejectedPatchesAction) as [
    RejectedPatchesAction,
    ...RejectedPatchesAction[],
];

/** The API's range for `ApproveAfterDays`. */
export const MAX_APPROVE_AFTER_DAYS = 360;
/** The API allows at most 10 approval rules per baseline, and 50 rejected patches of 1-100 characters. */
export const MAX_APPROVAL_RULES = 10;
export const MAX_REJECTED_PATCHES = 50;
/** The console's default: a rejected package may still be installed as another's dependency. */
export const DEFAULT_REJECTED_PATCHES_ACTION: RejectedPatchesAction = "ALLOW_AS_DEPENDENCY";
/** The lab approves at once. */
export const DEFAULT_APPROVE_AFTER_DAYS = 0;

export interface Baseline {
    /** The OS it patches (Patch Manager's `OperatingSystem`): one baseline per OS. Required. */
    operatingSystem: PatchOperatingSystem;
    /** Its name, like the lab's `AmazonLinuxSecAndNonSecBaseline`. Required. */
    name: string;
    /** Default: the OS's (the lab's for Amazon Linux). */
    description?: string;
    /** Approval rules valid for the OS. Default: the OS's (the lab's single rule for Amazon Linux). */
    approvalRules?: ApprovalRule[];
    /** Patches never installed (package name patterns). Default: the OS's (`system-release.*` for Amazon Linux). */
    rejectedPatches?: string[];
}

export interface PatchingPolicyArgs {
    /** The patch group: the instances' `Patch Group` tag. It is registered to every baseline (one per OS). Required. */
    patchGroup: string;
    /** One baseline per operating system the instances run. Required, at least one. */
    baselines: Baseline[];
    /**
     * The delay of every rule that sets none, 0 to 360 days (ignored where the OS supports no delay). Default 0 (the
     * lab's).
     */
    approveAfterDays?: number;
    /**
     * What a rejected patch that another package depends on does. Default `ALLOW_AS_DEPENDENCY` (the console's
     * default).
     */
    rejectedPatchesAction?: RejectedPatchesAction;
    /** Tags for every taggable resource. */
    tags?: Record<string, string>;
}

/** Throws on arguments the API would refuse. */
export function validatePatchingPolicyArgs(args: PatchingPolicyArgs): void {
    const systems = args.baselines.map((b) => b.operatingSystem);
    ArgumentError.throwIfAny("PatchingPolicy", [
        args.patchGroup ? undefined : "patchGroup must not be empty",
        args.baselines.length > 0 ? undefined : "baselines must name at least one operating system",
        new Set(systems).size === systems.length
            ? undefined
            : `baselines must be one per operating system (a patch group registers to one baseline per OS); got ${systems.join(", ")}`,
        countProblem("approveAfterDays", args.approveAfterDays, 0, MAX_APPROVE_AFTER_DAYS),
        args.rejectedPatchesAction === undefined ||
        (REJECTED_PATCHES_ACTIONS as readonly string[]).includes(args.rejectedPatchesAction)
            ? undefined
            : `rejectedPatchesAction ${JSON.stringify(args.rejectedPatchesAction)} must be one of ${REJECTED_PATCHES_ACTIONS.join(", ")}`,
        ...args.baselines.flatMap((baseline, b) => {
            const at = `baselines[${b}]`;
            if (!isPatchOperatingSystem(baseline.operatingSystem)) {
                return [
                    `${at}.operatingSystem ${JSON.stringify(baseline.operatingSystem)} must be one of ${PATCH_OPERATING_SYSTEMS.join(", ")}`,
                ];
            }
            const os = baseline.operatingSystem;
            const rules = baseline.approvalRules ?? PATCH_OPERATING_SYSTEM_SPECS[os].approvalRules;
            return [
                SSM_NAME_PATTERN.test(baseline.name)
                    ? undefined
                    : `${at}.name ${JSON.stringify(baseline.name)} ${SSM_NAME_ALLOWED}`,
                rules.length >= 1 && rules.length <= MAX_APPROVAL_RULES
                    ? undefined
                    : `${at}.approvalRules must have 1 to ${MAX_APPROVAL_RULES} rules`,
                ...rules.flatMap((rule, i) => [
                    countProblem(
                        `${at}.approvalRules[${i}].approveAfterDays`,
                        rule.approveAfterDays,
                        0,
                        MAX_APPROVE_AFTER_DAYS,
                    ),
                    (COMPLIANCE_LEVELS as readonly string[]).includes(rule.complianceLevel)
                        ? undefined
                        : `${at}.approvalRules[${i}].complianceLevel ${rule.complianceLevel} must be one of ${COMPLIANCE_LEVELS.join(", ")}`,
                    ...approvalRuleProblems(os, rule).map((p) => `${at}.approvalRules[${i}] ${p}`),
                ]),
            ];
        }),
    ]);
}

/** The logical-name suffix of a baseline's resources: none for the first, the OS for the others. */
function suffixOf(operatingSystem: PatchOperatingSystem, index: number): string {
    return index === 0 ? "" : `-${operatingSystem.toLowerCase().replace(/_/g, "-")}`;
}

/**
 * The lab's patch baseline, one per operating system the fleet runs, and the patch group
 * registered to each (AWS allows one baseline per OS for a patch group). A baseline for an OS the
 * instances do not run would be a silent no-op, so the OSes come from the fleet.
 *
 * Baselines are ordered as PATCH_OPERATING_SYSTEMS; the first keeps the names `<name>-baseline`
 * and `<name>-patch-group`, the others carry their OS (`<name>-baseline-windows`), so adding an OS
 * to a deployed fleet never renames (and replaces) the baseline it already has.
 */
export class PatchingPolicy extends pulumi.ComponentResource {
    /** The first baseline's id (the lab's Amazon Linux baseline in the default stacks). */
    public readonly baselineId: pulumi.Output<string>;
    /** Every baseline's id, by operating system. */
    public readonly baselineIds: pulumi.Output<Record<string, string>>;
    /** Every baseline's id, in the order of `operatingSystems`. */
    public readonly baselineIdList: pulumi.Output<string>[];
    /** The patch group registered to every baseline. */
    public readonly patchGroup: pulumi.Output<string>;
    /** The operating systems with a baseline. */
    public readonly operatingSystems: PatchOperatingSystem[];

    constructor(name: string, args: PatchingPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentToken("PatchingPolicy"), name, {}, withFormerToken("oelab:patching:PatchingPolicy", opts));
        validatePatchingPolicyArgs(args);
        const approveAfterDays = args.approveAfterDays ?? DEFAULT_APPROVE_AFTER_DAYS;
        const baselines = [...args.baselines].sort(
            (a, b) =>
                PATCH_OPERATING_SYSTEMS.indexOf(a.operatingSystem) - PATCH_OPERATING_SYSTEMS.indexOf(b.operatingSystem),
        );

        const ids: Partial<Record<PatchOperatingSystem, pulumi.Output<string>>> = {};
        baselines.forEach((spec, index) => {
            const os = PATCH_OPERATING_SYSTEM_SPECS[spec.operatingSystem];
            const suffix = suffixOf(spec.operatingSystem, index);
            const baseline = new aws.ssm.PatchBaseline(
                `${name}-baseline${suffix}`,
                {
                    name: spec.name,
                    description: spec.description ?? os.description,
                    operatingSystem: spec.operatingSystem,
                    approvalRules: (spec.approvalRules ?? os.approvalRules).map((rule) => ({
                        // Ubuntu takes no delay; every other OS needs one (ApproveAfterDays or ApproveUntilDate).
                        approveAfterDays: os.approvalDelays ? (rule.approveAfterDays ?? approveAfterDays) : undefined,
                        complianceLevel: rule.complianceLevel,
                        enableNonSecurity: os.nonSecurity ? rule.enableNonSecurity : undefined,
                        patchFilters: Object.entries(rule.patchFilters).map(([key, values]) => ({ key, values })),
                    })),
                    rejectedPatches: spec.rejectedPatches ?? [...os.rejectedPatches],
                    rejectedPatchesAction: args.rejectedPatchesAction ?? DEFAULT_REJECTED_PATCHES_ACTION,
                    tags: args.tags ?? {},
                },
                { parent: this },
            );
            // One patch group can be registered to one baseline per OS in an account and region.
            new aws.ssm.PatchGroup(
                `${name}-patch-group${suffix}`,
                { baselineId: baseline.id, patchGroup: args.patchGroup },
                { parent: this },
            );
            ids[spec.operatingSystem] = baseline.id;
        });

        this.baselineIds = pulumi.output(ids as Record<string, pulumi.Output<string>>);
        this.baselineIdList = baselines.map((b) => ids[b.operatingSystem]!);
        this.baselineId = ids[baselines[0].operatingSystem]!;
        this.patchGroup = pulumi.output(args.patchGroup);
        this.operatingSystems = baselines.map((b) => b.operatingSystem);
        this.registerOutputs({ baselineId: this.baselineId, patchGroup: this.patchGroup });
    }
}
