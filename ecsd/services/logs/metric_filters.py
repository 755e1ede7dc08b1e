"""Metric filters: PutMetricFilter, DescribeMetricFilters, DeleteMetricFilter and
TestMetricFilter, on the filter-pattern syntax of patterns.py.

The filters and their metricTransformations are stored (model/logs/metric_filters.py);
turning matched events into metric data points is the metrics side's (issue #15), which
reads them from there. DescribeSubscriptionFilters lives here too: ecsd delivers no
subscriptions, so a group has none, but tools (the console, Terraform) ask.
"""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.logs import metric_filters as model
from ...model.logs import rows
from .. import pagination
from .api import operation
from .patterns import compile_pattern, extracted_values

MAX_FILTERS_PER_GROUP = 100  # AWS's quota
MISSING_FILTER = "The specified metric filter does not exist."


def _check_transformation(t: dict[str, Any]) -> dict[str, Any]:
    if t.get("defaultValue") is not None and t.get("dimensions"):
        # The rule is AWS's (a metric with dimensions has no default value); the
        # wording is ecsd's own.
        raise AwsError(
            "InvalidParameterException",
            "A metric transformation with dimensions cannot also have a defaultValue.",
        )
    if len(t.get("dimensions") or {}) > 3:
        raise AwsError(
            "InvalidParameterException",
            "A metric transformation can have at most 3 dimensions.",
        )
    return {k: v for k, v in t.items() if v is not None}


@operation("PutMetricFilter", write=True)
def put_metric_filter(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    group = rows.require_group(ctx, p["logGroupName"])
    compile_pattern(p["filterPattern"])  # refuses a pattern that does not parse
    transformations = [_check_transformation(t) for t in p["metricTransformations"]]
    name = p["filterName"]
    if model.find(ctx, group.name, name) is None and (
        model.count(ctx, group.id) >= MAX_FILTERS_PER_GROUP
    ):
        raise AwsError("LimitExceededException", "Resource limit exceeded.")
    doc = {
        k: p[k]
        for k in ("applyOnTransformedLogs", "fieldSelectionCriteria", "emitSystemFieldDimensions")
        if p.get(k) is not None
    }
    model.put(
        ctx,
        group,
        name,
        now=rows.now_ms(ctx),
        pattern=p["filterPattern"],
        transformations=transformations,
        doc=doc,
    )
    return {}


@operation("DescribeMetricFilters")
def describe_metric_filters(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    group_name, prefix = p.get("logGroupName"), p.get("filterNamePrefix")
    metric, namespace = p.get("metricName"), p.get("metricNamespace")
    if prefix and not group_name:
        # ecsd's wording of AWS's documented rule.
        raise AwsError(
            "InvalidParameterException",
            "filterNamePrefix can only be used together with logGroupName.",
        )
    if bool(metric) != bool(namespace):
        raise AwsError(
            "InvalidParameterException",
            "metricName and metricNamespace must be specified together.",
        )
    if group_name is not None:
        rows.require_group(ctx, group_name)

    def keep(row: Any) -> bool:
        return not metric or any(
            t.get("metricName") == metric and t.get("metricNamespace") == namespace
            for t in row.transformations
        )

    q, key = model.listing(ctx, group_name=group_name, prefix=prefix)
    after = pagination.decode_token(p.get("nextToken"), [str, str])
    page, next_key = pagination.scan(ctx.conn, q, key, after, p.get("limit") or 50, keep)
    out: dict[str, Any] = {
        "metricFilters": [
            {
                "filterName": r.name,
                "filterPattern": r.pattern,
                "metricTransformations": list(r.transformations),
                "creationTime": r.creation_time,
                "logGroupName": r.group_name,
                "applyOnTransformedLogs": bool(r.doc.get("applyOnTransformedLogs", False)),
                **{k: v for k, v in r.doc.items() if k != "applyOnTransformedLogs"},
            }
            for r in page
        ]
    }
    if next_key is not None:
        out["nextToken"] = pagination.encode_token(next_key)
    return out


@operation("DeleteMetricFilter", write=True)
def delete_metric_filter(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    group = rows.require_group(ctx, p["logGroupName"])
    row = model.find(ctx, group.name, p["filterName"])
    if row is None:
        raise AwsError("ResourceNotFoundException", MISSING_FILTER)
    model.remove(ctx, row)
    return {}


@operation("TestMetricFilter")
def test_metric_filter(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pattern = p["filterPattern"]
    matches = compile_pattern(pattern)
    return {
        "matches": [
            {
                "eventNumber": n,
                "eventMessage": message,
                "extractedValues": extracted_values(pattern, message),
            }
            for n, message in enumerate(p["logEventMessages"], start=1)
            if matches(message)
        ]
    }


@operation("DescribeSubscriptionFilters")
def describe_subscription_filters(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    rows.require_group(ctx, p["logGroupName"])
    return {"subscriptionFilters": []}  # ecsd delivers no subscriptions
