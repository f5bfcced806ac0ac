/**
 * The documents PatchRunbook registers, as pure data (the YAML/JSON Systems Manager receives): the
 * per-instance runbook (restore point, install with hooks, agent check), the once-per-run gate
 * (ring gate, approval, decision) and the post-reboot health hook. The specs execute these exact
 * objects (tests/runbookInterpreter.ts); docs/design.md "The patch runbook" cites each action's page.
 *
 * Actions (AWS Systems Manager User Guide, "Systems Manager Automation actions reference"):
 * aws:executeAwsApi (automation-action-executeAwsApi.html), aws:branch (automation-action-branch.html),
 * aws:assertAwsResourceProperty (automation-action-assertAwsResourceProperty.html),
 * aws:waitForAwsResourceProperty (automation-action-waitForAwsResourceProperty.html),
 * aws:runCommand (automation-action-runcommand.html), aws:approve (automation-action-approve.html),
 * aws:executeScript (automation-action-executeScript.html), aws:sleep (automation-action-sleep.html).
 */

/** The patching document with hooks (AWS doc "SSM Command document for patching: AWS-RunPatchBaselineWithHooks"). */
export const PATCH_WITH_HOOKS_DOCUMENT = "AWS-RunPatchBaselineWithHooks";
/** AWS's no-op hook, the default of every hook parameter of AWS-RunPatchBaselineWithHooks. */
export const NOOP_HOOK_DOCUMENT = "AWS-Noop";

/** Backup job states DescribeBackupJob reports once a job has ended (AWS Backup API, BackupJob State). */
export const BACKUP_JOB_END_STATES = ["COMPLETED", "FAILED", "ABORTED", "EXPIRED", "PARTIAL"];

/** Fixed timeouts of the short steps, in seconds (each step's worst case counts in the window's arithmetic). */
export const STEP_TIMEOUTS = {
    apiCall: 60,
    agentOnline: 120,
} as const;

/** What the per-instance runbook is made of. */
export interface InstanceRunbookSpec {
    /** The stack's label for tags and messages (`oe-lab-ipm/prod`). */
    readonly stack: string;
    /** The automation role (the document's default AutomationAssumeRole). */
    readonly roleArn: string;
    /** Where the gate writes its decision; undefined: no gate (no ring, no approval). */
    readonly gateParameterName?: string;
    /** `arn:aws:ec2:ap-northeast-1:123456789012:instance/` (the instance id follows). */
    readonly instanceArnPrefix: string;
    readonly backupVaultName: string;
    readonly backupRoleArn: string;
    readonly restorePointRetentionDays: number;
    readonly restorePointTimeoutSeconds: number;
    readonly installTimeoutSeconds: number;
    readonly rebootOption: string;
    /** The stack's post-reboot hook (a Command document's name). */
    readonly healthHookDocument: string;
    readonly outputBucket: string;
    readonly outputPrefix: string;
    readonly logGroupName?: string;
}

type Step = Record<string, unknown>;

const param = (type: string, description: string, extra: Record<string, unknown> = {}) => ({
    type,
    description,
    ...extra,
});

/** The per-instance runbook's first steps when gated: read the run's decision; a closed gate ends the run unchanged. */
function gateDecisionSteps(gateParameterName: string | undefined): Step[] {
    return gateParameterName === undefined
        ? []
        : [
              {
                  name: "ReadGateDecision",
                  action: "aws:executeAwsApi",
                  timeoutSeconds: STEP_TIMEOUTS.apiCall,
                  onFailure: "Abort",
                  inputs: { Service: "ssm", Api: "GetParameter", Name: gateParameterName },
                  outputs: [{ Name: "Decision", Selector: "$.Parameter.Value", Type: "String" }],
              },
              {
                  name: "CheckGateDecision",
                  action: "aws:branch",
                  timeoutSeconds: STEP_TIMEOUTS.apiCall,
                  inputs: {
                      Choices: [
                          {
                              NextStep: "TakeRestorePoint",
                              Variable: "{{ReadGateDecision.Decision}}",
                              StringEquals: "open:{{WindowExecutionId}}",
                          },
                      ],
                      Default: "GateClosedNothingChanged",
                  },
              },
              {
                  name: "GateClosedNothingChanged",
                  action: "aws:sleep",
                  timeoutSeconds: STEP_TIMEOUTS.apiCall,
                  inputs: { Duration: "PT0S" },
                  isEnd: true,
              },
          ];
}

