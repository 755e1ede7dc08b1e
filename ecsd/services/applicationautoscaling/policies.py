"""Scaling policies (Put, Describe, Delete) and scaling activities."""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.autoscaling import activities, policies, targets
from .api import answer, applicationautoscaling, page


def _shown(ctx: Context, doc: dict[str, Any]) -> dict[str, Any]:
    return {**policies.public(doc), "Alarms": policies.alarms_of(ctx, doc)}


@applicationautoscaling.operation("PutScalingPolicy", write=True)
def put_scaling_policy(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    key = targets.key_of(p)
    targets.check_key(key)
    targets.load(ctx, key)
    doc = policies.put(ctx, key, p["PolicyName"], p)
    out: dict[str, Any] = {"PolicyARN": doc["PolicyARN"]}
    if doc["PolicyType"] == policies.TARGET_TRACKING:
        out["Alarms"] = policies.alarms_of(ctx, doc)
    return out


@applicationautoscaling.operation("DescribeScalingPolicies")
def describe_scaling_policies(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    docs, token = page(ctx, policies.listing(ctx, p["ServiceNamespace"], p), p)
    return answer("ScalingPolicies", [_shown(ctx, d) for d in docs], token)


@applicationautoscaling.operation("DeleteScalingPolicy", write=True)
def delete_scaling_policy(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    key = targets.key_of(p)
    doc = policies.get(ctx, key, p["PolicyName"])
    if doc is None:
        raise AwsError(
            "ObjectNotFoundException",
            f"No scaling policy found for {key.describe()}, policy name: {p['PolicyName']}",
        )
    policies.remove(ctx, doc)
    return {}


@applicationautoscaling.operation("DescribeScalingActivities")
def describe_scaling_activities(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    keyset = activities.listing(
        ctx, p["ServiceNamespace"], p.get("ResourceId"), p.get("ScalableDimension")
    )
    docs, token = page(ctx, keyset, p, descending=True)
    return answer("ScalingActivities", docs, token)
