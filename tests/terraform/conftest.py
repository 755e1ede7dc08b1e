"""Run the real Terraform AWS provider against a real `ecsd serve`.

Every test writes one small configuration, and `TerraformRun` takes it through the round
trip issue 14 asks of each resource type: `init` (offline, from the filesystem mirror of
hashicorp/aws, through a plugin cache shared by the session so no test copies the 600 MB
provider), `apply`, `plan -detailed-exitcode` (exit 0: every attribute read back as it was
written), `destroy`. The provider block points every service the provider may call at the
server; `PROVIDER_BLOCK` is the block the README tells users to copy.

Under CI (CI=true) a missing `terraform` or provider mirror FAILS the test with the reason;
elsewhere the tests are skipped with it (as `docker_engine` does for a missing engine).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from server_process import EcsdProcess

# Every service the provider may call for the resources in these tests and the tutorials.
ENDPOINT_SERVICES = (
    "acm",
    "applicationautoscaling",
    "cloudwatch",
    "ec2",
    "ecr",
    "ecs",
    "elbv2",
    "iam",
    "logs",
    "route53",
    "secretsmanager",
    "ssm",
    "sts",
)

# The provider block, `{url}` the ecsd endpoint. Why each setting is there:
# - skip_credentials_validation: without it the provider calls STS GetCallerIdentity at
#   start-up to check the keys (ecsd answers it, but the check proves nothing here);
# - skip_requesting_account_id: the account id is otherwise looked up through STS/IAM at
#   start-up; ARNs come back from ecsd anyway;
# - skip_metadata_api_check: otherwise the provider probes the EC2 instance metadata
#   service (169.254.169.254) for credentials, a non-loopback address that hangs offline;
# - skip_region_validation: keeps any region name usable without the provider's list.
PROVIDER_TEMPLATE = """\
provider "aws" {{
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true

  endpoints {{
{endpoints}
  }}
}}
"""

REQUIRED_PROVIDERS = """\
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}
"""


def provider_block(url: str) -> str:
    lines = "\n".join(f'    {s:<22} = "{url}"' for s in ENDPOINT_SERVICES)
    return PROVIDER_TEMPLATE.format(endpoints=lines)


def _mirror_root() -> Path | None:
    """The folder above `registry.terraform.io` that holds hashicorp/aws."""
    for root in (os.environ.get("ECSD_TF_MIRROR"), "/opt/tf-plugins"):
        if root and (Path(root) / "registry.terraform.io/hashicorp/aws").is_dir():
            return Path(root)
    return None


def _missing() -> str | None:
    if shutil.which("terraform") is None:
        return "no `terraform` on PATH (scripts/prepare-terraform.sh says how to get it)"
    if _mirror_root() is None:
        return (
            "no filesystem mirror of hashicorp/aws (set ECSD_TF_MIRROR to the folder "
            "above registry.terraform.io)"
        )
    return None


@pytest.fixture(scope="session")
def tf_cli_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CLI config: the provider from the offline mirror, through one plugin cache."""
    why = _missing()
    if why is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Terraform is required under CI: {why}")
        pytest.skip(why)
    base = tmp_path_factory.mktemp("terraform")
    cache = base / "plugin-cache"
    cache.mkdir()
    config = base / "cli.tfrc"
    config.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path = "{_mirror_root()}"\n  }}\n'
        "}\n"
        f'plugin_cache_dir = "{cache}"\n'
    )
    return config


@dataclass
class TerraformRun:
    workdir: Path
    env: dict[str, str]

    def run(
        self, *args: str, ok: tuple[int, ...] = (0,), flags: tuple[str, ...] = ("-input=false",)
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            ["terraform", *args, "-no-color", *flags],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if proc.returncode not in ok:
            raise AssertionError(
                f"terraform {' '.join(args)} exited {proc.returncode}:\n"
                f"{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}"
            )
        return proc

    def init(self) -> None:
        self.run("init")

    def apply(self) -> None:
        self.run("apply", "-auto-approve", "-parallelism=4")

    def replan(self) -> None:
        """A second plan must show no change: exit 0 of `-detailed-exitcode`."""
        proc = self.run("plan", "-detailed-exitcode", "-parallelism=4", ok=(0, 2))
        assert proc.returncode == 0, f"the re-plan shows changes:\n{proc.stdout[-8000:]}"

    def destroy(self) -> None:
        self.run("destroy", "-auto-approve", "-parallelism=4")

    def output(self, name: str) -> str:
        # `output` takes no -input flag (it never asks).
        return self.run("output", "-raw", name, flags=()).stdout

    def round_trip(self) -> None:
        self.init()
        self.apply()
        self.replan()
        self.destroy()


@pytest.fixture
def terraform(
    tf_cli_config: Path, ecsd: EcsdProcess, tmp_path: Path
) -> Iterator[Callable[..., TerraformRun]]:
    """`terraform(main_tf, **files)` → a TerraformRun in a fresh directory holding the
    provider block for this server, `main.tf` and any other files given."""

    def make(main_tf: str, **files: str) -> TerraformRun:
        work = tmp_path / "tf"
        work.mkdir(exist_ok=True)
        (work / "provider.tf").write_text(REQUIRED_PROVIDERS + provider_block(ecsd.url))
        (work / "main.tf").write_text(main_tf)
        for name, text in files.items():
            path = work / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        env = {
            **os.environ,
            "TF_CLI_CONFIG_FILE": str(tf_cli_config),
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
        }
        return TerraformRun(work, env)

    yield make


EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "terraform"
EXAMPLE_ENDPOINT = "http://127.0.0.1:4600"  # what the examples' provider.tf points at


@pytest.fixture
def terraform_example(
    tf_cli_config: Path, ecsd: EcsdProcess, tmp_path: Path
) -> Callable[[str], TerraformRun]:
    """`terraform_example("seed-002")` → a TerraformRun on a copy of
    examples/terraform/seed-002, its provider block pointed at this server instead of
    ecsd's default port: the files the README points users at are the files tested."""

    def make(name: str) -> TerraformRun:
        work = tmp_path / name
        shutil.copytree(EXAMPLES / name, work, ignore=shutil.ignore_patterns(".terraform*"))
        provider = work / "provider.tf"
        text = provider.read_text()
        assert EXAMPLE_ENDPOINT in text, f"{provider} does not point at {EXAMPLE_ENDPOINT}"
        provider.write_text(text.replace(EXAMPLE_ENDPOINT, ecsd.url))
        env = {
            **os.environ,
            "TF_CLI_CONFIG_FILE": str(tf_cli_config),
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
        }
        return TerraformRun(work, env)

    return make