/** AWS-RunPatchBaselineWithHooks with the stack's post-reboot hook. */
function installStep(spec: InstanceRunbookSpec): Step {
    return {
        name: "InstallPatches",
        action: "aws:runCommand",
        timeoutSeconds: spec.installTimeoutSeconds,
        onFailure: "Abort",
        inputs: {
            DocumentName: PATCH_WITH_HOOKS_DOCUMENT,
            InstanceIds: ["{{InstanceId}}"],
            Parameters: {
                Operation: "Install",
                RebootOption: spec.rebootOption,
                PreInstallHookDocName: NOOP_HOOK_DOCUMENT,
                PostInstallHookDocName: NOOP_HOOK_DOCUMENT,
                OnExitHookDocName: spec.healthHookDocument,
            },
            OutputS3BucketName: spec.outputBucket,
            OutputS3KeyPrefix: spec.outputPrefix,
            ...(spec.logGroupName === undefined
                ? {}
                : {
                      CloudWatchOutputConfig: {
                          CloudWatchLogGroupName: spec.logGroupName,
                          CloudWatchOutputEnabled: true,
                      },
                  }),
            TimeoutSeconds: spec.installTimeoutSeconds,
        },
    };
}

/** The per-instance runbook: gate decision, restore point, install with hooks, agent online. */
export function instanceRunbook(spec: InstanceRunbookSpec): Record<string, unknown> {
    const gate = gateDecisionSteps(spec.gateParameterName);
    const describeJob = {
        Service: "backup",
        Api: "DescribeBackupJob",
        BackupJobId: "{{TakeRestorePoint.BackupJobId}}",
    };
    return {
        schemaVersion: "0.3",
        description: `Patches one instance of ${spec.stack}: restore point, ${PATCH_WITH_HOOKS_DOCUMENT} with a post-reboot health check, agent online. Fails on an unhealthy instance, so the window patches no further instance.`,
        assumeRole: "{{AutomationAssumeRole}}",
        parameters: {
            InstanceId: param("String", "The instance to patch ({{RESOURCE_ID}} in the window).", {
                allowedPattern: "^i-[a-z0-9]{8,17}$",
            }),
            WindowExecutionId: param("String", "The run this execution belongs to ({{WINDOW_EXECUTION_ID}}).", {
                default: "on-demand",
            }),
            AutomationAssumeRole: param("String", "The role the steps run with.", { default: spec.roleArn }),
        },
        mainSteps: [
            ...gate,
            {
                name: "TakeRestorePoint",
                action: "aws:executeAwsApi",
                timeoutSeconds: STEP_TIMEOUTS.apiCall,
                onFailure: "Abort",
                inputs: {
                    Service: "backup",
                    Api: "StartBackupJob",
                    BackupVaultName: spec.backupVaultName,
                    ResourceArn: `${spec.instanceArnPrefix}{{InstanceId}}`,
                    IamRoleArn: spec.backupRoleArn,
                    IdempotencyToken: "{{automation:EXECUTION_ID}}",
                    StartWindowMinutes: 60,
                    Lifecycle: { DeleteAfterDays: spec.restorePointRetentionDays },
                    RecoveryPointTags: {
                        Stack: spec.stack,
                        InstanceId: "{{InstanceId}}",
                        WindowExecutionId: "{{WindowExecutionId}}",
                    },
                },
                outputs: [
                    { Name: "BackupJobId", Selector: "$.BackupJobId", Type: "String" },
                    { Name: "RecoveryPointArn", Selector: "$.RecoveryPointArn", Type: "String" },
                ],
            },
            {
                name: "WaitForRestorePoint",
                action: "aws:waitForAwsResourceProperty",
                timeoutSeconds: spec.restorePointTimeoutSeconds,
                onFailure: "Abort",
                inputs: { ...describeJob, PropertySelector: "$.State", DesiredValues: BACKUP_JOB_END_STATES },
            },
            {
                name: "AssertRestorePointCompleted",
                action: "aws:assertAwsResourceProperty",
                timeoutSeconds: STEP_TIMEOUTS.apiCall,
                onFailure: "Abort",
                inputs: { ...describeJob, PropertySelector: "$.State", DesiredValues: ["COMPLETED"] },
            },
            installStep(spec),
            {
                name: "WaitForAgentOnline",
                action: "aws:waitForAwsResourceProperty",
                timeoutSeconds: STEP_TIMEOUTS.agentOnline,
                onFailure: "Abort",
                isEnd: true,
                inputs: {
                    Service: "ssm",
                    Api: "DescribeInstanceInformation",
                    Filters: [{ Key: "InstanceIds", Values: ["{{InstanceId}}"] }],
                    PropertySelector: "$.InstanceInformationList[0].PingStatus",
                    DesiredValues: ["Online"],
                },
            },
        ],
        outputs: ["TakeRestorePoint.RecoveryPointArn", "TakeRestorePoint.BackupJobId"],
    };
}

/** The ring a stack follows: the earlier stack's window and patch group, derived from its config. */
export interface RingSpec {
    /** The earlier ring's stack (`test`): for messages. */
    readonly stack: string;
    /** Its install window's name (the gate finds the window by it). */
    readonly windowName: string;
    /** Its patch group (the gate reads its failed and non-compliant instances). */
    readonly patchGroup: string;
    /** Days it must have installed successfully before this ring patches. */
    readonly soakDays: number;
}

