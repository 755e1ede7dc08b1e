"""ECS ARNs and the short names every API also accepts in their place."""

from __future__ import annotations

import re

from ...aws.errors import AwsError
from ...core.unit import Unit

# Cluster, family and service names: 1-255 letters, digits, hyphens and underscores.
NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")

_ARN = re.compile(r"^arn:aws[\w-]*:ecs:([\w-]+):(\d{12}):([\w-]+)/(.+)$")


def parse(arn: str) -> tuple[str, str, str, str] | None:
    """(region, account, resource type, rest) of an ECS ARN, or None."""
    m = _ARN.match(arn)
    return (m.group(1), m.group(2), m.group(3), m.group(4)) if m else None


def cluster_arn(unit: Unit, ref: str | None) -> str:
    """The ARN for a cluster name or ARN; no cluster means `default`, as in ECS."""
    ref = ref or "default"
    if ref.startswith("arn:"):
        parts = parse(ref)
        if parts is not None and parts[2] == "cluster" and "/" in parts[3]:
            # ECS's words for an ARN with a path where a name belongs (a cluster ARN
            # nested in another, say).
            raise AwsError(
                "InvalidParameterException", "Invalid identifier: Unexpected number of separators"
            )
        if parts is None or parts[2] != "cluster":
            # ecsd's own words.
            raise AwsError("InvalidParameterException", f"Invalid cluster identifier: {ref}")
        return ref
    return unit.arn("ecs", f"cluster/{ref}")


def cluster_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def task_definition_arn(unit: Unit, family: str, revision: int) -> str:
    return unit.arn("ecs", f"task-definition/{family}:{revision}")


def service_arn(cluster_arn: str, name: str) -> str:
    prefix, cluster = cluster_arn.rsplit(":cluster/", 1)
    return f"{prefix}:service/{cluster}/{name}"


def service_of_task(cluster_arn: str, group: str) -> str | None:
    """The ARN of the service a task belongs to (its group is `service:<name>`)."""
    if group.startswith("service:"):
        return service_arn(cluster_arn, group.split(":", 1)[1])
    return None
