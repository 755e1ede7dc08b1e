"""GetMetricData: MetricStat queries with paging and ScanBy.

Metric math (`Expression`) is refused: ecsd keeps raw points and answers statistics of
single metrics; evaluating the expression language is left for later.
"""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.cloudwatch import metrics
from .api import cloudwatch

MAX_DATAPOINTS = 100800  # AWS's default and ceiling for MaxDatapoints


def _invalid(text: str) -> AwsError:
    return AwsError("InvalidParameterValue", text)


def _series(ctx: Context, q: dict[str, Any], start: float, end: float) -> list[tuple[float, float]]:
    if q.get("Expression") is not None:
        # ecsd's own text: AWS evaluates metric math; ecsd does not (yet).
        raise _invalid(
            f"The expression of query {q['Id']} is metric math, which ecsd does not evaluate; "
            "use MetricStat queries."
        )
    stat = q.get("MetricStat")
    if stat is None:
        raise _invalid(f"Query {q['Id']} must specify either MetricStat or Expression.")
    s = stat["Stat"]
    if s not in metrics.BASIC_STATISTICS and metrics.percentile_of(s) is None:
        raise _invalid(f"The value {s} for parameter MetricDataQueries.Stat is not supported.")
    period = int(stat["Period"])
    if period <= 0 or (period >= 60 and period % 60):
        raise _invalid(
            "The parameter MetricDataQueries.MetricStat.Period must be a multiple of 60."
        )
    m = stat["Metric"]
    return metrics.statistics(
        ctx,
        m.get("Namespace", ""),
        m.get("MetricName", ""),
        m.get("Dimensions", []),
        start,
        end,
        period,
        s,
        stat.get("Unit"),
    )


@cloudwatch.operation("GetMetricData")
def get_metric_data(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    start, end = float(p["StartTime"]), float(p["EndTime"])
    if start >= end:
        raise _invalid("The parameter StartTime must be less than the parameter EndTime.")
    queries = p["MetricDataQueries"]
    ids = [q["Id"] for q in queries]
    if len(set(ids)) != len(ids):
        raise _invalid("The values for parameter id in MetricDataQueries are not unique.")
    limit = int(p.get("MaxDatapoints") or MAX_DATAPOINTS)
    skip = 0
    if p.get("NextToken") is not None:
        try:
            skip = int(p["NextToken"])
        except ValueError:
            raise _invalid("The parameter NextToken is invalid.") from None  # ecsd's own text
    descending = p.get("ScanBy", "TimestampDescending") == "TimestampDescending"
    all_series = [(q, _series(ctx, q, start, end)) for q in queries]
    results = []
    seen = 0  # datapoints of earlier queries, in the one order every page counts in
    budget = limit
    more = False
    for q, series in all_series:
        if not q.get("ReturnData", True):
            continue
        series = sorted(series, reverse=descending)
        begin = max(0, skip - seen)
        part = series[begin : begin + budget]
        budget -= len(part)
        seen += len(series)
        partial = begin + len(part) < len(series)
        more = more or partial
        results.append(
            {
                "Id": q["Id"],
                "Label": q.get("Label") or q["MetricStat"]["Metric"].get("MetricName", q["Id"]),
                "Timestamps": [t for t, _ in part],
                "Values": [v for _, v in part],
                "StatusCode": "PartialData" if partial else "Complete",
            }
        )
    out: dict[str, Any] = {"MetricDataResults": results, "Messages": []}
    if more:
        out["NextToken"] = str(skip + limit)
    return out
