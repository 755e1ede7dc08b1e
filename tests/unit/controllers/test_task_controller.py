"""The task controller against the fake runtime, in fake time: no Docker, milliseconds a
test. A real Store (SQLite in a tmp dir) and the real model functions: tasks are inserted
by `new_task`, the function RunTask itself calls, and stopped by `request_stop`, as
StopTask does."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest

from ecsd.config import Settings
from ecsd.controllers.tasks import (
    LABEL_CONTAINER,
    LABEL_INSTANCE,
    LABEL_TASK,
    TaskController,
    steps,
)
from ecsd.core.bus import Bus, TaskChanged
from ecsd.core.clock import FakeClock
from ecsd.core.unit import Unit
from ecsd.model.ecs import tasks as task_api
from ecsd.model.logs.ingest import LogSink
from ecsd.runtime.fake import SIGKILL_EXIT, SIGTERM_EXIT, FakeRuntime
from ecsd.services import all_providers
from ecsd.store import Store
from ecsd.store.schema.ecs_tasks import tasks

all_providers()  # every service's tables, before a store opens
T = TypeVar("T")
INSTANCE = "test-instance"
CLUSTER = "arn:aws:ecs:us-east-1:000000000000:cluster/default"


class CountingStore(Store):
    """The store with a count of operations under way on its threads: fake time must not
    move on while one is (its result would arrive "late", at a later fake time)."""

    inflight = 0

    async def write(self, fn: Callable[[Any], T]) -> T:
        self.inflight += 1
        try:
            return await super().write(fn)
        finally:
            self.inflight -= 1

    async def read(self, fn: Callable[[Any], T]) -> T:
        self.inflight += 1
        try:
            return await super().read(fn)
        finally:
            self.inflight -= 1


class Harness:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.settings = Settings(data_dir=tmp_path)
        self.store = CountingStore(tmp_path / "ecsd.db")
        self.clock = FakeClock()
        self.runtime = FakeRuntime(self.clock)
        self.bus = Bus()
        self.published: list[TaskChanged] = []
        self.bus.subscribe(TaskChanged, self.published.append)
        self.sink = LogSink(self.store, account=self.settings.account_id)
        self.controller = self.new_controller()

    def new_controller(self) -> TaskController:
        return TaskController(
            self.store,
            self.runtime,
            self.settings,
            self.sink,
            INSTANCE,
            bus=self.bus,
            clock=self.clock,
        )

    def _ctx(self, conn: Any) -> Unit:
        return Unit(
            conn=conn,
            region="us-east-1",
            account=self.settings.account_id,
            request_id="test",
            settings=self.settings,
            clock=self.clock,
        )

    def _write(self, fn: Callable[[Unit], T]) -> T:
        """One API write: its unit commits, then its events are published (Units.run)."""
        units: list[Unit] = []

        def run(conn: Any) -> T:
            units.append(self._ctx(conn))
            return fn(units[0])

        result = self.store.write_sync(run)
        self.bus.publish(units[0].changed)
        return result

    def run_task(self, containers: list[dict[str, Any]], **taskdef: Any) -> str:
        """What RunTask does: one PROVISIONING row (through the same model function),
        then its TaskChanged published after the commit."""
        for d in containers:
            d.setdefault("image", "busybox")
        definition = {
            "taskDefinitionArn": "arn:aws:ecs:us-east-1:000000000000:task-definition/t:1",
            "family": "t",
            "revision": 1,
            "networkMode": "awsvpc",
            "containerDefinitions": containers,
            **taskdef,
        }

        def insert(ctx: Unit) -> str:
            doc = task_api.new_task(
                ctx,
                cluster_arn=CLUSTER,
                taskdef=definition,
                p={},
                group="family:t",
                started_by=None,
                network={"awsvpcConfiguration": {"subnets": ["subnet-1"]}},
                launch_type="FARGATE",
                task_tags=[],
            )
            return str(doc["taskArn"])

        return self._write(insert)

    def stop_task(self, arn: str, reason: str = "Task stopped by user") -> None:
        def stop(ctx: Unit) -> None:
            doc = task_api.load(ctx, CLUSTER, arn)
            task_api.request_stop(ctx, doc, stop_code="UserInitiated", reason=reason)

        self._write(stop)

    def task(self, arn: str) -> dict[str, Any]:
        row = self.store.read_sync(
            lambda c: c.execute(tasks.select().where(tasks.c.arn == arn)).first()
        )
        assert row is not None
        return dict(row.doc)

    def status(self, arn: str) -> str:
        return str(self.task(arn)["lastStatus"])

    def containers(self, arn: str) -> dict[str, Any]:
        return {
            s.labels[LABEL_CONTAINER]: s
            for s in self.runtime.containers
            if s.labels.get(LABEL_TASK) == arn
        }

    async def quiet(self) -> None:
        """Until every coroutine has run as far as it can and no store call is under way."""
        deadline = time.monotonic() + 10
        while True:
            await self.clock.settle()
            if self.store.inflight == 0:
                await self.clock.settle(5)
                if self.store.inflight == 0:
                    return
            if time.monotonic() > deadline:
                raise AssertionError("the store never went quiet")

    async def advance(self, seconds: float, step: float | None = None) -> None:
        """Move fake time on (in `step`s), letting everything settle before each move."""
        left = seconds
        while left > 0:
            move = min(left, step or left)
            await self.quiet()
            await self.clock.advance(move)
            left -= move
        await self.quiet()

    async def until(
        self, cond: Callable[[], bool], *, fake_seconds: float = 0.0, step: float = 1.0
    ) -> float:
        """Let the controller work, moving fake time on in `step`s (at most
        `fake_seconds`), until `cond()` holds; the fake seconds it took."""
        waited, deadline = 0.0, time.monotonic() + 10
        while True:
            await self.quiet()
            if cond():
                return waited
            if waited < fake_seconds:
                await self.clock.advance(step)
                waited += step
            elif time.monotonic() > deadline:
                raise AssertionError(f"not reached within {fake_seconds} fake seconds")

    async def status_is(
        self, arn: str, status: str, fake_seconds: float = 0.0, step: float = 1.0
    ) -> float:
        return await self.until(
            lambda: self.status(arn) == status, fake_seconds=fake_seconds, step=step
        )


def scenario(
    fn: Callable[[Harness], Coroutine[Any, Any, None]],
) -> Callable[[Path], None]:
    """Run the test's coroutine on a fresh loop with a started controller."""

    def test(tmp_path: Path) -> None:
        async def main() -> None:
            h = Harness(tmp_path)
            await h.controller.start()
            try:
                await fn(h)
            finally:
                await h.controller.stop()
                await h.runtime.close()
                await h.sink.close()

        asyncio.run(main())

    test.__name__ = fn.__name__
    test.__doc__ = fn.__doc__
    return test


