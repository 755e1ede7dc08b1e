"""Metric filters, as PutMetricFilter stores them and DescribeMetricFilters pages them.

`of_group` is also the read the metrics side (issue #15) uses: which pattern counts which
events of a group for which metric (`transformations`: metricName, metricNamespace,
metricValue, defaultValue, dimensions, unit, as the API carries them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, func, insert, select, update

from ...core.unit import Unit
from ...store.schema.logs import log_metric_filters as filters
from ..keyset import Keyset


def find(unit: Unit, group_name: str, name: str) -> Row[Any] | None:
    f = filters.c
    return unit.conn.execute(
        select(filters).where(f.region == unit.region, f.group_name == group_name, f.name == name)
    ).first()


def count(unit: Unit, group_id: int) -> int:
    q = select(func.count()).select_from(filters).where(filters.c.group_id == group_id)
    return int(unit.conn.execute(q).scalar_one())


def put(
    unit: Unit,
    group: Row[Any],
    name: str,
    *,
    now: int,
    pattern: str,
    transformations: list[dict[str, Any]],
    doc: dict[str, Any],
) -> None:
    """Create the filter, or replace the one of this name (PutMetricFilter's upsert)."""
    values = {"pattern": pattern, "transformations": transformations, "doc": doc}
    old = find(unit, group.name, name)
    if old is not None:
        unit.conn.execute(update(filters).where(filters.c.id == old.id).values(**values))
        return
    unit.conn.execute(
        insert(filters).values(
            group_id=group.id,
            region=unit.region,
            group_name=group.name,
            name=name,
            creation_time=now,
            **values,
        )
    )


def remove(unit: Unit, row: Row[Any]) -> None:
    unit.conn.execute(delete(filters).where(filters.c.id == row.id))


def listing(unit: Unit, *, group_name: str | None, prefix: str | None) -> Keyset:
    """The region's filters (of one group, named with `prefix`), by group then name."""
    f = filters.c
    q = select(filters).where(f.region == unit.region)
    if group_name is not None:
        q = q.where(f.group_name == group_name)
    if prefix:
        q = q.where(f.name >= prefix, f.name < prefix + "\U0010ffff")
    return Keyset(q, [f.group_name, f.name])


def of_group(unit: Unit, group_id: int) -> list[Row[Any]]:
    """Every metric filter of a group: what the metrics side evaluates on its events."""
    return list(unit.conn.execute(select(filters).where(filters.c.group_id == group_id)))
