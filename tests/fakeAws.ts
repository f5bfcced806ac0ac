/**
 * A local endpoint that answers like Systems Manager and Athena (awsJson1_1: POST /, the operation
 * in `X-Amz-Target: AmazonSSM.<Op>` / `AmazonAthena.<Op>`, errors as `{"__type", "message"}`) and
 * SNS and STS (awsQuery: form-encoded `Action=...`, XML answers and `<ErrorResponse>`), so the real AWS SDK
 * clients talk to it through `AWS_ENDPOINT_URL` with dummy credentials: their retries, signing and
 * error parsing are the real ones. It enforces the documented limits the CLI relies on (page sizes
 * from the botocore models: DescribeInstanceInformation 5-50, ListCommandInvocations 1-50,
 * DescribeInstancePatchStates at most 50 ids, ...) and injects faults: throttling, a 5xx after
 * the request was carried out, HTML 503 pages, InvalidInstanceId for terminated nodes, access
 * denied, latency and slow commands and queries. Used by the fault specs and `npm run bench`.
 */
import * as http from "http";
import { AddressInfo } from "net";
import { athenaHandler, AthenaState } from "./fakeAthena";
import { ec2Error, ec2Handler } from "./fakeEc2";
import { ssmHandler, SsmState } from "./fakeSsm";
import { stsHandler } from "./fakeSts";

/** One fault, for the next `count` calls of an operation (by its API name, e.g. "SendCommand"). */
export interface Fault {
    readonly operation: string;
    /**
     * throttle: 400 ThrottlingException; acceptThen500: do the work, then answer 500; html503: an HTML
     * page; deny: AccessDeniedException.
     */
    readonly kind: "throttle" | "acceptThen500" | "html503" | "deny";
    count: number;
}

export interface FakeOptions {
    readonly instances: number;
    /** Instances (by index) that are terminated: listed, but their per-instance calls fail with InvalidInstanceId. */
    readonly terminated?: readonly number[];
    /** How long a command runs before every invocation is done, in ms. */
    readonly commandMs?: number;
    /** Instances (by index) whose invocation fails. */
    readonly failing?: readonly number[];
    /** How long an Athena query runs, in ms. */
    readonly queryMs?: number;
    /** Added to every answer, in ms. */
    readonly latencyMs?: number;
    /**
     * The status race of a real command: it finishes (at the latest after commandMs) as soon as
     * this many ListCommandInvocations pages have been served, between two reads of the CLI.
     */
    readonly finishAfterInvocationPages?: number;
    readonly faults?: Fault[];
}

export interface Call {
    readonly operation: string;
    readonly input: Record<string, any>;
    readonly at: number;
}

/** A failure as the service answers it. */
export class ServiceError extends Error {
    constructor(
        public readonly type: string,
        message: string,
        public readonly status = 400,
    ) {
        super(message);
    }
}

export interface FakeAws {
    readonly url: string;
    readonly calls: Call[];
    readonly ssm: SsmState;
    readonly athena: AthenaState;
    readonly faults: Fault[];
    /** The most requests that were in the fake at once. */
    peakInFlight(): number;
    count(operation: string): number;
    close(): Promise<void>;
}

export const INSTANCE_ID = (i: number) => `i-0${i.toString(16).padStart(16, "0")}`;