# -- starting ---------------------------------------------------------------------------
@scenario
async def test_task_walks_to_running_and_down_to_stopped(h: Harness) -> None:
    arn = h.run_task([{"name": "web", "portMappings": [{"containerPort": 80}]}])
    await h.status_is(arn, "RUNNING")
    doc = h.task(arn)
    assert doc["containers"][0]["lastStatus"] == "RUNNING"
    assert doc["containers"][0]["networkBindings"][0]["containerPort"] == 80
    assert doc["startedAt"] == pytest.approx(h.clock.time(), abs=5)
    h.stop_task(arn)
    await h.status_is(arn, "STOPPED")
    doc = h.task(arn)
    assert doc["stopCode"] == "UserInitiated"
    assert doc["containers"][0]["exitCode"] == SIGTERM_EXIT
    assert h.containers(arn) == {}
    statuses = [
        s for _, action, s in [(0, a, n) for _, a, n in h.runtime.history] if action == "start"
    ]
    assert len(statuses) == 1, "started once"


@scenario
async def test_every_status_is_published_and_none_pokes_its_own_worker(h: Harness) -> None:
    arn = h.run_task([{"name": "web"}])
    await h.status_is(arn, "RUNNING")
    # RunTask's insert, then PROVISIONING→PENDING, →ACTIVATING, →RUNNING: one event
    # each, all for this task.
    assert [e.arn for e in h.published] == [arn] * 4
    await h.quiet()
    calls = h.runtime.calls.total()
    # Another write of the controller's own: published, yet its worker sleeps on.
    await h.controller.access.update(arn, lambda _ctx, doc, _rt: doc.update(x=1))
    await h.quiet()
    assert len(h.published) == 5
    assert h.runtime.calls.total() == calls


