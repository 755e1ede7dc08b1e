"""Tags on parameters: AddTagsToResource, ListTagsForResource, RemoveTagsFromResource
(ResourceType `Parameter`; the resource id is the parameter's name)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.ssm import parameters, rows
from .api import ssm
from .parameters import check_tags


def _parameter(ctx: Context, p: dict[str, Any]) -> Row[Any]:
    if p["ResourceType"] != "Parameter":
        raise AwsError(
            "InvalidResourceType",
            f"ecsd serves tags on Parameter resources only, not {p['ResourceType']}.",
        )
    row = rows.current(ctx.conn, ctx.region, p["ResourceId"])
    if row is None:
        raise AwsError("InvalidResourceId", "")
    return row


def _save(ctx: Context, row: Row[Any], tags: list[dict[str, str]]) -> None:
    check_tags(tags)
    parameters.set_tags(ctx, row, tags)


@ssm.operation("AddTagsToResource", write=True)
def add_tags_to_resource(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = _parameter(ctx, p)
    merged = {t["Key"]: t["Value"] for t in row.tags}
    merged.update({t["Key"]: t["Value"] for t in p["Tags"]})
    _save(ctx, row, [{"Key": k, "Value": v} for k, v in merged.items()])
    return {}


@ssm.operation("ListTagsForResource")
def list_tags_for_resource(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return {"TagList": list(_parameter(ctx, p).tags)}


@ssm.operation("RemoveTagsFromResource", write=True)
def remove_tags_from_resource(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = _parameter(ctx, p)
    _save(ctx, row, [t for t in row.tags if t["Key"] not in p["TagKeys"]])
    return {}
