import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { OPERATING_SYSTEM_SPECS, OperatingSystem, patchFilterProblems } from "./operatingSystems";
import { ArgumentError, countProblem } from "./validation";

export const COMPLIANCE_LEVELS = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED"] as const;
export type ComplianceLevel = (typeof COMPLIANCE_LEVELS)[number];
export const REJECTED_PATCHES_ACTIONS = ["ALLOW_AS_DEPENDENCY", "BLOCK"] as const;
export type RejectedPatchesAction = (typeof REJECTED_PATCHES_ACTIONS)[number];

/** The API's range for `ApproveAfterDays`. */
export const MAX_APPROVE_AFTER_DAYS = 360;
/** The API allows at most 10 approval rules per baseline. */
export const MAX_APPROVAL_RULES = 10;

export const DEFAULT_BASELINE_DESCRIPTION = "Amazon Linux patch baseline including security and non-security patches";
/** Keeps an OS release upgrade (a new system-release package) from being installed. */
export const DEFAULT_REJECTED_PATCHES = ["system-release.*"];
/** The console's default: a rejected package may still be installed as another's dependency. */
export const DEFAULT_REJECTED_PATCHES_ACTION: RejectedPatchesAction = "ALLOW_AS_DEPENDENCY";
/** The lab approves at once. */
export const DEFAULT_APPROVE_AFTER_DAYS = 0;

export interface ApprovalRule {
    /** Patch filters, key to values (`*` is "All"); keys valid for the OS, e.g. PRODUCT, CLASSIFICATION, SEVERITY. */
    patchFilters: Record<string, string[]>;
    /** Days after release before a patch is approved, 0 to 360. Default: `approveAfterDays` of the policy. */
    approveAfterDays?: number;
    /** The compliance level of missing patches approved by this rule. */
    complianceLevel: ComplianceLevel;
    /** Also approve non-security updates. */
    enableNonSecurity: boolean;
}

/** The seed walkthrough's single rule: all products, classifications and severities; Critical; non-security too. */
export const LAB_APPROVAL_RULES: ApprovalRule[] = [
    { patchFilters: { PRODUCT: ["*"], CLASSIFICATION: ["*"], SEVERITY: ["*"] }, complianceLevel: "CRITICAL", enableNonSecurity: true },
];

export interface PatchingPolicyArgs {
    /** The baseline's name, like the lab's `AmazonLinuxSecAndNonSecBaseline`. Required. */
    baselineName: string;
    /** The OS the fleet runs: the baseline is for exactly this OS. Take it from `ManagedFleet.operatingSystem`. Required. */
    operatingSystem: OperatingSystem;
    /** The patch group registered to the baseline: the fleet's `Patch Group` tag. Take it from `ManagedFleet.patchGroup`. Required. */
    patchGroup: string;
    /** Default: the lab's description. */
    description?: string;
    /** Approval rules. Default: the seed walkthrough's single rule. */
    approvalRules?: ApprovalRule[];
    /** The delay of every rule that sets none, 0 to 360 days. Default 0 (the lab's). */
    approveAfterDays?: number;
    /** Patches never installed (package name patterns). Default `system-release.*`. */
    rejectedPatches?: string[];
    /** What a rejected patch that another package depends on does. Default `ALLOW_AS_DEPENDENCY` (the console's default). */
    rejectedPatchesAction?: RejectedPatchesAction;
    /** Tags for every taggable resource. */
    tags?: Record<string, string>;
}

/** Throws on arguments the API would refuse, or a baseline for an OS the project cannot run. */
export function validatePatchingPolicyArgs(args: PatchingPolicyArgs): void {
    const rules = args.approvalRules ?? LAB_APPROVAL_RULES;
    ArgumentError.throwIfAny("PatchingPolicy", [
        args.operatingSystem in OPERATING_SYSTEM_SPECS ? undefined : `operatingSystem ${JSON.stringify(args.operatingSystem)} must be one of ${Object.keys(OPERATING_SYSTEM_SPECS).join(", ")}`,
        args.patchGroup ? undefined : "patchGroup must not be empty",
        rules.length >= 1 && rules.length <= MAX_APPROVAL_RULES ? undefined : `approvalRules must have 1 to ${MAX_APPROVAL_RULES} rules`,
        countProblem("approveAfterDays", args.approveAfterDays, 0, MAX_APPROVE_AFTER_DAYS),
        ...rules.flatMap((rule, i) => [
            countProblem(`approvalRules[${i}].approveAfterDays`, rule.approveAfterDays, 0, MAX_APPROVE_AFTER_DAYS),
            COMPLIANCE_LEVELS.includes(rule.complianceLevel) ? undefined : `approvalRules[${i}].complianceLevel ${rule.complianceLevel} must be one of ${COMPLIANCE_LEVELS.join(", ")}`,
            ...(args.operatingSystem in OPERATING_SYSTEM_SPECS ? patchFilterProblems(args.operatingSystem, rule.patchFilters).map((p) => `approvalRules[${i}] ${p}`) : []),
        ]),
    ]);
}

/**
 * The lab's patch baseline, for the OS the fleet runs, and its patch group. A baseline for
 * another OS than the instances run would be a silent no-op, so the OS is an argument taken
 * from the fleet, never a separate setting.
 */
export class PatchingPolicy extends pulumi.ComponentResource {
    public readonly baselineId: pulumi.Output<string>;
    public readonly baselineArn: pulumi.Output<string>;
    public readonly patchGroup: string;
    public readonly operatingSystem: OperatingSystem;

    constructor(name: string, args: PatchingPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("oelab:patching:PatchingPolicy", name, {}, opts);
        validatePatchingPolicyArgs(args);
        const rules = args.approvalRules ?? LAB_APPROVAL_RULES;
        const approveAfterDays = args.approveAfterDays ?? DEFAULT_APPROVE_AFTER_DAYS;

        const baseline = new aws.ssm.PatchBaseline(
            `${name}-baseline`,
            {
                name: args.baselineName,
                description: args.description ?? DEFAULT_BASELINE_DESCRIPTION,
                operatingSystem: args.operatingSystem,
                approvalRules: rules.map((rule) => ({
                    approveAfterDays: rule.approveAfterDays ?? approveAfterDays,
                    complianceLevel: rule.complianceLevel,
                    enableNonSecurity: rule.enableNonSecurity,
                    patchFilters: Object.entries(rule.patchFilters).map(([key, values]) => ({ key, values })),
                })),
                rejectedPatches: args.rejectedPatches ?? DEFAULT_REJECTED_PATCHES,
                rejectedPatchesAction: args.rejectedPatchesAction ?? DEFAULT_REJECTED_PATCHES_ACTION,
                tags: args.tags ?? {},
            },
            { parent: this },
        );
        // One patch group can be registered to one baseline per OS in an account and region.
        new aws.ssm.PatchGroup(`${name}-patch-group`, { baselineId: baseline.id, patchGroup: args.patchGroup }, { parent: this });

        this.baselineId = baseline.id;
        this.baselineArn = baseline.arn;
        this.patchGroup = args.patchGroup;
        this.operatingSystem = args.operatingSystem;
        this.registerOutputs({ baselineId: this.baselineId, patchGroup: this.patchGroup });
    }
}
