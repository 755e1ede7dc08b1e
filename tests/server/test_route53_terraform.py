"""Terraform's aws_route53_zone, aws_acm_certificate, aws_route53_record (the DNS
validation records and a CNAME) and aws_acm_certificate_validation against a real
`ecsd serve`: apply, a second plan shows no change, destroy.

Offline: the hashicorp/aws provider comes from the machine's filesystem mirror
(/work/shared/DESIGN.md); Terraform or the mirror missing is a failure, not a skip."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path

CONFIG = Path(__file__).parent.parent / "data" / "terraform" / "route53_acm" / "main.tf"
MIRRORS = ("/opt/tf-plugins", os.path.expanduser("~/.terraform.d/plugins"))


def mirror_root() -> str:
    for root in MIRRORS:
        if glob.glob(f"{root}/registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws*"):
            return root
    raise AssertionError(f"no filesystem mirror of hashicorp/aws under {MIRRORS}")


def test_zone_certificate_and_validation_apply_replan_clean_and_destroy(ecsd, client, tmp_path):
    exe = shutil.which("terraform")
    assert exe, "terraform must be on the PATH for this test"
    (tmp_path / "main.tf").write_text(CONFIG.read_text())
    rc = tmp_path / "cli.tfrc"
    root = mirror_root()
    rc.write_text(f'provider_installation {{\n  filesystem_mirror {{ path = "{root}" }}\n}}\n')
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(rc), "TF_IN_AUTOMATION": "1"}
    var = f"-var=endpoint={ecsd.url}"

    def tf(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [exe, *args, "-input=false", "-no-color"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    init = tf("init")
    assert init.returncode == 0, init.stdout + init.stderr
    apply = tf("apply", "-auto-approve", var)
    assert apply.returncode == 0, apply.stdout + apply.stderr
    assert "Resources: 6 added" in apply.stdout

    acm = client("acm")
    [summary] = acm.list_certificates()["CertificateSummaryList"]
    assert summary["Status"] == "ISSUED" and summary["DomainName"] == "app.example.com"

    plan = tf("plan", "-detailed-exitcode", var)
    assert plan.returncode == 0, plan.stdout + plan.stderr  # 2 would mean changes

    destroy = tf("destroy", "-auto-approve", var)
    assert destroy.returncode == 0, destroy.stdout + destroy.stderr
    assert client("route53", "us-east-1").list_hosted_zones()["HostedZones"] == []
    assert acm.list_certificates()["CertificateSummaryList"] == []
