"""Logs Insights queries as StartQuery stores them and GetQueryResults / StopQuery /
DescribeQueries read and move them (Scheduled → Running → Complete, or Cancelled).

A query's answer is computed when it starts; its status moves as a client polling AWS
sees it (services/logs/queries.py), and it is Complete at the latest RUN_MS after it
started, whether or not anyone polled: a script that sleeps and then asks once, or
DescribeQueries, finds it done, as on AWS where a small query takes a second or two."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Row, and_, delete, insert, not_, or_, select, update

from ...core.unit import Unit
from ...store.schema.logs import log_events, log_queries, log_streams
from ..keyset import Keyset

KEEP_MS = 7 * 86400 * 1000  # ecsd keeps a query's answer a week (AWS: 7 days too)
RUN_MS = 1000  # ecsd's own: how long a query shows as not yet Complete at the most
_UNDONE = ("Scheduled", "Running")


def status_at(row: Row[Any], now: int) -> str:
    """The query's status at `now` (ms): a Scheduled or Running query is Complete once
    RUN_MS have passed since it started."""
    if row.status in _UNDONE and now - row.create_time >= RUN_MS:
        return "Complete"
    return str(row.status)


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


def listing(unit: Unit, *, status: str | None, now: int) -> Keyset:
    """The region's queries, newest first (the key is negated time, then id), those with
    `status` at `now` (status_at) only when one is given."""
    c = log_queries.c
    q = select(log_queries).where(c.region == unit.region)
    done = c.create_time <= now - RUN_MS
    if status == "Complete":
        q = q.where(or_(c.status == status, and_(c.status.in_(_UNDONE), done)))
    elif status in _UNDONE:
        q = q.where(c.status == status, not_(done))
    elif status:
        q = q.where(c.status == status)
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
