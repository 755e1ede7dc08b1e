"""EC2's tags for every resource kind: CreateTags, DeleteTags, DescribeTags."""

from __future__ import annotations

from typing import Any

from ...aws.provider import Context
from ...model.ec2 import filters, tags
from .api import records
from .paging import page

_FIELDS: dict[str, Any] = {
    "key": lambda t: t["Key"],
    "value": lambda t: t["Value"],
    "resource-id": lambda t: t["ResourceId"],
    "resource-type": lambda t: t["ResourceType"],
}


@records("CreateTags")
def create_tags(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    for resource_id in p["Resources"]:
        tags.check_exists(ctx, resource_id)
    for resource_id in p["Resources"]:
        tags.put(ctx, resource_id, p["Tags"])
    return {}


@records("DeleteTags")
def delete_tags(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    for resource_id in p["Resources"]:
        tags.check_exists(ctx, resource_id)
    for resource_id in p["Resources"]:
        tags.remove(ctx, resource_id, p.get("Tags"))
    return {}


@records("DescribeTags")
def describe_tags(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    found = filters.select(
        tags.every(ctx), p.get("Filters"), _FIELDS, lambda t: {t["Key"]: t["Value"]}
    )
    items, more = page(found, lambda t: f"{t['ResourceId']}\0{t['Key']}", p)
    return {"Tags": items, **more}
