/**
 * The coverage check's Automation runbook (schemaVersion 0.3) as pure data: one aws:executeScript step
 * (Python 3.11, boto3; AWS Systems Manager User Guide, automation-action-executeScript.html) that lists
 * the instances in scope (EC2 DescribeInstances, MaxResults 1000, the most it takes), the managed nodes
 * among them (Systems Manager DescribeInstanceInformation, MaxResults 50, the most it takes with
 * filters), classifies each by the rule of `ops coverage` (tools/ops/coverage.ts: managed, silent,
 * unmanaged, stopped, terminated), and publishes one message to the topic when one is unmanaged or
 * silent. It reads no IAM: a role without AmazonSSMManagedInstanceCore shows as "never registered"
 * here, and `ops coverage` names the missing policy. tests/scripts/coverageParity.script.ts runs the
 * same fleet through both classifiers.
 */

/** The silent threshold's default, in hours: `ops coverage`, the report and the check share it. */
export const DEFAULT_SILENT_HOURS = 24;
/** The threshold's bounds: at least an hour (a node pings every few minutes), at most 30 days. */
export const SILENT_HOURS_RANGE = { min: 1, max: 720 } as const;
/** DescribeInstances' MaxResults: 5 to 1000 (botocore ec2 service-2.json). */
export const CHECK_EC2_PAGE = 1000;
/** DescribeInstanceInformation's MaxResults: 5 to 50 (MaxResultsEC2Compatible). */
export const CHECK_SSM_PAGE = 50;
/** Instances the message names, at most (SNS takes 256 KB; a mail of 100 lines is still read). */
export const MAX_NAMED_INSTANCES = 100;
/** The step's timeout: a fleet of 5,000 is 5 + 100 pages. */
export const CHECK_TIMEOUT_SECONDS = 600;

