/**
 * `npm run ops -- restore-points --stack S [--instance i-…] [--json]`: the restore points the stack's
 * patch runbook took (installMode Runbook), newest first, from its AWS Backup vault
 * (`oe-lab-ipm-<Workload>-restore-points`, config/lab.ts LAB_NAMES.restorePointVault).
 *
 * - ListRecoveryPointsByBackupVault, every page (MaxResults at most 1000: botocore backup model): the
 *   instance (ResourceArn), created (CreationDate), status, delete-at (CalculatedLifecycle.DeleteAt),
 *   size (BackupSizeInBytes).
 * - The window execution comes from the tags the runbook gives each restore point (StartBackupJob
 *   RecoveryPointTags: Stack, InstanceId, WindowExecutionId; components/runbookDocuments.ts). An EC2
 *   restore point is an AMI, and "when an Amazon EC2 backup creates an image recovery point ... AWS
 *   Backup copies tags to the resulting AMI" (AWS Backup Developer Guide, tags-on-backups.html), while
 *   backup:ListTags "only works for resource types that support full AWS Backup management" (API
 *   reference, ListTags). So the tags are read from the AMIs: ec2:DescribeImages, 100 image ids a
 *   request (an image-id filter, which skips an AMI deleted meanwhile instead of failing the request).
 */
import {
    BackupClient,
    ListRecoveryPointsByBackupVaultCommand,
    RecoveryPointByBackupVault,
} from "@aws-sdk/client-backup";
import { DescribeImagesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { LAB_NAMES } from "../../config";
import { AwsCallError, EXIT, OpsError } from "./aws";
import { StackContext } from "./fleet";
import { Io, renderTable } from "./output";
import { allPages, mapLimit, Run } from "./run";

export interface RestorePointClients {
    readonly backup: BackupClient;
    readonly ec2: EC2Client;
}

/** One restore point, as the table and --json show it. */
export interface RestorePoint {
    readonly instanceId: string;
    readonly windowExecutionId?: string;
    readonly created?: string;
    readonly status?: string;
    readonly deleteAt?: string;
    readonly sizeBytes?: number;
    readonly recoveryPointArn: string;
}

/** Image ids per DescribeImages request. */
const IMAGES_PER_REQUEST = 100;

export const INSTANCE_ID_PATTERN = /^i-[0-9a-f]{8,17}$/;

const iso = (d?: Date) => (d ? new Date(d).toISOString() : undefined);

/** Every recovery point of the vault; a missing vault is a stack without the runbook (or not deployed). */
async function listVault(context: StackContext, backup: BackupClient, vault: string, run: Run) {
    try {
        return await allPages(
            "backup:ListRecoveryPointsByBackupVault",
            (token) =>
                backup.send(
                    new ListRecoveryPointsByBackupVaultCommand({
                        BackupVaultName: vault,
                        MaxResults: 1000,
                        NextToken: token,
                    }),
                    { abortSignal: run.signal },
                ),
            (page) => page.RecoveryPoints,
        );
    } catch (error) {
        const cause = (error as AwsCallError).cause;
        if (cause?.name === "ResourceNotFoundException") {
            const mode = context.config.maintenanceWindow.installMode;
            throw new OpsError(
                `No backup vault "${vault}" in ${context.region}: stack "${context.stack}" has no restore points. Its runbook takes them when maintenanceWindow.installMode is Runbook (it is ${mode}); is the stack deployed (pulumi up) in this Region?`,
                EXIT.aws,
            );
        }
        throw error;
    }
}

/** The tags of each AMI, by image id (those AWS still lists). */
async function imageTags(ec2: EC2Client, imageIds: string[], run: Run): Promise<Map<string, Record<string, string>>> {
    const chunks: string[][] = [];
    for (let i = 0; i < imageIds.length; i += IMAGES_PER_REQUEST)
        chunks.push(imageIds.slice(i, i + IMAGES_PER_REQUEST));
    const pages = await mapLimit(chunks, 4, run, (ids) =>
        allPages(
            "ec2:DescribeImages",
            (token) =>
                ec2.send(
                    new DescribeImagesCommand({
                        Filters: [{ Name: "image-id", Values: ids }],
                        MaxResults: 1000,
                        NextToken: token,
                    }),
                    { abortSignal: run.signal },
                ),
            (page) => page.Images,
        ),
    );
    const tags = new Map<string, Record<string, string>>();
    for (const image of pages.flat())
        if (image?.ImageId)
            tags.set(image.ImageId, Object.fromEntries((image.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])));
    return tags;
}

