"""Metric data: PutMetricData, GetMetricStatistics, ListMetrics.

Storage and aggregation live in model/cloudwatch/metrics.py; this module checks the
request the way CloudWatch does and shapes the answer.
"""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.cloudwatch import metrics, queries
from .api import cloudwatch

MAX_VALUES = 150  # Values / Counts per MetricDatum (AWS's documented limit)
MAX_DATAPOINTS = 1440  # GetMetricStatistics answers at most this many points
LIST_PAGE = 500  # ListMetrics page size (AWS's)


def _invalid(text: str) -> AwsError:
    return AwsError("InvalidParameterValue", text)


def _points(ctx: Context, namespace: str, i: int, d: dict[str, Any]) -> list[metrics.Point]:
    where = f"The parameter MetricData.member.{i}"
    ts = float(d["Timestamp"]) if d.get("Timestamp") is not None else ctx.now
    # AWS refuses points more than two weeks old or two hours ahead.
    if ts < ctx.now - 14 * 86400 or ts > ctx.now + 2 * 3600:
        raise _invalid(
            f"{where}.Timestamp must specify a time no more than two weeks in the past "
            "and no more than two hours in the future."
        )
    unit = d.get("Unit", "None")
    dims = d.get("Dimensions", [])
    name = d["MetricName"]
    given = [k for k in ("Value", "StatisticValues", "Values") if d.get(k) is not None]
    if len(given) > 1:
        raise _invalid(
            f"{where}.{given[0]} and {where}.{given[1]} are mutually exclusive, "
            "you cannot specify both."
        )
    if "Value" in given:
        return [metrics.Point.of(namespace, name, dims, float(d["Value"]), ts, unit)]
    if "StatisticValues" in given:
        s = d["StatisticValues"]
        if s["SampleCount"] <= 0 or s["Minimum"] > s["Maximum"]:
            # ecsd's own text: AWS's wording for an inconsistent statistic set is unknown.
            raise _invalid(f"{where}.StatisticValues is not a consistent statistic set.")
        return [
            metrics.Point(
                namespace,
                name,
                dims,
                ts,
                s["SampleCount"],
                s["Sum"],
                s["Minimum"],
                s["Maximum"],
                unit,
                None,
            )
        ]
    if "Values" in given:
        values = [float(v) for v in d["Values"]]
        counts = [float(c) for c in d.get("Counts") or [1.0] * len(values)]
        if len(values) > MAX_VALUES:
            raise _invalid(f"{where}.Values must contain at most {MAX_VALUES} items.")
        if len(counts) != len(values):
            raise _invalid(f"{where}.Values and {where}.Counts must be of the same size.")
        n = sum(counts)
        samples = [v for v, c in zip(values, counts, strict=True) for _ in range(int(c))]
        return [
            metrics.Point(
                namespace,
                name,
                dims,
                ts,
                n,
                sum(v * c for v, c in zip(values, counts, strict=True)),
                min(values),
                max(values),
                unit,
                samples if len(samples) <= metrics.MAX_SAMPLES else None,
            )
        ]
    raise _invalid(f"{where}.Value, Values or StatisticValues is required.")


@cloudwatch.operation("PutMetricData", write=True)
def put_metric_data(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    namespace = p["Namespace"]
    if namespace.startswith("AWS/"):
        raise _invalid("The value AWS/ for parameter Namespace is invalid.")
    data = p.get("MetricData") or []
    if not data:
        raise AwsError("MissingParameter", "The parameter MetricData is required.")
    points: list[metrics.Point] = []
    for i, d in enumerate(data, 1):
        points.extend(_points(ctx, namespace, i, d))
    metrics.put_many(ctx, points)
    return {}


@cloudwatch.operation("GetMetricStatistics")
def get_metric_statistics(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    stats = p.get("Statistics") or []
    extended = p.get("ExtendedStatistics") or []
    if not stats and not extended:
        raise _invalid("Must specify either Statistics or ExtendedStatistics.")
    for e in extended:
        if metrics.percentile_of(e) is None:
            raise _invalid(f"The value {e} for parameter ExtendedStatistics is not supported.")
    start, end, period = float(p["StartTime"]), float(p["EndTime"]), int(p["Period"])
    if start >= end:
        raise _invalid("The parameter StartTime must be less than the parameter EndTime.")
    if (
        period <= 0
        or (period >= 60 and period % 60)
        or (period < 60 and period not in (1, 5, 10, 20, 30))
    ):
        raise _invalid("The parameter Period must be a multiple of 60.")
    if (end - start) / period > MAX_DATAPOINTS:
        raise _invalid(
            "You have requested up to "
            f"{int((end - start) // period)} datapoints, which exceeds the limit of "
            f"{MAX_DATAPOINTS}. You may reduce the datapoints requested by increasing "
            "Period, or decreasing the time range."
        )
    buckets = metrics.buckets(
        ctx,
        p["Namespace"],
        p["MetricName"],
        p.get("Dimensions", []),
        start,
        end,
        period,
        p.get("Unit"),
    )
    points = []
    for b in buckets:
        point: dict[str, Any] = {"Timestamp": b.start, "Unit": b.unit}
        for s in stats:
            point[s] = b.value(s)
        if extended:
            point["ExtendedStatistics"] = {e: v for e in extended if (v := b.value(e)) is not None}
        points.append(point)
    return {"Label": p["MetricName"], "Datapoints": points}


@cloudwatch.operation("ListMetrics")
def list_metrics(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    token = p.get("NextToken")
    after = None
    if token is not None:
        try:
            after = int(token)
        except ValueError:
            raise _invalid("The NextToken is invalid.") from None  # ecsd's own text
    rows = queries.metrics_after(
        ctx,
        namespace=p.get("Namespace"),
        name=p.get("MetricName"),
        active_since=ctx.now - 3 * 3600 if p.get("RecentlyActive") == "PT3H" else None,
        after=after,
    )
    wanted = p.get("Dimensions") or []
    out: list[dict[str, Any]] = []
    last = None
    for row in rows:
        have = {d["Name"]: d["Value"] for d in row.dimensions}
        if any(
            f["Name"] not in have or ("Value" in f and have[f["Name"]] != f["Value"])
            for f in wanted
        ):
            continue
        if len(out) == LIST_PAGE:
            return {"Metrics": out, "NextToken": str(last)}
        out.append(
            {"Namespace": row.namespace, "MetricName": row.name, "Dimensions": row.dimensions}
        )
        last = row.id
    return {"Metrics": out}
