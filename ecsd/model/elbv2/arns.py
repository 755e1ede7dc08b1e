"""ELBv2 ARNs: made as AWS makes them, and parsed back to say what an ARN names.

arn:aws:elasticloadbalancing:<region>:<acct>:loadbalancer/app/<name>/<16 hex>
...:targetgroup/<name>/<16 hex>
...:listener/app/<lb name>/<lb id>/<16 hex>
...:listener-rule/app/<lb name>/<lb id>/<listener id>/<16 hex>
"""

from __future__ import annotations

import re
import secrets

from ...core.unit import Unit

SERVICE = "elasticloadbalancing"

_ARN = re.compile(r"^arn:aws[\w-]*:elasticloadbalancing:([\w-]+):(\d{12}):([\w-]+)/(.+)$")


def new_id() -> str:
    return secrets.token_hex(8)


def parse(arn: str) -> tuple[str, str, str, str] | None:
    """(region, account, resource type, rest) of an ELBv2 ARN, or None."""
    m = _ARN.match(arn)
    return (m.group(1), m.group(2), m.group(3), m.group(4)) if m else None


def kind(arn: str) -> str | None:
    """loadbalancer | targetgroup | listener | listener-rule, or None for anything else."""
    parts = parse(arn)
    return parts[2] if parts else None


def region_of(arn: str) -> str | None:
    parts = parse(arn)
    return parts[0] if parts else None


def load_balancer(unit: Unit, name: str) -> str:
    return unit.arn(SERVICE, f"loadbalancer/app/{name}/{new_id()}")


def target_group(unit: Unit, name: str) -> str:
    return unit.arn(SERVICE, f"targetgroup/{name}/{new_id()}")


def listener(lb_arn: str) -> str:
    """A new listener's ARN under its load balancer's (`app/<name>/<id>` is shared)."""
    head, _, tail = lb_arn.partition(":loadbalancer/")
    return f"{head}:listener/{tail}/{new_id()}"


def rule(listener_arn: str) -> str:
    head, _, tail = listener_arn.partition(":listener/")
    return f"{head}:listener-rule/{tail}/{new_id()}"