function pointOf(p: RecoveryPointByBackupVault, tags: Map<string, Record<string, string>>): RestorePoint {
    const arn = p.RecoveryPointArn ?? "";
    const image = /image\/(ami-[0-9a-f]+)$/.exec(arn)?.[1];
    const t = (image && tags.get(image)) || {};
    return {
        instanceId: /:instance\/(i-[0-9a-f]+)$/.exec(p.ResourceArn ?? "")?.[1] ?? t.InstanceId ?? p.ResourceArn ?? "",
        windowExecutionId: t.WindowExecutionId,
        created: iso(p.CreationDate),
        status: p.Status,
        deleteAt: iso(p.CalculatedLifecycle?.DeleteAt),
        sizeBytes: p.BackupSizeInBytes,
        recoveryPointArn: arn,
    };
}

export async function readRestorePoints(
    context: StackContext,
    clients: RestorePointClients,
    instance: string | undefined,
    run: Run,
): Promise<{ vault: string; points: RestorePoint[] }> {
    const vault = LAB_NAMES.restorePointVault(context.config.workload);
    const listed = (await listVault(context, clients.backup, vault, run)).filter(
        (p) => instance === undefined || (p.ResourceArn ?? "").endsWith(`:instance/${instance}`),
    );
    const images = listed.flatMap((p) => /image\/(ami-[0-9a-f]+)$/.exec(p.RecoveryPointArn ?? "")?.[1] ?? []);
    const tags = images.length ? await imageTags(clients.ec2, images, run) : new Map();
    const points = listed
        .map((p) => pointOf(p, tags))
        .sort((a, b) => (b.created ?? "").localeCompare(a.created ?? "") || a.instanceId.localeCompare(b.instanceId));
    return { vault, points };
}

/** 8589934592 → "8.0 GiB". */
export function size(bytes: number | undefined): string {
    if (bytes === undefined) return "";
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let n = bytes;
    let u = 0;
    while (n >= 1024 && u < units.length - 1) {
        n /= 1024;
        u++;
    }
    return u === 0 ? `${n} B` : `${n.toFixed(1)} ${units[u]}`;
}

export async function restorePoints(
    context: StackContext,
    clients: RestorePointClients,
    options: { instance?: string; json: boolean },
    run: Run,
    io: Io,
): Promise<number> {
    const { vault, points } = await readRestorePoints(context, clients, options.instance, run);
    if (run.stopped) throw new Error("stopped"); // a partial list: underRun says what stopped it
    if (options.json) {
        io.out(`${JSON.stringify({ stack: context.stack, vault, restorePoints: points }, null, 2)}\n`);
        return 0;
    }
    const which = options.instance ? ` for ${options.instance}` : "";
    if (points.length === 0) {
        io.out(`No restore point${which} in vault ${vault} (${context.region}).\n`);
        return 0;
    }
    const rows = points.map((p) => [
        p.instanceId,
        p.windowExecutionId ?? "",
        p.created ?? "",
        p.status ?? "",
        p.deleteAt ?? "",
        size(p.sizeBytes),
        p.recoveryPointArn,
    ]);
    io.out(
        renderTable(["Instance", "Window execution", "Created", "Status", "Delete at", "Size", "Recovery point"], rows),
    );
    io.out(`${points.length} restore point(s)${which} in vault ${vault} (${context.region}).\n`);
    return 0;
}
