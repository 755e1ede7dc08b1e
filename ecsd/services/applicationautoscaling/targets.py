"""Scalable targets (Register, Describe, Deregister) and their tags."""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.autoscaling import activities, policies, scaling, scheduled, targets
from .api import answer, applicationautoscaling, page

MAX_TAGS = 50


@applicationautoscaling.operation("RegisterScalableTarget", write=True)
def register_scalable_target(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    key = targets.key_of(p)
    tags = p.get("Tags")
    if tags is not None and len(tags) > MAX_TAGS:
        raise AwsError("TooManyTagsException", "Too many tags.")  # ecsd's own text
    doc, old = targets.register(
        ctx,
        key,
        p.get("MinCapacity"),
        p.get("MaxCapacity"),
        p.get("SuspendedState"),
        p.get("RoleARN"),
        tags,
    )
    if old is None or (old["MinCapacity"], old["MaxCapacity"]) != (
        doc["MinCapacity"],
        doc["MaxCapacity"],
    ):
        # ecsd's own cause text (AWS's is not documented).
        scaling.apply_bounds(
            ctx,
            doc,
            f"minimum capacity was set to {doc['MinCapacity']} and maximum capacity "
            f"to {doc['MaxCapacity']}",
        )
    return {"ScalableTargetARN": doc["ScalableTargetARN"]}


@applicationautoscaling.operation("DescribeScalableTargets")
def describe_scalable_targets(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    keyset = targets.listing(
        ctx, p["ServiceNamespace"], p.get("ResourceIds"), p.get("ScalableDimension")
    )
    docs, token = page(ctx, keyset, p)
    return answer("ScalableTargets", [targets.public(d) for d in docs], token)


@applicationautoscaling.operation("DeregisterScalableTarget", write=True)
def deregister_scalable_target(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    key = targets.key_of(p)
    if targets.get(ctx, key) is None:
        raise AwsError("ObjectNotFoundException", f"No scalable target found for {key.describe()}")
    for policy in policies.of_target(ctx, key):
        policies.remove(ctx, policy)
    scheduled.remove(ctx, key)
    activities.forget(ctx, key)
    targets.remove(ctx, key)
    return {}


def _target(ctx: Context, arn: str) -> dict[str, Any]:
    doc = targets.by_arn(ctx, arn)
    if doc is None:
        # ecsd's own text.
        raise AwsError("ResourceNotFoundException", f"No scalable target found for ARN {arn}")
    return doc


@applicationautoscaling.operation("ListTagsForResource")
def list_tags_for_resource(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return {"Tags": dict(_target(ctx, p["ResourceARN"]).get("_Tags", {}))}


@applicationautoscaling.operation("TagResource", write=True)
def tag_resource(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    doc = _target(ctx, p["ResourceARN"])
    tags = {**doc.get("_Tags", {}), **p["Tags"]}
    if len(tags) > MAX_TAGS:
        raise AwsError("TooManyTagsException", "Too many tags.")  # ecsd's own text
    doc["_Tags"] = tags
    targets.save(ctx, doc)
    return {}


@applicationautoscaling.operation("UntagResource", write=True)
def untag_resource(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    doc = _target(ctx, p["ResourceARN"])
    doc["_Tags"] = {k: v for k, v in doc.get("_Tags", {}).items() if k not in p["TagKeys"]}
    targets.save(ctx, doc)
    return {}
