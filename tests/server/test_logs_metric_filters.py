"""CloudWatch Logs metric filters and subscription filters (issue #12, item 3) through
boto3 and the aws CLI against a real `ecsd serve`."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error


@pytest.fixture
def logs(client):
    return client("logs")


def _transformation(name: str = "Errors", **extra):
    return {"metricName": name, "metricNamespace": "App", "metricValue": "1", **extra}


def test_put_describe_delete_metric_filter(logs, aws):
    logs.create_log_group(logGroupName="/mf/app")
    logs.create_log_group(logGroupName="/mf/other")
    logs.put_metric_filter(
        logGroupName="/mf/app",
        filterName="errors",
        filterPattern="ERROR",
        metricTransformations=[_transformation(defaultValue=0.0, unit="Count")],
    )
    logs.put_metric_filter(
        logGroupName="/mf/app",
        filterName="latency",
        filterPattern="{ $.ms > 100 }",
        metricTransformations=[
            _transformation("Slow", metricValue="$.ms", dimensions={"path": "$.path"})
        ],
    )
    logs.put_metric_filter(
        logGroupName="/mf/other",
        filterName="errors",
        filterPattern='"FATAL"',
        metricTransformations=[_transformation()],
    )
    # Put again: the filter of that name is replaced, not duplicated.
    logs.put_metric_filter(
        logGroupName="/mf/app",
        filterName="errors",
        filterPattern="?ERROR ?FATAL",
        metricTransformations=[_transformation(defaultValue=0.0)],
    )
    got = logs.describe_metric_filters(logGroupName="/mf/app")["metricFilters"]
    assert [(f["filterName"], f["filterPattern"]) for f in got] == [
        ("errors", "?ERROR ?FATAL"),
        ("latency", "{ $.ms > 100 }"),
    ]
    assert got[0]["metricTransformations"] == [
        {"metricName": "Errors", "metricNamespace": "App", "metricValue": "1", "defaultValue": 0.0}
    ]
    assert got[1]["metricTransformations"][0]["dimensions"] == {"path": "$.path"}
    assert got[0]["logGroupName"] == "/mf/app" and got[0]["creationTime"] > 0
    prefixed = logs.describe_metric_filters(logGroupName="/mf/app", filterNamePrefix="lat")
    assert [f["filterName"] for f in prefixed["metricFilters"]] == ["latency"]
    by_metric = logs.describe_metric_filters(metricName="Errors", metricNamespace="App")
    assert [(f["logGroupName"], f["filterName"]) for f in by_metric["metricFilters"]] == [
        ("/mf/app", "errors"),
        ("/mf/other", "errors"),
    ]
    pages = list(
        logs.get_paginator("describe_metric_filters").paginate(PaginationConfig={"PageSize": 1})
    )
    assert len([f for page in pages for f in page["metricFilters"]]) >= 3
    groups = logs.describe_log_groups(logGroupNamePrefix="/mf/")["logGroups"]
    assert [g["metricFilterCount"] for g in groups] == [2, 1]
    cli = aws.json("logs", "describe-metric-filters", "--log-group-name", "/mf/other")
    assert cli["metricFilters"][0]["filterPattern"] == '"FATAL"'
    logs.delete_metric_filter(logGroupName="/mf/app", filterName="latency")
    with pytest.raises(ClientError) as err:
        logs.delete_metric_filter(logGroupName="/mf/app", filterName="latency")
    assert aws_error(err) == (
        "ResourceNotFoundException",
        "The specified metric filter does not exist.",
    )
    logs.delete_log_group(logGroupName="/mf/other")
    left = logs.describe_metric_filters(metricName="Errors", metricNamespace="App")
    assert [f["logGroupName"] for f in left["metricFilters"]] == ["/mf/app"]


def test_metric_filter_refusals(logs):
    with pytest.raises(ClientError) as err:
        logs.put_metric_filter(
            logGroupName="/mf/none",
            filterName="x",
            filterPattern="ERROR",
            metricTransformations=[_transformation()],
        )
    assert aws_error(err) == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )
    logs.create_log_group(logGroupName="/mf/bad")
    for pattern, transformation in (
        ("{ $.a = ", _transformation()),
        ("ERROR", _transformation(defaultValue=1.0, dimensions={"d": "$.d"})),
    ):
        with pytest.raises(ClientError) as err:
            logs.put_metric_filter(
                logGroupName="/mf/bad",
                filterName="x",
                filterPattern=pattern,
                metricTransformations=[transformation],
            )
        assert aws_error(err)[0] == "InvalidParameterException"
    assert logs.describe_metric_filters(logGroupName="/mf/bad")["metricFilters"] == []
    with pytest.raises(ClientError) as err:
        logs.describe_metric_filters(filterNamePrefix="x")
    assert aws_error(err)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as err:
        logs.describe_metric_filters(metricName="Errors")
    assert aws_error(err)[0] == "InvalidParameterException"


def test_test_metric_filter(logs, aws):
    out = logs.test_metric_filter(
        filterPattern="[ip, user, status = 404, ...]",
        logEventMessages=[
            "10.0.0.1 alice 200 GET /",
            "10.0.0.2 bob 404 GET /missing",
            "garbage",
        ],
    )
    assert out["matches"] == [
        {
            "eventNumber": 2,
            "eventMessage": "10.0.0.2 bob 404 GET /missing",
            "extractedValues": {"$ip": "10.0.0.2", "$user": "bob", "$status": "404"},
        }
    ]
    json_out = logs.test_metric_filter(
        filterPattern='{ $.level = "ERROR" }',
        logEventMessages=['{"level":"INFO"}', '{"level":"ERROR"}'],
    )
    assert [m["eventNumber"] for m in json_out["matches"]] == [2]
    assert json_out["matches"][0]["extractedValues"] == {}
    cli = aws.json(
        "logs",
        "test-metric-filter",
        "--filter-pattern",
        "ERROR",
        "--log-event-messages",
        "ok",
        "ERROR here",
    )
    assert [m["eventNumber"] for m in cli["matches"]] == [2]


def test_describe_subscription_filters(logs, aws):
    logs.create_log_group(logGroupName="/sub/app")
    assert logs.describe_subscription_filters(logGroupName="/sub/app")["subscriptionFilters"] == []
    with pytest.raises(ClientError) as err:
        logs.describe_subscription_filters(logGroupName="/sub/none")
    assert aws_error(err) == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )
    cli = aws.json("logs", "describe-subscription-filters", "--log-group-name", "/sub/app")
    assert cli["subscriptionFilters"] == []