@scenario
async def test_pull_failure_is_cannot_pull_container_error(h: Harness) -> None:
    h.runtime.pull_errors["nope/app:1"] = "manifest unknown"
    arn = h.run_task([{"name": "app", "image": "nope/app:1"}])
    await h.status_is(arn, "STOPPED")
    doc = h.task(arn)
    assert doc["stopCode"] == "TaskFailedToStart"
    assert doc["stoppedReason"].startswith("CannotPullContainerError: ")
    assert "manifest unknown" in doc["stoppedReason"]
    assert doc["containers"][0]["reason"].startswith("CannotPullContainerError: ")
    assert "startedAt" not in doc
    assert h.runtime.containers == []


@scenario
async def test_essential_exit_stops_the_task_with_the_exit_code(h: Harness) -> None:
    h.runtime.script("busybox", exit_after=3, exit_code=127)
    arn = h.run_task([{"name": "app"}])
    await h.status_is(arn, "RUNNING")
    waited = await h.status_is(arn, "STOPPED", fake_seconds=10)
    assert 2.5 <= waited <= 4
    doc = h.task(arn)
    assert doc["stopCode"] == "EssentialContainerExited"
    assert doc["stoppedReason"] == "Essential container in task exited"
    assert doc["containers"][0]["exitCode"] == 127


@scenario
async def test_non_essential_exit_keeps_the_task_running(h: Harness) -> None:
    h.runtime.script("sidecar", exit_after=1, exit_code=3)
    arn = h.run_task([{"name": "main"}, {"name": "side", "image": "sidecar", "essential": False}])
    await h.status_is(arn, "RUNNING")
    await h.until(lambda: h.task(arn)["containers"][1]["lastStatus"] == "STOPPED", fake_seconds=5)
    doc = h.task(arn)
    assert doc["lastStatus"] == "RUNNING" and doc["desiredStatus"] == "RUNNING"
    assert doc["containers"][1]["exitCode"] == 3


@scenario
async def test_oom_kill_is_out_of_memory_error(h: Harness) -> None:
    h.runtime.script("busybox", oom_after=2)
    arn = h.run_task([{"name": "app", "memory": 8}])
    await h.status_is(arn, "STOPPED", fake_seconds=10)
    container = h.task(arn)["containers"][0]
    assert container["exitCode"] == SIGKILL_EXIT
    assert container["reason"] == "OutOfMemoryError: Container killed due to memory usage"


# -- dependsOn --------------------------------------------------------------------------
def _depends(condition: str, **app: Any) -> list[dict[str, Any]]:
    return [
        {"name": "db", "image": "db", "essential": condition in ("START", "HEALTHY")},
        {
            "name": "app",
            "dependsOn": [{"containerName": "db", "condition": condition}],
            **app,
        },
    ]


@scenario
async def test_depends_on_start_starts_the_dependent_after_its_dependency(h: Harness) -> None:
    arn = h.run_task(_depends("START"))
    await h.status_is(arn, "RUNNING")
    starts = [name for _, action, name in h.runtime.history if action == "start"]
    assert starts[0].endswith(tuple("pause-" + arn.rsplit("/", 1)[1]))  # the sandbox first
    assert "-db-" in starts[1] and "-app-" in starts[2]


