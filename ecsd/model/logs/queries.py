"""Logs Insights queries as StartQuery stores them and GetQueryResults / StopQuery /
DescribeQueries read and move them (Scheduled → Running → Complete, or Cancelled)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from ...core.unit import Unit
from ...store.schema.logs import log_events, log_queries, log_streams
from ..keyset import Keyset

KEEP_MS = 7 * 86400 * 1000  # ecsd keeps a query's answer a week (AWS: 7 days too)


def add(
    unit: Unit,
    query_id: str,
    *,
    now: int,
    query_string: str,
    group_names: list[str],
    answer: dict[str, Any],
) -> None:
    unit.conn.execute(
        delete(log_queries).where(
            log_queries.c.region == unit.region, log_queries.c.create_time < now - KEEP_MS
        )
    )
    unit.conn.execute(
        insert(log_queries).values(
            id=query_id,
            region=unit.region,
            create_time=now,
            status="Scheduled",
            query_string=query_string,
            group_names=group_names,
            answer=answer,
        )
    )


def find(unit: Unit, query_id: str) -> Row[Any] | None:
    q = select(log_queries).where(log_queries.c.region == unit.region, log_queries.c.id == query_id)
    return unit.conn.execute(q).first()


def set_status(unit: Unit, query_id: str, status: str) -> None:
    unit.conn.execute(update(log_queries).where(log_queries.c.id == query_id).values(status=status))


def listing(unit: Unit, *, status: str | None) -> Keyset:
    """The region's queries, newest first (the key is negated time, then id)."""
    q = select(log_queries).where(log_queries.c.region == unit.region)
    if status:
        q = q.where(log_queries.c.status == status)
    return Keyset(q, [log_queries.c.create_time, log_queries.c.id])


def events(unit: Unit, group_id: int, *, start: int, end: int, limit: int) -> Iterator[Any]:
    """Up to `limit` of the group's events in [start, end] (ms), newest first, with their
    stream's name: what a query reads."""
    e = log_events.c
    q = (
        select(e.id, e.timestamp, e.ingestion_time, e.message, log_streams.c.name.label("stream"))
        .join(log_streams, log_streams.c.id == e.stream_id)
        .where(e.group_id == group_id, e.timestamp >= start, e.timestamp <= end)
        .order_by(e.timestamp.desc(), e.id.desc())
        .limit(limit)
    )
    yield from unit.conn.execute(q)
