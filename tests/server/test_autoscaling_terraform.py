"""Terraform's hashicorp/aws provider (from the machine's offline mirror) applies an ECS
service with aws_appautoscaling_target, a target-tracking aws_appautoscaling_policy and
an aws_appautoscaling_scheduled_action against ecsd, re-plans with no changes, and
destroys it all."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path

from conftest import CREDENTIALS, client_for

CONFIG = Path(__file__).parent.parent / "data" / "terraform" / "autoscaling.tf"
MIRROR_GLOB = "/opt/tf-plugins/registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws*"


def terraform(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["terraform", *args, "-input=false", "-no-color"],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **CREDENTIALS, "TF_CLI_CONFIG_FILE": str(workdir / "tf.rc")},
    )


def test_terraform_applies_replans_clean_and_destroys(ecsd, tmp_path):
    assert shutil.which("terraform"), "terraform must be on the PATH for this test"
    providers = glob.glob(MIRROR_GLOB)
    assert providers, f"the hashicorp/aws provider mirror is missing ({MIRROR_GLOB})"
    mirror = providers[0].split("/registry.terraform.io/")[0]
    (tmp_path / "tf.rc").write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror}"\n  }}\n}}\n'
    )
    version = providers[0].split("/hashicorp/aws/")[1].split("/")[0]
    (tmp_path / "main.tf").write_text(
        CONFIG.read_text().replace('version = "5.100.0"', f'version = "{version}"')
    )
    var = f"-var=endpoint={ecsd.url}"
    init = terraform(tmp_path, "init")
    assert init.returncode == 0, init.stderr
    applied = terraform(tmp_path, "apply", "-auto-approve", var)
    assert applied.returncode == 0, applied.stdout[-3000:] + applied.stderr
    aas = client_for(ecsd, "application-autoscaling")
    policy = aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"][0]
    assert policy["PolicyName"] == "cpu50" and len(policy["Alarms"]) == 2
    assert (
        aas.describe_scheduled_actions(ServiceNamespace="ecs")["ScheduledActions"][0]["Timezone"]
        == "Asia/Tokyo"
    )
    plan = terraform(tmp_path, "plan", "-detailed-exitcode", var)
    assert plan.returncode == 0, plan.stdout[-3000:] + plan.stderr  # 2 would mean a diff
    destroyed = terraform(tmp_path, "destroy", "-auto-approve", var)
    assert destroyed.returncode == 0, destroyed.stdout[-3000:] + destroyed.stderr
    assert aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"] == []
