"""Logs Insights: StartQuery, GetQueryResults, StopQuery, DescribeQueries over ecsd's own
log events (the language: insights_parser.py; running it: insights.py).

StartQuery runs the query at once over the events of its time range (they are already
here, so there is nothing to wait for) and keeps the answer; the status still moves as a
client polling AWS sees it: Scheduled when started, Running at the first
GetQueryResults (which shows no rows yet), Complete at the next, or at any look once
model.RUN_MS have passed since it started (so one late look finds it done). StopQuery
cancels a
query not yet Complete. Left out: the `queryCompileError` member of a
MalformedQueryException (its position is in the message), SQL and PPL queries, and
field indexes.
"""

from __future__ import annotations

import uuid
from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.logs import queries as model
from ...model.logs import rows
from .. import pagination
from . import insights
from .api import operation
from .insights_parser import QueryError

MAX_GROUPS = 50  # AWS's quota of log groups in one query
# Events one query reads at most (ecsd's bound, newest first: recordsScanned shows it).
# StartQuery runs inside its write transaction, so this also bounds how long other
# writers (log ingestion among them) wait for it.
SCAN_MAX = 100_000
MAX_MS = 2**63 - 1  # the largest time an event row can hold


def _group_names(ctx: Context, p: dict[str, Any]) -> list[str]:
    given = [k for k in ("logGroupName", "logGroupNames", "logGroupIdentifiers") if p.get(k)]
    if len(given) != 1:
        # ecsd's wording of AWS's rule (exactly one of the three).
        raise AwsError(
            "InvalidParameterException",
            "Exactly one of logGroupName, logGroupNames and logGroupIdentifiers must be given.",
        )
    if given[0] == "logGroupName":
        names = [p["logGroupName"]]
    elif given[0] == "logGroupNames":
        names = list(p["logGroupNames"])
    else:
        names = []
        for identifier in p["logGroupIdentifiers"]:
            name = rows.name_from_identifier(ctx, identifier)
            if name is None:
                raise AwsError("ResourceNotFoundException", rows.MISSING_GROUP)
            names.append(name)
    if len(names) > MAX_GROUPS:
        raise AwsError(
            "InvalidParameterException", f"A query can search at most {MAX_GROUPS} log groups."
        )
    return list(dict.fromkeys(names))


def _records(ctx: Context, names: list[str], start: int, end: int) -> tuple[list[Any], int, int]:
    """The events of the groups in [start, end] ms as query records, newest first; how
    many were read and their bytes."""
    found: list[dict[str, Any]] = []
    size = 0
    for name in names:
        if len(found) >= SCAN_MAX:
            break
        group = rows.require_group(ctx, name)
        for e in model.events(ctx, group.id, start=start, end=end, limit=SCAN_MAX - len(found)):
            size += len(e.message.encode())
            found.append(
                insights.record(
                    account=ctx.account,
                    group=name,
                    stream=e.stream,
                    event_id=e.id,
                    timestamp=e.timestamp,
                    ingestion=e.ingestion_time,
                    message=e.message,
                )
            )
    found.sort(key=lambda r: r["@timestamp"].ms, reverse=True)
    return found, len(found), size


@operation("StartQuery", write=True)
def start_query(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    if p.get("queryLanguage") not in (None, "CWLI"):
        raise AwsError(
            "InvalidParameterException",
            f"ecsd runs Logs Insights QL queries only, not {p['queryLanguage']}.",
        )
    names = _group_names(ctx, p)
    start, end = p["startTime"], p["endTime"]
    if end < start:
        # ecsd's wording of AWS's rule.
        raise AwsError("InvalidParameterException", "endTime must not be before startTime.")
    for name in names:
        rows.require_group(ctx, name)
    # Seconds to the milliseconds events are stored in, within SQLite's 64-bit integers
    # (the API allows any long: a far-future end means "up to now").
    records, scanned, size = _records(
        ctx, names, min(start * 1000, MAX_MS), min(end * 1000 + 999, MAX_MS)
    )
    try:
        result = insights.run(p["queryString"], records, limit=p.get("limit") or 10_000)
    except QueryError as exc:
        raise AwsError(
            "MalformedQueryException",
            f"{exc.message} at line 1 and position {exc.start + 1}",
        ) from None
    query_id = str(uuid.uuid4())
    answer = {
        "results": result.rows,
        "statistics": {
            "recordsMatched": float(result.matched),
            "recordsScanned": float(scanned),
            "bytesScanned": float(size),
        },
    }
    model.add(
        ctx,
        query_id,
        now=rows.now_ms(ctx),
        query_string=p["queryString"],
        group_names=names,
        answer=answer,
    )
    return {"queryId": query_id}


def _require(ctx: Context, query_id: str) -> Any:
    row = model.find(ctx, query_id)
    if row is None:
        raise AwsError("ResourceNotFoundException", f"Query {query_id} does not exist.")
    return row


@operation("GetQueryResults", write=True)
def get_query_results(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = _require(ctx, p["queryId"])
    status = model.status_at(row, rows.now_ms(ctx))
    if status != row.status:
        model.set_status(ctx, row.id, status)
    if status == "Scheduled":
        status = "Running"
        model.set_status(ctx, row.id, status)
        return {"status": status, "results": [], "statistics": _zero()}
    if status == "Running":
        status = "Complete"
        model.set_status(ctx, row.id, status)
    if status != "Complete":  # Cancelled: what it had found is not shown
        return {"status": status, "results": [], "statistics": _zero()}
    return {"status": status, **row.answer}


def _zero() -> dict[str, float]:
    return {"recordsMatched": 0.0, "recordsScanned": 0.0, "bytesScanned": 0.0}


@operation("StopQuery", write=True)
def stop_query(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = _require(ctx, p["queryId"])
    if model.status_at(row, rows.now_ms(ctx)) not in ("Scheduled", "Running"):
        return {"success": False}
    model.set_status(ctx, row.id, "Cancelled")
    return {"success": True}


@operation("DescribeQueries")
def describe_queries(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    group = p.get("logGroupName")
    now = rows.now_ms(ctx)
    q, key = model.listing(ctx, status=p.get("status"), now=now)
    after = pagination.decode_token(p.get("nextToken"), [int, str])
    page, next_key = pagination.scan(
        ctx.conn,
        q,
        key,
        after,
        p.get("maxResults") or 1000,
        (lambda r: group in r.group_names) if group else None,
        descending=True,
    )
    out: dict[str, Any] = {
        "queries": [
            {
                "queryId": r.id,
                "queryString": r.query_string,
                "status": model.status_at(r, now),
                "createTime": r.create_time,
                "logGroupName": r.group_names[0],
                "queryLanguage": "CWLI",
            }
            for r in page
        ]
    }
    if next_key is not None:
        out["nextToken"] = pagination.encode_token(next_key)
    return out
