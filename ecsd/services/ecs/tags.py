"""Tags on every ECS resource: TagResource, UntagResource, ListTagsForResource, and the
helpers resource modules use to store the tags given at creation.

Which ARNs name a resource that exists is asked of the module that owns the resource
type: each registers an `exists` check with `resource_type`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, select

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...store.schema.ecs import tags
from . import arns
from .api import ecs

MAX_TAGS = 50

_exists: dict[str, Callable[[Context, str], bool]] = {}


def resource_type(
    kind: str,
) -> Callable[[Callable[[Context, str], bool]], Callable[[Context, str], bool]]:
    """Register how to tell whether an ARN of resource type `kind` exists."""

    def register(fn: Callable[[Context, str], bool]) -> Callable[[Context, str], bool]:
        _exists[kind] = fn
        return fn

    return register


def get(ctx: Context, arn: str) -> list[dict[str, str]]:
    rows = ctx.conn.execute(
        select(tags.c.key, tags.c.value).where(tags.c.arn == arn).order_by(tags.c.key)
    )
    return [{"key": r.key, "value": r.value} for r in rows]


def put(ctx: Context, arn: str, new: list[dict[str, Any]], *, reserved: bool = False) -> None:
    """Add or replace tags. `reserved` lets ECS itself write its `aws:` tags (managed
    tags on service tasks), which users may not."""
    current = {t["key"]: t["value"] for t in get(ctx, arn)}
    for tag in new:
        key = tag.get("key")
        if not key:
            raise AwsError("InvalidParameterException", "Tag keys must not be empty.")
        if key.lower().startswith("aws:") and not reserved:
            raise AwsError(
                "InvalidParameterException",
                "Tag keys beginning with 'aws:' are reserved for AWS use.",
            )
        current[key] = tag.get("value") or ""
    if len(current) > MAX_TAGS:
        raise AwsError("InvalidParameterException", f"A resource can have at most {MAX_TAGS} tags.")
    ctx.conn.execute(delete(tags).where(tags.c.arn == arn))
    if current:
        ctx.conn.execute(
            tags.insert(), [{"arn": arn, "key": k, "value": v} for k, v in current.items()]
        )


def clear(ctx: Context, arn: str) -> None:
    ctx.conn.execute(delete(tags).where(tags.c.arn == arn))


def _check_resource(ctx: Context, arn: str) -> None:
    parts = arns.parse(arn)
    if parts is None:
        raise AwsError("InvalidParameterException", f"Invalid resource ARN: {arn}")
    kind = parts[2]
    exists = _exists.get(kind)
    if exists is None:
        raise AwsError(
            "InvalidParameterException", f"The resource type '{kind}' does not support tagging."
        )
    if not exists(ctx, arn):
        if kind == "cluster":
            raise AwsError("ClusterNotFoundException", "Cluster not found.")
        raise AwsError("ResourceNotFoundException", "The specified resource is not found.")


@ecs.operation("TagResource", write=True)
def tag_resource(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    _check_resource(ctx, p["resourceArn"])
    put(ctx, p["resourceArn"], p["tags"])
    return {}


@ecs.operation("UntagResource", write=True)
def untag_resource(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    _check_resource(ctx, p["resourceArn"])
    ctx.conn.execute(
        delete(tags).where(tags.c.arn == p["resourceArn"], tags.c.key.in_(p["tagKeys"]))
    )
    return {}


@ecs.operation("ListTagsForResource")
def list_tags_for_resource(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    _check_resource(ctx, p["resourceArn"])
    return {"tags": get(ctx, p["resourceArn"])}
