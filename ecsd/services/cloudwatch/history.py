"""DescribeAlarmHistory: the items model/cloudwatch/alarms.py writes, newest first by
default, paged by the item id."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...store.schema.cloudwatch import cw_alarm_history
from .api import cloudwatch


@cloudwatch.operation("DescribeAlarmHistory")
def describe_alarm_history(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    h = cw_alarm_history.c
    descending = p.get("ScanBy", "TimestampDescending") == "TimestampDescending"
    q = select(cw_alarm_history).where(h.region == ctx.region)
    if p.get("AlarmName"):
        q = q.where(h.alarm_name == p["AlarmName"])
    if p.get("HistoryItemType"):
        q = q.where(h.kind == p["HistoryItemType"])
    if p.get("StartDate") is not None:
        q = q.where(h.ts >= float(p["StartDate"]))
    if p.get("EndDate") is not None:
        q = q.where(h.ts <= float(p["EndDate"]))
    if p.get("AlarmTypes") and "MetricAlarm" not in p["AlarmTypes"]:
        return {"AlarmHistoryItems": []}
    if p.get("NextToken") is not None:
        try:
            after = int(p["NextToken"])
        except ValueError:
            # ecsd's own text.
            raise AwsError("InvalidNextToken", "The NextToken is invalid.") from None
        q = q.where(h.id < after if descending else h.id > after)
    q = q.order_by(h.id.desc() if descending else h.id)
    size = int(p.get("MaxRecords") or 100)
    rows = list(ctx.conn.execute(q.limit(size + 1)))
    items = [
        {
            "AlarmName": r.alarm_name,
            "AlarmType": "MetricAlarm",
            "Timestamp": r.ts,
            "HistoryItemType": r.kind,
            "HistorySummary": r.summary,
            "HistoryData": r.data,
        }
        for r in rows[:size]
    ]
    out: dict[str, Any] = {"AlarmHistoryItems": items}
    if len(rows) > size:
        out["NextToken"] = str(rows[size - 1].id)
    return out