/** A human approval before the first instance. */
export interface ApprovalSpec {
    /** IAM users, roles or groups (ARNs or names) who may approve. */
    readonly approvers: string[];
    readonly minRequiredApprovals: number;
    readonly timeoutSeconds: number;
    /** The topic aws:approve notifies: its name begins with `Automation`. */
    readonly topicArn?: string;
}

export interface GateRunbookSpec {
    readonly stack: string;
    readonly roleArn: string;
    readonly gateParameterName: string;
    readonly ring?: RingSpec;
    readonly approval?: ApprovalSpec;
}

/**
 * The soak check's script (aws:executeScript, Python 3.11): the earlier ring's finished window runs,
 * newest first; the newest must be SUCCESS, none of the soak period may have failed, and the ring
 * must have succeeded at least soak days ago. Raises with the condition that failed.
 */
export const SOAK_SCRIPT = [
    "from datetime import datetime, timezone, timedelta",
    "",
    "def when(value):",
    "    if isinstance(value, (int, float)):",
    "        return datetime.fromtimestamp(value, timezone.utc)",
    "    text = str(value).replace('Z', '+00:00')",
    "    parsed = datetime.fromisoformat(text)",
    "    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)",
    "",
    "def check(events, context):",
    "    days = int(events['SoakDays'])",
    "    ring = events['Ring']",
    "    runs = [r for r in events.get('Executions') or [] if r.get('Status') not in ('PENDING', 'IN_PROGRESS')]",
    "    runs.sort(key=lambda r: when(r['StartTime']), reverse=True)",
    "    if not runs:",
    "        raise Exception(f'ring gate closed: {ring} has no finished install run')",
    "    last = runs[0]",
    "    if last['Status'] != 'SUCCESS':",
    "        raise Exception(f\"ring gate closed: {ring}'s last install run {last['WindowExecutionId']} ended {last['Status']}\")",
    "    now = datetime.now(timezone.utc)",
    "    since = now - timedelta(days=days)",
    "    failed = [r for r in runs if r['Status'] != 'SUCCESS' and when(r['StartTime']) >= since]",
    "    if failed:",
    "        raise Exception(f\"ring gate closed: {ring}'s install run {failed[0]['WindowExecutionId']} ended {failed[0]['Status']} within the {days}-day soak\")",
    "    soaked = [r for r in runs if r['Status'] == 'SUCCESS' and when(r.get('EndTime') or r['StartTime']) <= since]",
    "    if not soaked:",
    "        first = when(runs[-1].get('EndTime') or runs[-1]['StartTime'])",
    "        age = (now - first).days",
    "        raise Exception(f'ring gate closed: {ring} has soaked {age} of {days} days')",
    "    return {'Soaked': 'true'}",
].join("\n");

/** The ring gate: the earlier ring's window runs, its soak, its patch group's failed and non-compliant instances. */
function ringSteps(
    ring: RingSpec,
    api: (name: string, inputs: Record<string, unknown>, outputs?: unknown[]) => Step,
): Step[] {
    return [
        api(
            "FindRingWindow",
            {
                Service: "ssm",
                Api: "DescribeMaintenanceWindows",
                Filters: [{ Key: "Name", Values: [ring.windowName] }],
            },
            [{ Name: "WindowId", Selector: "$.WindowIdentities[0].WindowId", Type: "String" }],
        ),
        api(
            "ReadRingInstallRuns",
            {
                Service: "ssm",
                Api: "DescribeMaintenanceWindowExecutions",
                WindowId: "{{FindRingWindow.WindowId}}",
                MaxResults: 100,
            },
            [{ Name: "Executions", Selector: "$.WindowExecutions", Type: "MapList" }],
        ),
        {
            name: "CheckRingSoaked",
            action: "aws:executeScript",
            timeoutSeconds: STEP_TIMEOUTS.apiCall,
            onFailure: "Abort",
            inputs: {
                Runtime: "python3.11",
                Handler: "check",
                Script: SOAK_SCRIPT,
                InputPayload: {
                    Ring: ring.stack,
                    SoakDays: ring.soakDays,
                    Executions: "{{ReadRingInstallRuns.Executions}}",
                },
            },
            outputs: [{ Name: "Soaked", Selector: "$.Payload.Soaked", Type: "String" }],
        },
        ...(
            [
                ["AssertRingNoFailedInstances", "InstancesWithFailedPatches"],
                ["AssertRingNoCriticalNonCompliantInstances", "InstancesWithCriticalNonCompliantPatches"],
                ["AssertRingNoSecurityNonCompliantInstances", "InstancesWithSecurityNonCompliantPatches"],
            ] as const
        ).map(([name, count]) => ({
            name,
            action: "aws:assertAwsResourceProperty",
            timeoutSeconds: STEP_TIMEOUTS.apiCall,
            onFailure: "Abort",
            inputs: {
                Service: "ssm",
                Api: "DescribePatchGroupState",
                PatchGroup: ring.patchGroup,
                PropertySelector: `$.${count}`,
                DesiredValues: ["0"],
            },
        })),
    ];
}

