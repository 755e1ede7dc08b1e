"""CloudWatch metric alarms through boto3 (RPC v2 CBOR) against a real `ecsd serve`:
configuration, filters and paging, SetAlarmState and its history, kill -9."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error, client_for


def _alarm(name: str, **extra):
    return {
        "AlarmName": name,
        "Namespace": "App/Alarm",
        "MetricName": "Cpu",
        "Dimensions": [{"Name": "Svc", "Value": "web"}],
        "Statistic": "Average",
        "Period": 60,
        "EvaluationPeriods": 3,
        "DatapointsToAlarm": 2,
        "Threshold": 70.0,
        "ComparisonOperator": "GreaterThanThreshold",
        **extra,
    }


def test_alarms_are_configured_filtered_paged_and_set(client):
    cw = client("cloudwatch")
    for i in range(5):
        cw.put_metric_alarm(**_alarm(f"cpu-{i}", AlarmActions=[f"arn:aws:sns:x:{i}"]))
    got = cw.describe_alarms(AlarmNames=["cpu-1"])["MetricAlarms"][0]
    assert got["StateValue"] == "INSUFFICIENT_DATA"
    assert got["StateReason"] == "Unchecked: Initial alarm creation"
    assert got["AlarmArn"].endswith(":alarm:cpu-1") and got["Threshold"] == 70.0
    first = cw.describe_alarms(AlarmNamePrefix="cpu-", MaxRecords=2)
    assert [a["AlarmName"] for a in first["MetricAlarms"]] == ["cpu-0", "cpu-1"]
    rest = cw.describe_alarms(AlarmNamePrefix="cpu-", MaxRecords=2, NextToken=first["NextToken"])
    assert [a["AlarmName"] for a in rest["MetricAlarms"]] == ["cpu-2", "cpu-3"]
    assert [
        a["AlarmName"] for a in cw.describe_alarms(ActionPrefix="arn:aws:sns:x:4")["MetricAlarms"]
    ] == ["cpu-4"]

    cw.set_alarm_state(AlarmName="cpu-2", StateValue="ALARM", StateReason="testing")
    alarmed = cw.describe_alarms(StateValue="ALARM")["MetricAlarms"]
    assert [(a["AlarmName"], a["StateReason"]) for a in alarmed] == [("cpu-2", "testing")]
    history = cw.describe_alarm_history(AlarmName="cpu-2", HistoryItemType="StateUpdate")
    assert history["AlarmHistoryItems"][0]["HistorySummary"] == (
        "Alarm updated from INSUFFICIENT_DATA to ALARM"
    )
    for_metric = cw.describe_alarms_for_metric(
        Namespace="App/Alarm", MetricName="Cpu", Dimensions=[{"Name": "Svc", "Value": "web"}]
    )
    assert len(for_metric["MetricAlarms"]) == 5
    cw.disable_alarm_actions(AlarmNames=["cpu-3"])
    assert not cw.describe_alarms(AlarmNames=["cpu-3"])["MetricAlarms"][0]["ActionsEnabled"]
    cw.delete_alarms(AlarmNames=[f"cpu-{i}" for i in range(5)])
    assert cw.describe_alarms(AlarmNamePrefix="cpu-")["MetricAlarms"] == []


def test_bad_alarms_are_refused_and_change_nothing(client):
    cw = client("cloudwatch")
    with pytest.raises(ClientError) as err:
        cw.put_metric_alarm(**_alarm("bad", DatapointsToAlarm=5))
    assert aws_error(err)[0] == "ValidationError"
    with pytest.raises(ClientError) as err:
        cw.put_metric_alarm(**_alarm("bad", ExtendedStatistic="p90"))
    assert aws_error(err)[0] == "ValidationError"
    with pytest.raises(ClientError) as err:
        cw.set_alarm_state(AlarmName="bad", StateValue="OK", StateReason="x")
    assert aws_error(err)[0] == "ResourceNotFound"
    assert cw.describe_alarms(AlarmNames=["bad"])["MetricAlarms"] == []


def test_kill9_keeps_alarms_and_state(ecsd_factory):
    server = ecsd_factory()
    cw = client_for(server, "cloudwatch")
    # Missing data breaching: evaluation (which runs at once after a start) keeps ALARM.
    cw.put_metric_alarm(**_alarm("durable", TreatMissingData="breaching"))
    cw.set_alarm_state(AlarmName="durable", StateValue="ALARM", StateReason="kept")
    server.kill9()
    server.start()
    got = cw.describe_alarms(AlarmNames=["durable"])["MetricAlarms"][0]
    assert (got["StateValue"], got["StateReason"]) == ("ALARM", "kept")


def test_an_alarm_goes_to_alarm_and_back_to_ok_by_evaluation(ecsd_factory):
    import time

    server = ecsd_factory("--metric-period", "1")
    cw = client_for(server, "cloudwatch")
    cw.put_metric_alarm(
        **_alarm(
            "live",
            EvaluationPeriods=3,
            DatapointsToAlarm=1,
            TreatMissingData="notBreaching",
        )
    )
    cw.put_metric_data(
        Namespace="App/Alarm",
        MetricData=[
            {"MetricName": "Cpu", "Dimensions": [{"Name": "Svc", "Value": "web"}], "Value": 90}
        ],
    )

    def wait_for(state: str) -> dict:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            got = cw.describe_alarms(AlarmNames=["live"])["MetricAlarms"][0]
            if got["StateValue"] == state:
                return got
            time.sleep(0.2)
        raise AssertionError(f"alarm never reached {state}: {got}")

    alarmed = wait_for("ALARM")
    assert alarmed["StateReason"].startswith(
        "Threshold Crossed: 1 out of the last 3 datapoints [90.0 ("
    )
    assert alarmed["StateReason"].endswith(
        "were greater than the threshold (70.0) (minimum 1 datapoint for OK -> ALARM transition)."
    )
    assert '"recentDatapoints":[90.0]' in alarmed["StateReasonData"]
    ok = wait_for("OK")
    assert "were not greater than the threshold (70.0)" in ok["StateReason"]
    kinds = [
        i["HistorySummary"]
        for i in cw.describe_alarm_history(AlarmName="live", HistoryItemType="StateUpdate")[
            "AlarmHistoryItems"
        ]
    ]
    assert kinds == [
        "Alarm updated from ALARM to OK",
        "Alarm updated from INSUFFICIENT_DATA to ALARM",
    ]


def test_alarm_tags(client):
    cw = client("cloudwatch")
    cw.put_metric_alarm(**_alarm("tagged"), Tags=[{"Key": "team", "Value": "a"}])
    arn = cw.describe_alarms(AlarmNames=["tagged"])["MetricAlarms"][0]["AlarmArn"]
    cw.tag_resource(ResourceARN=arn, Tags=[{"Key": "env", "Value": "dev"}])
    cw.untag_resource(ResourceARN=arn, TagKeys=["team"])
    assert cw.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]
    with pytest.raises(ClientError) as err:
        cw.list_tags_for_resource(ResourceARN=arn + "-gone")
    assert aws_error(err)[0] == "ResourceNotFoundException"
    cw.delete_alarms(AlarmNames=["tagged"])
