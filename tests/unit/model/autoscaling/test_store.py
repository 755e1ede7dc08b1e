"""Policies, scheduled actions and activities in the store, in fake time: target
tracking's alarms follow its policy, a scheduled action comes due at its time and moves
on to the next, activities read newest first."""

from __future__ import annotations

from typing import Any

from ecsd.model.autoscaling import activities, policies, scheduled
from ecsd.model.autoscaling.targets import Key
from ecsd.model.cloudwatch import alarms as cw_alarms
from ecsd.services import pagination

from ..conftest import World

KEY = Key("ecs", "service/default/web", "ecs:service:DesiredCount")
TT = {
    "PolicyType": "TargetTrackingScaling",
    "TargetTrackingScalingPolicyConfiguration": {
        "TargetValue": 40.0,
        "PredefinedMetricSpecification": {
            "PredefinedMetricType": "ECSServiceAverageMemoryUtilization"
        },
    },
}


def test_target_tracking_alarms_come_and_go_with_the_policy(world: World) -> None:
    doc = world.run(lambda u: policies.put(u, KEY, "mem", TT))
    names = doc["_OwnedAlarms"]
    shown = world.run(lambda u: [cw_alarms.get(u, n) for n in names])
    assert [a["MetricName"] for a in shown] == ["MemoryUtilization"] * 2
    assert [a["Threshold"] for a in shown] == [40.0, 36.0]
    assert all(a["StateValue"] == "INSUFFICIENT_DATA" for a in shown)
    # Switching to step scaling drops the owned alarms.
    step = {
        "PolicyType": "StepScaling",
        "StepScalingPolicyConfiguration": {
            "AdjustmentType": "ChangeInCapacity",
            "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}],
        },
    }
    again = world.run(lambda u: policies.put(u, KEY, "mem", step))
    assert again["PolicyARN"] == doc["PolicyARN"] and again["_OwnedAlarms"] == []
    assert world.run(lambda u: [cw_alarms.get(u, n) for n in names]) == [None, None]
    world.run(lambda u: policies.remove(u, again))
    assert world.run(lambda u: policies.by_arn(u, doc["PolicyARN"])) is None


def test_a_scheduled_action_comes_due_and_moves_on(world: World) -> None:
    p = {"Schedule": "rate(10 minutes)", "ScalableTargetAction": {"MinCapacity": 2}}
    world.run(lambda u: scheduled.put(u, KEY, "every10", p))
    assert world.run(scheduled.due) == []
    world.advance(600)
    due: list[dict[str, Any]] = world.run(scheduled.due)
    assert [d["ScheduledActionName"] for d in due] == ["every10"]
    world.run(lambda u: scheduled.advance(u, due[0]))
    assert world.run(scheduled.due) == []
    assert world.run(scheduled.next_due) == world.clock.time() + 600


def test_activities_newest_first(world: World) -> None:
    for n in (2, 3):
        world.run(lambda u, n=n: activities.desired_count(u, KEY, n, "c"))
        world.advance(1)

    def newest_first(u: Any) -> list[str]:
        ks = activities.listing(u, "ecs", KEY.resource_id, None)
        rows, _ = pagination.scan(u.conn, ks.query, ks.key, None, 10, descending=True)
        return [r.doc["Description"] for r in rows]

    assert world.run(newest_first) == ["Setting desired count to 3.", "Setting desired count to 2."]
    assert world.run(activities.sweep) == 0
    world.advance(activities.RETENTION + 10)
    assert world.run(activities.sweep) == 2
