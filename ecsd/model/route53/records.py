"""Record sets: a change batch applied all or nothing (CREATE / DELETE / UPSERT), the
changes it makes (INSYNC at once: no name server has to catch up here), and listing in
Route 53's order with its StartRecordName / StartRecordType paging."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, delete, insert, or_, select

from ...aws.errors import AwsError
from ...core.bus import DnsRecordsChanged
from ...core.unit import Unit
from ...store.schema.route53 import route53_changes as changes
from ...store.schema.route53 import route53_records as records
from . import names, zones

TYPES = {"A", "AAAA", "CAA", "CNAME", "DS", "MX", "NAPTR", "NS", "PTR", "SOA", "SPF", "SRV", "TXT"}


def _key(rrset: dict[str, Any]) -> str:
    return f"[name='{rrset['Name']}', type='{rrset['Type']}'" + (
        f", set-identifier='{rrset['SetIdentifier']}']" if rrset.get("SetIdentifier") else "]"
    )


def _find(ctx: Unit, zone_id: str, rrset: dict[str, Any]) -> dict[str, Any] | None:
    row = ctx.conn.execute(
        select(records.c.doc).where(
            records.c.account == ctx.account,
            records.c.zone == zone_id,
            records.c.sort == names.sort_key(rrset["Name"]),
            records.c.type == rrset["Type"],
            records.c.set_identifier == rrset.get("SetIdentifier", ""),
        )
    ).first()
    return None if row is None else dict(row.doc)


def _remove(ctx: Unit, zone_id: str, rrset: dict[str, Any]) -> None:
    ctx.conn.execute(
        delete(records).where(
            records.c.account == ctx.account,
            records.c.zone == zone_id,
            records.c.sort == names.sort_key(rrset["Name"]),
            records.c.type == rrset["Type"],
            records.c.set_identifier == rrset.get("SetIdentifier", ""),
        )
    )


def _check(zone_name: str, rrset: dict[str, Any]) -> str | None:
    """Why this record set cannot be in the zone, in Route 53's words, or None."""
    if not names.within(rrset["Name"], zone_name):
        return f"RRSet with DNS name {rrset['Name']} is not permitted in zone {zone_name}"
    if rrset["Type"] not in TYPES:
        return f"Invalid Resource Record Type: {rrset['Type']}"
    alias = rrset.get("AliasTarget")
    values = rrset.get("ResourceRecords")
    if alias is None and not values:
        return f"Invalid Resource Record set {_key(rrset)}: TTL and ResourceRecords required"
    if alias is not None and (values or rrset.get("TTL") is not None):
        # ecsd's own text: Route 53 refuses an alias with a TTL or values as here.
        return f"Alias record set {_key(rrset)} must not have TTL or ResourceRecords"
    if rrset["Type"] == "CNAME" and values and len(values) > 1:
        return f"RRSet of type CNAME with DNS name {rrset['Name']} has more than one value"
    return None


def apply(ctx: Unit, zone_id: str, batch: dict[str, Any]) -> dict[str, Any]:
    """Apply the batch in order; any refusal refuses the whole batch (the write
    transaction is rolled back), with every reason in one InvalidChangeBatch."""
    zone = zones.get(ctx, zone_id)
    errors: list[str] = []
    for change in batch["Changes"]:
        rrset = dict(change["ResourceRecordSet"])
        rrset["Name"] = names.normalise(rrset["Name"])
        if rrset.get("AliasTarget"):
            alias = dict(rrset["AliasTarget"])
            alias["DNSName"] = names.normalise(alias["DNSName"])
            rrset["AliasTarget"] = alias
        why = _check(zone.name, rrset)
        if why:
            errors.append(why)
            continue
        existing = _find(ctx, zone_id, rrset)
        action = change["Action"]
        if action == "CREATE":
            if existing is not None:
                errors.append(
                    f"Tried to create resource record set {_key(rrset)} but it already exists"
                )
                continue
        elif action == "DELETE":
            if existing is None:
                errors.append(
                    f"Tried to delete resource record set {_key(rrset)} but it was not found"
                )
                continue
            if existing != rrset:
                errors.append(
                    f"Tried to delete resource record set {_key(rrset)} but the values provided"
                    " do not match the current values"
                )
                continue
            _remove(ctx, zone_id, rrset)
            continue
        if existing is not None:
            _remove(ctx, zone_id, rrset)
        if rrset["Type"] != "CNAME" and _has_cname(ctx, zone_id, rrset["Name"]):
            errors.append(
                f"RRSet of type {rrset['Type']} with DNS name {rrset['Name']} is not permitted"
                " because a conflicting RRSet of type CNAME with the same DNS name already exists"
                f" in zone {zone.name}"
            )
            continue
        zones.put_record(ctx, zone_id, rrset)
    if errors:
        raise AwsError("InvalidChangeBatch", ", ".join(f"[{e}]" for e in errors))
    ctx.record(DnsRecordsChanged())
    return record_change(ctx, batch.get("Comment"))


