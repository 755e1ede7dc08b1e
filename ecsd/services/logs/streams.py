"""Log streams: CreateLogStream, DescribeLogStreams, DeleteLogStream.

DescribeLogStreams orders by name or by last event time, either way round, and pages by
the sort key (keyset), so each page is one index seek. Streams that hold no event yet
sort as if their last event were at time 0.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.logs import rows, streams
from .. import pagination
from .api import operation


def view(ctx: Context, group: Row[Any], row: Row[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "logStreamName": row.name,
        "creationTime": row.creation_time,
        "arn": rows.stream_arn(ctx.region, ctx.account, group.name, row.name),
        # AWS stopped reporting bytes per stream in 2019: always zero.
        "storedBytes": 0,
    }
    if row.first_event_timestamp is not None:
        out["firstEventTimestamp"] = row.first_event_timestamp
        out["lastEventTimestamp"] = row.last_event_timestamp
    if row.last_ingestion_time is not None:
        out["lastIngestionTime"] = row.last_ingestion_time
    if row.uploads:
        out["uploadSequenceToken"] = rows.sequence_token(row.uploads)
    return out


@operation("CreateLogStream", write=True)
def create_log_stream(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    group = rows.require_group(ctx, p["logGroupName"])
    if rows.find_stream(ctx.conn, group.id, p["logStreamName"]) is not None:
        raise AwsError("ResourceAlreadyExistsException", "The specified log stream already exists")
    rows.insert_stream(ctx.conn, group_id=group.id, name=p["logStreamName"], now=rows.now_ms(ctx))
    return {}


@operation("DescribeLogStreams")
def describe_log_streams(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    group = rows.group_from_params(ctx, p)
    prefix = p.get("logStreamNamePrefix")
    by_time = p.get("orderBy") == "LastEventTime"
    if by_time and prefix:
        raise AwsError(
            "InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix."
        )
    descending = bool(p.get("descending"))
    size = p.get("limit") or 50
    kinds = [int, str] if by_time else [str]
    after = pagination.decode_token(p.get("nextToken"), kinds)
    found = streams.page(
        ctx, group, after=after, size=size, by_time=by_time, descending=descending, prefix=prefix
    )
    out: dict[str, Any] = {"logStreams": [view(ctx, group, r) for r in found[:size]]}
    if len(found) > size:
        last = found[size - 1]
        out["nextToken"] = pagination.encode_token(
            [last.last_event_order, last.name] if by_time else [last.name]
        )
    return out


@operation("DeleteLogStream", write=True)
def delete_log_stream(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    group = rows.require_group(ctx, p["logGroupName"])
    rows.delete_stream(ctx.conn, rows.require_stream(ctx, group, p["logStreamName"]))
    return {}
