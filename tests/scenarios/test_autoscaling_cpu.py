"""Target tracking on CPU, for real: a service whose containers burn CPU, ecsd's own
`AWS/ECS` CPUUtilization from their Docker stats (controllers/task_metrics.py) on a
compressed metric clock (1 s periods), the policy's AlarmHigh scaling it out and, once the
burning stops, its AlarmLow scaling it back in — the activities and service events a user
checks, all on the Docker engine."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import client_for

from .taskutil import NETWORK, register, service, until

pytestmark = pytest.mark.usefixtures("docker_engine")

RID = "service/default/cpu"
T = {"ServiceNamespace": "ecs", "ResourceId": RID, "ScalableDimension": "ecs:service:DesiredCount"}
# One busy loop for BURN seconds, then idle: the task's 256 CPU units (a quarter of a CPU,
# its Docker limit) are all used, then none.
BURN = 8
COMMAND = [
    "sh",
    "-c",
    f"trap 'exit 0' TERM; timeout {BURN} sh -c 'while :; do :; done'; sleep 3600 & wait",
]


@pytest.fixture
def server(in_process) -> Iterator[Any]:
    s = in_process(metric_period=1.0)
    yield s
    s.reset()  # removes this daemon's containers


def test_target_tracking_on_cpu_scales_out_under_load_and_back_in(server):
    ecs = client_for(server, "ecs")
    aas = client_for(server, "application-autoscaling")
    cw = client_for(server, "cloudwatch")
    ecs.create_cluster(clusterName="default")
    taskdef = register(ecs, "cpu", [{"name": "app", "command": COMMAND}], cpu="256")
    ecs.create_service(
        serviceName="cpu",
        taskDefinition=taskdef,
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=NETWORK,
    )
    aas.register_scalable_target(**T, MinCapacity=1, MaxCapacity=2)
    aas.put_scaling_policy(
        **T,
        PolicyName="cpu50",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 50.0,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
            },
            "ScaleOutCooldown": 2,
            "ScaleInCooldown": 2,
        },
    )
    until(lambda: service(ecs, "cpu")["runningCount"] == 1, timeout=30)
    began = time.monotonic()

    # The burning task: CPUUtilization over the target for 3 periods → a second task.
    until(lambda: service(ecs, "cpu")["runningCount"] == 2, timeout=20)
    out_after = time.monotonic() - began
    now = dt.datetime.now(dt.UTC)
    points = cw.get_metric_statistics(
        Namespace="AWS/ECS",
        MetricName="CPUUtilization",
        Dimensions=[
            {"Name": "ClusterName", "Value": "default"},
            {"Name": "ServiceName", "Value": "cpu"},
        ],
        StartTime=now - dt.timedelta(minutes=2),
        EndTime=now,
        Period=60,
        Statistics=["Maximum"],
    )["Datapoints"]
    assert points and points[0]["Unit"] == "Percent"
    assert points[0]["Maximum"] > 80  # one busy loop fills the task's quarter CPU

    # Both tasks stop burning: 15 periods under 45 % (the AlarmLow) → back to one.
    until(
        lambda: (lambda s: s["desiredCount"] == 1 and s["runningCount"] == 1)(service(ecs, "cpu")),
        timeout=45,
    )
    acts = aas.describe_scaling_activities(ServiceNamespace="ecs", ResourceId=RID)[
        "ScalingActivities"
    ]
    got = [(a["Description"], a["Cause"]) for a in acts]
    assert len(got) == 2, (got, out_after)
    (d_in, c_in), (d_out, c_out) = got
    assert d_out == "Setting desired count to 2."
    assert re.fullmatch(
        rf"monitor alarm TargetTracking-{RID}-AlarmHigh-[0-9a-f-]+ in state ALARM "
        r"triggered policy cpu50",
        c_out,
    ), c_out
    assert d_in == "Setting desired count to 1."
    assert re.fullmatch(
        rf"monitor alarm TargetTracking-{RID}-AlarmLow-[0-9a-f-]+ in state ALARM "
        r"triggered policy cpu50",
        c_in,
    ), c_in
    events = [e["message"] for e in service(ecs, "cpu")["events"]]
    assert any("has started 1 tasks" in m for m in events)
    assert any("has stopped 1 running tasks" in m for m in events)
