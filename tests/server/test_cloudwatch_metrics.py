"""CloudWatch metrics through boto3 (RPC v2 CBOR), its JSON and Query protocols and the
aws CLI, against a real `ecsd serve`."""

from __future__ import annotations

import datetime as dt
import json
import urllib.request

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error


@pytest.fixture
def cw(client):
    return client("cloudwatch")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def test_put_and_read_back_statistics_over_cbor(cw):
    t = _now() - dt.timedelta(minutes=5)
    dims = [{"Name": "Svc", "Value": "web"}]
    cw.put_metric_data(
        Namespace="App/Cbor",
        MetricData=[
            {"MetricName": "Latency", "Dimensions": dims, "Value": 10.0, "Timestamp": t},
            {
                "MetricName": "Latency",
                "Dimensions": dims,
                "Values": [20.0, 30.0],
                "Counts": [1.0, 2.0],
                "Timestamp": t,
            },
            {
                "MetricName": "Latency",
                "Dimensions": dims,
                "StatisticValues": {"SampleCount": 2, "Sum": 8, "Minimum": 2, "Maximum": 6},
                "Timestamp": t + dt.timedelta(minutes=1),
            },
        ],
    )
    start = t.replace(second=0)
    out = cw.get_metric_statistics(
        Namespace="App/Cbor",
        MetricName="Latency",
        Dimensions=dims,
        StartTime=start,
        EndTime=start + dt.timedelta(minutes=3),
        Period=60,
        Statistics=["SampleCount", "Sum", "Average", "Minimum", "Maximum"],
    )
    points = sorted(out["Datapoints"], key=lambda d: d["Timestamp"])
    assert out["Label"] == "Latency" and len(points) == 2
    first, second = points
    assert first["Timestamp"] == start
    assert (first["SampleCount"], first["Sum"], first["Minimum"], first["Maximum"]) == (
        4.0,
        90.0,
        10.0,
        30.0,
    )
    assert first["Average"] == 22.5
    assert (second["SampleCount"], second["Sum"], second["Average"]) == (2.0, 8.0, 4.0)
    pct = cw.get_metric_statistics(
        Namespace="App/Cbor",
        MetricName="Latency",
        Dimensions=dims,
        StartTime=start,
        EndTime=start + dt.timedelta(minutes=1),
        Period=60,
        ExtendedStatistics=["p50", "p100"],
    )["Datapoints"]
    assert pct[0]["ExtendedStatistics"] == {"p50": 20.0, "p100": 30.0}
    listed = cw.list_metrics(Namespace="App/Cbor", Dimensions=[{"Name": "Svc"}])["Metrics"]
    assert listed == [{"Namespace": "App/Cbor", "MetricName": "Latency", "Dimensions": dims}]


def test_refusals_are_aws_shaped_over_cbor(cw):
    with pytest.raises(ClientError) as err:
        cw.put_metric_data(Namespace="AWS/ECS", MetricData=[{"MetricName": "x", "Value": 1}])
    assert aws_error(err) == (
        "InvalidParameterValue",
        "The value AWS/ for parameter Namespace is invalid.",
    )
    with pytest.raises(ClientError) as err:
        cw.put_metric_data(
            Namespace="App/X",
            MetricData=[{"MetricName": "x", "Value": 1, "Values": [1.0]}],
        )
    assert aws_error(err)[0] == "InvalidParameterValue"
    assert cw.list_metrics(Namespace="App/X")["Metrics"] == []
    t = _now()
    with pytest.raises(ClientError) as err:
        cw.get_metric_statistics(
            Namespace="App/X",
            MetricName="x",
            StartTime=t,
            EndTime=t - dt.timedelta(minutes=1),
            Period=60,
            Statistics=["Sum"],
        )
    assert aws_error(err) == (
        "InvalidParameterValue",
        "The parameter StartTime must be less than the parameter EndTime.",
    )


def test_the_aws_cli_and_query_protocol_read_the_same_metrics(cw, aws):
    cw.put_metric_data(Namespace="App/Cli", MetricData=[{"MetricName": "Hits", "Value": 3}])
    out = aws.json("cloudwatch", "list-metrics", "--namespace", "App/Cli")
    assert [m["MetricName"] for m in out["Metrics"]] == ["Hits"]


def test_json_and_query_clients_are_served(cw, ecsd):
    cw.put_metric_data(Namespace="App/Wire", MetricData=[{"MetricName": "Q", "Value": 1}])
    base = f"http://127.0.0.1:{ecsd.port}/"
    query = urllib.request.Request(
        base,
        data=b"Action=ListMetrics&Version=2010-08-01&Namespace=App%2FWire",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(query) as resp:
        text = resp.read().decode()
    assert "<ListMetricsResponse" in text and "<MetricName>Q</MetricName>" in text
    target = urllib.request.Request(
        base,
        data=json.dumps({"Namespace": "App/Wire"}).encode(),
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "GraniteServiceVersion20100801.ListMetrics",
        },
    )
    with urllib.request.urlopen(target) as resp:
        body = json.loads(resp.read())
    assert [m["MetricName"] for m in body["Metrics"]] == ["Q"]


def test_get_metric_data_pages_scans_and_refuses_math(cw):
    start = _now().replace(second=0) - dt.timedelta(minutes=10)
    cw.put_metric_data(
        Namespace="App/Gmd",
        MetricData=[
            {"MetricName": "N", "Value": float(i), "Timestamp": start + dt.timedelta(minutes=i)}
            for i in range(5)
        ],
    )
    query = {
        "Id": "n",
        "MetricStat": {
            "Metric": {"Namespace": "App/Gmd", "MetricName": "N"},
            "Period": 60,
            "Stat": "Sum",
        },
    }
    end = start + dt.timedelta(minutes=10)
    first = cw.get_metric_data(
        MetricDataQueries=[query], StartTime=start, EndTime=end, MaxDatapoints=3
    )
    r = first["MetricDataResults"][0]
    assert (r["Id"], r["Label"], r["StatusCode"]) == ("n", "N", "PartialData")
    assert r["Values"] == [4.0, 3.0, 2.0]  # TimestampDescending by default
    second = cw.get_metric_data(
        MetricDataQueries=[query],
        StartTime=start,
        EndTime=end,
        MaxDatapoints=3,
        NextToken=first["NextToken"],
    )
    r = second["MetricDataResults"][0]
    assert r["Values"] == [1.0, 0.0] and r["StatusCode"] == "Complete"
    assert "NextToken" not in second
    asc = cw.get_metric_data(
        MetricDataQueries=[query], StartTime=start, EndTime=end, ScanBy="TimestampAscending"
    )["MetricDataResults"][0]
    assert asc["Values"] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert asc["Timestamps"][0] == start
    with pytest.raises(ClientError) as err:
        cw.get_metric_data(
            MetricDataQueries=[{"Id": "m", "Expression": "SUM(METRICS())"}],
            StartTime=start,
            EndTime=end,
        )
    assert aws_error(err)[0] == "InvalidParameterValue"