/** The check's script: `check` is the step's handler; `read_fleet` is every instance's verdict. */
export const COVERAGE_SCRIPT = String.raw`import boto3
from datetime import datetime, timezone, timedelta

MIN_AGENT_VERSION = '3.0.502'
EC2_PAGE = ${CHECK_EC2_PAGE}
SSM_PAGE = ${CHECK_SSM_PAGE}
FILTER_VALUES = 200
IN_SCOPE_STATES = ['pending', 'running', 'stopping', 'stopped']
MAX_NAMED = ${MAX_NAMED_INSTANCES}
NO_PROFILE_IMDS = 'IMDSv1 allowed (HttpTokens=optional): Default Host Management Configuration needs IMDSv2 to manage it without a profile'
METADATA_OFF = 'instance metadata disabled (HttpEndpoint=disabled): the agent cannot get credentials'
NEVER_REGISTERED = 'never registered: profile and metadata look right; check the agent is installed and running, and its route to the ssm, ssmmessages and ec2messages endpoints'


def when(value):
    if value is None:
        return None
    if isinstance(value, (int, float)):
        value = datetime.fromtimestamp(value, timezone.utc)
    elif isinstance(value, str):
        value = datetime.fromisoformat(value.replace('Z', '+00:00'))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def iso(value):
    value = when(value).astimezone(timezone.utc)
    return value.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (value.microsecond // 1000)


def version_below(version, minimum):
    a = [int(x) if x.isdigit() else 0 for x in version.split('.')]
    b = [int(x) for x in minimum.split('.')]
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else 0
        y = b[i] if i < len(b) else 0
        if x != y:
            return x < y
    return False


def pages(call, items, **request):
    found = []
    while True:
        page = call(**request)
        found.extend(items(page))
        token = page.get('NextToken')
        if not token:
            return found
        request['NextToken'] = token


def instances(ec2, filters):
    return pages(ec2.describe_instances, lambda p: [i for r in p.get('Reservations', []) for i in r.get('Instances', [])],
                 Filters=filters, MaxResults=EC2_PAGE)


def tag(instance, key):
    for t in instance.get('Tags') or []:
        if t.get('Key') == key:
            return t.get('Value')
    return None


def unmanaged_reasons(instance):
    reasons = []
    metadata = instance.get('MetadataOptions') or {}
    if not (instance.get('IamInstanceProfile') or {}).get('Arn'):
        reasons.append('no instance profile')
        if metadata.get('HttpTokens') != 'required':
            reasons.append(NO_PROFILE_IMDS)
    if metadata.get('HttpEndpoint') == 'disabled':
        reasons.append(METADATA_OFF)
    return reasons or [NEVER_REGISTERED]


def classify(instance, node, now, hours):
    state = (instance.get('State') or {}).get('Name', 'unknown')
    last_seen = when(node.get('LastPingDateTime')) if node else None
    reasons = []
    if state in ('terminated', 'shutting-down'):
        coverage = 'terminated'
        reasons.append(state + ' while coverage was read')
    elif state in ('stopped', 'stopping'):
        coverage = 'stopped'
    elif node is None:
        coverage = 'unmanaged'
        reasons.extend(unmanaged_reasons(instance))
    else:
        silent = node.get('PingStatus') != 'Online' or last_seen is None or last_seen < now - timedelta(hours=hours)
        coverage = 'silent' if silent else 'managed'
        if silent:
            seen = iso(last_seen) if last_seen else 'never'
            reasons.append('ping %s, last seen %s (threshold %s h)' % (node.get('PingStatus') or 'unknown', seen, hours))
    if node and node.get('AgentVersion') and version_below(node['AgentVersion'], MIN_AGENT_VERSION):
        reasons.append('agent %s is below %s (AWS-RunPatchBaselineWithHooks needs it)' % (node['AgentVersion'], MIN_AGENT_VERSION))
    return {'InstanceId': instance['InstanceId'], 'Name': tag(instance, 'Name') or '', 'Coverage': coverage, 'Reasons': reasons}


def read_fleet(events, context=None):
    hours = int(events['SilentAfterHours'])
    if not ${SILENT_HOURS_RANGE.min} <= hours <= ${SILENT_HOURS_RANGE.max}:
        raise Exception('SilentAfterHours = %d: must be ${SILENT_HOURS_RANGE.min} to ${SILENT_HOURS_RANGE.max} hours' % hours)
    tags = events.get('ScopeTags') or {}
    ec2 = boto3.client('ec2')
    ssm = boto3.client('ssm')
    listed = instances(ec2, [{'Name': 'tag:' + k, 'Values': [v]} for k, v in tags.items()]
                       + [{'Name': 'instance-state-name', 'Values': IN_SCOPE_STATES}])
    request = {'MaxResults': SSM_PAGE}
    if tags:
        request['Filters'] = [{'Key': 'tag:' + k, 'Values': [v]} for k, v in tags.items()]
    nodes = {n['InstanceId']: n for n in pages(ssm.describe_instance_information, lambda p: p.get('InstanceInformationList', []), **request)}
    # Running but no managed node: look again, it may have been terminated since it was listed.
    suspects = [i['InstanceId'] for i in listed
                if (i.get('State') or {}).get('Name') in ('pending', 'running') and i['InstanceId'] not in nodes]
    again = {}
    for start in range(0, len(suspects), FILTER_VALUES):
        batch = suspects[start:start + FILTER_VALUES]
        for i in instances(ec2, [{'Name': 'instance-id', 'Values': batch}]):
            again[i['InstanceId']] = i
    reread = set(suspects)
    current = [again.get(i['InstanceId'], dict(i, State={'Name': 'terminated'})) if i['InstanceId'] in reread else i
               for i in listed]
    now = events.get('Now')
    now = when(now) if now else datetime.now(timezone.utc)
    rows = [classify(i, nodes.get(i['InstanceId']), now, hours) for i in current]
    return {'Instances': sorted(rows, key=lambda r: r['InstanceId']), 'CheckedAt': iso(now)}


def message(events, fleet, counts, uncovered):
    scope = ', '.join('%s=%s' % kv for kv in (events.get('ScopeTags') or {}).items()) or 'every instance'
    lines = ['Coverage check of %s at %s (instances tagged %s; silent after %s h without a ping):'
             % (events['Stack'], fleet['CheckedAt'], scope, events['SilentAfterHours']),
             '%d of %d in-scope instances are not covered: %d unmanaged, %d silent (%d managed, %d stopped).'
             % (len(uncovered), counts['InScope'], counts['Unmanaged'], counts['Silent'], counts['Managed'], counts['Stopped']),
             '']
    for row in uncovered[:MAX_NAMED]:
        named = ' (%s)' % row['Name'] if row['Name'] else ''
        lines.append('%s%s %s: %s' % (row['InstanceId'], named, row['Coverage'], '; '.join(row['Reasons'])))
    if len(uncovered) > MAX_NAMED:
        lines.append('... and %d more.' % (len(uncovered) - MAX_NAMED))
    lines += ['', 'Every instance, the IAM roles of the unmanaged ones and the patch states: %s' % events['Details']]
    return '\n'.join(lines)


def check(events, context):
    fleet = read_fleet(events)
    rows = fleet['Instances']
    count = lambda c: len([r for r in rows if r['Coverage'] == c])
    counts = {'Managed': count('managed'), 'Silent': count('silent'), 'Unmanaged': count('unmanaged'), 'Stopped': count('stopped')}
    counts['InScope'] = sum(counts.values())
    uncovered = [r for r in rows if r['Coverage'] in ('unmanaged', 'silent')]
    message_id = 'none'
    if uncovered:
        subject = '[%s] %d of %d instances unmanaged or silent' % (events['Stack'], len(uncovered), counts['InScope'])
        sent = boto3.client('sns').publish(TopicArn=events['TopicArn'], Subject=subject[:99],
                                           Message=message(events, fleet, counts, uncovered))
        message_id = sent['MessageId']
    return dict(counts, Uncovered=len(uncovered), MessageId=message_id)
`;

