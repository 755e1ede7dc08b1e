"""Reading events in (timestamp, id) order, either way, from a position: one stream's
(GetLogEvents) or a group's, from all or some of its streams (FilterLogEvents). The
handlers decide pages, tokens and patterns; these functions only read the indexes."""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import CursorResult, Row, Select, select, tuple_

from ...core.unit import Unit
from ...store.schema.logs import log_events, log_streams
from .groups import prefix_upper_bound

# Up to this many streams are read one cursor each and merged; more, by the group index.
MERGE_STREAMS = 100

Position = tuple[int, int]  # (timestamp, id)


def _ordered(
    q: Select[Any],
    start: int | None,
    end: int | None,
    direction: str,
    gap: Position | None,
    *,
    end_inclusive: bool,
) -> Select[Any]:
    """`q` within [start, end) ([start, end] if `end_inclusive`), past `gap` in
    `direction` ("f" forward, after it; "b" backward, at or before it), in that order."""
    e = log_events.c
    key = tuple_(e.timestamp, e.id)
    if start is not None:
        q = q.where(e.timestamp >= start)
    if end is not None:
        q = q.where(e.timestamp <= end if end_inclusive else e.timestamp < end)
    if direction == "f":
        if gap is not None:
            q = q.where(key > tuple_(*gap))
        return q.order_by(e.timestamp, e.id)
    if gap is not None:
        q = q.where(key <= tuple_(*gap))
    return q.order_by(e.timestamp.desc(), e.id.desc())


def of_stream(
    unit: Unit,
    stream: Row[Any],
    *,
    start: int | None,
    end: int | None,
    direction: str,
    gap: Position | None,
    limit: int,
) -> CursorResult[Any]:
    """Up to `limit` of the stream's events in [start, end), from `gap` on in
    `direction`: for GetLogEvents."""
    e = log_events.c
    q = select(e.id, e.timestamp, e.message, e.ingestion_time).where(e.stream_id == stream.id)
    return unit.conn.execute(
        _ordered(q, start, end, direction, gap, end_inclusive=False).limit(limit)
    )


def streams_named(
    unit: Unit, group_id: int, *, names: Sequence[str] | None, prefix: str | None
) -> dict[int, str]:
    """Id → name of the group's streams with these names, or else with this prefix."""
    s = log_streams.c
    q = select(s.id, s.name).where(s.group_id == group_id)
    if names:
        q = q.where(s.name.in_(names))
    else:
        q = q.where(s.name >= prefix, s.name < prefix_upper_bound(str(prefix)))
    return {r.id: r.name for r in unit.conn.execute(q)}


class Rows:
    """An iterator over event rows that owns (and closes) the cursors it reads."""

    def __init__(self, results: list[Any], merged: Iterator[Row[Any]]) -> None:
        self._results = results
        self._merged = merged

    def __iter__(self) -> Iterator[Row[Any]]:
        return self._merged

    def close(self) -> None:
        for result in self._results:
            result.close()


def of_group(
    unit: Unit,
    group_id: int,
    streams: dict[int, str] | None,
    *,
    start: int | None,
    end: int | None,
    direction: str,
    gap: Position | None,
) -> Rows:
    """The group's events (of `streams` only, if given) in [start, end], from `gap` on in
    `direction`, read lazily: for FilterLogEvents. Without `streams`, each row carries its
    `stream_name`."""
    e = log_events.c
    columns = [e.id, e.stream_id, e.timestamp, e.message, e.ingestion_time]

    def ordered(q: Select[Any]) -> Select[Any]:
        return _ordered(q, start, end, direction, gap, end_inclusive=True)

    if streams is not None and len(streams) <= MERGE_STREAMS:
        results = [
            unit.conn.execute(ordered(select(*columns).where(e.stream_id == sid)))
            for sid in streams
        ]
        merged = heapq.merge(*results, key=lambda r: (r.timestamp, r.id), reverse=direction == "b")
        return Rows(results, merged)
    q = (
        select(*columns, log_streams.c.name.label("stream_name"))
        .join(log_streams, log_streams.c.id == e.stream_id)
        .where(e.group_id == group_id)
    )
    if streams is not None:
        q = q.where(e.stream_id.in_(list(streams)))
    result = unit.conn.execute(ordered(q))
    return Rows([result], iter(result))
