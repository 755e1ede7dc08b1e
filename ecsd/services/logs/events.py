"""One stream's events: PutLogEvents and GetLogEvents.

PutLogEvents follows AWS's batch rules: events in chronological order, at most 1 MB
(messages in UTF-8 plus 26 bytes each), valid events spanning at most 24 hours. Events
more than 14 days old, older than the group's retention, or more than 2 hours in the
future are left out and reported in `rejectedLogEventsInfo`; the rest are stored.
Sequence tokens are accepted and ignored, as AWS has done since 2023.

GetLogEvents reads the stream's (timestamp, id) index from a position (see tokens.py):
the first page from the head (startFromHead) or from the tail (the default), then on by
the returned tokens. A page holds at most `limit` events and 1 MB.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise
from typing import Any

from sqlalchemy import Row

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.logs import events as model
from ...model.logs import rows
from . import tokens
from .api import operation

MAX_BATCH_BYTES = 1_048_576
PAGE_BYTES = 1_048_576
DEFAULT_LIMIT = 10_000
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS


@operation("PutLogEvents", write=True)
def put_log_events(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    group = rows.require_group(ctx, p["logGroupName"])
    stream = rows.require_stream(ctx, group, p["logStreamName"])
    events = [(e["timestamp"], e["message"]) for e in p["logEvents"]]
    if any(b[0] < a[0] for a, b in pairwise(events)):
        raise AwsError(
            "InvalidParameterException",
            "Log events in a single PutLogEvents request must be in chronological order.",
        )
    size = sum(rows.event_size(message) for _, message in events)
    if size > MAX_BATCH_BYTES:
        raise AwsError(
            "InvalidParameterException",
            f"Upload too large: {size} bytes exceeds limit of {MAX_BATCH_BYTES}",
        )
    now = rows.now_ms(ctx)
    # Events are in time order, so each kind of rejection is a prefix or a suffix.
    too_old = _count_before(events, now - 14 * DAY_MS)
    expired = (
        _count_before(events, now - group.retention_in_days * DAY_MS)
        if group.retention_in_days
        else 0
    )
    too_new = next((i for i, (ts, _) in enumerate(events) if ts > now + 2 * HOUR_MS), len(events))
    accepted = events[max(too_old, expired) : too_new]
    if accepted and accepted[-1][0] - accepted[0][0] > DAY_MS:
        raise AwsError(
            "InvalidParameterException",
            "The batch of log events in a single "
            "PutLogEvents request cannot span more than 24 hours.",
        )
    uploads = rows.append_events(ctx.conn, stream=stream, events=accepted, now=now)
    out: dict[str, Any] = {"nextSequenceToken": rows.sequence_token(uploads)}
    rejected = {}
    if too_new < len(events):
        rejected["tooNewLogEventStartIndex"] = too_new
    if too_old:
        rejected["tooOldLogEventEndIndex"] = too_old
    if expired:
        rejected["expiredLogEventEndIndex"] = expired
    if rejected:
        out["rejectedLogEventsInfo"] = rejected
    return out


def _count_before(events: list[tuple[int, str]], limit: int) -> int:
    return next((i for i, (ts, _) in enumerate(events) if ts >= limit), len(events))


def take_page(found: Iterable[Row[Any]], limit: int) -> list[Row[Any]]:
    """Rows up to `limit` and the 1 MB page size (always at least one row)."""
    page: list[Row[Any]] = []
    size = 0
    for row in found:
        size += rows.event_size(row.message)
        if page and size > PAGE_BYTES:
            break
        page.append(row)
        if len(page) >= limit:
            break
    return page


@operation("GetLogEvents")
def get_log_events(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    group = rows.group_from_params(ctx, p)
    stream = rows.require_stream(ctx, group, p["logStreamName"])
    limit = p.get("limit") or DEFAULT_LIMIT
    start, end = p.get("startTime"), p.get("endTime")
    gap: tokens.Key | None = None
    if p.get("nextToken"):
        # The token, not startFromHead, sets the direction of every later page.
        direction, gap = tokens.parse_stream_token(p["nextToken"])
    else:
        direction = "f" if p.get("startFromHead") else "b"
    found = model.of_stream(
        ctx, stream, start=start, end=end, direction=direction, gap=gap, limit=limit
    )
    page = take_page(found, limit)
    if direction == "b":
        page.reverse()
    if page:
        forward: tokens.Key = (page[-1].timestamp, page[-1].id)
        backward: tokens.Key = (page[0].timestamp, page[0].id - 1)
    else:
        # Nothing here: both tokens stay where the caller stood, so a reader polling
        # with the forward token gets it back unchanged until new events arrive.
        forward = backward = gap if gap is not None else (start or 0, 0)
    return {
        "events": [
            {"timestamp": r.timestamp, "message": r.message, "ingestionTime": r.ingestion_time}
            for r in page
        ],
        "nextForwardToken": tokens.stream_token("f", forward),
        "nextBackwardToken": tokens.stream_token("b", backward),
    }
