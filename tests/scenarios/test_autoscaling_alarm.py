"""An alarm scales a service on real containers: the daemon in-process on the Docker
engine, a step policy on a custom metric; the alarm going to ALARM (as SetAlarmState or
evaluation puts it, through the alarm model) starts a second real task, the low alarm
stops it again — with the activities and service events a user checks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import client_for

from ecsd.model.cloudwatch import alarms as cw_alarms

from .taskutil import NETWORK, SERVE, register, service, until, wait_stable

pytestmark = pytest.mark.usefixtures("docker_engine")

RID = "service/default/burst"
T = {"ServiceNamespace": "ecs", "ResourceId": RID, "ScalableDimension": "ecs:service:DesiredCount"}


@pytest.fixture
def server(in_process) -> Iterator[Any]:
    s = in_process()
    yield s
    s.reset()  # removes this daemon's containers


def write(server: Any, fn: Any) -> Any:
    async def go() -> Any:
        return await server.daemon.units.run(fn, region="us-east-1")

    return server._run(go())


def alarm(server: Any, name: str, policy: str, op: str) -> None:
    doc = {
        "AlarmName": name,
        "Namespace": "Burst",
        "MetricName": "QueueDepth",
        "Dimensions": [],
        "Statistic": "Average",
        "Period": 60,
        "EvaluationPeriods": 1,
        "Threshold": 10.0,
        "ComparisonOperator": op,
        "AlarmActions": [policy],
    }
    write(server, lambda u: cw_alarms.put_alarm(u, doc))


def step(aas: Any, name: str, adjustment: int) -> str:
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


def test_an_alarm_scales_a_service_out_and_back_in(server):
    ecs = client_for(server, "ecs")
    aas = client_for(server, "application-autoscaling")
    ecs.create_cluster(clusterName="default")
    taskdef = register(ecs, "burst", [{"name": "app", "command": SERVE}])
    ecs.create_service(
        serviceName="burst",
        taskDefinition=taskdef,
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=NETWORK,
    )
    until(lambda: service(ecs, "burst")["runningCount"] == 1, timeout=60)
    aas.register_scalable_target(**T, MinCapacity=1, MaxCapacity=2)
    alarm(server, "burst-high", step(aas, "out", 1), "GreaterThanThreshold")
    alarm(server, "burst-low", step(aas, "in", -1), "LessThanThreshold")

    write(server, lambda u: cw_alarms.set_state(u, "burst-high", "ALARM", "test"))
    until(lambda: service(ecs, "burst")["runningCount"] == 2, timeout=60)
    assert service(ecs, "burst")["desiredCount"] == 2
    # Scale-in waits for the service's deployment to complete (ecs-behaviour.md §6).
    wait_stable(ecs, "burst")
    write(server, lambda u: cw_alarms.set_state(u, "burst-high", "OK", "test"))
    write(server, lambda u: cw_alarms.set_state(u, "burst-low", "ALARM", "test"))
    until(
        lambda: (lambda s: s["desiredCount"] == 1 and s["runningCount"] == 1)(
            service(ecs, "burst")
        ),
        timeout=20,  # at once: not the next invocation a minute later
    )
    acts = aas.describe_scaling_activities(ServiceNamespace="ecs", ResourceId=RID)[
        "ScalingActivities"
    ]
    assert [(a["Description"], a["Cause"]) for a in acts] == [
        (
            "Setting desired count to 1.",
            "monitor alarm burst-low in state ALARM triggered policy in",
        ),
        (
            "Setting desired count to 2.",
            "monitor alarm burst-high in state ALARM triggered policy out",
        ),
    ]
    events = [e["message"] for e in service(ecs, "burst")["events"]]
    assert any("has started 1 tasks" in m for m in events)
    assert any("has stopped 1 running tasks" in m for m in events)
