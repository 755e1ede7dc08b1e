"""The console's change feed: a poll waits until a committed write publishes an event,
answers at once when it is already behind, and answers unchanged at its timeout."""

from __future__ import annotations

import asyncio

from ecsd.console.changes import Changes
from ecsd.core.bus import Bus, ServiceChanged, TaskChanged


def test_a_poll_waits_for_the_next_event_of_any_kind() -> None:
    async def main() -> tuple[int, int, bool]:
        bus = Bus()
        changes = Changes(bus)
        start = changes.seq
        poll = asyncio.ensure_future(changes.wait(start, timeout=5))
        await asyncio.sleep(0.01)
        waiting = not poll.done()
        bus.publish([TaskChanged(arn="t"), ServiceChanged(arn="s")])
        return start, await poll, waiting

    start, seen, waiting = asyncio.run(main())
    assert waiting and seen == start + 2


def test_a_poll_behind_answers_at_once_and_an_idle_one_times_out() -> None:
    async def main() -> tuple[int, int]:
        bus = Bus()
        changes = Changes(bus)
        bus.publish([TaskChanged(arn="t")])
        behind = await asyncio.wait_for(changes.wait(0, timeout=5), 1)
        idle = await changes.wait(changes.seq, timeout=0.05)
        return behind, idle

    assert asyncio.run(main()) == (1, 1)


def test_typed_listeners_still_hear_only_their_kind() -> None:
    bus = Bus()
    heard: list[object] = []
    bus.subscribe(ServiceChanged, heard.append)
    Changes(bus)
    bus.publish([TaskChanged(arn="t"), ServiceChanged(arn="s")])
    assert heard == [ServiceChanged(arn="s")]


def test_the_feed_names_what_changed_or_says_it_cannot() -> None:
    from ecsd.core.bus import LoadBalancingChanged

    bus = Bus()
    changes = Changes(bus)
    bus.publish(
        [TaskChanged(arn="arn:aws:ecs:r:1:task/c/t1", service_arn="arn:aws:ecs:r:1:service/c/s")]
    )
    assert changes.since(0) == ["arn:aws:ecs:r:1:service/c/s", "arn:aws:ecs:r:1:task/c/t1"]
    assert changes.since(1) == []
    bus.publish([LoadBalancingChanged()])  # names nothing: read everything
    assert changes.since(0) is None
    assert changes.since(-1) is None  # a page that has seen nothing yet
