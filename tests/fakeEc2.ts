/**
 * The EC2 half of the fake endpoint (fakeAws.ts) for `coverage` at scale: DescribeInstances over
 * EC2's query protocol (form-encoded `Action=DescribeInstances&Filter.1.Name=...&Filter.1.Value.1=...`,
 * XML answers in the 2016-11-15 namespace, errors as `<Response><Errors><Error>`), with the fleet of
 * fakeSsm.ts: every instance running, tagged like the test stack, with the lab's profile and IMDSv2.
 * Page sizes as botocore's ec2 model documents them: MaxResults 5 to 1000.
 */
import { INSTANCE_ID, ServiceError } from "./fakeAws";
import { SsmState } from "./fakeSsm";

const NS = 'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"';
const TAGS = { Environment: "OELabIPM", Workload: "Test" };

/** The `Filter.N.Name` / `Filter.N.Value.M` pairs of a query-protocol request. */
function filters(input: Record<string, string>): { name: string; values: string[] }[] {
    const found: { name: string; values: string[] }[] = [];
    for (let n = 1; input[`Filter.${n}.Name`] !== undefined; n++) {
        const values: string[] = [];
        for (let m = 1; input[`Filter.${n}.Value.${m}`] !== undefined; m++)
            values.push(input[`Filter.${n}.Value.${m}`]);
        found.push({ name: input[`Filter.${n}.Name`], values });
    }
    return found;
}

function instanceXml(state: SsmState, i: number): string {
    const tags = { ...TAGS, InstanceRole: state.role(i), Name: `Test-${i}` };
    const tagSet = Object.entries(tags)
        .map(([k, v]) => `<item><key>${k}</key><value>${v}</value></item>`)
        .join("");
    return (
        `<item><instanceId>${INSTANCE_ID(i)}</instanceId><instanceType>t3.micro</instanceType>` +
        `<instanceState><code>16</code><name>running</name></instanceState><reason></reason>` +
        `<launchTime>2026-11-20T01:00:00.000Z</launchTime><platformDetails>Linux/UNIX</platformDetails>` +
        `<iamInstanceProfile><arn>arn:aws:iam::111122223333:instance-profile/ManagedInstancesProfile-Test</arn><id>AIPAFAKE</id></iamInstanceProfile>` +
        `<metadataOptions><state>applied</state><httpTokens>required</httpTokens><httpPutResponseHopLimit>2</httpPutResponseHopLimit><httpEndpoint>enabled</httpEndpoint></metadataOptions>` +
        `<tagSet>${tagSet}</tagSet></item>`
    );
}

export function ec2Handler(state: SsmState, operation: string, input: Record<string, string>): string {
    if (operation !== "DescribeInstances")
        throw new ServiceError("InvalidAction", `${operation} is not implemented by the fake`);
    const size = input.MaxResults === undefined ? 1000 : Number(input.MaxResults);
    if (size < 5 || size > 1000)
        throw new ServiceError("InvalidParameterValue", `Value ( ${size} ) for parameter maxResults is invalid.`);
    const tagsOf = (i: number): Record<string, string> => ({ ...TAGS, InstanceRole: state.role(i) });
    const matching = Array.from({ length: state.size }, (_, i) => i).filter((i) =>
        filters(input).every((f) =>
            f.name === "instance-state-name"
                ? f.values.includes(state.terminated.has(i) ? "terminated" : "running")
                : f.name === "instance-id"
                  ? f.values.includes(INSTANCE_ID(i))
                  : f.name.startsWith("tag:")
                    ? f.values.includes(tagsOf(i)[f.name.slice(4)])
                    : false,
        ),
    );
    const start = Number(input.NextToken ?? 0);
    const items = matching.slice(start, start + size);
    const next = start + size < matching.length ? `<nextToken>${start + size}</nextToken>` : "";
    // One reservation per instance, as separate RunInstances calls make.
    const reservations = items
        .map(
            (i) =>
                `<item><reservationId>r-${i}</reservationId><ownerId>111122223333</ownerId><instancesSet>${instanceXml(state, i)}</instancesSet></item>`,
        )
        .join("");
    return `<DescribeInstancesResponse ${NS}><requestId>req-1</requestId><reservationSet>${reservations}</reservationSet>${next}</DescribeInstancesResponse>`;
}

/** An error as EC2's query protocol answers it. */
export function ec2Error(error: ServiceError): string {
    return `<Response><Errors><Error><Code>${error.type}</Code><Message>${error.message}</Message></Error></Errors><RequestID>req-1</RequestID></Response>`;
}
