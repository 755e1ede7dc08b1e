"""Record sets: ChangeResourceRecordSets, ListResourceRecordSets, GetChange."""

from __future__ import annotations

from typing import Any

from ...aws.provider import Context
from ...model.route53 import records, zones
from .api import route53
from .common import bare, max_items


@route53.operation("ChangeResourceRecordSets", write=True)
def change_resource_record_sets(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return {"ChangeInfo": records.apply(ctx, bare(p["HostedZoneId"]), p["ChangeBatch"])}


@route53.operation("GetChange")
def get_change(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return {"ChangeInfo": records.get_change(ctx, bare(p["Id"], "/change/"))}


@route53.operation("ListResourceRecordSets")
def list_resource_record_sets(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    zone = zones.get(ctx, bare(p["HostedZoneId"]))
    limit = max_items(p, 300)
    docs, nxt = records.page(
        ctx, zone.id, p.get("StartRecordName"), p.get("StartRecordType"), limit
    )
    out: dict[str, Any] = {
        "ResourceRecordSets": docs,
        "IsTruncated": nxt is not None,
        "MaxItems": str(limit),
    }
    if nxt is not None:
        out["NextRecordName"], out["NextRecordType"] = nxt
    return out