export async function startFakeAws(options: FakeOptions): Promise<FakeAws> {
    const calls: Call[] = [];
    const faults = options.faults ?? [];
    const ssm = new SsmState(options);
    const athena = new AthenaState(options.queryMs ?? 0);
    let [inFlight, peak] = [0, 0];
    const server = http.createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (c: Buffer) => chunks.push(c));
        request.on("end", () => {
            const body = Buffer.concat(chunks).toString("utf8");
            const target = String(request.headers["x-amz-target"] ?? "");
            const action = new URLSearchParams(body).get("Action") ?? "";
            // EC2's and STS's query protocol has no target header either: their requests carry their API Version.
            const version = new URLSearchParams(body).get("Version");
            const query = version === "2016-11-15" ? "EC2" : version === "2011-06-15" ? "STS" : "SNS";
            const [service, operation] = target ? target.split(".") : [query, action];
            const input = target
                ? (JSON.parse(body || "{}") as Record<string, any>)
                : Object.fromEntries(new URLSearchParams(body));
            calls.push({ operation, input, at: Date.now() });
            peak = Math.max(peak, ++inFlight);
            response.on("finish", () => inFlight--);
            const answer = () => respond(response, service, operation, input, faults, ssm, athena);
            if (options.latencyMs) setTimeout(answer, options.latencyMs);
            else answer();
        });
    });
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        calls,
        ssm,
        athena,
        faults,
        peakInFlight: () => peak,
        count: (operation) => calls.filter((c) => c.operation === operation).length,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

function respond(
    response: http.ServerResponse,
    service: string,
    operation: string,
    input: Record<string, any>,
    faults: Fault[],
    ssm: SsmState,
    athena: AthenaState,
) {
    const fault = faults.find((f) => f.operation === operation && f.count > 0);
    if (fault) fault.count--;
    if (fault?.kind === "html503") {
        response.writeHead(503, { "content-type": "text/html" });
        return response.end(
            "<html><head><title>503 Service Unavailable</title></head><body><h1>503 Service Unavailable</h1></body></html>",
        );
    }
    try {
        if (fault?.kind === "throttle") throw new ServiceError("ThrottlingException", "Rate exceeded");
        if (fault?.kind === "deny")
            throw new ServiceError(
                "AccessDeniedException",
                `User: arn:aws:iam::111122223333:user/ops is not authorized to perform: ${operation}`,
            );
        const output =
            service === "AmazonSSM"
                ? ssmHandler(ssm, operation, input)
                : service === "AmazonAthena"
                  ? athenaHandler(athena, operation, input)
                  : service === "EC2"
                    ? ec2Handler(ssm, operation, input)
                    : service === "STS"
                      ? stsHandler(operation, input)
                      : sns(operation, input);
        if (fault?.kind === "acceptThen500")
            throw new ServiceError("InternalServerError", "An internal error occurred", 500);
        if (service === "SNS" || service === "EC2" || service === "STS") {
            response.writeHead(200, { "content-type": "text/xml" });
            return response.end(output as string);
        }
        response.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
        return response.end(JSON.stringify(output));
    } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        if (service === "EC2") {
            response.writeHead(error.status, { "content-type": "text/xml" });
            return response.end(ec2Error(error));
        }
        if (service === "SNS" || service === "STS") {
            response.writeHead(error.status, { "content-type": "text/xml" });
            const xml = `<ErrorResponse><Error><Type>Sender</Type><Code>${error.type}</Code><Message>${error.message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`;
            return response.end(xml);
        }
        response.writeHead(error.status, { "content-type": "application/x-amz-json-1.1" });
        return response.end(JSON.stringify({ __type: error.type, message: error.message }));
    }
}

/** SNS over the query protocol: the topic list and Publish. */
function sns(operation: string, input: Record<string, string>): string {
    const ns = 'xmlns="http://sns.amazonaws.com/doc/2010-03-31/"';
    if (operation === "ListTopics") {
        const topic = "arn:aws:sns:ap-northeast-1:111122223333:AdminAlert-Test";
        return `<ListTopicsResponse ${ns}><ListTopicsResult><Topics><member><TopicArn>${topic}</TopicArn></member></Topics></ListTopicsResult></ListTopicsResponse>`;
    }
    if (operation === "Publish") {
        if (!input.TopicArn) throw new ServiceError("InvalidParameter", "TopicArn is required");
        return `<PublishResponse ${ns}><PublishResult><MessageId>m-1</MessageId></PublishResult></PublishResponse>`;
    }
    throw new ServiceError("InvalidAction", `${operation} is not implemented by the fake`);
}
