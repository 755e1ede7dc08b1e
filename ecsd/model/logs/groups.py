"""Log group queries and settings the handlers read and change: the DescribeLogGroups
page, retention, deletion protection and tags. (Creating and deleting a group, shared
with ingestion, stay in rows.py.)"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, func, select, update

from ...core.unit import Unit
from ...store.schema.logs import log_groups


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string above every string that starts with `prefix`, so that a prefix
    match is the index range [prefix, bound) (LIKE would not use the index)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def page(
    unit: Unit,
    *,
    after: str | None,
    size: int,
    prefix: str | None = None,
    pattern: str | None = None,
    classes: Sequence[str] | None = None,
    names: Sequence[str] | None = None,
) -> list[Row[Any]]:
    """Up to `size + 1` of the region's groups named after `after`, by name (one more
    than a page, so the caller knows whether another follows)."""
    g = log_groups.c
    q = select(log_groups).where(g.region == unit.region).order_by(g.name).limit(size + 1)
    if prefix:
        q = q.where(g.name >= prefix, g.name < prefix_upper_bound(prefix))
    if pattern:
        # A case-sensitive substring match, as documented (instr, unlike LIKE, is one).
        q = q.where(func.instr(g.name, pattern) > 0)
    if classes:
        q = q.where(g.log_group_class.in_(classes))
    if names is not None:
        q = q.where(g.name.in_(names))
    if after is not None:
        q = q.where(g.name > after)
    return list(unit.conn.execute(q))


def _set(unit: Unit, group: Row[Any], **values: Any) -> None:
    unit.conn.execute(update(log_groups).where(log_groups.c.id == group.id).values(**values))


def set_retention(unit: Unit, group: Row[Any], days: int | None) -> None:
    _set(unit, group, retention_in_days=days)


def set_deletion_protection(unit: Unit, group: Row[Any], enabled: bool) -> None:
    _set(unit, group, deletion_protection=enabled)


def set_tags(unit: Unit, group: Row[Any], tags: dict[str, str]) -> None:
    _set(unit, group, tags=tags)
