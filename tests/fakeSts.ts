/**
 * The STS half of the fake endpoint (fakeAws.ts), for `fleet coverage` at scale: AssumeRole over
 * STS's query protocol (form-encoded `Action=AssumeRole&Version=2011-06-15&RoleArn=...`), answered in
 * the XML of the STS API reference's AssumeRole example (AssumeRoleResponse > AssumeRoleResult >
 * Credentials, AssumedRoleUser; https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
 * Limits from botocore's sts model: RoleSessionName 2-64 of [\w+=,.@-], DurationSeconds 900-43200.
 */
import { ServiceError } from "./fakeAws";

const NS = 'xmlns="https://sts.amazonaws.com/doc/2011-06-15/"';

export function stsHandler(operation: string, input: Record<string, string>): string {
    if (operation !== "AssumeRole")
        throw new ServiceError("InvalidAction", `${operation} is not implemented by the fake`);
    const arn = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/.exec(input.RoleArn ?? "");
    if (!arn) throw new ServiceError("ValidationError", `${input.RoleArn} is invalid`);
    const session = input.RoleSessionName ?? "";
    if (!/^[\w+=,.@-]{2,64}$/.test(session))
        throw new ServiceError(
            "ValidationError",
            `1 validation error detected: Value '${session}' at 'roleSessionName' failed to satisfy constraint`,
        );
    const seconds = Number(input.DurationSeconds ?? 3600);
    if (seconds < 900 || seconds > 43200)
        throw new ServiceError(
            "ValidationError",
            `1 validation error detected: Value '${seconds}' at 'durationSeconds' failed to satisfy constraint`,
        );
    const expiration = new Date(Date.now() + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
    return (
        `<AssumeRoleResponse ${NS}><AssumeRoleResult>` +
        `<AssumedRoleUser><Arn>arn:aws:sts::${arn[1]}:assumed-role/${arn[2]}/${session}</Arn><AssumedRoleId>AROA3XFRBF535PLBIFPI4:${session}</AssumedRoleId></AssumedRoleUser>` +
        `<Credentials><AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId><SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>` +
        `<SessionToken>FwoGZXIvYXdzEXAMPLETOKEN</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
        `</AssumeRoleResult><ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata></AssumeRoleResponse>`
    );
}
