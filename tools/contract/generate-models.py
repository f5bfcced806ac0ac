#!/usr/bin/env python3
"""Extracts from botocore's AWS API models the input shapes of the operations this program's
resources call, into tools/contract/aws-models.json (read by the contract spec; npm test needs no Python).

Regenerate (needs a current botocore: `pip install botocore`, not Debian's older python3-botocore):

    python3 tools/contract/generate-models.py

Only what validation needs is kept: type, required members, min/max, pattern, enum, and the
shapes of members, list members and map keys/values. Documentation is dropped.
"""
import json
import os

import botocore
import botocore.session

# service -> the operations the AWS provider calls to create this program's resources
# (tools/contract/requests.ts maps each resource type to them).
OPERATIONS = {
    "ec2": ["CreateVpc", "CreateSubnet", "CreateSecurityGroup", "AuthorizeSecurityGroupIngress",
            "AuthorizeSecurityGroupEgress", "RunInstances",
            # read by `ops coverage` (tests/coverage.spec.ts holds its requests against them)
            "DescribeInstances",
            # ops restore-points reads the restore points' tags from their AMIs (tools/ops/restorePoints.ts)
            "DescribeImages"],
    "iam": ["CreateRole", "AttachRolePolicy", "CreateInstanceProfile", "AddRoleToInstanceProfile",
            "PutRolePolicy", "CreatePolicy", "AttachGroupPolicy",
            "GetInstanceProfile", "ListAttachedRolePolicies"],
    "s3": ["CreateBucket", "PutBucketTagging", "PutPublicAccessBlock", "PutBucketOwnershipControls",
           "PutBucketEncryption", "PutBucketVersioning", "PutBucketLifecycleConfiguration", "PutBucketPolicy",
           "PutBucketLogging"],
    "resource-groups": ["CreateGroup"],
    "ssm": ["CreateAssociation", "CreateResourceDataSync", "CreatePatchBaseline",
            "RegisterPatchBaselineForPatchGroup", "CreateMaintenanceWindow",
            "RegisterTargetWithMaintenanceWindow", "RegisterTaskWithMaintenanceWindow", "CreateDocument",
            "PutParameter",
            # called by the patch runbook's aws:executeAwsApi, aws:assertAwsResourceProperty and
            # aws:waitForAwsResourceProperty steps (components/runbookDocuments.ts)
            "GetParameter", "DescribeMaintenanceWindows", "DescribeMaintenanceWindowExecutions",
            "DescribePatchGroupState", "DescribeInstanceInformation",
            # read by ops coverage (tools/ops/coverageRead.ts)
            "DescribeInstancePatchStates",
            # aws.ssm.ServiceSetting (Default Host Management Configuration)
            "UpdateServiceSetting",
            # ops install on a Runbook stack (tools/ops/runbookInstall.ts, tests/runbookInstall.spec.ts), and the
            # coverage check's schedule: its universal target's Input (components/coverageCheck.ts)
            "StartAutomationExecution", "GetAutomationExecution", "DescribeAutomationStepExecutions",
            "StopAutomationExecution"],
    "backup": ["CreateBackupVault", "StartBackupJob", "DescribeBackupJob",
               # ops restore-points (tools/ops/restorePoints.ts)
               "ListRecoveryPointsByBackupVault"],
    "logs": ["CreateLogGroup", "PutRetentionPolicy"],
    "kms": ["CreateKey", "EnableKeyRotation", "ScheduleKeyDeletion"],
    "sns": ["CreateTopic", "SetTopicAttributes", "Subscribe"],
    "events": ["PutRule", "PutTargets"],
    "glue": ["CreateDatabase", "CreateTable"],
    "athena": ["CreateWorkGroup", "CreateNamedQuery", "StartQueryExecution"],
    "scheduler": ["CreateSchedule"],
    # fleet coverage assumes each target's role (tools/fleet/assumeRole.ts; tests/fleetCoverage.spec.ts)
    "sts": ["AssumeRole"],
}

# service -> the operations that README.md, docs/ and the messages of components/ and tools/ tell people to
# run with the AWS CLI (`aws <service> <operation> --<parameter> …`); tests/docsCli.spec.ts holds each
# command's operation and parameter names, and its required parameters, against these models.
DOCUMENTED = {
    "athena": ["StopQueryExecution"],
    "backup": ["ListRecoveryPointsByBackupVault", "StartRestoreJob"],
    "ec2": ["CreateReplaceRootVolumeTask", "DescribeReplaceRootVolumeTasks"],
    "kms": ["CancelKeyDeletion"],
    "ssm": ["CancelCommand", "DeregisterPatchBaselineForPatchGroup", "DescribeMaintenanceWindowExecutionTasks",
            "DescribeAutomationExecutions", "GetAutomationExecution", "GetMaintenanceWindowExecutionTask",
            "ListCommandInvocations",
            "StopAutomationExecution"],
}

KEPT = ("min", "max", "pattern", "enum")


def extract(model, operations):
    shapes = {}

    def visit(shape):
        if shape.name in shapes:
            return
        entry = {"type": shape.type_name}
        for key in KEPT:
            if key in shape.metadata:
                entry[key] = shape.metadata[key]
        if getattr(shape, "enum", None):
            entry["enum"] = list(shape.enum)
        shapes[shape.name] = entry
        if shape.type_name == "structure":
            entry["required"] = list(shape.required_members)
            entry["members"] = {name: member.name for name, member in shape.members.items()}
            for member in shape.members.values():
                visit(member)
        elif shape.type_name == "list":
            entry["member"] = shape.member.name
            visit(shape.member)
        elif shape.type_name == "map":
            entry["key"] = shape.key.name
            entry["value"] = shape.value.name
            visit(shape.key)
            visit(shape.value)

    ops = {}
    cli = {}
    for name in operations:
        op = model.operation_model(name)
        ops[name] = op.input_shape.name
        visit(op.input_shape)
        # The AWS CLI's names: botocore.xform_name, as awscli's clidriver names commands and arguments.
        cli[botocore.xform_name(name, "-")] = {
            "operation": name,
            "parameters": {"--" + botocore.xform_name(m, "-"): m for m in op.input_shape.members},
        }
    return {
        "apiVersion": model.api_version,
        "operations": ops,
        "cli": dict(sorted(cli.items())),
        "shapes": dict(sorted(shapes.items())),
    }


def main():
    session = botocore.session.get_session()
    out = {
        "source": "botocore " + botocore.__version__ + " (generated by tools/contract/generate-models.py)",
        "botocore": botocore.__version__,
        "services": {
            service: extract(session.get_service_model(service), sorted(set(OPERATIONS.get(service, []) + DOCUMENTED.get(service, []))))
            for service in sorted(set(OPERATIONS) | set(DOCUMENTED))
        },
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "aws-models.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=False)
        f.write("\n")
    count = sum(len(s["shapes"]) for s in out["services"].values())
    print(f"wrote {path}: {count} shapes of {sum(len(s['operations']) for s in out['services'].values())} operations, botocore {botocore.__version__}")


if __name__ == "__main__":
    main()
