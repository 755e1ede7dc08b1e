"""Tags on any ELBv2 resource, one row per tagged ARN (AddTags takes ARNs of several
kinds in one call)."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update

from ...core.unit import Unit
from ...store.schema.elbv2 import elbv2_tags as tags_table

MAX_TAGS = 50  # per resource, as AWS's quotas say


def get(unit: Unit, arn: str) -> list[dict[str, str]]:
    row = unit.conn.execute(select(tags_table.c.tags).where(tags_table.c.arn == arn)).first()
    return list(row.tags) if row is not None else []


def put(unit: Unit, arn: str, tags: list[dict[str, str]]) -> None:
    """Replace the resource's tags (an empty list drops the row)."""
    exists = unit.conn.execute(select(tags_table.c.arn).where(tags_table.c.arn == arn)).first()
    if not tags:
        unit.conn.execute(delete(tags_table).where(tags_table.c.arn == arn))
    elif exists:
        unit.conn.execute(update(tags_table).where(tags_table.c.arn == arn).values(tags=tags))
    else:
        unit.conn.execute(insert(tags_table).values(arn=arn, tags=tags))


def merged(current: list[dict[str, str]], new: list[dict[str, str]]) -> list[dict[str, str]]:
    """`current` with `new` added (a key given again takes the new value)."""
    out = {t["Key"]: t.get("Value", "") for t in current}
    for t in new:
        out[t["Key"]] = t.get("Value", "")
    return [{"Key": k, "Value": v} for k, v in out.items()]


def drop(unit: Unit, arn: str) -> None:
    unit.conn.execute(delete(tags_table).where(tags_table.c.arn == arn))
