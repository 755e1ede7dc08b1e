"""DescribeAlarmHistory: the items model/cloudwatch/alarms.py writes, newest first by
default, paged by the item id."""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.cloudwatch import queries
from .api import cloudwatch


@cloudwatch.operation("DescribeAlarmHistory")
def describe_alarm_history(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    descending = p.get("ScanBy", "TimestampDescending") == "TimestampDescending"
    if p.get("AlarmTypes") and "MetricAlarm" not in p["AlarmTypes"]:
        return {"AlarmHistoryItems": []}
    after = None
    if p.get("NextToken") is not None:
        try:
            after = int(p["NextToken"])
        except ValueError:
            # ecsd's own text.
            raise AwsError("InvalidNextToken", "The NextToken is invalid.") from None
    size = int(p.get("MaxRecords") or 100)
    rows = queries.history(
        ctx,
        alarm_name=p.get("AlarmName"),
        kind=p.get("HistoryItemType"),
        start=float(p["StartDate"]) if p.get("StartDate") is not None else None,
        end=float(p["EndDate"]) if p.get("EndDate") is not None else None,
        after=after,
        descending=descending,
        limit=size + 1,
    )
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
