"""The scheduler's pass over one service, against a real (in-memory) store and the real
API handlers, with time and task states set by hand: the decisions that are slow or
awkward to provoke with containers — grace periods, health-check failures tripping the
circuit breaker, which tasks a scale-in picks, backoff arithmetic."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from ecsd.aws.provider import Context
from ecsd.config import Settings
from ecsd.controllers.service_tick import (
    BACKOFF_FIRST,
    BACKOFF_MAX,
    BATCH,
    HEALTH_STOP_REASON,
    Tick,
    backoff_delay,
)
from ecsd.core.clock import FakeClock
from ecsd.model.ecs import services as service_model
from ecsd.model.ecs import tasks as task_model
from ecsd.model.ecs.scheduler_state import SchedulerState
from ecsd.services.ecs import clusters, services, task_definitions
from ecsd.store.schema import metadata
from ecsd.store.schema.ecs_services import services as service_rows
from ecsd.store.schema.ecs_tasks import tasks as task_rows

NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}
T0 = 1_800_000_000.0


class World:
    """A store with one cluster, one task definition and one service, and a clock."""

    def __init__(self, **service: Any) -> None:
        self.engine = create_engine("sqlite://")
        metadata.create_all(self.engine)
        self.now = T0
        check = service.pop("health_check", False)
        container: dict[str, Any] = {"name": "app", "image": "busybox"}
        if check:
            container["healthCheck"] = {"command": ["CMD-SHELL", "true"]}
        with self.ctx() as ctx:
            clusters.create_cluster(ctx, {})
            task_definitions.register_task_definition(
                ctx,
                {
                    "family": "web",
                    "requiresCompatibilities": ["FARGATE"],
                    "networkMode": "awsvpc",
                    "cpu": "256",
                    "memory": "512",
                    "containerDefinitions": [container],
                },
            )
            self.arn = services.create_service(
                ctx,
                {
                    "serviceName": "web",
                    "taskDefinition": "web",
                    "networkConfiguration": NETWORK,
                    **({} if "capacityProviderStrategy" in service else {"launchType": "FARGATE"}),
                    **service,
                },
            )["service"]["serviceArn"]

    def ctx(self) -> Any:
        world = self

        class _Tx:
            def __enter__(self) -> Context:
                self.conn = world.engine.connect()
                self.tx = self.conn.begin()
                return Context(
                    conn=self.conn,
                    region="us-east-1",
                    account="000000000000",
                    request_id="t",
                    settings=Settings(),
                    clock=FakeClock(start=world.now),
                )

            def __exit__(self, *exc: Any) -> None:
                (self.tx.rollback if exc[0] else self.tx.commit)()
                self.conn.close()

        return _Tx()

    def tick(self, healthy_after: float = 1.0) -> Tick:
        with self.ctx() as ctx:
            row = ctx.conn.execute(
                select(service_rows.c.doc, service_rows.c.scheduler).where(
                    service_rows.c.arn == self.arn
                )
            ).one()
            tick = Tick(
                ctx=ctx,
                doc=copy.deepcopy(row.doc),
                state=SchedulerState.from_json(copy.deepcopy(row.scheduler)),
                healthy_after=healthy_after,
            )
            tick.run()
            service_model.save(ctx, tick.doc, tick.state)
        return tick

    def tasks(self) -> list[dict[str, Any]]:
        with self.ctx() as ctx:
            rows = ctx.conn.execute(select(task_rows.c.doc).order_by(task_rows.c.created_at))
            return [dict(r.doc) for r in rows]

    def live(self) -> list[dict[str, Any]]:
        return [t for t in self.tasks() if t["desiredStatus"] == "RUNNING"]

    def set_task(self, arn: str, **fields: Any) -> None:
        with self.ctx() as ctx:
            doc = task_model.load(ctx, "arn:aws:ecs:us-east-1:000000000000:cluster/default", arn)
            doc.update(fields)
            task_model.save(ctx, doc)

    def run_all(self, **fields: Any) -> None:
        for t in self.live():
            if t["lastStatus"] != "RUNNING":
                self.set_task(t["taskArn"], lastStatus="RUNNING", startedAt=self.now, **fields)

    def update(self, **p: Any) -> None:
        with self.ctx() as ctx:
            services.update_service(ctx, {"service": "web", **p})

    def doc(self) -> dict[str, Any]:
        with self.ctx() as ctx:
            return services.view(
                ctx,
                service_model.load(
                    ctx, "arn:aws:ecs:us-east-1:000000000000:cluster/default", "web"
                )[0],
            )


def test_backoff_grows_to_27_minutes():
    assert [backoff_delay(n) for n in range(1, 6)] == [
        0,
        0,
        BACKOFF_FIRST,
        BACKOFF_FIRST * 2,
        BACKOFF_FIRST * 4,
    ]
    assert backoff_delay(40) == BACKOFF_MAX == 27 * 60


def test_unhealthy_tasks_are_left_alone_during_the_grace_period_then_replaced_start_first():
    w = World(desiredCount=1, healthCheckGracePeriodSeconds=30, health_check=True)
    w.tick()
    [first] = w.live()
    w.run_all(healthStatus="HEALTHY")
    w.tick()
    w.now += 10
    w.set_task(first["taskArn"], healthStatus="UNHEALTHY")
    tick = w.tick()
    assert [t["taskArn"] for t in w.live()] == [first["taskArn"]]  # within the grace
    assert min(tick.wake_at) == pytest.approx(T0 + 30)
    w.now = T0 + 31
    w.tick()
    live = w.live()
    assert len(live) == 2 and live[0]["taskArn"] == first["taskArn"]  # replacement first
    w.now += 1
    w.run_all(healthStatus="UNKNOWN")
    w.tick()
    assert len(w.live()) == 2  # the replacement is not healthy yet: the sick one stays
    w.set_task(live[1]["taskArn"], healthStatus="HEALTHY")
    w.tick()
    stopped = next(t for t in w.tasks() if t["taskArn"] == first["taskArn"])
    assert stopped["desiredStatus"] == "STOPPED"
    assert (stopped["stopCode"], stopped["stoppedReason"]) == (
        "ServiceSchedulerInitiated",
        HEALTH_STOP_REASON,
    )
    first_id = first["taskArn"].rsplit("/", 1)[1]
    second_id = live[1]["taskArn"].rsplit("/", 1)[1]
    messages = [e["message"] for e in w.doc()["events"]]
    assert messages[:2] == [
        f"(service web) has stopped 1 running tasks: (task {first_id}).",
        f"(service web) (task {first_id}) failed container health checks.",
    ]
    assert (
        f"(service web) has started 1 tasks: (task {second_id}). Amazon ECS replaced 1 "
        "tasks due to an unhealthy status."
    ) in messages


def test_no_room_stops_the_unhealthy_task_first():
    w = World(
        desiredCount=1,
        health_check=True,
        deploymentConfiguration={"maximumPercent": 100, "minimumHealthyPercent": 0},
    )
    w.tick()
    [first] = w.live()
    w.run_all(healthStatus="UNHEALTHY")
    w.tick()
    assert w.live() == []
    w.tick()
    assert len(w.live()) == 1 and w.live()[0]["taskArn"] != first["taskArn"]


def test_health_check_failures_trip_the_breaker_with_their_own_reason():
    w = World(
        desiredCount=1,
        health_check=True,
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": False}},
    )
    for _ in range(10):  # every task turns UNHEALTHY as soon as it runs
        w.tick()
        w.run_all(healthStatus="UNHEALTHY")
        w.now += 1
        if w.doc()["deployments"][0]["rolloutState"] == "FAILED":
            break
    dep = w.doc()["deployments"][0]
    assert dep["failedTasks"] >= 3  # the threshold for a desired count of 1
    assert dep["rolloutState"] == "FAILED"
    assert dep["rolloutStateReason"] == (
        "ECS deployment circuit breaker: tasks failed health checks."
    )
    # No rollback asked for: nothing more is launched for the failed deployment.
    w.tick()
    assert w.live() == []


def test_scale_in_stops_tasks_not_yet_healthy_first_then_the_newest():
    w = World(desiredCount=3)
    w.tick()
    w.run_all()
    w.now += 5
    w.tick()
    w.update(desiredCount=5)
    w.tick()
    [a, b, c, d, e] = w.live()
    w.set_task(d["taskArn"], lastStatus="RUNNING", startedAt=w.now)  # e still pending
    w.now += 5
    w.update(desiredCount=2)
    w.tick()
    survivors = {t["taskArn"] for t in w.live()}
    # e never ran, d is the newest; then one of the three first (started together).
    assert len(survivors) == 2
    assert survivors < {a["taskArn"], b["taskArn"], c["taskArn"]}
    message = w.doc()["events"][0]["message"]
    assert message.startswith("(service web) has stopped 3 running tasks: (task ")


def test_a_repeated_event_is_written_once():
    w = World(
        desiredCount=1,
        deploymentConfiguration={"maximumPercent": 100, "minimumHealthyPercent": 100},
    )
    w.tick()
    w.run_all()
    w.now += 5
    w.tick()
    w.update(forceNewDeployment=True)
    for _ in range(5):
        w.now += 1
        w.tick()
    stuck = [e for e in w.doc()["events"] if "was unable to stop or start tasks" in e["message"]]
    assert len(stuck) == 1


def test_a_healthy_task_resets_the_deployments_failed_count():
    w = World(
        desiredCount=2,
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": False}},
    )
    w.tick()
    a, b = w.live()
    w.set_task(
        a["taskArn"],
        desiredStatus="STOPPED",
        lastStatus="STOPPED",
        stopCode="TaskFailedToStart",
        stoppedReason="CannotPullContainerError: x",
        stoppedAt=w.now,
    )
    w.tick()
    assert w.doc()["deployments"][0]["failedTasks"] == 1
    w.now += 0.5
    w.set_task(b["taskArn"], lastStatus="RUNNING", startedAt=w.now)
    w.now += 2
    w.tick()
    assert w.doc()["deployments"][0]["failedTasks"] == 0


def test_resolved_causes_and_six_hours_let_a_message_be_written_again():
    from ecsd.model.ecs import service_events

    doc = {"serviceName": "web", "events": []}
    stuck = service_events.stuck("web")
    assert service_events.add(doc, stuck, T0)
    assert service_events.add(doc, service_events.started("web", ["t/1"]), T0)
    assert not service_events.add(doc, stuck, T0 + 60)  # omitted: cause not resolved
    assert service_events.add(doc, stuck, T0 + 6 * 3600 + 1)  # six hours passed
    service_events.add(doc, service_events.steady("web"), T0 + 6 * 3600 + 2, dedupe=False)
    assert service_events.add(doc, stuck, T0 + 6 * 3600 + 3)  # resolved meanwhile
    assert [e["message"] for e in doc["events"]].count(stuck) == 3


def test_a_large_service_starts_and_stops_in_batches_each_asking_for_the_next_at_once():
    w = World(desiredCount=2 * BATCH + 50)
    counts = []
    for _ in range(3):
        tick = w.tick()
        counts.append(len(w.live()))
        again = min(tick.wake_at, default=None) == pytest.approx(w.now)
        if len(w.live()) < 2 * BATCH + 50:
            assert again, "a pass that hit the cap must ask to run again at once"
    assert counts == [BATCH, 2 * BATCH, 2 * BATCH + 50]
    assert min(tick.wake_at, default=w.now + 1) > w.now  # the last pass was not capped
    w.run_all()
    w.now += 2
    w.update(desiredCount=0)
    left = []
    for _ in range(3):
        w.tick()
        left.append(len(w.live()))
    assert left == [BATCH + 50, 50, 0]
