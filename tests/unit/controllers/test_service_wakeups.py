"""Which service worker a committed change wakes: only the one it names, and never the
worker whose own pass made the change."""

from __future__ import annotations

import asyncio
from typing import Any

from ecsd.config import Settings
from ecsd.controllers import services as controller
from ecsd.core.bus import Bus, ServiceChanged, TaskChanged
from ecsd.core.clock import FakeClock
from ecsd.core.unit import Units


def _controller(bus: Bus) -> tuple[controller.ServiceController, list[str | None]]:
    units = Units(None, settings=Settings(), clock=FakeClock(), publish=bus.publish)  # type: ignore[arg-type]
    scheduler = controller.ServiceController(units, Settings())
    scheduler.subscribe(bus)
    pokes: list[str | None] = []
    scheduler.workers.poke = pokes.append  # type: ignore[method-assign]
    return scheduler, pokes


def test_a_change_wakes_only_the_service_it_names() -> None:
    bus = Bus()
    _, pokes = _controller(bus)
    bus.publish([TaskChanged("task/1", "svc/a"), TaskChanged("task/2"), ServiceChanged("svc/b")])
    assert pokes == ["svc/a", "svc/b"]


def test_a_pass_does_not_wake_its_own_worker() -> None:
    bus = Bus()
    _, pokes = _controller(bus)

    async def pass_of(arn: str) -> None:
        controller._own_pass.set(arn)  # as the worker of `arn` does
        bus.publish(
            [TaskChanged("task/1", "svc/a"), ServiceChanged("svc/a"), TaskChanged("t/2", "svc/b")]
        )

    async def main() -> Any:
        await asyncio.create_task(pass_of("svc/a"))
        # Outside that worker's task the same events wake it again.
        bus.publish([ServiceChanged("svc/a")])

    asyncio.run(main())
    assert pokes == ["svc/b", "svc/a"]
