"""RegisterTargets, DeregisterTargets, DescribeTargetHealth: the same model functions the
load-balancing controller uses for ECS service tasks (model/elbv2/targets.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from ...aws.provider import Context
from ...model.elbv2 import target_groups, targets
from . import common
from .api import elbv2


@elbv2.operation("RegisterTargets", write=True)
def register_targets(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = common.target_group(ctx, p["TargetGroupArn"])
    entries = [(t["Id"], t.get("Port"), t.get("AvailabilityZone")) for t in p["Targets"]]
    targets.register(ctx, row.arn, entries)
    return {}


@elbv2.operation("DeregisterTargets", write=True)
def deregister_targets(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    """Targets that are not registered (a wrong port, say) are passed over silently: AWS
    answers 200 and does nothing for them."""
    row = common.target_group(ctx, p["TargetGroupArn"])
    targets.deregister(ctx, row.arn, [(t["Id"], t.get("Port")) for t in p["Targets"]])
    return {}


def _description(
    group: Row[Any], target_id: str, port: int, zone: str | None, health: targets.Health
) -> dict[str, Any]:
    spec = group.doc.get("HealthCheckPort", "traffic-port")
    target: dict[str, Any] = {"Id": target_id, "Port": port}
    if zone:
        target["AvailabilityZone"] = zone
    state, reason, description = health
    shown: dict[str, Any] = {"State": state}
    if reason:
        shown["Reason"] = reason
    if description:
        shown["Description"] = description
    return {
        "Target": target,
        "HealthCheckPort": str(port) if spec == "traffic-port" else str(spec),
        "TargetHealth": shown,
    }


@elbv2.operation("DescribeTargetHealth")
def describe_target_health(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    group = common.target_group(ctx, p["TargetGroupArn"])
    in_use = target_groups.in_use(ctx, group.arn)
    registered = targets.rows(ctx, group.arn)
    wanted = p.get("Targets")
    out: list[dict[str, Any]] = []
    if not wanted:
        for r in registered:
            health = targets.health_of(ctx, group, r, in_use)
            out.append(_description(group, r.target_id, r.port, r.availability_zone, health))
        return {"TargetHealthDescriptions": out}
    for t in wanted:
        port = t.get("Port")
        matches = [
            r for r in registered if r.target_id == t["Id"] and (port is None or r.port == port)
        ]
        if not matches:
            health = targets.health_of(ctx, group, None, in_use)
            shown_port = int(port if port is not None else group.doc["Port"])
            out.append(_description(group, t["Id"], shown_port, t.get("AvailabilityZone"), health))
        for r in matches:
            health = targets.health_of(ctx, group, r, in_use)
            out.append(_description(group, r.target_id, r.port, r.availability_zone, health))
    return {"TargetHealthDescriptions": out}
