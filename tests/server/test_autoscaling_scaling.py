"""Scaling really happens, in fake time: the daemon in-process with a fake container
engine and a fake clock, driven by boto3. An alarm going to ALARM makes its scaling
policy change the service's desired count through UpdateService's path (the scheduler
starts and stops tasks), with AWS's activity texts; the policy acts again while the
alarm stays in ALARM, within its cooldown and the target's bounds; target tracking
computes its capacity from the metric; scale-in waits for a deployment; scheduled
actions run at their time."""

from __future__ import annotations

import time
from typing import Any

import pytest
from conftest import client_for

from ecsd.core.clock import FakeClock
from ecsd.model.cloudwatch import alarms as cw_alarms
from ecsd.model.cloudwatch import metrics as cw_metrics
from ecsd.runtime.fake import FakeRuntime

NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-1"], "assignPublicIp": "ENABLED"}}
RID = "service/default/web"
T = {"ServiceNamespace": "ecs", "ResourceId": RID, "ScalableDimension": "ecs:service:DesiredCount"}


class World:
    def __init__(self, server: Any, clock: FakeClock) -> None:
        self.server = server
        self.clock = clock
        self.ecs = client_for(server, "ecs")
        self.aas = client_for(server, "application-autoscaling")

    def unit(self, fn: Any) -> Any:
        async def go() -> Any:
            return await self.server.daemon.units.run(fn, region="us-east-1")

        return self.server._run(go())

    def advance(self, seconds: float) -> None:
        self.server._run(self.clock.advance(seconds))

    def tick(self, seconds: int) -> None:
        """Advance fake time a second at a time, letting the daemon's loop and its store
        thread keep up (one jump would wake a controller once, mid-write, and move on)."""
        for _ in range(seconds):
            self.advance(1.0)
            time.sleep(0.005)

    def service(self) -> dict[str, Any]:
        return self.ecs.describe_services(services=["web"])["services"][0]

    def settle(self, running: int, limit: float = 120.0) -> None:
        """Advance fake time until the service runs `running` tasks."""
        waited = 0.0
        while self.service()["runningCount"] != running:
            assert waited < limit, f"never {running} running: {self.service()['events'][:3]}"
            self.advance(1.0)
            time.sleep(0.01)
            waited += 1.0

    def alarm(self, name: str, actions: list[str], op: str = "GreaterThanThreshold") -> None:
        self.unit(
            lambda u: cw_alarms.put_alarm(
                u,
                {
                    "AlarmName": name,
                    "Namespace": "Custom",
                    "MetricName": "Load",
                    "Dimensions": [],
                    "Statistic": "Average",
                    "Period": 60,
                    "EvaluationPeriods": 1,
                    "Threshold": 10.0,
                    "ComparisonOperator": op,
                    "AlarmActions": actions,
                },
            )
        )

    def state(self, name: str, state: str) -> None:
        self.unit(lambda u: cw_alarms.set_state(u, name, state, "test"))
        time.sleep(0.05)  # the controller's pass runs on the daemon's loop
        self.advance(0)

    def metric(
        self, namespace: str, name: str, dims: list[dict[str, str]], value: float, unit="None"
    ) -> None:
        self.unit(lambda u: cw_metrics.put(u, namespace, name, dims, value, u.now - 1, unit))

    def desired(self, want: int, limit: float = 5.0) -> int:
        deadline = time.monotonic() + limit
        while self.service()["desiredCount"] != want and time.monotonic() < deadline:
            # A little fake time too: a pass that a busy store thread made late still
            # comes (by at most a few seconds: far less than any cooldown or period here).
            self.advance(0.2)
            time.sleep(0.05)
        return int(self.service()["desiredCount"])

    def activities(self) -> list[dict[str, Any]]:
        return self.aas.describe_scaling_activities(ServiceNamespace="ecs", ResourceId=RID)[
            "ScalingActivities"
        ]


