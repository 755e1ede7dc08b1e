"""When the ECR lifecycle controller runs a pass, in fake time: once at start over every
region, once per burst of changes (only the regions changed, after `settle`), and every
`interval` over every region, for what only time expires."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from ecsd.config import Settings
from ecsd.controllers.ecr_lifecycle import EcrLifecycleController
from ecsd.core.bus import Bus, EcrImagesChanged
from ecsd.core.clock import FakeClock
from ecsd.model.ecr import lifecycle_runs


class FakeUnits:
    """Records the passes (which function, which region) instead of opening units."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.settings = Settings()
        self.calls: list[tuple[str, str]] = []

    async def run(self, fn: Callable[[Any], Any], *, region: str, write: bool = True) -> Any:
        self.calls.append((fn.__name__, region))
        if fn is lifecycle_runs.regions_with_policies:
            return ["eu-west-1", "us-east-1"]
        return 0


def test_passes_at_start_after_a_burst_and_on_the_interval() -> None:
    clock = FakeClock()
    units = FakeUnits(clock)
    bus = Bus()
    ctl = EcrLifecycleController(units, interval=3600, settle=1.0)  # type: ignore[arg-type]
    ctl.subscribe(bus)

    async def main() -> None:
        await ctl.start()
        await clock.advance(0)
        assert units.calls == [
            ("regions_with_policies", "us-east-1"),
            ("expire_due", "eu-west-1"),
            ("expire_due", "us-east-1"),
        ]
        units.calls.clear()
        # A burst of pushes in one region: one pass, for that region, after `settle`.
        bus.publish([EcrImagesChanged("eu-west-1", f"r{i}") for i in range(5)])
        await clock.advance(0.5)
        assert units.calls == []
        await clock.advance(0.6)
        assert units.calls == [("expire_due", "eu-west-1")]
        units.calls.clear()
        # Images deleted (BatchDeleteImage, this controller's own expiries): no pass.
        bus.publish([EcrImagesChanged("eu-west-1", "r0", deleted=True)])
        await clock.advance(2)
        assert units.calls == []
        # Nothing happens: the next pass is the periodic one, over every region.
        await clock.advance(3597)
        assert units.calls == []
        await clock.advance(2)
        assert [c[0] for c in units.calls] == ["regions_with_policies", "expire_due", "expire_due"]
        assert ctl.passes == 3
        await ctl.stop()

    asyncio.run(main())
