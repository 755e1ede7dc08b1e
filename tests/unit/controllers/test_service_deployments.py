"""The service deployments API kept from the deployments the scheduler runs, in fake time:
statuses, source and target revisions, the circuit breaker's rollback, a requested
rollback, paging and the 90 days they are kept (issue #12, item 2)."""

from __future__ import annotations

from typing import Any

import pytest

from ecsd.aws.errors import AwsError
from ecsd.services.ecs import service_deployments as api

from .test_service_tick import T0, World

SERVICE = "arn:aws:ecs:us-east-1:000000000000:service/default/web"


def _list(w: World, **p: Any) -> dict[str, Any]:
    with w.ctx() as ctx:
        return api.list_service_deployments(ctx, {"service": "web", **p})


def _describe(w: World, arns: list[str]) -> dict[str, Any]:
    with w.ctx() as ctx:
        return api.describe_service_deployments(ctx, {"serviceDeploymentArns": arns})


def _settle(w: World) -> None:
    w.tick()
    w.run_all()
    w.now += 2
    w.tick()
    w.tick()


def test_a_rollout_is_a_service_deployment_from_its_source_to_its_target_revision():
    w = World(desiredCount=2)
    [first] = _list(w)["serviceDeployments"]
    assert first["status"] == "IN_PROGRESS"
    assert first["serviceDeploymentArn"].startswith(
        "arn:aws:ecs:us-east-1:000000000000:service-deployment/default/web/"
    )
    _settle(w)
    [first] = _list(w)["serviceDeployments"]
    assert first["status"] == "SUCCESSFUL" and first["finishedAt"] >= T0
    w.update(forceNewDeployment=True, desiredCount=3)
    w.tick()
    second = _list(w)["serviceDeployments"][0]
    assert second["status"] == "IN_PROGRESS"
    [doc] = _describe(w, [second["serviceDeploymentArn"]])["serviceDeployments"]
    assert [s["arn"] for s in doc["sourceServiceRevisions"]] == [first["targetServiceRevisionArn"]]
    assert doc["sourceServiceRevisions"][0]["runningTaskCount"] == 2
    assert doc["targetServiceRevision"]["requestedTaskCount"] == 3
    assert doc["targetServiceRevision"]["pendingTaskCount"] == 3
    assert doc["deploymentCircuitBreaker"] == {
        "status": "DISABLED",
        "failureCount": 0,
        "threshold": 0,
    }
    assert "_deploymentId" not in doc
    with w.ctx() as ctx:
        revisions = api.describe_service_revisions(
            ctx, {"serviceRevisionArns": [doc["targetServiceRevision"]["arn"], "arn:x"]}
        )
    [revision] = revisions["serviceRevisions"]
    assert revision["taskDefinition"].endswith("task-definition/web:1")
    assert revision["launchType"] == "FARGATE" and revision["serviceArn"] == SERVICE
    assert revision["containerImages"] == [{"containerName": "app", "image": "busybox"}]
    assert revision["networkConfiguration"]["awsvpcConfiguration"]["subnets"] == ["subnet-1"]
    assert revisions["failures"] == [{"arn": "arn:x", "reason": "MISSING"}]
    # Filters and paging: newest first.
    assert [d["status"] for d in _list(w, status=["SUCCESSFUL"])["serviceDeployments"]] == [
        "SUCCESSFUL"
    ]
    page = _list(w, maxResults=1)
    assert [d["serviceDeploymentArn"] for d in page["serviceDeployments"]] == [
        second["serviceDeploymentArn"]
    ]
    rest = _list(w, maxResults=1, nextToken=page["nextToken"])
    assert [d["serviceDeploymentArn"] for d in rest["serviceDeployments"]] == [
        first["serviceDeploymentArn"]
    ]
    assert "nextToken" not in rest
    after = _list(w, createdAt={"after": T0 + 1})["serviceDeployments"]
    assert [d["serviceDeploymentArn"] for d in after] == [second["serviceDeploymentArn"]]
    before = _list(w, createdAt={"before": T0 + 1})["serviceDeployments"]
    assert [d["serviceDeploymentArn"] for d in before] == [first["serviceDeploymentArn"]]


def test_a_replaced_deployment_is_stopped_and_a_requested_rollback_rolls_back():
    w = World(desiredCount=1)
    _settle(w)
    w.update(forceNewDeployment=True)
    w.tick()
    w.now += 1
    w.update(forceNewDeployment=True)
    w.tick()
    third, second, first = _list(w)["serviceDeployments"]
    assert (first["status"], second["status"], third["status"]) == (
        "SUCCESSFUL",
        "STOPPED",
        "IN_PROGRESS",
    )
    with w.ctx() as ctx:
        api.stop_service_deployment(
            ctx, {"serviceDeploymentArn": third["serviceDeploymentArn"], "stopType": "ROLLBACK"}
        )
    [doc] = _describe(w, [third["serviceDeploymentArn"]])["serviceDeployments"]
    assert doc["status"] == "ROLLBACK_IN_PROGRESS"
    assert doc["rollback"]["serviceRevisionArn"] in {
        first["targetServiceRevisionArn"],
        second["targetServiceRevisionArn"],
    }
    assert len(_list(w)["serviceDeployments"]) == 3  # a rollback is no deployment of its own
    _settle(w)
    [doc] = _describe(w, [third["serviceDeploymentArn"]])["serviceDeployments"]
    assert doc["status"] == "ROLLBACK_SUCCESSFUL" and doc["finishedAt"]
    with w.ctx() as ctx, pytest.raises(AwsError) as err:
        api.stop_service_deployment(ctx, {"serviceDeploymentArn": third["serviceDeploymentArn"]})
    assert err.value.code == "ConflictException"
    with w.ctx() as ctx, pytest.raises(AwsError) as err:
        api.stop_service_deployment(ctx, {"serviceDeploymentArn": "arn:nope"})
    assert err.value.code == "ServiceDeploymentNotFoundException"


def test_the_circuit_breakers_rollback_and_90_days():
    w = World(
        desiredCount=1,
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
    )
    _settle(w)
    w.update(forceNewDeployment=True)
    for _ in range(3):  # three tasks that fail to start trip the breaker (threshold 3)
        w.tick()
        for t in w.live():
            if t["startedBy"] == w.doc()["deployments"][0]["id"] and t["lastStatus"] != "RUNNING":
                w.set_task(
                    t["taskArn"],
                    lastStatus="STOPPED",
                    desiredStatus="STOPPED",
                    stopCode="TaskFailedToStart",
                    stoppedAt=w.now,
                )
        w.now += 400
    w.tick()
    failed = _list(w)["serviceDeployments"][0]
    [doc] = _describe(w, [failed["serviceDeploymentArn"]])["serviceDeployments"]
    assert doc["status"] in ("ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL")
    assert doc["deploymentCircuitBreaker"]["threshold"] == 3
    assert doc["rollback"]["reason"].startswith("ECS deployment circuit breaker: rolling back")
    completed = _list(w)["serviceDeployments"][1]
    assert doc["rollback"]["serviceRevisionArn"] == completed["targetServiceRevisionArn"]
    w.now = T0 + 91 * 24 * 3600
    w.update(forceNewDeployment=True)  # a write purges what is older than 90 days
    assert len(_list(w)["serviceDeployments"]) == 1
