"""Task scale-in protection as the scheduler honours it, in fake time: a protected task is
never picked for scale-in, a deployment leaves it running until its protection ends, and
the service event says why (issue #12, item 2)."""

from __future__ import annotations

from typing import Any

import pytest

from ecsd.aws.errors import AwsError
from ecsd.services.ecs import task_protection

from .test_service_tick import T0, World


def _protect(w: World, arns: list[str], **p: Any) -> dict[str, Any]:
    with w.ctx() as ctx:
        return task_protection.update_task_protection(
            ctx, {"tasks": arns, "protectionEnabled": True, **p}
        )


def test_a_protected_task_is_not_chosen_for_scale_in():
    w = World(desiredCount=3)
    w.tick()
    w.run_all()
    w.now += 2
    w.tick()
    oldest, newest = w.live()[0]["taskArn"], w.live()[-1]["taskArn"]
    out = _protect(w, [newest], expiresInMinutes=1)
    assert out["failures"] == []
    assert out["protectedTasks"] == [
        {"taskArn": newest, "protectionEnabled": True, "expirationDate": w.now + 60}
    ]
    w.update(desiredCount=1)
    w.tick()
    # Scale-in picks the newest first, but not a protected one.
    assert [t["taskArn"] for t in w.live()] == [newest]
    _protect(w, [newest], expiresInMinutes=1)
    w.update(desiredCount=0)
    tick = w.tick()
    assert [t["taskArn"] for t in w.live()] == [newest]  # held
    assert min(tick.wake_at) == pytest.approx(w.now + 60)
    deployment = w.doc()["deployments"][0]["id"]
    assert (
        f"(service web, taskSet {deployment}) was unable to scale in due to "
        "(reason 1 tasks under protection)"
    ) in [e["message"] for e in w.doc()["events"]]
    assert oldest not in [t["taskArn"] for t in w.live()]
    w.now += 61  # the protection lapses by itself
    w.tick()
    assert w.live() == []


def test_a_deployment_waits_for_protection_to_end():
    w = World(desiredCount=1, deploymentConfiguration={"maximumPercent": 200})
    w.tick()
    w.run_all()
    w.now += 2
    w.tick()
    [old] = w.live()
    _protect(w, [old["taskArn"]])  # the default: 120 minutes
    w.update(forceNewDeployment=True)
    w.tick()
    w.run_all()
    w.now += 2
    w.tick()
    live = [t["taskArn"] for t in w.live()]
    assert old["taskArn"] in live and len(live) == 2
    assert w.doc()["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    with w.ctx() as ctx:
        got = task_protection.get_task_protection(ctx, {"tasks": [old["taskArn"]]})
    assert got["protectedTasks"][0]["expirationDate"] == pytest.approx(T0 + 2 + 120 * 60)
    with w.ctx() as ctx:  # unprotecting lets the deployment finish
        task_protection.update_task_protection(
            ctx, {"tasks": [old["taskArn"]], "protectionEnabled": False}
        )
    w.tick()
    assert [t["taskArn"] for t in w.live()] != live
    assert old["taskArn"] not in [t["taskArn"] for t in w.live()]


def test_protection_refuses_what_aws_refuses():
    w = World(desiredCount=1)
    w.tick()
    [task] = w.live()
    with pytest.raises(AwsError) as err:
        _protect(w, [task["taskArn"]], expiresInMinutes=2881)
    assert err.value.code == "InvalidParameterException"
    missing = "arn:aws:ecs:us-east-1:000000000000:task/default/" + "0" * 32
    out = _protect(w, ["0" * 32])
    assert out == {"protectedTasks": [], "failures": [{"arn": missing, "reason": "MISSING"}]}
