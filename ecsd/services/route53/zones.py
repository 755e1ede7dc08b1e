"""Hosted zones: CreateHostedZone (idempotent by CallerReference), GetHostedZone,
ListHostedZones, ListHostedZonesByName, DeleteHostedZone, GetHostedZoneCount, and the
zone's tags (ChangeTagsForResource / ListTagsForResource)."""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.route53 import names, records, zones
from .api import route53
from .common import bare, max_items


@route53.operation("CreateHostedZone", write=True)
def create_hosted_zone(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    if p.get("VPC"):
        # ecsd's own text: private zones need EC2 VPCs, which ecsd does not join here.
        raise AwsError("InvalidInput", "ecsd serves public hosted zones only.")
    if zones.by_caller_reference(ctx, p["CallerReference"]) is not None:
        raise AwsError(
            "HostedZoneAlreadyExists",
            "A hosted zone has already been created with the specified caller reference.",
            status=409,
        )
    name = names.normalise(p["Name"])
    labels = name.rstrip(".").split(".")
    if not all(0 < len(label) <= 63 for label in labels) or len(name) > 255:
        # ecsd's own text.
        raise AwsError("InvalidDomainName", f"{p['Name']} is not a valid domain name.")
    row = zones.create(ctx, name, p["CallerReference"], dict(p.get("HostedZoneConfig") or {}))
    return {
        "HostedZone": zones.describe(ctx, row),
        "ChangeInfo": records.record_change(ctx),
        "DelegationSet": row.delegation,
        "Location": f"https://route53.amazonaws.com/2013-04-01/hostedzone/{row.id}",
    }


@route53.operation("GetHostedZone")
def get_hosted_zone(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = zones.get(ctx, bare(p["Id"]))
    return {"HostedZone": zones.describe(ctx, row), "DelegationSet": row.delegation}


@route53.operation("DeleteHostedZone", write=True)
def delete_hosted_zone(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    zones.delete_zone(ctx, zones.get(ctx, bare(p["Id"])))
    return {"ChangeInfo": records.record_change(ctx)}


@route53.operation("GetHostedZoneCount")
def get_hosted_zone_count(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return {"HostedZoneCount": zones.count(ctx)}


@route53.operation("ListHostedZones")
def list_hosted_zones(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    limit = max_items(p)
    rows = zones.listing(ctx)
    marker = p.get("Marker")
    if marker:
        ids = [r.id for r in rows]
        if bare(marker) not in ids:
            raise AwsError("InvalidInput", f"Invalid marker: {marker}")  # ecsd's own text
        rows = rows[ids.index(bare(marker)) :]
    out: dict[str, Any] = {
        "HostedZones": [zones.describe(ctx, r) for r in rows[:limit]],
        "Marker": marker or "",
        "IsTruncated": len(rows) > limit,
        "MaxItems": str(limit),
    }
    if len(rows) > limit:
        out["NextMarker"] = rows[limit].id
    return out


@route53.operation("ListHostedZonesByName")
def list_hosted_zones_by_name(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    limit = max_items(p)
    rows = zones.listing(ctx)
    out: dict[str, Any] = {"MaxItems": str(limit)}
    if p.get("DNSName"):
        name = names.normalise(p["DNSName"])
        out["DNSName"] = name
        start = (names.sort_key(name), bare(p.get("HostedZoneId") or ""))
        rows = [r for r in rows if (names.sort_key(r.name), r.id) >= start]
        if p.get("HostedZoneId"):
            out["HostedZoneId"] = p["HostedZoneId"]
    out["HostedZones"] = [zones.describe(ctx, r) for r in rows[:limit]]
    out["IsTruncated"] = len(rows) > limit
    if len(rows) > limit:
        out["NextDNSName"] = rows[limit].name
        out["NextHostedZoneId"] = rows[limit].id
    return out


def _tagged_zone(ctx: Context, p: dict[str, Any]) -> Any:
    if p["ResourceType"] != "hostedzone":
        # ecsd's own text: health checks are not served here.
        raise AwsError("InvalidInput", f"ecsd tags hosted zones only, not {p['ResourceType']}.")
    return zones.get(ctx, bare(p["ResourceId"]))


@route53.operation("ChangeTagsForResource", write=True)
def change_tags_for_resource(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = _tagged_zone(ctx, p)
    tags = dict(row.tags)
    tags.update({t["Key"]: t.get("Value", "") for t in p.get("AddTags") or []})
    for key in p.get("RemoveTagKeys") or []:
        tags.pop(key, None)
    if len(tags) > 50:
        raise AwsError("InvalidInput", "A resource can have at most 50 tags.")
    zones.set_tags(ctx, row.id, tags)
    return {}


@route53.operation("ListTagsForResource")
def list_tags_for_resource(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = _tagged_zone(ctx, p)
    return {
        "ResourceTagSet": {
            "ResourceType": "hostedzone",
            "ResourceId": row.id,
            "Tags": [{"Key": k, "Value": v} for k, v in row.tags.items()],
        }
    }
