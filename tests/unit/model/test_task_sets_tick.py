"""The scheduler's pass over a blue/green service's task sets, in fake time against a
real (in-memory) store and the real API handlers: a CODE_DEPLOY service's first set
starts its tasks, becomes STEADY_STATE, a second set follows its scale, the primary moves,
and a deleted set stops its tasks and leaves once they have stopped."""

from __future__ import annotations

from typing import Any

from ecsd.model.ecs import services as service_model
from ecsd.services.ecs import services
from ecsd.services.ecs import task_sets as api
from unit.controllers.test_service_tick import NETWORK, T0, World


def _call(w: World, fn: Any, **p: Any) -> dict[str, Any]:
    with w.ctx() as ctx:
        return dict(fn(ctx, {"service": "web", **p}))


def _sets(w: World) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in _call(w, api.describe_task_sets)["taskSets"]}


def _of(w: World, set_id: str) -> list[dict[str, Any]]:
    return [t for t in w.live() if t["startedBy"] == set_id]


def test_a_blue_green_shift_in_fake_time() -> None:
    w = World(desiredCount=2, deploymentController={"type": "CODE_DEPLOY"})
    [blue] = w.doc()["taskSets"]
    assert w.doc()["deployments"] == []
    w.tick()
    assert len(_of(w, blue["id"])) == 2
    assert _sets(w)[blue["id"]]["stabilityStatus"] == "STABILIZING"
    w.now += 5
    w.run_all()
    w.tick()
    shown = _sets(w)[blue["id"]]
    assert (shown["stabilityStatus"], shown["stabilityStatusAt"]) == ("STEADY_STATE", T0 + 5)
    assert (shown["runningCount"], shown["pendingCount"]) == (2, 0)
    assert w.doc()["events"][0]["message"] == "(service web) has reached a steady state."

    w.now += 5
    green = _call(
        w,
        api.create_task_set,
        taskDefinition="web:1",
        networkConfiguration=NETWORK,
        launchType="FARGATE",
        scale={"value": 50, "unit": "PERCENT"},
    )["taskSet"]
    w.tick()
    assert len(_of(w, green["id"])) == 1  # ceil(2 × 50 %)
    w.update(desiredCount=3)  # both sets follow the service's count
    w.tick()
    assert (len(_of(w, blue["id"])), len(_of(w, green["id"]))) == (3, 2)
    w.run_all()
    _call(w, api.update_task_set, taskSet=green["id"], scale={"value": 100, "unit": "PERCENT"})
    _call(w, api.update_service_primary_task_set, primaryTaskSet=green["id"])
    _call(w, api.delete_task_set, taskSet=blue["id"], force=True)
    w.tick()
    assert _of(w, blue["id"]) == [] and len(_of(w, green["id"])) == 3
    stopping = [t for t in w.tasks() if t["startedBy"] == blue["id"]]
    assert {t["desiredStatus"] for t in stopping} == {"STOPPED"}
    assert blue["id"] in _sets(w)  # DRAINING until its tasks have stopped
    assert _sets(w)[blue["id"]]["status"] == "DRAINING"
    for t in stopping:
        w.set_task(t["taskArn"], lastStatus="STOPPED", stoppedAt=w.now)
    w.tick()
    assert list(_sets(w)) == [green["id"]]
    assert w.doc()["taskDefinition"].endswith("web:1")


def test_a_deleted_service_stops_every_task_set_and_goes_inactive() -> None:
    w = World(desiredCount=1, deploymentController={"type": "CODE_DEPLOY"})
    w.tick()
    w.run_all()
    with w.ctx() as ctx:
        services.delete_service(ctx, {"service": "web", "force": True})
    w.tick()
    assert w.live() == []
    for t in w.tasks():
        w.set_task(t["taskArn"], lastStatus="STOPPED", stoppedAt=w.now)
    w.tick()
    with w.ctx() as ctx:
        assert service_model.status(ctx, w.arn) == "INACTIVE"