/** What the check's runbook is made of. */
export interface CoverageRunbookSpec {
    /** The stack's label for messages (`oe-lab-ipm/test`). */
    readonly stack: string;
    /** The role the step runs with (the document's default AutomationAssumeRole). */
    readonly roleArn: string;
    readonly topicArn: string;
    /** The instances in scope: those carrying every one of these tags. */
    readonly scopeTags: Record<string, string>;
    readonly silentAfterHours: number;
    /** Where the message sends a reader for the whole table (`npm run ops -- coverage --stack test`). */
    readonly details: string;
}

const COUNTS = ["InScope", "Managed", "Silent", "Unmanaged", "Stopped", "Uncovered"] as const;

/** The check's Automation runbook. */
export function coverageRunbook(spec: CoverageRunbookSpec): Record<string, unknown> {
    return {
        schemaVersion: "0.3",
        description: `Checks every instance in ${spec.stack}'s scope: one message to the stack's topic when one is unmanaged or silent past the threshold, none when all are covered.`,
        assumeRole: "{{AutomationAssumeRole}}",
        parameters: {
            SilentAfterHours: {
                type: "String",
                description: "Hours without a ping after which a running managed instance counts as silent.",
                default: String(spec.silentAfterHours),
                allowedPattern: "^[1-9][0-9]{0,2}$",
            },
            AutomationAssumeRole: {
                type: "String",
                description: "The role the step runs with.",
                default: spec.roleArn,
            },
        },
        mainSteps: [
            {
                name: "CheckCoverage",
                action: "aws:executeScript",
                timeoutSeconds: CHECK_TIMEOUT_SECONDS,
                onFailure: "Abort",
                isEnd: true,
                inputs: {
                    Runtime: "python3.11",
                    Handler: "check",
                    Script: COVERAGE_SCRIPT,
                    InputPayload: {
                        Stack: spec.stack,
                        TopicArn: spec.topicArn,
                        ScopeTags: spec.scopeTags,
                        SilentAfterHours: "{{SilentAfterHours}}",
                        Details: spec.details,
                    },
                },
                outputs: [
                    ...COUNTS.map((c) => ({ Name: c, Selector: `$.Payload.${c}`, Type: "Integer" })),
                    { Name: "MessageId", Selector: "$.Payload.MessageId", Type: "String" },
                ],
            },
        ],
        outputs: [...COUNTS.map((c) => `CheckCoverage.${c}`), "CheckCoverage.MessageId"],
    };
}
