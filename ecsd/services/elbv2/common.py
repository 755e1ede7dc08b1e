"""What every ELBv2 handler module needs: looking a resource up by ARN with ELBv2's
refusals (a malformed ARN is a ValidationError, an unknown one the resource's NotFound),
and the tags a Create call carries."""

from __future__ import annotations

import re
from collections.abc import Callable
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


def _found(
    ctx: Context, arn: str, kind: str, get_row: Callable[[Context, str], Row[Any] | None], what: str
) -> Row[Any]:
    """The row `arn` names in the caller's region, or ELBv2's not-found error for `what`
    (e.g. "LoadBalancer": `LoadBalancerNotFound`, "One or more load balancers not found")."""
    check_arn(arn, kind)
    row = get_row(ctx, arn) if _mine(ctx, arn) else None
    if row is None:
        words = re.sub(r"(?<!^)([A-Z])", r" \1", what).lower()
        raise AwsError(f"{what}NotFound", f"One or more {words}s not found")
    return row


def load_balancer(ctx: Context, arn: str) -> Row[Any]:
    return _found(ctx, arn, "loadbalancer", load_balancers.get_row, "LoadBalancer")


def target_group(ctx: Context, arn: str) -> Row[Any]:
    return _found(ctx, arn, "targetgroup", target_groups.get_row, "TargetGroup")


def listener(ctx: Context, arn: str) -> Row[Any]:
    return _found(ctx, arn, "listener", listeners.get_row, "Listener")


def rule(ctx: Context, arn: str) -> Row[Any]:
    return _found(ctx, arn, "listener-rule", rules.get_row, "Rule")


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
