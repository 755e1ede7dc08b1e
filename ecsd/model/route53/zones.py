"""Hosted zones: creation (with the NS and SOA record sets Route 53 makes), lookup,
listing in Route 53's order (by reversed name, then id), deletion and tags."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from sqlalchemy import Row, delete, func, insert, select, update

from ...aws.errors import AwsError
from ...core.unit import Unit
from ...store.schema.route53 import route53_records as records
from ...store.schema.route53 import route53_zones as zones
from . import names

# ecsd's own name servers: these names do not resolve; they only fill the answers.
NAME_SERVERS = [f"ns-{i}.awsdns-ecsd.invalid" for i in (1, 2, 3, 4)]
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def new_id(prefix: str = "Z") -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(20))


def no_such_zone(zone_id: str) -> AwsError:
    return AwsError("NoSuchHostedZone", f"No hosted zone found with ID: {zone_id}", status=404)


def get(ctx: Unit, zone_id: str) -> Row[Any]:
    row = ctx.conn.execute(
        select(zones).where(zones.c.account == ctx.account, zones.c.id == zone_id)
    ).first()
    if row is None:
        raise no_such_zone(zone_id)
    return row


def by_caller_reference(ctx: Unit, ref: str) -> Row[Any] | None:
    return ctx.conn.execute(
        select(zones).where(zones.c.account == ctx.account, zones.c.caller_reference == ref)
    ).first()


def record_count(ctx: Unit, zone_id: str) -> int:
    return int(
        ctx.conn.execute(
            select(func.count())
            .select_from(records)
            .where(records.c.account == ctx.account, records.c.zone == zone_id)
        ).scalar_one()
    )


def describe(ctx: Unit, row: Row[Any]) -> dict[str, Any]:
    return {**row.doc, "ResourceRecordSetCount": record_count(ctx, row.id)}


def create(ctx: Unit, name: str, caller_reference: str, config: dict[str, Any]) -> Row[Any]:
    zone_id = new_id()
    name = names.normalise(name)
    doc = {
        "Id": f"/hostedzone/{zone_id}",
        "Name": name,
        "CallerReference": caller_reference,
        "Config": {"PrivateZone": bool(config.get("PrivateZone", False)), **config},
    }
    delegation = {"NameServers": list(NAME_SERVERS)}
    ctx.conn.execute(
        insert(zones).values(
            account=ctx.account,
            id=zone_id,
            name=name,
            caller_reference=caller_reference,
            created=ctx.now,
            doc=doc,
            delegation=delegation,
            tags={},
        )
    )
    serial = int(hashlib.sha256(zone_id.encode()).hexdigest()[:6], 16) % 1000 + 1
    for rtype, ttl, values in (
        ("NS", 172800, [s + "." for s in NAME_SERVERS]),
        (
            "SOA",
            900,
            [f"{NAME_SERVERS[0]}. awsdns-hostmaster.amazon.com. {serial} 7200 900 1209600 86400"],
        ),
    ):
        put_record(
            ctx,
            zone_id,
            {
                "Name": name,
                "Type": rtype,
                "TTL": ttl,
                "ResourceRecords": [{"Value": v} for v in values],
            },
        )
    return get(ctx, zone_id)


def put_record(ctx: Unit, zone_id: str, rrset: dict[str, Any]) -> None:
    ctx.conn.execute(
        insert(records).values(
            account=ctx.account,
            zone=zone_id,
            sort=names.sort_key(rrset["Name"]),
            type=rrset["Type"],
            set_identifier=rrset.get("SetIdentifier", ""),
            doc=rrset,
        )
    )


def delete_zone(ctx: Unit, row: Row[Any]) -> None:
    kept = ctx.conn.execute(
        select(records.c.type, records.c.sort).where(
            records.c.account == ctx.account, records.c.zone == row.id
        )
    ).all()
    apex = names.sort_key(row.name)
    if any(not (r.type in ("NS", "SOA") and r.sort == apex) for r in kept):
        raise AwsError(
            "HostedZoneNotEmpty",
            "The specified hosted zone contains non-required resource record sets and so"
            " cannot be deleted.",
        )
    ctx.conn.execute(
        delete(records).where(records.c.account == ctx.account, records.c.zone == row.id)
    )
    ctx.conn.execute(delete(zones).where(zones.c.account == ctx.account, zones.c.id == row.id))


def set_tags(ctx: Unit, zone_id: str, tags: dict[str, str]) -> None:
    ctx.conn.execute(
        update(zones).where(zones.c.account == ctx.account, zones.c.id == zone_id).values(tags=tags)
    )


def listing(ctx: Unit) -> list[Row[Any]]:
    """Every zone of the account in Route 53's ListHostedZonesByName order (reversed
    name, then id); accounts hold few zones, so one read is enough."""
    rows = ctx.conn.execute(select(zones).where(zones.c.account == ctx.account)).all()
    return sorted(rows, key=lambda r: (names.sort_key(r.name), r.id))


def count(ctx: Unit) -> int:
    return int(
        ctx.conn.execute(
            select(func.count()).select_from(zones).where(zones.c.account == ctx.account)
        ).scalar_one()
    )
