"""What every ELBv2 handler module needs: looking a resource up by ARN with ELBv2's
refusals (a malformed ARN is a ValidationError, an unknown one the resource's NotFound),
and the tags a Create call carries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.elbv2 import arns, listeners, load_balancers, rules, tags, target_groups
from ...model.elbv2.defaults import invalid

KINDS = {
    "loadbalancer": "load balancer",
    "targetgroup": "target group",
    "listener": "listener",
    "listener-rule": "listener rule",
}


def check_arn(arn: str, kind: str) -> None:
    if arns.kind(arn) != kind:
        raise invalid(f"'{arn}' is not a valid {KINDS[kind]} ARN")


def _mine(ctx: Context, arn: str) -> bool:
    return arns.region_of(arn) == ctx.region


def load_balancer(ctx: Context, arn: str) -> Row[Any]:
    check_arn(arn, "loadbalancer")
    row = load_balancers.get_row(ctx, arn) if _mine(ctx, arn) else None
    if row is None:
        raise AwsError("LoadBalancerNotFound", "One or more load balancers not found")
    return row


def target_group(ctx: Context, arn: str) -> Row[Any]:
    check_arn(arn, "targetgroup")
    row = target_groups.get_row(ctx, arn) if _mine(ctx, arn) else None
    if row is None:
        raise AwsError("TargetGroupNotFound", "One or more target groups not found")
    return row


def listener(ctx: Context, arn: str) -> Row[Any]:
    check_arn(arn, "listener")
    row = listeners.get_row(ctx, arn) if _mine(ctx, arn) else None
    if row is None:
        raise AwsError("ListenerNotFound", "One or more listeners not found")
    return row


def rule(ctx: Context, arn: str) -> Row[Any]:
    check_arn(arn, "listener-rule")
    row = rules.get_row(ctx, arn) if _mine(ctx, arn) else None
    if row is None:
        raise AwsError("RuleNotFound", "One or more rules not found")
    return row


def check_tags(
    given: list[dict[str, Any]] | None, current: list[dict[str, str]] | None = None
) -> list[dict[str, str]]:
    """`current` with the tags `given` added, refused if a key repeats or there would be
    more than 50."""
    given = given or []
    keys = [t["Key"] for t in given]
    for k in keys:
        if keys.count(k) > 1:
            raise AwsError("DuplicateTagKeys", f"Tag key '{k}' is specified more than once")
        if k.lower().startswith("aws:"):
            # ecsd's own wording: the aws: prefix is reserved, as on every AWS service.
            raise invalid(f"Tag key '{k}' cannot begin with 'aws:'")
    merged = tags.merged(current or [], given)
    if len(merged) > tags.MAX_TAGS:
        raise AwsError(
            "TooManyTags",
            "The quota for the number of tags that can be assigned to a resource has been reached",
        )  # ecsd's own wording
    return merged
