"""The real clock's `wait` must never swallow a cancellation: every controller stops by
cancelling a loop that waits on it, and a lost cancellation leaves `stop` (and with it
`/_ecsd/reset` and shutdown) waiting forever. Python 3.11's `asyncio.wait_for` loses one
when the event is set in the same turn as the cancel; this pins the clock against that."""

from __future__ import annotations

import asyncio

import pytest

from ecsd.core.clock import SystemClock


async def _cancel_as_the_event_is_set() -> asyncio.Task[bool]:
    event = asyncio.Event()
    waiter = asyncio.ensure_future(SystemClock().wait(event, 30))
    await asyncio.sleep(0)  # the waiter is now waiting on the event
    event.set()  # wakes the event's waiter…
    waiter.cancel()  # …and in the same turn the controller is stopped
    await asyncio.gather(waiter, return_exceptions=True)
    return waiter


def test_a_cancel_that_races_the_event_is_not_lost() -> None:
    waiter = asyncio.run(_cancel_as_the_event_is_set())
    assert waiter.cancelled()


def test_wait_reports_event_or_timeout_and_clears() -> None:
    async def main() -> tuple[bool, bool, bool]:
        clock = SystemClock()
        event = asyncio.Event()
        timed_out = await clock.wait(event, 0.01)
        event.set()
        woken = await clock.wait(event, 5)
        return timed_out, woken, event.is_set()

    assert asyncio.run(main()) == (False, True, False)


@pytest.mark.parametrize("timeout", [0.0, -1.0])
def test_a_deadline_already_passed_still_sees_a_set_event(timeout: float) -> None:
    async def main() -> bool:
        event = asyncio.Event()
        event.set()
        return await SystemClock().wait(event, timeout)

    assert asyncio.run(main()) is True
