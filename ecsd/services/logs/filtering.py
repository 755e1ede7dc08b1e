"""FilterLogEvents: a group's events, from all or some of its streams, interleaved in
(timestamp, id) order, optionally narrowed by a time range and a filter pattern.

Where the events come from, by an index in order either way:
- the whole group: the group's (timestamp, id) index;
- up to 100 named or prefix-matched streams: one cursor per stream on the stream's own
  index, merged lazily, so rows read ≈ rows returned however busy the other streams are;
- more streams than that: the group index, keeping only their rows.
A request reads at most `SCAN_ROWS` rows (or `limit`, if larger) before it answers,
possibly with fewer events than asked or none at all, and a `nextToken` — as AWS
documents — so a pattern that matches nothing never makes one request scan everything.
No `nextToken` means there is nothing more, which is what `aws logs tail --follow` (CLI v2)
relies on: it polls with startTime and drops event ids it has already seen.
`searchedLogStreams` is always empty, as AWS has answered since 2020.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Row, Select, select, tuple_

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.logs import rows
from ...store.schema.logs import log_events, log_streams
from . import tokens
from .api import operation
from .events import DEFAULT_LIMIT, PAGE_BYTES
from .groups import prefix_upper_bound
from .patterns import compile_pattern

SCAN_ROWS = 20_000
MERGE_STREAMS = 100


@operation("FilterLogEvents")
def filter_log_events(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    group = rows.group_from_params(ctx, p)
    names, prefix = p.get("logStreamNames"), p.get("logStreamNamePrefix")
    if names and prefix:
        raise AwsError(
            "InvalidParameterException",
            "logStreamNames and logStreamNamePrefix are mutually exclusive.",
        )
    matches = compile_pattern(p.get("filterPattern"))
    limit = p.get("limit") or DEFAULT_LIMIT
    resume = tokens.parse_filter_token(p)
    if resume is not None:
        direction, gap = resume
    else:
        direction, gap = ("f" if p.get("startFromHead", True) else "b"), None
    streams: dict[int, str] | None = None
    if names or prefix:
        s = log_streams.c
        q = select(s.id, s.name).where(s.group_id == group.id)
        if names:
            q = q.where(s.name.in_(names))
        else:
            q = q.where(s.name >= prefix, s.name < prefix_upper_bound(str(prefix)))
        streams = {r.id: r.name for r in ctx.conn.execute(q)}
        if not streams:
            return {"events": [], "searchedLogStreams": []}

    budget = max(limit, SCAN_ROWS) if (p.get("filterPattern") or "").strip() else limit
    found = _events(ctx, group.id, streams, p.get("startTime"), p.get("endTime"), direction, gap)
    events: list[dict[str, Any]] = []
    size = scanned = 0
    more = False
    last: tokens.Key | None = None
    try:
        for row in found:
            if scanned >= budget or len(events) >= limit:
                more = True
                break
            if matches(row.message):
                size += rows.event_size(row.message)
                if events and size > PAGE_BYTES:
                    more = True
                    break
                name = streams[row.stream_id] if streams is not None else row.stream_name
                events.append(
                    {
                        "logStreamName": name,
                        "timestamp": row.timestamp,
                        "message": row.message,
                        "ingestionTime": row.ingestion_time,
                        "eventId": tokens.event_id((row.timestamp, row.id)),
                    }
                )
            scanned += 1
            last = (row.timestamp, row.id) if direction == "f" else (row.timestamp, row.id - 1)
    finally:
        found.close()
    out: dict[str, Any] = {"events": events, "searchedLogStreams": []}
    if more and last is not None:
        out["nextToken"] = tokens.filter_token(direction, last)
    return out


class _Rows:
    """An iterator over event rows that owns (and closes) the cursors it reads."""

    def __init__(self, results: list[Any], merged: Iterator[Row[Any]]) -> None:
        self._results = results
        self._merged = merged

    def __iter__(self) -> Iterator[Row[Any]]:
        return self._merged

    def close(self) -> None:
        for result in self._results:
            result.close()


def _events(
    ctx: Context,
    group_id: int,
    streams: dict[int, str] | None,
    start: int | None,
    end: int | None,
    direction: str,
    gap: tokens.Key | None,
) -> _Rows:
    e = log_events.c
    columns = [e.id, e.stream_id, e.timestamp, e.message, e.ingestion_time]

    def ordered(q: Select[Any]) -> Select[Any]:
        key = tuple_(e.timestamp, e.id)
        if start is not None:
            q = q.where(e.timestamp >= start)
        if end is not None:
            q = q.where(e.timestamp <= end)
        if direction == "f":
            if gap is not None:
                q = q.where(key > tuple_(*gap))
            return q.order_by(e.timestamp, e.id)
        if gap is not None:
            q = q.where(key <= tuple_(*gap))
        return q.order_by(e.timestamp.desc(), e.id.desc())

    if streams is not None and len(streams) <= MERGE_STREAMS:
        results = [
            ctx.conn.execute(ordered(select(*columns).where(e.stream_id == sid))) for sid in streams
        ]
        merged = heapq.merge(*results, key=lambda r: (r.timestamp, r.id), reverse=direction == "b")
        return _Rows(results, merged)
    q = (
        select(*columns, log_streams.c.name.label("stream_name"))
        .join(log_streams, log_streams.c.id == e.stream_id)
        .where(e.group_id == group_id)
    )
    if streams is not None:
        q = q.where(e.stream_id.in_(list(streams)))
    result = ctx.conn.execute(ordered(q))
    return _Rows([result], iter(result))
