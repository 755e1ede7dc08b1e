"""A scheduled action scales a service on real containers: at its time the target's
minimum rises and the service starts a real task; a later action lowers the maximum to
zero and the task stops — with the activities and service events a user checks."""

from __future__ import annotations

import time

import pytest
from conftest import client_for

from .taskutil import NETWORK, SERVE, register, service, until

pytestmark = pytest.mark.usefixtures("docker_engine")

RID = "service/default/sched"
T = {"ServiceNamespace": "ecs", "ResourceId": RID, "ScalableDimension": "ecs:service:DesiredCount"}


def at(seconds: float) -> str:
    return "at(" + time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() + seconds)) + ")"


def test_scheduled_actions_start_and_stop_real_tasks(ecsd, ecs):
    aas = client_for(ecsd, "application-autoscaling")
    ecs.create_cluster(clusterName="default")
    taskdef = register(ecs, "sched", [{"name": "app", "command": SERVE}])
    ecs.create_service(
        serviceName="sched",
        taskDefinition=taskdef,
        desiredCount=0,
        launchType="FARGATE",
        networkConfiguration=NETWORK,
    )
    aas.register_scalable_target(**T, MinCapacity=0, MaxCapacity=2)
    aas.put_scheduled_action(
        **T,
        ScheduledActionName="up",
        Schedule=at(2),
        ScalableTargetAction={"MinCapacity": 1},
    )
    until(lambda: service(ecs, "sched")["runningCount"] == 1, timeout=60)
    assert service(ecs, "sched")["desiredCount"] == 1
    aas.put_scheduled_action(
        **T,
        ScheduledActionName="down",
        Schedule=at(2),
        ScalableTargetAction={"MinCapacity": 0, "MaxCapacity": 0},
    )
    until(
        lambda: (lambda s: s["desiredCount"] == 0 and s["runningCount"] == 0)(
            service(ecs, "sched")
        ),
        timeout=60,
    )
    acts = aas.describe_scaling_activities(ServiceNamespace="ecs", ResourceId=RID)[
        "ScalingActivities"
    ]
    assert [a["Description"] for a in acts] == [
        "Setting desired count to 0.",
        "Setting min capacity to 0 and max capacity to 0",
        "Setting desired count to 1.",
        "Setting min capacity to 1",
    ]
    assert acts[0]["Cause"] == "scheduled action name down was triggered"
    events = [e["message"] for e in service(ecs, "sched")["events"]]
    assert any("has started 1 tasks" in m for m in events)
    assert any("has stopped 1 running tasks" in m for m in events)