def _has_cname(ctx: Unit, zone_id: str, name: str) -> bool:
    return (
        ctx.conn.execute(
            select(records.c.type).where(
                records.c.account == ctx.account,
                records.c.zone == zone_id,
                records.c.sort == names.sort_key(name),
                records.c.type == "CNAME",
            )
        ).first()
        is not None
    )


def record_change(ctx: Unit, comment: str | None = None) -> dict[str, Any]:
    change_id = zones.new_id("C")
    ctx.conn.execute(
        insert(changes).values(
            account=ctx.account, id=change_id, submitted=ctx.now, comment=comment
        )
    )
    return change_info(change_id, ctx.now, comment)


def change_info(change_id: str, submitted: float, comment: str | None) -> dict[str, Any]:
    info: dict[str, Any] = {
        "Id": f"/change/{change_id}",
        "Status": "INSYNC",
        "SubmittedAt": submitted,
    }
    if comment:
        info["Comment"] = comment
    return info


def get_change(ctx: Unit, change_id: str) -> dict[str, Any]:
    row = ctx.conn.execute(
        select(changes).where(changes.c.account == ctx.account, changes.c.id == change_id)
    ).first()
    if row is None:
        raise AwsError(
            "NoSuchChange",
            f"A change with the specified change ID does not exist: {change_id}",
            status=404,
        )
    return change_info(row.id, row.submitted, row.comment)


def page(
    ctx: Unit, zone_id: str, start_name: str | None, start_type: str | None, limit: int
) -> tuple[list[dict[str, Any]], tuple[str, str] | None]:
    """Record sets from (name, type) on, at most `limit`, and where the next page
    starts (Route 53's NextRecordName / NextRecordType) if there is one."""
    query = select(records.c.sort, records.c.type, records.c.doc).where(
        records.c.account == ctx.account, records.c.zone == zone_id
    )
    if start_name:
        key = names.sort_key(names.normalise(start_name))
        after = records.c.sort > key
        if start_type:
            after = or_(after, and_(records.c.sort == key, records.c.type >= start_type))
        else:
            after = or_(after, records.c.sort == key)
        query = query.where(after)
    rows = ctx.conn.execute(
        query.order_by(records.c.sort, records.c.type, records.c.set_identifier).limit(limit + 1)
    ).all()
    docs = [dict(r.doc) for r in rows[:limit]]
    if len(rows) > limit:
        nxt = rows[limit].doc
        return docs, (nxt["Name"], nxt["Type"])
    return docs, None


def zone_records(ctx: Unit, zone_id: str) -> list[dict[str, Any]]:
    rows = ctx.conn.execute(
        select(records.c.doc).where(records.c.account == ctx.account, records.c.zone == zone_id)
    ).all()
    return [dict(r.doc) for r in rows]


def cname_exists(ctx: Unit, name: str, value: str) -> bool:
    """Whether any hosted zone of the account holds the CNAME `name` → `value`: what
    ACM's DNS validation looks for."""
    rows = ctx.conn.execute(
        select(records.c.doc).where(
            records.c.account == ctx.account,
            records.c.sort == names.sort_key(names.normalise(name)),
            records.c.type == "CNAME",
        )
    ).all()
    want = names.normalise(value)
    return any(
        names.normalise(v["Value"]) == want for r in rows for v in r.doc.get("ResourceRecords", [])
    )
