"""Log groups: CreateLogGroup, DescribeLogGroups, DeleteLogGroup, the retention policy and
deletion protection.

DescribeLogGroups is ASCII-sorted by name, as AWS documents, and pages by name (keyset),
so a page is an index seek however many groups come before it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.logs import groups as model
from ...model.logs import metric_filters, rows
from .. import pagination
from .api import operation
from .tags import check_tags

RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
# Asking for either of the cheaper classes lists both, as AWS documents.
_CLASS_FILTER = {
    "STANDARD": ("STANDARD",),
    "DELIVERY": ("DELIVERY",),
    "INFREQUENT_ACCESS": ("INFREQUENT_ACCESS", "ESSENTIALS"),
    "ESSENTIALS": ("INFREQUENT_ACCESS", "ESSENTIALS"),
}


def view(ctx: Context, row: Row[Any]) -> dict[str, Any]:
    arn = rows.group_arn(ctx.region, ctx.account, row.name)
    out: dict[str, Any] = {
        "logGroupName": row.name,
        "creationTime": row.creation_time,
        "metricFilterCount": metric_filters.count(ctx, row.id),
        "arn": f"{arn}:*",
        "storedBytes": row.stored_bytes,
        "logGroupClass": row.log_group_class,
        "logGroupArn": arn,
        "deletionProtectionEnabled": bool(row.deletion_protection),
    }
    if row.retention_in_days is not None:
        out["retentionInDays"] = row.retention_in_days
    if row.kms_key_id:
        out["kmsKeyId"] = row.kms_key_id
    return out


@operation("CreateLogGroup", write=True)
def create_log_group(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    name = p["logGroupName"]
    if rows.find_group(ctx.conn, ctx.region, name) is not None:
        raise AwsError("ResourceAlreadyExistsException", "The specified log group already exists")
    check_tags(p.get("tags") or {})
    rows.insert_group(
        ctx.conn,
        region=ctx.region,
        name=name,
        now=rows.now_ms(ctx),
        tags=p.get("tags"),
        kms_key_id=p.get("kmsKeyId"),
        log_group_class=p.get("logGroupClass") or "STANDARD",
        deletion_protection=bool(p.get("deletionProtectionEnabled")),
    )
    return {}


@operation("DescribeLogGroups")
def describe_log_groups(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    prefix, pattern = p.get("logGroupNamePrefix"), p.get("logGroupNamePattern")
    if prefix and pattern:
        raise AwsError(
            "InvalidParameterException",
            "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.",
        )
    size = p.get("limit") or 50
    after = pagination.decode_token(p.get("nextToken"), [str])
    names = None
    if p.get("logGroupIdentifiers"):
        named = [rows.name_from_identifier(ctx, i) for i in p["logGroupIdentifiers"]]
        names = [n for n in named if n]
    found = model.page(
        ctx,
        after=after[0] if after is not None else None,
        size=size,
        prefix=prefix,
        pattern=pattern,
        classes=_CLASS_FILTER[p["logGroupClass"]] if p.get("logGroupClass") else None,
        names=names,
    )
    groups = [view(ctx, r) for r in found[:size]]
    if pattern:
        # With a pattern AWS answers only these three fields.
        groups = [{k: v[k] for k in ("logGroupName", "creationTime", "arn")} for v in groups]
    out: dict[str, Any] = {"logGroups": groups}
    if len(found) > size:
        out["nextToken"] = pagination.encode_token([found[size - 1].name])
    return out


@operation("DeleteLogGroup", write=True)
def delete_log_group(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    group = rows.require_group(ctx, p["logGroupName"])
    if group.deletion_protection:
        raise AwsError(
            "ValidationException",
            "Cannot delete log group with deletion "
            "protection enabled. Disable deletion protection first.",
        )
    rows.delete_group(ctx.conn, group)
    return {}


@operation("PutRetentionPolicy", write=True)
def put_retention_policy(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    days = p["retentionInDays"]
    if days not in RETENTION_DAYS:
        raise AwsError(
            "InvalidParameterException",
            f"1 validation error detected: Value '{days}' at 'retentionInDays' "
            "failed to satisfy constraint: Member must satisfy enum value set: "
            f"[{', '.join(str(d) for d in RETENTION_DAYS)}]",
        )
    group = rows.require_group(ctx, p["logGroupName"])
    model.set_retention(ctx, group, days)
    return {}


@operation("DeleteRetentionPolicy", write=True)
def delete_retention_policy(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    group = rows.require_group(ctx, p["logGroupName"])
    model.set_retention(ctx, group, None)
    return {}


@operation("PutLogGroupDeletionProtection", write=True)
def put_log_group_deletion_protection(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    name = rows.name_from_identifier(ctx, p["logGroupIdentifier"])
    if name is None:
        raise AwsError("ResourceNotFoundException", rows.MISSING_GROUP)
    group = rows.require_group(ctx, name)
    model.set_deletion_protection(ctx, group, bool(p["deletionProtectionEnabled"]))
    return {}
