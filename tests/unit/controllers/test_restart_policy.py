"""Container restart policies in fake time: an essential container that exits after its
attempt period is restarted in place (the task stays RUNNING, the count grows), one
that exits sooner or with an ignored code stops the task as ECS's agent does."""

from __future__ import annotations

from ecsd.controllers.tasks.restarts import should_restart
from ecsd.runtime.base import ContainerState
from ecsd.store.schema.ecs_tasks import tasks

from .test_task_controller import Harness, scenario

POLICY = {"enabled": True, "restartAttemptPeriod": 60, "ignoredExitCodes": [0]}


def _runtime(h: Harness, arn: str) -> dict:
    row = h.store.read_sync(lambda c: c.execute(tasks.select().where(tasks.c.arn == arn)).first())
    return dict(row.runtime)


@scenario
async def test_a_crashing_container_is_restarted_three_times_in_place(h: Harness) -> None:
    h.runtime.script("crashy", exit_after=70, exit_code=1)
    arn = h.run_task([{"name": "app", "image": "crashy", "restartPolicy": POLICY}])
    await h.status_is(arn, "RUNNING")
    first = h.containers(arn)["app"].id
    await h.until(
        lambda: _runtime(h, arn).get("restartCounts", {}).get("app") == 3,
        fake_seconds=300,
        step=5,
    )
    assert h.status(arn) == "RUNNING"
    assert h.containers(arn)["app"].id == first  # the same container, started again
    starts = [a for _, a, _ in h.runtime.history if a == "start"]
    assert len(starts) == 4
    h.stop_task(arn)
    await h.status_is(arn, "STOPPED", fake_seconds=60)
    assert h.task(arn)["stopCode"] == "UserInitiated"


@scenario
async def test_an_ignored_exit_code_stops_the_task(h: Harness) -> None:
    h.runtime.script("done", exit_after=70, exit_code=0)
    arn = h.run_task([{"name": "app", "image": "done", "restartPolicy": POLICY}])
    await h.status_is(arn, "STOPPED", fake_seconds=120, step=5)
    doc = h.task(arn)
    assert doc["stopCode"] == "EssentialContainerExited"
    assert doc["containers"][0]["exitCode"] == 0
    assert not _runtime(h, arn).get("restartCounts")


@scenario
async def test_an_exit_before_the_attempt_period_stops_the_task(h: Harness) -> None:
    h.runtime.script("early", exit_after=30, exit_code=1)
    arn = h.run_task([{"name": "app", "image": "early", "restartPolicy": POLICY}])
    await h.status_is(arn, "STOPPED", fake_seconds=120, step=5)
    assert h.task(arn)["containers"][0]["exitCode"] == 1
    assert not _runtime(h, arn).get("restartCounts")


def _state(started: float, code: int | None, running: bool = False) -> ContainerState:
    return ContainerState(
        "c", "n", "i", {}, "exited", running, code, False, None, started, None, None, "", None
    )


def test_the_agents_rule():
    d = {"name": "app", "restartPolicy": {"enabled": True}}  # period 300 by default
    assert should_restart(d, _state(1000, 1), now=1300, desired="RUNNING")
    assert not should_restart(d, _state(1000, 1), now=1299, desired="RUNNING")
    assert not should_restart(d, _state(1000, 1), now=1900, desired="STOPPED")
    assert not should_restart(d, _state(1000, None), now=1900, desired="RUNNING")
    assert not should_restart(d, _state(1000, 1, running=True), now=1900, desired="RUNNING")
    off = {"name": "app", "restartPolicy": {"enabled": False}}
    assert not should_restart(off, _state(1000, 1), now=1900, desired="RUNNING")
    ignored = {"name": "app", "restartPolicy": {"enabled": True, "ignoredExitCodes": [3]}}
    assert not should_restart(ignored, _state(1000, 3), now=1900, desired="RUNNING")
    assert should_restart(ignored, _state(1000, 4), now=1900, desired="RUNNING")
