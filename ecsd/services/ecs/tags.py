"""Tags on every ECS resource: TagResource, UntagResource, ListTagsForResource (the rows
are model/ecs/tags.py's).

Which ARNs name a resource that exists is asked of the module that owns the resource
type: each registers an `exists` check with `resource_type`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.ecs import arns
from ...model.ecs import tags as model
from .api import ecs

_exists: dict[str, Callable[[Context, str], bool]] = {}


def resource_type(
    kind: str,
) -> Callable[[Callable[[Context, str], bool]], Callable[[Context, str], bool]]:
    """Register how to tell whether an ARN of resource type `kind` exists."""

    def register(fn: Callable[[Context, str], bool]) -> Callable[[Context, str], bool]:
        _exists[kind] = fn
        return fn

    return register


# The rows are the model's; resource modules store creation tags through these names.
get, put, clear = model.get, model.put, model.clear


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
    model.remove(ctx, p["resourceArn"], p["tagKeys"])
    return {}


@ecs.operation("ListTagsForResource")
def list_tags_for_resource(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    _check_resource(ctx, p["resourceArn"])
    return {"tags": get(ctx, p["resourceArn"])}
