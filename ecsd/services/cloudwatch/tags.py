"""Tags on alarms: TagResource, UntagResource, ListTagsForResource (the ResourceARN of a
metric alarm; they ride in the alarm's document under `_Tags`)."""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.cloudwatch import alarms
from .api import cloudwatch


def _alarm(ctx: Context, resource_arn: str) -> dict[str, Any]:
    _, _, name = resource_arn.partition(":alarm:")
    doc = alarms.get(ctx, name) if name else None
    if doc is None or doc["AlarmArn"] != resource_arn:
        raise AwsError(
            "ResourceNotFoundException", f"Resource {resource_arn} not found.", status=404
        )
    return doc


@cloudwatch.operation("TagResource", write=True)
def tag_resource(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    doc = _alarm(ctx, p["ResourceARN"])
    merged = {t["Key"]: t["Value"] for t in doc.get("_Tags", [])}
    merged.update({t["Key"]: t["Value"] for t in p["Tags"]})
    if len(merged) > 50:
        raise AwsError(
            "LimitExceededException", "The maximum number of tags is 50."
        )  # ecsd's own text
    doc["_Tags"] = [{"Key": k, "Value": v} for k, v in merged.items()]
    alarms.replace(ctx, doc)
    return {}


@cloudwatch.operation("UntagResource", write=True)
def untag_resource(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    doc = _alarm(ctx, p["ResourceARN"])
    doc["_Tags"] = [t for t in doc.get("_Tags", []) if t["Key"] not in p["TagKeys"]]
    alarms.replace(ctx, doc)
    return {}


@cloudwatch.operation("ListTagsForResource")
def list_tags_for_resource(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return {"Tags": list(_alarm(ctx, p["ResourceARN"]).get("_Tags", []))}