@pytest.fixture
def world(in_process) -> World:
    clock = FakeClock(start=time.time())
    server = in_process(clock=clock, runtime=FakeRuntime(clock))
    w = World(server, clock)
    # These tests drive the alarms' states themselves (as SetAlarmState does); the alarm
    # evaluator would re-judge them from the few datapoints put here every minute.
    server._run(server.daemon.alarms.stop())
    w.ecs.create_cluster()
    w.ecs.register_task_definition(
        family="web",
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "app", "image": "busybox"}],
    )
    w.ecs.create_service(
        serviceName="web",
        taskDefinition="web:1",
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=NETWORK,
    )
    w.settle(1)
    return w


def step_policy(w: World, name: str, adjustment: int, cooldown: int) -> str:
    bound = {"MetricIntervalLowerBound": 0} if adjustment > 0 else {"MetricIntervalUpperBound": 0}
    return w.aas.put_scaling_policy(
        **T,
        PolicyName=name,
        PolicyType="StepScaling",
        StepScalingPolicyConfiguration={
            "AdjustmentType": "ChangeInCapacity",
            "StepAdjustments": [{**bound, "ScalingAdjustment": adjustment}],
            "Cooldown": cooldown,
        },
    )["PolicyARN"]


def test_step_policies_scale_out_while_in_alarm_and_back_in(world: World) -> None:
    w = world
    w.aas.register_scalable_target(**T, MinCapacity=1, MaxCapacity=3)
    out = step_policy(w, "out", 1, 60)
    back = step_policy(w, "in", -1, 60)
    w.alarm("load-high", [out])
    w.alarm("load-low", [back], op="LessThanThreshold")
    w.metric("Custom", "Load", [], 50.0)
    w.state("load-high", "ALARM")
    assert w.desired(2) == 2
    act = w.activities()[0]
    assert act["Description"] == "Setting desired count to 2."
    assert act["Cause"] == "monitor alarm load-high in state ALARM triggered policy out"
    assert act["StatusMessage"] == (
        "Successfully set desired count to 2. Change successfully fulfilled by ecs."
    )
    w.settle(2)
    # Still in ALARM: the policy acts again a period later, past its cooldown …
    w.tick(61)
    assert w.desired(3) == 3
    w.settle(3)
    # … but never past MaxCapacity.
    w.tick(61)
    assert w.desired(3, limit=0.5) == 3
    assert len(w.activities()) == 2
    # The load goes: the low alarm scales in, one task per period.
    w.state("load-high", "OK")
    w.metric("Custom", "Load", [], 1.0)
    w.state("load-low", "ALARM")
    assert w.desired(2) == 2
    w.settle(2)
    w.tick(61)
    assert w.desired(1) == 1
    w.settle(1)
    w.tick(61)
    assert w.desired(1, limit=0.5) == 1  # MinCapacity
    events = " ".join(e["message"] for e in w.service()["events"])
    assert "has started 1 tasks" in events and "has stopped 1 running tasks" in events


