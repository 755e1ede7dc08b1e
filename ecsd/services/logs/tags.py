"""Tags on log groups, through both API generations: TagLogGroup / UntagLogGroup /
ListTagsLogGroup (by name, deprecated but still what older tools call) and TagResource /
UntagResource / ListTagsForResource (by the ARN without the trailing `:*`, which the
model's ARN pattern does not admit).

Log groups are the only taggable Logs resource ecsd has (AWS also tags destinations,
which ecsd does not host: their ARNs are answered as not found).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.logs import groups, rows
from .api import operation

MAX_TAGS = 50


def check_tags(tags: dict[str, str]) -> None:
    for key in tags:
        if key.lower().startswith("aws:"):
            raise AwsError(
                "InvalidParameterException",
                "Tag keys beginning with 'aws:' are reserved for AWS use.",
            )


def _merge(ctx: Context, group: Row[Any], new: dict[str, str], *, too_many: str) -> None:
    check_tags(new)
    merged = {**group.tags, **new}
    if len(merged) > MAX_TAGS:
        raise AwsError(too_many, f"A resource can have no more than {MAX_TAGS} tags.")
    _save(ctx, group, merged)


def _save(ctx: Context, group: Row[Any], tags: dict[str, str]) -> None:
    groups.set_tags(ctx, group, tags)


def _group_for_arn(ctx: Context, arn: str) -> Row[Any]:
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn" or parts[2] != "logs":
        raise AwsError("InvalidParameterException", f"Invalid ARN: {arn}")
    if parts[5] != "log-group" or len(parts) < 7 or not parts[6]:
        raise AwsError("ResourceNotFoundException", "The specified resource does not exist.")
    name = rows.name_from_identifier(ctx, ":".join(parts[:7]))
    if name is None:
        raise AwsError("ResourceNotFoundException", rows.MISSING_GROUP)
    return rows.require_group(ctx, name)


@operation("TagLogGroup", write=True)
def tag_log_group(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    group = rows.require_group(ctx, p["logGroupName"])
    _merge(ctx, group, p["tags"], too_many="InvalidParameterException")
    return {}


@operation("UntagLogGroup", write=True)
def untag_log_group(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    group = rows.require_group(ctx, p["logGroupName"])
    _save(ctx, group, {k: v for k, v in group.tags.items() if k not in set(p["tags"])})
    return {}


@operation("ListTagsLogGroup")
def list_tags_log_group(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return {"tags": dict(rows.require_group(ctx, p["logGroupName"]).tags)}


@operation("TagResource", write=True)
def tag_resource(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    group = _group_for_arn(ctx, p["resourceArn"])
    _merge(ctx, group, p["tags"], too_many="TooManyTagsException")
    return {}


@operation("UntagResource", write=True)
def untag_resource(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    group = _group_for_arn(ctx, p["resourceArn"])
    _save(ctx, group, {k: v for k, v in group.tags.items() if k not in set(p["tagKeys"])})
    return {}


@operation("ListTagsForResource")
def list_tags_for_resource(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return {"tags": dict(_group_for_arn(ctx, p["resourceArn"]).tags)}