@scenario
async def test_depends_on_complete_waits_for_the_exit_whatever_its_code(h: Harness) -> None:
    h.runtime.script("db", exit_after=4, exit_code=1)
    arn = h.run_task(_depends("COMPLETE"))
    await h.until(lambda: "db" in h.containers(arn))
    await h.advance(3)
    assert "app" not in h.containers(arn)
    waited = await h.status_is(arn, "RUNNING", fake_seconds=5)
    assert waited <= 3
    assert h.containers(arn)["db"].exit_code == 1


@scenario
async def test_depends_on_success_fails_the_task_on_a_non_zero_exit(h: Harness) -> None:
    h.runtime.script("db", exit_after=2, exit_code=2)
    arn = h.run_task(_depends("SUCCESS"))
    await h.status_is(arn, "STOPPED", fake_seconds=10)
    doc = h.task(arn)
    assert doc["stopCode"] == "TaskFailedToStart"
    assert doc["stoppedReason"] == (
        "Task failed to start: dependency db of container app exited with code 2, "
        "not the SUCCESS it needed."
    )


@scenario
async def test_depends_on_success_starts_after_a_clean_exit(h: Harness) -> None:
    h.runtime.script("db", exit_after=2, exit_code=0)
    arn = h.run_task(_depends("SUCCESS"))
    await h.status_is(arn, "RUNNING", fake_seconds=10)


@scenario
async def test_depends_on_healthy_waits_for_health(h: Harness) -> None:
    h.runtime.script("db", health=[(5, "healthy")])
    check = {"command": ["CMD", "true"], "interval": 5}
    arn = h.run_task(_depends("HEALTHY"))
    await h.until(lambda: "db" in h.containers(arn))
    assert h.status(arn) == "ACTIVATING"
    waited = await h.status_is(arn, "RUNNING", fake_seconds=10)
    assert 4 <= waited <= 6.5
    del check


@scenario
async def test_start_timeout_of_a_dependency_fails_the_task(h: Harness) -> None:
    h.runtime.script("db", health=[(1, "unhealthy")])
    arn = h.run_task(_depends("HEALTHY", startTimeout=30))
    await h.until(lambda: "db" in h.containers(arn))
    await h.advance(25)
    assert h.status(arn) == "ACTIVATING", "not before the startTimeout"
    await h.status_is(arn, "STOPPED", fake_seconds=40)
    doc = h.task(arn)
    assert doc["stopCode"] == "TaskFailedToStart"
    assert doc["stoppedReason"] == (
        "Task failed to start: container app timed out after 30 s waiting for its "
        "dependency: db HEALTHY."
    )
    app = next(c for c in doc["containers"] if c["name"] == "app")
    assert "exitCode" not in app and "runtimeId" not in app  # never started


# -- stopping ---------------------------------------------------------------------------
@scenario
async def test_stop_signals_dependents_first_and_kills_after_the_stop_timeout(h: Harness) -> None:
    h.runtime.script("db", ignores_sigterm=True)
    h.runtime.script("busybox", ignores_sigterm=True)
    arn = h.run_task(
        [
            {"name": "db", "image": "db", "stopTimeout": 20},
            {
                "name": "app",
                "stopTimeout": 10,
                "dependsOn": [{"containerName": "db", "condition": "START"}],
            },
        ]
    )
    await h.status_is(arn, "RUNNING")
    began = h.clock.monotonic()
    h.stop_task(arn)
    await h.status_is(arn, "STOPPING")
    await h.advance(9)
    assert h.containers(arn)["app"].running, "SIGTERM ignored: still up before its timeout"
    await h.status_is(arn, "STOPPED", fake_seconds=40)
    events = [(t - began, a, n) for t, a, n in h.runtime.history if t >= began]
    order = [(a, n.split("-")[3]) for _, a, n in events if a in ("stop", "kill")]
    assert order == [("stop", "app"), ("kill", "app"), ("stop", "db"), ("kill", "db")]
    kill_app = next(t for t, a, n in events if a == "kill" and "-app-" in n)
    kill_db = next(t for t, a, n in events if a == "kill" and "-db-" in n)
    assert kill_app == pytest.approx(10, abs=0.5)
    assert kill_db - kill_app == pytest.approx(20, abs=0.5)
    assert all(c["exitCode"] == SIGKILL_EXIT for c in h.task(arn)["containers"])