/** The once-per-run gate: ring checks, approval, then the decision the per-instance runs read. */
export function gateRunbook(spec: GateRunbookSpec): Record<string, unknown> {
    const steps: Step[] = [];
    const api = (name: string, inputs: Record<string, unknown>, outputs?: unknown[]) => ({
        name,
        action: "aws:executeAwsApi",
        timeoutSeconds: STEP_TIMEOUTS.apiCall,
        onFailure: "Abort",
        inputs,
        ...(outputs ? { outputs } : {}),
    });
    if (spec.ring) steps.push(...ringSteps(spec.ring, api));
    if (spec.approval) {
        const a = spec.approval;
        steps.push({
            name: "ApproveRollout",
            action: "aws:approve",
            timeoutSeconds: a.timeoutSeconds,
            onFailure: "Abort",
            inputs: {
                ...(a.topicArn === undefined ? {} : { NotificationArn: a.topicArn }),
                Message: `Approve patching ${spec.stack} for maintenance window run {{WindowExecutionId}}: nothing is installed until approved; a rejection or no answer in time installs nothing.`,
                MinRequiredApprovals: a.minRequiredApprovals,
                Approvers: a.approvers,
            },
        });
    }
    steps.push({
        ...api("OpenGate", {
            Service: "ssm",
            Api: "PutParameter",
            Name: spec.gateParameterName,
            Value: "open:{{WindowExecutionId}}",
            Type: "String",
            Overwrite: true,
        }),
        isEnd: true,
    });
    return {
        schemaVersion: "0.3",
        description: `Decides once per maintenance window run whether ${spec.stack} may be patched${spec.ring ? ` (it follows ${spec.ring.stack})` : ""}${spec.approval ? ", after a human approval" : ""}; the per-instance runs read the decision.`,
        assumeRole: "{{AutomationAssumeRole}}",
        parameters: {
            WindowExecutionId: param("String", "The run the decision is for ({{WINDOW_EXECUTION_ID}}).", {
                default: "on-demand",
            }),
            AutomationAssumeRole: param("String", "The role the steps run with.", { default: spec.roleArn }),
        },
        mainSteps: steps,
    };
}

/**
 * The post-reboot hook (AWS-RunPatchBaselineWithHooks' OnExitHookDocName runs after the reboot): a
 * web server (httpd enabled on Linux, W3SVC present on Windows) must answer HTTP 200 on `url`.
 */
export function healthHookDocument(url: string): Record<string, unknown> {
    return {
        schemaVersion: "2.2",
        description: `Fails unless a web server of this instance answers HTTP 200 on ${url} after patching`,
        mainSteps: [
            {
                action: "aws:runShellScript",
                name: "CheckWebServerLinux",
                precondition: { StringEquals: ["platformType", "Linux"] },
                inputs: {
                    timeoutSeconds: "120",
                    runCommand: [
                        "#!/bin/bash",
                        "set -u",
                        "if ! systemctl is-enabled --quiet httpd 2>/dev/null; then echo 'no web server here'; exit 0; fi",
                        `code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --retry 5 --retry-connrefused --retry-delay 6 ${url})`,
                        `if [ "$code" != "200" ]; then echo "unhealthy: ${url} answered $code"; exit 1; fi`,
                        `echo "healthy: ${url} answered 200"`,
                    ],
                },
            },
            {
                action: "aws:runPowerShellScript",
                name: "CheckWebServerWindows",
                precondition: { StringEquals: ["platformType", "Windows"] },
                inputs: {
                    timeoutSeconds: "120",
                    runCommand: [
                        "if (-not (Get-Service -Name W3SVC -ErrorAction SilentlyContinue)) { 'no web server here'; exit 0 }",
                        `try { $code = (Invoke-WebRequest -UseBasicParsing -TimeoutSec 10 -Uri '${url}').StatusCode } catch { $code = $_.Exception.Response.StatusCode.value__ }`,
                        `if ($code -ne 200) { "unhealthy: ${url} answered $code"; exit 1 }`,
                        `"healthy: ${url} answered 200"`,
                    ],
                },
            },
        ],
    };
}

/** Every step's timeout in seconds, summed: a run's worst case. */
export function worstCaseSeconds(document: Record<string, unknown>): number {
    return (document.mainSteps as Step[]).reduce((sum, step) => sum + Number(step.timeoutSeconds ?? 0), 0);
}
