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

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.logs import events as model
from ...model.logs import rows
from . import tokens
from .api import operation
from .events import DEFAULT_LIMIT, PAGE_BYTES
from .patterns import compile_pattern

SCAN_ROWS = 20_000


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
        streams = model.streams_named(ctx, group.id, names=names, prefix=prefix)
        if not streams:
            return {"events": [], "searchedLogStreams": []}

    budget = max(limit, SCAN_ROWS) if (p.get("filterPattern") or "").strip() else limit
    found = model.of_group(
        ctx,
        group.id,
        streams,
        start=p.get("startTime"),
        end=p.get("endTime"),
        direction=direction,
        gap=gap,
    )
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
