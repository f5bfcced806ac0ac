"""The script-step harness: runs an aws:executeScript step's Python as Systems Manager does (the
handler called with the step's InputPayload), with a `boto3` whose clients are REAL botocore clients
that never reach AWS. boto3 is not installed here; botocore (the library boto3 is built on) is.

How a call goes (botocore/client.py, BaseClient._make_api_call, botocore 1.43.11): the parameters are
validated against the service's model while the request is serialized (_convert_to_request_dict ->
ParamValidationDecorator.serialize_to_request in botocore/validate.py, raising ParamValidationError),
and only then is the `before-call.<service>.<operation>` event emitted; a handler's (http, parsed)
answer is used instead of sending the request, and an http status >= 300 is raised as the service's
modelled ClientError (self.exceptions.from_code). So a script that sends a parameter the API does not
take, or lacks a required one, fails here exactly as it would on AWS; paginators work because they
call the same client methods.

Input (stdin, JSON): {"script", "handler", "payload", "region", "responses"}; each response is
{"service", "operation", "when"?, "response"? | "error"?: {"code", "message", "status"?}}. The first
entry whose service and operation match and whose `when` items all equal the request's parameters
answers (any number of times). A canned response is validated against the operation's output shape
(unknown or mistyped members fail) and its timestamps become datetimes, as botocore's parsers give.
Output (stdout, JSON): {"result" | "failed" | "unanswered" | "invalid", "calls"}; the script's own
prints go to stderr. Every call is recorded: service, operation, params, and whether botocore refused it.
"""

import contextlib
import json
import sys
import types

import botocore.exceptions
import botocore.session
import botocore.validate
from botocore.awsrequest import AWSResponse
from botocore.utils import parse_timestamp


class Unanswered(BaseException):
    """A call the spec gave no response for (BaseException: a script's `except Exception` cannot hide it)."""


def with_timestamps(value, shape):
    """A response as botocore's parsers return it: timestamp members as datetime objects."""
    if value is None:
        return value
    if shape.type_name == "structure":
        return {k: with_timestamps(v, shape.members[k]) for k, v in value.items()}
    if shape.type_name == "list":
        return [with_timestamps(v, shape.member) for v in value]
    if shape.type_name == "map":
        return {k: with_timestamps(v, shape.value) for k, v in value.items()}
    if shape.type_name == "timestamp":
        return parse_timestamp(value)
    return value


def install(responses, region, calls):
    session = botocore.session.get_session()

    def answer(service, model, params_seen):
        for entry in responses:
            if entry["service"] != service or entry["operation"] != model.name:
                continue
            if any(params_seen.get(k) != v for k, v in (entry.get("when") or {}).items()):
                continue
            if "error" in entry:
                error = entry["error"]
                status = error.get("status", 400)
                parsed = {
                    "Error": {"Code": error["code"], "Message": error["message"]},
                    "ResponseMetadata": {"HTTPStatusCode": status},
                }
                return AWSResponse("https://fake", status, {}, None), parsed
            body = entry.get("response") or {}
            if model.output_shape is not None:
                report = botocore.validate.ParamValidator().validate(body, model.output_shape)
                if report.has_errors():
                    raise Unanswered(f"the canned response of {service}.{model.name} is not its output shape:\n"
                                     + report.generate_report())
                body = with_timestamps(body, model.output_shape)
            parsed = dict(body, ResponseMetadata={"HTTPStatusCode": 200})
            return AWSResponse("https://fake", 200, {}, None), parsed
        raise Unanswered(f"no canned response for {service}.{model.name} {json.dumps(params_seen, default=str)}")

    def client(service_name, region_name=None, **_ignored):
        real = session.create_client(
            service_name,
            region_name=region_name or region,
            aws_access_key_id="x",
            aws_secret_access_key="x",
            aws_session_token="x",
        )
        pending = {}
        make_api_call = real._make_api_call

        def recorded(operation_name, api_params):
            call = {"service": service_name, "operation": operation_name, "params": api_params}
            calls.append(call)
            pending["params"] = api_params
            try:
                return make_api_call(operation_name, api_params)
            except botocore.exceptions.ParamValidationError as error:
                call["invalid"] = str(error)
                raise

        real._make_api_call = recorded
        real.meta.events.register(
            "before-call", lambda model, **_: answer(service_name, model, pending["params"])
        )
        return real

    module = types.ModuleType("boto3")
    module.client = client
    sys.modules["boto3"] = module


def main():
    job = json.loads(sys.stdin.read())
    calls = []
    install(job["responses"], job["region"], calls)
    out = sys.stdout
    report = {}
    try:
        with contextlib.redirect_stdout(sys.stderr):
            scope = {"__name__": "__main__"}
            exec(compile(job["script"], "<executeScript>", "exec"), scope)
            result = scope[job["handler"]](job["payload"], None)
            json.dumps(result)  # Automation returns the handler's value as JSON: it must serialize
            report["result"] = result
    except Unanswered as error:
        report["unanswered"] = str(error)
    except Exception as error:  # the step fails with the script's exception, as in Automation
        report["failed"] = str(error)
    invalid = [c for c in calls if "invalid" in c]
    if invalid:
        report["invalid"] = invalid[0]["invalid"]
    report["calls"] = calls
    out.write(json.dumps(report, default=str))


if __name__ == "__main__":
    main()