@scenario
async def test_deactivating_waits_for_the_drain_hook(h: Harness) -> None:
    drained = asyncio.Event()

    async def drain(_doc: dict[str, Any]) -> bool:
        return drained.is_set()

    await h.controller.stop()
    h.controller = TaskController(
        h.store, h.runtime, h.settings, h.sink, INSTANCE, bus=h.bus, clock=h.clock, drain=drain
    )
    await h.controller.start()
    arn = h.run_task([{"name": "web"}])
    await h.status_is(arn, "RUNNING")
    h.stop_task(arn)
    await h.status_is(arn, "DEACTIVATING")
    await h.advance(30)
    assert h.status(arn) == "DEACTIVATING" and h.containers(arn)["web"].running
    drained.set()
    waited = await h.status_is(arn, "STOPPED", fake_seconds=5)
    assert waited <= 1.5


def test_drain_is_bounded_by_its_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Looking at the hook every minute instead of every second: the bound is under test.
    monkeypatch.setattr(steps, "DRAIN_POLL_SECONDS", 60.0)

    @scenario
    async def bounded(h: Harness) -> None:
        async def never(_doc: dict[str, Any]) -> bool:
            return False

        h.controller.steps.drain = never
        arn = h.run_task([{"name": "web"}])
        await h.status_is(arn, "RUNNING")
        h.stop_task(arn)
        await h.status_is(arn, "DEACTIVATING")
        await h.advance(290)
        assert h.status(arn) == "DEACTIVATING"
        waited = await h.status_is(arn, "STOPPED", fake_seconds=20)
        assert 9 <= waited <= 11

    bounded(tmp_path)


# -- crashes, leftovers, outages ----------------------------------------------------------
@scenario
async def test_restarted_controller_adopts_running_containers_and_never_starts_twice(
    h: Harness,
) -> None:
    h.runtime.script("db", health=[(2, "healthy")])
    arn = h.run_task(_depends("HEALTHY"))
    await h.until(lambda: "db" in h.containers(arn))
    # The daemon dies while the task waits for db's health...
    await h.controller.stop()
    assert h.status(arn) == "ACTIVATING"
    # ...and a new one takes over the same data dir and engine.
    h.controller = h.new_controller()
    await h.controller.start()
    await h.status_is(arn, "RUNNING", fake_seconds=5)
    starts = [n for _, a, n in h.runtime.history if a == "start"]
    assert sum("-db-" in n for n in starts) == 1
    assert sum("-app-" in n for n in starts) == 1
    # A running task survives another restart untouched.
    await h.controller.stop()
    h.controller = h.new_controller()
    await h.controller.start()
    await h.advance(5)
    assert h.status(arn) == "RUNNING"
    assert len([a for _, a, _n in h.runtime.history if a == "start"]) == len(starts)


@scenario
async def test_sweep_removes_containers_no_unfinished_task_owns(h: Harness) -> None:
    arn = h.run_task([{"name": "web"}])
    await h.status_is(arn, "RUNNING")
    leftover = h.runtime.add_container(
        "ecs-t-1-web-gone",
        {LABEL_INSTANCE: INSTANCE, LABEL_TASK: CLUSTER.replace("cluster", "task") + "/gone"},
    )
    other = h.runtime.add_container("not-ours", {LABEL_INSTANCE: "another-instance"})
    await h.until(
        lambda: leftover not in {c.id for c in h.runtime.containers}, fake_seconds=65, step=5
    )
    ids = {c.id for c in h.runtime.containers}
    assert other in ids and h.containers(arn)["web"].id in ids


