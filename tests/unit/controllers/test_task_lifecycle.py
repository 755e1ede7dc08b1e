"""The task lifecycle's one transition table, and the worker backoff the controllers use."""

from __future__ import annotations

import asyncio

import pytest

from ecsd.controllers.loop import Backoff, Workers
from ecsd.core.clock import FakeClock
from ecsd.model.ecs import lifecycle
from ecsd.model.ecs.lifecycle import IllegalTransition
from ecsd.model.ecs.lifecycle import TaskStatus as S

HAPPY = [S.PROVISIONING, S.PENDING, S.ACTIVATING, S.RUNNING, S.DEACTIVATING, S.STOPPING,
         S.DEPROVISIONING, S.STOPPED]  # fmt: skip


def test_the_whole_way_is_legal_one_step_at_a_time():
    doc = {"taskArn": "t", "lastStatus": "PROVISIONING"}
    for to in HAPPY[1:]:
        assert lifecycle.advance(doc, to) == to
        assert doc["lastStatus"] == to.value


@pytest.mark.parametrize("frm", [S.PROVISIONING, S.PENDING, S.ACTIVATING])
def test_a_task_that_never_ran_goes_straight_to_stopping(frm):
    doc = {"taskArn": "t", "lastStatus": frm.value}
    lifecycle.advance(doc, S.STOPPING)
    assert frm in lifecycle.STARTING


@pytest.mark.parametrize(
    ("frm", "to"),
    [
        (S.STOPPING, S.RUNNING),  # never back up
        (S.RUNNING, S.STOPPING),  # a running task deactivates first
        (S.PROVISIONING, S.RUNNING),  # no skipping the start steps
        (S.STOPPED, S.PROVISIONING),  # a stopped task is never started again
        (S.ACTIVATING, S.ACTIVATING),  # a step taken twice is a bug (two workers)
        (S.DEPROVISIONING, S.STOPPING),
    ],
)
def test_other_moves_are_refused_and_change_nothing(frm, to):
    doc = {"taskArn": "t", "lastStatus": frm.value}
    with pytest.raises(IllegalTransition):
        lifecycle.advance(doc, to)
    assert doc["lastStatus"] == frm.value


def test_every_status_is_in_the_table_and_every_edge_says_why():
    assert set(lifecycle.TRANSITIONS) == set(S)
    for edges in lifecycle.TRANSITIONS.values():
        assert all(why.strip() for why in edges.values())
    assert lifecycle.TRANSITIONS[S.STOPPED] == {}


def test_backoff_doubles_up_to_its_limit_and_resets():
    b = Backoff(1.0, 60.0)
    assert [b.next_delay() for _ in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert b.attempt == 8
    b.reset()
    assert b.next_delay() == 1


def test_a_failing_worker_retries_with_growing_delays_and_can_give_up():
    async def main() -> None:
        clock = FakeClock()
        tries: list[float] = []
        failures: list[int] = []

        async def run(_key: str, _poke: asyncio.Event) -> None:
            tries.append(clock.monotonic())
            raise OSError("engine busy")

        async def on_failure(_key: str, _exc: Exception, attempt: int) -> bool:
            failures.append(attempt)
            return attempt < 5  # the fifth failure is permanent

        workers = Workers(run, clock, on_failure=on_failure)
        workers.ensure("k")
        await clock.advance(100)
        assert tries == [0, 1, 3, 7, 15]
        assert failures == [1, 2, 3, 4, 5]
        assert "k" not in workers  # gave up
        await workers.stop()

    asyncio.run(main())


def test_a_worker_that_succeeds_after_failures_ends():
    async def main() -> None:
        clock = FakeClock()
        tries = 0

        async def run(_key: str, _poke: asyncio.Event) -> None:
            nonlocal tries
            tries += 1
            if tries < 3:
                raise RuntimeError("not yet")

        workers = Workers(run, clock)
        workers.ensure("k")
        await clock.advance(10)
        assert tries == 3 and "k" not in workers

    asyncio.run(main())
