"""The row reads the CloudWatch listing operations page through: metrics (ListMetrics)
and alarm history items (DescribeAlarmHistory), each in id order so that an id is a
stable page token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Row, select

from ...core.unit import Unit
from ...store.schema.cloudwatch import cw_alarm_history, cw_metrics


def metrics_after(
    unit: Unit,
    *,
    namespace: str | None,
    name: str | None,
    active_since: float | None,
    after: int | None,
) -> Iterator[Row[Any]]:
    """The region's metrics with an id above `after`, in id order."""
    m = cw_metrics.c
    q = select(cw_metrics).where(m.region == unit.region).order_by(m.id)
    if namespace:
        q = q.where(m.namespace == namespace)
    if name:
        q = q.where(m.name == name)
    if active_since is not None:
        q = q.where(m.last_ts >= active_since)
    if after is not None:
        q = q.where(m.id > after)
    return iter(unit.conn.execute(q))


def history(
    unit: Unit,
    *,
    alarm_name: str | None,
    kind: str | None,
    start: float | None,
    end: float | None,
    after: int | None,
    descending: bool,
    limit: int,
) -> list[Row[Any]]:
    """Up to `limit` history items past the id `after` in the scan's direction."""
    h = cw_alarm_history.c
    q = select(cw_alarm_history).where(h.region == unit.region)
    if alarm_name:
        q = q.where(h.alarm_name == alarm_name)
    if kind:
        q = q.where(h.kind == kind)
    if start is not None:
        q = q.where(h.ts >= start)
    if end is not None:
        q = q.where(h.ts <= end)
    if after is not None:
        q = q.where(h.id < after if descending else h.id > after)
    q = q.order_by(h.id.desc() if descending else h.id).limit(limit)
    return list(unit.conn.execute(q))