@scenario
async def test_no_engine_fails_a_starting_task_with_resource_initialization_error(
    h: Harness,
) -> None:
    h.runtime.stop_engine()
    arn = h.run_task([{"name": "web"}])
    await h.status_is(arn, "STOPPED")
    doc = h.task(arn)
    assert doc["stopCode"] == "TaskFailedToStart"
    assert doc["stoppedReason"].startswith("ResourceInitializationError: ")
    assert "fake://engine" in doc["stoppedReason"]


@scenario
async def test_running_task_outlives_an_engine_outage(h: Harness) -> None:
    arn = h.run_task([{"name": "web"}])
    await h.status_is(arn, "RUNNING")
    h.runtime.stop_engine()
    await h.advance(300)
    assert h.status(arn) == "RUNNING"
    h.runtime.start_engine()
    h.stop_task(arn)
    await h.status_is(arn, "STOPPED", fake_seconds=10)


# -- wake-ups ---------------------------------------------------------------------------
@scenario
async def test_one_run_task_costs_no_engine_call_for_the_other_running_tasks(
    h: Harness,
) -> None:
    running = [h.run_task([{"name": "web"}]) for _ in range(20)]
    await h.until(lambda: all(h.status(a) == "RUNNING" for a in running))
    await h.quiet()
    before = sum(h.runtime.calls.values())
    arn = h.run_task([{"name": "web"}])
    await h.status_is(arn, "RUNNING")
    after = sum(h.runtime.calls.values())
    # The new task's own calls only (ensure_image, create, start, lists, network); the
    # 20 idle tasks' workers were not woken.
    assert after - before <= 8, h.runtime.calls


@scenario
async def test_a_task_changed_event_pokes_only_that_worker(h: Harness) -> None:
    a = h.run_task([{"name": "web"}])
    b = h.run_task([{"name": "web"}])
    await h.until(lambda: h.status(a) == h.status(b) == "RUNNING")
    await h.quiet()
    calls = h.runtime.calls.copy()
    h.bus.publish([TaskChanged(a)])
    await h.quiet()
    # One look at a's only container, by its id; none at b's.
    assert h.runtime.calls - calls == {"inspect": 1}


# -- failures ---------------------------------------------------------------------------
@scenario
async def test_a_temporary_failure_is_retried_with_backoff(h: Harness) -> None:
    real, failures = h.runtime.ensure_image, []

    async def flaky(ref: str) -> Any:
        if len(failures) < 2:
            failures.append(h.clock.monotonic())
            raise OSError("engine hiccup")
        return await real(ref)

    h.runtime.ensure_image = flaky  # type: ignore[method-assign]
    arn = h.run_task([{"name": "web"}])
    await h.until(lambda: len(failures) == 1)
    assert h.status(arn) == "PENDING"
    waited = await h.status_is(arn, "RUNNING", fake_seconds=10, step=0.5)
    assert 2.5 <= waited <= 4  # retried after 1 s, then after 2 s more
    assert failures[1] - failures[0] == pytest.approx(1, abs=0.5)


@scenario
async def test_a_start_step_failing_for_good_stops_the_task_with_the_reason(h: Harness) -> None:
    async def broken(_ref: str) -> Any:
        raise OSError("disk full")

    h.runtime.ensure_image = broken  # type: ignore[method-assign]
    arn = h.run_task([{"name": "web"}])
    await h.status_is(arn, "STOPPED", fake_seconds=120, step=2)
    doc = h.task(arn)
    assert doc["stopCode"] == "TaskFailedToStart"
    assert doc["stoppedReason"] == (
        "ResourceInitializationError: task setup failed 6 times: disk full"
    )
    assert h.clock.monotonic() >= 1 + 2 + 4 + 8 + 16  # the backoff between the tries