def test_target_tracking_scales_to_the_metric_and_holds_scale_in_during_a_deployment(
    world: World,
) -> None:
    w = world
    w.aas.register_scalable_target(**T, MinCapacity=1, MaxCapacity=5)
    policy = w.aas.put_scaling_policy(
        **T,
        PolicyName="cpu30",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 30.0,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
            },
            "ScaleInCooldown": 0,
            "ScaleOutCooldown": 0,
        },
    )
    high = next(a["AlarmName"] for a in policy["Alarms"] if "-AlarmHigh-" in a["AlarmName"])
    low = next(a["AlarmName"] for a in policy["Alarms"] if "-AlarmLow-" in a["AlarmName"])
    dims = [{"Name": "ClusterName", "Value": "default"}, {"Name": "ServiceName", "Value": "web"}]
    w.metric("AWS/ECS", "CPUUtilization", dims, 90.0, "Percent")
    w.state(high, "ALARM")
    assert w.desired(3) == 3  # ceil(1 × 90 / 30)
    assert w.activities()[0]["Cause"] == (
        f"monitor alarm {high} in state ALARM triggered policy cpu30"
    )
    w.settle(3)
    w.state(high, "OK")
    # A deployment in progress holds scale-in.
    w.tick(60)  # the next minute's datapoint
    w.metric("AWS/ECS", "CPUUtilization", dims, 10.0, "Percent")
    w.ecs.update_service(service="web", forceNewDeployment=True)
    w.state(low, "ALARM")
    assert w.desired(1, limit=0.5) == 3
    assert len(w.activities()) == 1
    # Once the deployment is done, the low alarm (still in ALARM) scales in.
    for _ in range(120):
        if len(w.service()["deployments"]) == 1:
            break
        w.advance(5)
        time.sleep(0.01)
    assert len(w.service()["deployments"]) == 1
    w.tick(61)
    assert w.desired(1) == 1  # ceil(3 × 10 / 30)


def test_scale_in_suspended_and_disabled(world: World) -> None:
    w = world
    w.aas.register_scalable_target(
        **T, MinCapacity=0, MaxCapacity=3, SuspendedState={"DynamicScalingOutSuspended": True}
    )
    out = step_policy(w, "out", 1, 0)
    w.alarm("high", [out])
    w.state("high", "ALARM")
    assert w.desired(2, limit=0.5) == 1
    w.aas.register_scalable_target(**T, SuspendedState={"DynamicScalingOutSuspended": False})
    w.tick(61)  # the next invocation while in ALARM
    assert w.desired(2) == 2


def test_a_scheduled_action_runs_at_its_time(world: World) -> None:
    w = world
    w.aas.register_scalable_target(**T, MinCapacity=1, MaxCapacity=4)
    at = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(w.clock.time() + 120))
    w.aas.put_scheduled_action(
        **T,
        ScheduledActionName="morning",
        Schedule=f"at({at})",
        ScalableTargetAction={"MinCapacity": 2, "MaxCapacity": 4},
    )
    w.advance(60)
    assert w.desired(2, limit=0.3) == 1
    for _ in range(14):
        w.advance(5)
    assert w.desired(2) == 2
    target = w.aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"][0]
    assert target["MinCapacity"] == 2
    causes = [a["Cause"] for a in w.activities()]
    assert causes == ["scheduled action name morning was triggered"] * 2


def test_an_alarm_in_alarm_is_picked_up_after_a_restart(world: World) -> None:
    w = world
    w.aas.register_scalable_target(**T, MinCapacity=1, MaxCapacity=3)
    out = step_policy(w, "out", 1, 0)
    w.alarm("high", [out])
    scaling = w.server.daemon.scaling
    w.server._run(scaling.stop())  # as after kill -9: nothing heard the transition
    w.unit(lambda u: cw_alarms.set_state(u, "high", "ALARM", "test"))
    assert w.desired(2, limit=0.3) == 1
    w.server._run(scaling.start())
    assert w.desired(2) == 2
    history = w.unit(
        lambda u: u.conn.exec_driver_sql(
            "SELECT summary FROM cw_alarm_history WHERE kind = 'Action'"
        ).all()
    )
    assert [h[0] for h in history] == [f"Successfully executed action {out}"]


def test_the_cooldown_holds_the_next_scale_out(world: World) -> None:
    w = world
    w.aas.register_scalable_target(**T, MinCapacity=1, MaxCapacity=5)
    out = step_policy(w, "out", 1, 150)
    w.alarm("high", [out])
    w.state("high", "ALARM")
    assert w.desired(2) == 2
    w.settle(2)
    w.tick(61)  # re-invoked a period later: inside the 150 s cooldown
    assert w.desired(3, limit=0.5) == 2
    w.tick(130)  # past it, and the next invocation (every 60 s) has come
    assert w.desired(3) == 3
