"""Through the CloudWatch API on a real `ecsd serve` with real containers: a step policy
on a custom metric (PutMetricData, PutMetricAlarm with the policy's ARN as its action,
SetAlarmState) scales a service out and back in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from conftest import client_for

from .taskutil import NETWORK, SERVE, register, service, until, wait_stable

pytestmark = pytest.mark.usefixtures("docker_engine")

RID = "service/default/cw"
T = {"ServiceNamespace": "ecs", "ResourceId": RID, "ScalableDimension": "ecs:service:DesiredCount"}


def step(aas, name, adjustment):
    bound = {"MetricIntervalLowerBound": 0} if adjustment > 0 else {"MetricIntervalUpperBound": 0}
    return aas.put_scaling_policy(
        **T,
        PolicyName=name,
        PolicyType="StepScaling",
        StepScalingPolicyConfiguration={
            "AdjustmentType": "ChangeInCapacity",
            "StepAdjustments": [{**bound, "ScalingAdjustment": adjustment}],
            "Cooldown": 0,
        },
    )["PolicyARN"]


def test_set_alarm_state_scales_a_service_out_and_in(ecsd, ecs):
    aas = client_for(ecsd, "application-autoscaling")
    cw = client_for(ecsd, "cloudwatch")
    ecs.create_cluster(clusterName="default")
    taskdef = register(ecs, "cw", [{"name": "app", "command": SERVE}])
    ecs.create_service(
        serviceName="cw",
        taskDefinition=taskdef,
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=NETWORK,
    )
    wait_stable(ecs, "cw")
    aas.register_scalable_target(**T, MinCapacity=1, MaxCapacity=2)
    for name, policy, op in (
        ("cw-high", step(aas, "out", 1), "GreaterThanThreshold"),
        ("cw-low", step(aas, "in", -1), "LessThanThreshold"),
    ):
        cw.put_metric_alarm(
            AlarmName=name,
            Namespace="App",
            MetricName="Queue",
            Statistic="Average",
            Period=60,
            EvaluationPeriods=1,
            Threshold=10.0,
            ComparisonOperator=op,
            AlarmActions=[policy],
        )
    now = datetime.now(UTC)
    cw.put_metric_data(
        Namespace="App",
        MetricData=[
            {"MetricName": "Queue", "Value": 50.0, "Timestamp": now - timedelta(seconds=90)}
        ],
    )
    cw.set_alarm_state(AlarmName="cw-high", StateValue="ALARM", StateReason="load")
    until(lambda: service(ecs, "cw")["runningCount"] == 2, timeout=60)
    wait_stable(ecs, "cw")
    # The queue drains: this minute's datapoint is below the threshold.
    cw.put_metric_data(Namespace="App", MetricData=[{"MetricName": "Queue", "Value": 1.0}])
    cw.set_alarm_state(AlarmName="cw-high", StateValue="OK", StateReason="calm")
    cw.set_alarm_state(AlarmName="cw-low", StateValue="ALARM", StateReason="calm")
    until(
        lambda: (lambda s: s["desiredCount"] == 1 and s["runningCount"] == 1)(service(ecs, "cw")),
        timeout=30,
    )
    acts = aas.describe_scaling_activities(ServiceNamespace="ecs", ResourceId=RID)[
        "ScalingActivities"
    ]
    assert [a["Cause"] for a in acts] == [
        "monitor alarm cw-low in state ALARM triggered policy in",
        "monitor alarm cw-high in state ALARM triggered policy out",
    ]
    history = cw.describe_alarm_history(AlarmName="cw-high", HistoryItemType="Action")
    assert history["AlarmHistoryItems"]
