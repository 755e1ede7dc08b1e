"""Scheduled actions (Put, Describe, Delete); the scaling controller runs them."""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.autoscaling import scheduled, targets
from .api import answer, applicationautoscaling, page


@applicationautoscaling.operation("PutScheduledAction", write=True)
def put_scheduled_action(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    key = targets.key_of(p)
    targets.check_key(key)
    targets.load(ctx, key)
    scheduled.put(ctx, key, p["ScheduledActionName"], p)
    return {}


@applicationautoscaling.operation("DescribeScheduledActions")
def describe_scheduled_actions(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    docs, token = page(ctx, scheduled.listing(ctx, p["ServiceNamespace"], p), p)
    return answer("ScheduledActions", docs, token)


@applicationautoscaling.operation("DeleteScheduledAction", write=True)
def delete_scheduled_action(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    key = targets.key_of(p)
    if not scheduled.remove(ctx, key, p["ScheduledActionName"]):
        raise AwsError(
            "ObjectNotFoundException",
            f"No scheduled action found for {key.describe()}, scheduled action name: "
            f"{p['ScheduledActionName']}",
        )
    return {}
