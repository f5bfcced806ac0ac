import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PATCH_DOCUMENT } from "./documents";
import { associationScheduleProblem } from "./schedules";
import { tagTargetGroup, targetsFor } from "./targets";
import { ArgumentError, fieldProblem, rateControlsProblems, SSM_NAME_ALLOWED, SSM_NAME_PATTERN } from "./validation";
import { componentToken, withFormerToken } from "./tokens";

/**
 * Once a day. A new association runs as soon as it is created, and on every instance that comes
 * to match its targets later ("By default, when you create a new association, the system runs it
 * immediately after it is created and then according to the schedule you specified":
 * CreateAssociation's ApplyOnlyAtCronInterval, which we leave false); the schedule keeps
 * compliance no older than a day.
 */
export const DEFAULT_SCAN_ASSOCIATION_SCHEDULE = "rate(1 day)";
/** A scan changes nothing on the instance: every instance at once, and no error stops the others. */
export const DEFAULT_SCAN_MAX_CONCURRENCY = "100%";
export const DEFAULT_SCAN_MAX_ERRORS = "100%";

export interface PatchScanAssociationArgs {
    /** The association's name, like `PatchScan-Test`. Required. */
    associationName: string;
    /**
     * The instances to scan: those carrying every one of these tags. One tag is a `tag:` target;
     * several go through a tag-based resource group (State Manager ORs several tag targets). Required.
     */
    targetTags: Record<string, string>;
    /**
     * An existing resource group of exactly those instances, for several tags (InventoryAssociation's
     * `resourceGroupName`). Default: the component creates one.
     */
    resourceGroupName?: pulumi.Input<string>;
    /** A `rate(...)` of at least 30 minutes or a cron State Manager accepts. Default `rate(1 day)`. */
    schedule?: string;
    /** Instances scanned at a time: a count or a percentage. Default `100%`. */
    maxConcurrency?: string;
    /** Errors before State Manager stops scheduling more instances: a count or a percentage. Default `100%`. */
    maxErrors?: string;
    /**
     * A bucket for the scans' command output (the instances' roles must be allowed to write under
     * `outputKeyPrefix`). Default none: the output stays in Systems Manager.
     */
    outputBucketName?: pulumi.Input<string>;
    /** The key prefix of that output. Default `patching/scan`. */
    outputKeyPrefix?: string;
    /** Tags for every taggable resource. */
    tags?: Record<string, string>;
}

export const DEFAULT_SCAN_OUTPUT_PREFIX = "patching/scan";

/** Throws on arguments AWS would refuse. */
export function validatePatchScanAssociationArgs(args: PatchScanAssociationArgs): void {
    ArgumentError.throwIfAny("PatchScanAssociation", [
        fieldProblem(
            "associationName",
            args.associationName,
            SSM_NAME_PATTERN.test(args.associationName) ? undefined : SSM_NAME_ALLOWED,
        ),
        Object.keys(args.targetTags).length === 0 ? "targetTags must name at least one tag" : undefined,
        args.schedule === undefined
            ? undefined
            : fieldProblem("schedule", args.schedule, associationScheduleProblem(args.schedule)),
        ...rateControlsProblems(args),
    ]);
}

/**
 * A State Manager association that scans the fleet for missing patches with AWS-RunPatchBaseline
 * (`Operation=Scan`, never a reboot) at creation, on each instance as it registers, and then on
 * its schedule: patch compliance exists within minutes of `pulumi up`, not after the first
 * nightly window.
 */
export class PatchScanAssociation extends pulumi.ComponentResource {
    /** The scan association's id (PatchAlerts' `associationIds`). */
    public readonly associationId: pulumi.Output<string>;
    /** The scan association's name. */
    public readonly associationName: pulumi.Output<string>;

    constructor(name: string, args: PatchScanAssociationArgs, opts?: pulumi.ComponentResourceOptions) {
        super(
            componentToken("PatchScanAssociation"),
            name,
            {},
            withFormerToken("oelab:patching:PatchScanAssociation", opts),
        );
        validatePatchScanAssociationArgs(args);
        const tags = args.tags ?? {};
        const several = Object.keys(args.targetTags).length > 1;
        const groupName = several
            ? (args.resourceGroupName ??
              tagTargetGroup(
                  `${name}-targets`,
                  args.targetTags,
                  `scanned by the association ${args.associationName}`,
                  tags,
                  this,
              ).name)
            : undefined;
        const association = new aws.ssm.Association(
            `${name}-association`,
            {
                name: PATCH_DOCUMENT,
                associationName: args.associationName,
                scheduleExpression: args.schedule ?? DEFAULT_SCAN_ASSOCIATION_SCHEDULE,
                targets: targetsFor(args.targetTags, groupName),
                parameters: { Operation: "Scan", RebootOption: "NoReboot" },
                maxConcurrency: args.maxConcurrency ?? DEFAULT_SCAN_MAX_CONCURRENCY,
                maxErrors: args.maxErrors ?? DEFAULT_SCAN_MAX_ERRORS,
                outputLocation:
                    args.outputBucketName === undefined
                        ? undefined
                        : {
                              s3BucketName: args.outputBucketName,
                              s3KeyPrefix: args.outputKeyPrefix ?? DEFAULT_SCAN_OUTPUT_PREFIX,
                              s3Region: aws.getRegionOutput({}, { parent: this }).region,
                          },
                tags,
            },
            { parent: this },
        );
        this.associationId = association.associationId;
        this.associationName = association.associationName.apply((n) => n ?? args.associationName);
        this.registerOutputs({ associationId: this.associationId, associationName: this.associationName });
    }
}
