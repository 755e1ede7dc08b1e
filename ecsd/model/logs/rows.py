"""Reads and writes of the Logs tables that the API handlers and the ingestion path share.

Both PutLogEvents and a container's output go through `append_events`, so a stream's
first/last event times, its upload count and the group's storedBytes are kept the same
way whoever writes. Every function takes the open connection of the caller's
transaction; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, delete, select, update

from ...aws.errors import AwsError
from ...core import partitions
from ...core.unit import Unit as Context
from ...store.schema.logs import log_events, log_groups, log_metric_filters, log_streams

MISSING_GROUP = "The specified log group does not exist."
MISSING_STREAM = "The specified log stream does not exist."
# What an event costs against the 1 MB batch and page limits: its UTF-8 message plus 26
# bytes, as AWS counts it.
EVENT_OVERHEAD = 26


def now_ms(ctx: Context) -> int:
    return int(ctx.now * 1000)


def group_arn(region: str, account: str, name: str) -> str:
    """The log group ARN without the trailing `:*` (DescribeLogGroups' `logGroupArn`)."""
    return partitions.arn("logs", region, account, f"log-group:{name}")


def stream_arn(region: str, account: str, group: str, stream: str) -> str:
    return f"{group_arn(region, account, group)}:log-stream:{stream}"


def sequence_token(uploads: int) -> str:
    """An uploadSequenceToken of AWS's shape (a long string of digits). Tokens are
    accepted and ignored by PutLogEvents, as AWS now does; this only reports progress."""
    return f"{uploads:056d}"


def find_group(conn: Connection, region: str, name: str) -> Row[Any] | None:
    return conn.execute(
        select(log_groups).where(log_groups.c.region == region, log_groups.c.name == name)
    ).first()


def find_stream(conn: Connection, group_id: int, name: str) -> Row[Any] | None:
    return conn.execute(
        select(log_streams).where(log_streams.c.group_id == group_id, log_streams.c.name == name)
    ).first()


def require_group(ctx: Context, name: str) -> Row[Any]:
    row = find_group(ctx.conn, ctx.region, name)
    if row is None:
        raise AwsError("ResourceNotFoundException", MISSING_GROUP)
    return row


def require_stream(ctx: Context, group: Row[Any], name: str) -> Row[Any]:
    row = find_stream(ctx.conn, group.id, name)
    if row is None:
        raise AwsError("ResourceNotFoundException", MISSING_STREAM)
    return row


def name_from_identifier(ctx: Context, identifier: str) -> str | None:
    """The group name a `logGroupIdentifier` (a name, or an ARN with or without `:*`)
    designates here, or None for an ARN of another region or account."""
    if not identifier.startswith("arn:"):
        return identifier
    parts = identifier.split(":")
    if len(parts) < 7 or parts[2] != "logs" or parts[5] != "log-group" or not parts[6]:
        raise AwsError("InvalidParameterException", f"Invalid log group identifier: {identifier}")
    if parts[3] != ctx.region or parts[4] != ctx.account:
        return None
    return parts[6]


def group_from_params(ctx: Context, p: dict[str, Any]) -> Row[Any]:
    """The group named by `logGroupName` or `logGroupIdentifier` (exactly one of them)."""
    name, identifier = p.get("logGroupName"), p.get("logGroupIdentifier")
    if name and identifier:
        raise AwsError(
            "ValidationException",
            "LogGroup name and LogGroup ARN are mutually exclusive parameters.",
        )
    if identifier:
        name = name_from_identifier(ctx, identifier)
        if name is None:
            raise AwsError("ResourceNotFoundException", MISSING_GROUP)
    if not name:
        raise AwsError(
            "InvalidParameterException",
            "Either logGroupName or logGroupIdentifier must be specified.",
        )
    return require_group(ctx, name)


def insert_group(
    conn: Connection,
    *,
    region: str,
    name: str,
    now: int,
    tags: dict[str, str] | None = None,
    kms_key_id: str | None = None,
    log_group_class: str = "STANDARD",
    deletion_protection: bool = False,
) -> int:
    result = conn.execute(
        log_groups.insert().values(
            region=region,
            name=name,
            creation_time=now,
            stored_bytes=0,
            log_group_class=log_group_class,
            kms_key_id=kms_key_id,
            deletion_protection=deletion_protection,
            tags=dict(tags or {}),
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def insert_stream(conn: Connection, *, group_id: int, name: str, now: int) -> int:
    result = conn.execute(
        log_streams.insert().values(
            group_id=group_id,
            name=name,
            creation_time=now,
            last_event_order=0,
            stored_bytes=0,
            uploads=0,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def event_size(message: str) -> int:
    return len(message.encode()) + EVENT_OVERHEAD


def append_events(
    conn: Connection, *, stream: Row[Any], events: Sequence[tuple[int, str]], now: int
) -> int:
    """Store `events` ((timestamp ms, message) pairs, any order) in `stream`, in the order
    given, and update the stream's and group's figures. Returns the stream's upload count
    after this batch (its sequence token)."""
    uploads = int(stream.uploads) + 1
    if not events:
        conn.execute(
            update(log_streams).where(log_streams.c.id == stream.id).values(uploads=uploads)
        )
        return uploads
    stored = sum(len(message.encode()) for _, message in events)
    conn.execute(
        log_events.insert(),
        [
            {
                "group_id": stream.group_id,
                "stream_id": stream.id,
                "timestamp": ts,
                "ingestion_time": now,
                "message": message,
            }
            for ts, message in events
        ],
    )
    low = min(ts for ts, _ in events)
    high = max(ts for ts, _ in events)
    first = low if stream.first_event_timestamp is None else min(stream.first_event_timestamp, low)
    last = high if stream.last_event_timestamp is None else max(stream.last_event_timestamp, high)
    conn.execute(
        update(log_streams)
        .where(log_streams.c.id == stream.id)
        .values(
            first_event_timestamp=first,
            last_event_timestamp=last,
            last_event_order=last,
            last_ingestion_time=now,
            uploads=uploads,
            stored_bytes=log_streams.c.stored_bytes + stored,
        )
    )
    conn.execute(
        update(log_groups)
        .where(log_groups.c.id == stream.group_id)
        .values(stored_bytes=log_groups.c.stored_bytes + stored)
    )
    return uploads


def delete_stream(conn: Connection, stream: Row[Any]) -> None:
    conn.execute(delete(log_events).where(log_events.c.stream_id == stream.id))
    conn.execute(delete(log_streams).where(log_streams.c.id == stream.id))
    conn.execute(
        update(log_groups)
        .where(log_groups.c.id == stream.group_id)
        .values(stored_bytes=log_groups.c.stored_bytes - stream.stored_bytes)
    )


def delete_group(conn: Connection, group: Row[Any]) -> None:
    conn.execute(delete(log_events).where(log_events.c.group_id == group.id))
    conn.execute(delete(log_streams).where(log_streams.c.group_id == group.id))
    conn.execute(delete(log_metric_filters).where(log_metric_filters.c.group_id == group.id))
    conn.execute(delete(log_groups).where(log_groups.c.id == group.id))
