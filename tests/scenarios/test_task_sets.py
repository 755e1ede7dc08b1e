"""A blue/green shift between task sets with real containers, as CodeDeploy drives one
(issue #14, item 4): a CODE_DEPLOY service runs blue (its first task set) in the blue
target group; green is created in the green target group, scaled to 100 %, made primary,
and blue is deleted — its task deregistered, drained and really stopped. One busybox
httpd task per set, so the scenario stays lean.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import client_for

from .albutil import balanced, get, health, make_alb, web_taskdef
from .taskutil import NETWORK, until

pytestmark = pytest.mark.usefixtures("docker_engine")
ON_WEB = {"cluster": "default", "service": "web"}


def _sets(ecs: Any) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in ecs.describe_task_sets(**ON_WEB)["taskSets"]}


def _task(ecs: Any, set_id: str, status: str = "RUNNING") -> list[dict[str, Any]]:
    arns = ecs.list_tasks(startedBy=set_id, desiredStatus=status)["taskArns"]
    return ecs.describe_tasks(tasks=arns)["tasks"] if arns else []


def _ip(task: dict[str, Any]) -> str:
    details = task["attachments"][0]["details"]
    return next(d["value"] for d in details if d["name"] == "privateIPv4Address")


def test_codedeploy_style_shift_from_blue_to_green(ecsd):
    ecs, elbv2 = client_for(ecsd, "ecs"), client_for(ecsd, "elbv2")
    ecs.create_cluster()
    blue_lb, green_lb = (
        make_alb(elbv2, "tsblue"),
        make_alb(elbv2, "tsgreen"),
    )
    created = ecs.create_service(
        serviceName="web",
        deploymentController={"type": "CODE_DEPLOY"},
        taskDefinition=web_taskdef(ecs, "tsweb", "blue"),
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=NETWORK,
        loadBalancers=balanced(blue_lb),
    )["service"]
    [blue] = created["taskSets"]

    # Blue's task really runs and serves through the blue target group.
    until(lambda: _sets(ecs)[blue["id"]]["stabilityStatus"] == "STEADY_STATE", timeout=60)
    [blue_task] = _task(ecs, blue["id"])
    assert health(elbv2, blue_lb) == [(_ip(blue_task), "healthy")]
    assert get(blue_lb)[1].startswith("rev=blue")

    green = ecs.create_task_set(
        **ON_WEB,
        externalId="codedeploy-green",
        taskDefinition=web_taskdef(ecs, "tsweb", "green"),
        launchType="FARGATE",
        networkConfiguration=NETWORK,
        loadBalancers=balanced(green_lb),
        scale={"value": 0, "unit": "PERCENT"},
    )["taskSet"]
    assert green["status"] == "ACTIVE" and green["computedDesiredCount"] == 0
    ecs.update_task_set(**ON_WEB, taskSet=green["id"], scale={"value": 100, "unit": "PERCENT"})
    until(lambda: _sets(ecs)[green["id"]]["stabilityStatus"] == "STEADY_STATE", timeout=60)
    [green_task] = _task(ecs, green["id"])
    # Green's task is in green's target group only (the task set's own loadBalancers),
    # and green was not steady before its target was healthy.
    assert health(elbv2, green_lb) == [(_ip(green_task), "healthy")]
    assert health(elbv2, blue_lb) == [(_ip(blue_task), "healthy")]
    assert get(green_lb)[1].startswith("rev=green")

    ecs.update_service_primary_task_set(**ON_WEB, primaryTaskSet=green["id"])
    ecs.delete_task_set(**ON_WEB, taskSet=blue["id"], force=True)
    # Blue's task is deregistered, drained and really stopped; blue leaves the service.
    until(lambda: list(_sets(ecs)) == [green["id"]], timeout=60)
    [stopped] = _task(ecs, blue["id"], status="STOPPED")
    assert stopped["lastStatus"] == "STOPPED"
    assert stopped["stopCode"] == "ServiceSchedulerInitiated"
    assert health(elbv2, blue_lb) == []
    assert get(green_lb)[1].startswith("rev=green")
    service = ecs.describe_services(services=["web"])["services"][0]
    assert service["taskDefinition"].endswith("tsweb:2")
    assert (service["runningCount"], service["desiredCount"]) == (1, 1)
    messages = [e["message"] for e in service["events"]]
    green_id = green_task["taskArn"].rsplit("/", 1)[-1]
    assert f"(service web) has started 1 tasks: (task {green_id})." in messages
    blue_id = blue_task["taskArn"].rsplit("/", 1)[-1]
    assert f"(service web) has stopped 1 running tasks: (task {blue_id})." in messages
    assert (
        f"(service web, taskSet {blue['id']}) has begun draining connections on 1 tasks."
        in messages
    )
    assert f"(service web) deregistered 1 targets in (target-group {blue_lb.tg_arn})" in messages
