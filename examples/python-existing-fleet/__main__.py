"""Inventory, patching and alerts for instances that already exist, with the oe-lab-ipm components.

    pulumi package add https://github.com/YOUR-ORG/oe-lab-ipm
    pulumi up

The module's name is the one the CLI generates for that repository: its owner, then the package
(your_org_oe_lab_ipm for YOUR-ORG; docs/package.md has the rule).

The instances are those tagged Environment=Production and PatchWith=oe-lab-ipm; they run Amazon
Linux 2023 and Windows Server and use the instance role ProductionAppInstanceRole (docs/package.md).
"""

import pulumi
import your_org_oe_lab_ipm as oe_lab_ipm

TAGS = {"Environment": "Production", "PatchWith": "oe-lab-ipm"}
INSTANCE_ROLES = ["ProductionAppInstanceRole"]

inventory = oe_lab_ipm.InventoryAssociation(
    "inventory",
    association_name="InventoryProduction",
    target_tags=TAGS,
    instance_role_names=INSTANCE_ROLES,
    keep_logs_on_destroy=True,
)

scan = oe_lab_ipm.PatchScanAssociation(
    "scan",
    association_name="PatchScanProduction",
    target_tags=TAGS,
    resource_group_name=inventory.resource_group_name,
    output_bucket_name=inventory.bucket_name,
)

patching = oe_lab_ipm.PatchingPolicy(
    "patching",
    patch_group="Critical-Production",
    approve_after_days=7,
    baselines=[
        {"operating_system": "AMAZON_LINUX_2023", "name": "AmazonLinux2023-Production"},
        {"operating_system": "WINDOWS", "name": "Windows-Production"},
    ],
)

alerts = oe_lab_ipm.AlertTopic(
    "alerts",
    topic_name="PatchAlerts-Production",
    emails=["ops@example.com"],
)

window = oe_lab_ipm.PatchMaintenanceWindow(
    "window",
    window_name="PatchProductionTaggedInstances",
    install_targets={key: [value] for key, value in TAGS.items()},
    install_target_name="ProductionTaggedInstances",
    role_name_prefix="SSMMaintenanceWindowRole-Prod-",
    pass_role_policy_name_prefix="SSMMaintenanceWindowPassRole-Prod-",
    instance_role_names=INSTANCE_ROLES,
    log_bucket_name=inventory.bucket_name,
    log_bucket_arn=inventory.bucket_arn,
    schedule="cron(0 3 ? * SUN *)",
    timezone="Europe/Berlin",
    duration=3,
    cutoff=1,
    max_concurrency="10%",
    max_errors="1",
    notifications={"topic_arn": alerts.topic_arn, "role_arn": alerts.notification_role_arn},
)

oe_lab_ipm.PatchAlerts(
    "alert-rules",
    topic_arn=alerts.topic_arn,
    rule_name_prefix="PatchAlerts-Production-patch-",
    stack_label="fleet-patching/production",
    maintenance_window_ids=[window.window_id],
    association_ids=[scan.association_id],
    patch_baseline_ids=[patching.baseline_id],
)

pulumi.export("log_bucket", inventory.bucket_name)
pulumi.export("baselines", patching.baseline_ids)
pulumi.export("alert_topic", alerts.topic_arn)
