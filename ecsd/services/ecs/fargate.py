"""Fargate task sizes: which cpu/memory pairs exist, and the spellings ECS accepts.

Task-level `cpu` and `memory` are strings in the API. ECS takes cpu as units ("256") or
vCPUs ("0.25 vCPU", "1 vcpu") and memory as MiB ("512") or GB ("2GB", "2 GB"), and
stores and returns both as strings of integers ("256", "2048").
"""

from __future__ import annotations

import re
from typing import Any

from ...aws.errors import AwsError

# cpu units → allowed memory (MiB), as in the ECS developer guide's task size table.
SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

_NUMBER = r"(\d+(?:\.\d+)?|\.\d+)"
_VCPU = re.compile(rf"^{_NUMBER}\s*vcpu$", re.IGNORECASE)
_GB = re.compile(rf"^{_NUMBER}\s*gb$", re.IGNORECASE)


def _scaled(value: str, unit: re.Pattern[str]) -> int | None:
    value = value.strip()
    if value.isascii() and value.isdigit():  # "²" is a digit to Python, not to int()
        return int(value)
    m = unit.match(value)
    if m is None:
        return None
    scaled = float(m.group(1)) * 1024
    # "0.3 vCPU" is 307.2 units: not a whole number of units, so not a setting ECS takes.
    return int(scaled) if scaled.is_integer() else None


def cpu_units(value: str) -> int | None:
    """ "256" → 256, "1 vCPU" → 1024, "0.25 vcpu" → 256; None if neither form."""
    return _scaled(value, _VCPU)


def memory_mib(value: str) -> int | None:
    """ "512" → 512, "2GB" / "2 GB" → 2048; None if neither form."""
    return _scaled(value, _GB)


def fits(cpu: int, memory: int) -> bool:
    """Whether Fargate has a task size with exactly this cpu and memory."""
    return memory in SIZES.get(cpu, ())


def no_configuration(cpu: int, memory: int) -> str:
    """ECS's words for a pair Fargate has no size for."""
    return (
        f"No Fargate configuration exists for given values: {cpu} CPU, {memory} memory. "
        "See the Amazon ECS documentation for the valid values."
    )


# Linux capabilities a Fargate container may add (AWS: "Fargate tasks only support adding
# the SYS_PTRACE kernel capability").
ADDABLE_CAPABILITIES = frozenset({"SYS_PTRACE"})
# Container fields Fargate does not take (AWS's "Task definition differences for
# Fargate"); each reaches into the host or widens the container's privileges.
_NO_CONTAINER_FIELDS = (
    "privileged",
    "dockerSecurityOptions",
    "extraHosts",
    "dnsServers",
    "dnsSearchDomains",
    "disableNetworking",
)
_NO_LINUX_PARAMETERS = ("devices", "sharedMemorySize", "tmpfs", "maxSwap", "swappiness")


def unsupported(td: dict[str, Any]) -> str | None:
    """Why Fargate cannot run this task definition, in ECS's words where they are known;
    None when it can. The one policy for both: registration refuses a definition that
    requires FARGATE for these reasons, and one that does not require it is not listed as
    FARGATE-compatible, so RunTask and CreateService refuse to launch it. ecsd launches
    every task the Fargate way, so nothing here ever reaches Docker: a task definition
    can not bind-mount the host's files or run a privileged container through ecsd."""
    if td.get("networkMode") != "awsvpc":
        # ECS's message has typographic quotes around awsvpc.
        return "Fargate only supports network mode \u2018awsvpc\u2019."
    if td.get("ipcMode"):
        return "Tasks using the Fargate launch type do not support ipcMode."
    pid = td.get("pidMode")
    if pid and pid != "task":
        return (
            f"Tasks using the Fargate launch type do not support pidMode "
            f"'{pid}'. The supported value for pidMode is 'task'."
        )
    for v in td.get("volumes") or []:
        if (v.get("host") or {}).get("sourcePath"):
            return "Fargate compatible task definitions do not support sourcePath"
        if v.get("dockerVolumeConfiguration"):
            # ecsd's wording (AWS documents the rule, not its message).
            return "Fargate compatible task definitions do not support dockerVolumeConfiguration"
    for c in td.get("containerDefinitions") or []:
        name = c.get("name")
        # The texts below are ecsd's own: AWS documents these rules, not their messages.
        for key in _NO_CONTAINER_FIELDS:
            if c.get(key):
                return f"Fargate compatible task definitions do not support {key} (container '{name}')."
        linux = c.get("linuxParameters") or {}
        for key in _NO_LINUX_PARAMETERS:
            if linux.get(key):
                return (
                    f"Fargate compatible task definitions do not support linuxParameters.{key} "
                    f"(container '{name}')."
                )
        added = set((linux.get("capabilities") or {}).get("add") or [])
        if added - ADDABLE_CAPABILITIES:
            return (
                f"Fargate compatible task definitions only support adding the SYS_PTRACE "
                f"kernel capability (container '{name}')."
            )
    return None


def launchable(taskdef: dict[str, Any], launch_type: str) -> None:
    """RunTask, CreateService and UpdateService launch only what the definition is
    compatible with, as ECS does."""
    if launch_type not in (taskdef.get("compatibilities") or []):
        raise AwsError(
            "InvalidParameterException",
            f"Task definition does not support launch_type {launch_type}.",
        )
