"""AddTags, RemoveTags, DescribeTags over load balancers, target groups, listeners and
rules (the rows are model/elbv2/tags.py's). Every ARN is checked before any is tagged."""

from __future__ import annotations

from typing import Any

from ...aws.provider import Context
from ...model.elbv2 import arns, tags
from ...model.elbv2.defaults import invalid
from . import common
from .api import elbv2

_LOOKUP = {
    "loadbalancer": common.load_balancer,
    "targetgroup": common.target_group,
    "listener": common.listener,
    "listener-rule": common.rule,
}


def _check(ctx: Context, arn: str) -> None:
    lookup = _LOOKUP.get(arns.kind(arn) or "")
    if lookup is None:
        raise invalid(f"'{arn}' is not a valid load balancer, target group, listener or rule ARN")
    lookup(ctx, arn)


@elbv2.operation("AddTags", write=True)
def add_tags(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    resources = list(dict.fromkeys(p["ResourceArns"]))
    for arn in resources:
        _check(ctx, arn)
    merged = {arn: common.check_tags(p["Tags"], tags.get(ctx, arn)) for arn in resources}
    for arn, new in merged.items():
        tags.put(ctx, arn, new)
    return {}


@elbv2.operation("RemoveTags", write=True)
def remove_tags(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    resources = list(dict.fromkeys(p["ResourceArns"]))
    for arn in resources:
        _check(ctx, arn)
    drop = set(p["TagKeys"])
    for arn in resources:
        tags.put(ctx, arn, [t for t in tags.get(ctx, arn) if t["Key"] not in drop])
    return {}


@elbv2.operation("DescribeTags")
def describe_tags(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    out = []
    for arn in dict.fromkeys(p["ResourceArns"]):
        _check(ctx, arn)
        out.append({"ResourceArn": arn, "Tags": tags.get(ctx, arn)})
    return {"TagDescriptions": out}
