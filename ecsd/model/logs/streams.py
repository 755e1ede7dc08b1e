"""The DescribeLogStreams page: by name or by last event time, either way round, keyed by
the sort key, so each page is one index seek. Streams that hold no event yet sort as if
their last event were at time 0."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select, tuple_

from ...core.unit import Unit
from ...store.schema.logs import log_streams
from .groups import prefix_upper_bound


def page(
    unit: Unit,
    group: Row[Any],
    *,
    after: list[Any] | None,
    size: int,
    by_time: bool,
    descending: bool,
    prefix: str | None = None,
) -> list[Row[Any]]:
    """Up to `size + 1` of the group's streams after the key `after` ([last event order,
    name] by time, else [name])."""
    s = log_streams.c
    key = tuple_(s.last_event_order, s.name) if by_time else s.name
    columns = (s.last_event_order, s.name) if by_time else (s.name,)
    q = select(log_streams).where(s.group_id == group.id).limit(size + 1)
    q = q.order_by(*[c.desc() if descending else c for c in columns])
    if prefix:
        q = q.where(s.name >= prefix, s.name < prefix_upper_bound(prefix))
    if after is not None:
        bound = tuple_(*after) if by_time else after[0]
        q = q.where(key < bound if descending else key > bound)
    return list(unit.conn.execute(q))
