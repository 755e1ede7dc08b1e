"""ECR lifecycle policies, really applied: images a repository's policy expires are
deleted, as AWS does.

AWS evaluates a policy "within 24 hours" of a push or a policy change; ecsd does it soon
after one: a write that changes a repository's images or its policy records an
`EcrImagesChanged` (core/bus.py), which wakes this controller, and a pass runs after
`settle` seconds (a burst of pushes costs one pass). A periodic pass every `interval`
seconds expires what only time expires (`sinceImagePushed`). Each pass is one write unit
of work per region (model/ecr/lifecycle_runs.expire_due): it evaluates every repository
that has a policy with model/ecr/lifecycle.py — the engine GetLifecyclePolicyPreview
shows — and deletes what it expires, all or nothing.
"""

from __future__ import annotations

import asyncio
import logging

from ..core.bus import Bus, EcrImagesChanged
from ..core.unit import Units
from ..model.ecr import lifecycle_runs
from .background import Background

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 3600.0  # seconds between passes nothing asked for
DEFAULT_SETTLE = 1.0  # seconds from a change to the pass it asks for


class EcrLifecycleController(Background):
    name = "ecr lifecycle"

    def __init__(
        self,
        units: Units,
        *,
        interval: float = DEFAULT_INTERVAL,
        settle: float = DEFAULT_SETTLE,
    ) -> None:
        self.units = units
        self.clock = units.clock
        self.interval = interval
        self.settle = settle
        self._wake = asyncio.Event()
        self._regions: set[str] = set()
        self.passes = 0  # how many passes ran (for tests and logs)

    def subscribe(self, bus: Bus) -> None:
        bus.subscribe(EcrImagesChanged, self._changed)

    def _changed(self, event: EcrImagesChanged) -> None:
        if event.deleted:  # fewer images never expire more (the registry's GC wants these)
            return
        self._regions.add(event.region)
        self._wake.set()

    async def _run(self) -> None:
        everywhere = True  # the first pass after a start covers every region
        while True:
            regions = self._regions
            self._regions = set()
            try:
                await self.run_pass(None if everywhere else regions)
            except Exception:
                log.exception("ECR lifecycle pass failed")
            woken = await self.clock.wait(self._wake, self.interval)
            everywhere = not woken
            if woken:
                await self.clock.sleep(self.settle)

    async def run_pass(self, regions: set[str] | None = None) -> int:
        """Expire what the policies expire now in `regions` (None: every region with a
        policy); how many images were expired."""
        if regions is None:
            regions = set(
                await self.units.run(
                    lifecycle_runs.regions_with_policies,
                    region=self.units.settings.region,
                    write=False,
                )
            )
        expired = 0
        for region in sorted(regions):
            expired += await self.units.run(lifecycle_runs.expire_due, region=region)
        self.passes += 1
        if expired:
            log.info("ECR lifecycle policies expired %d image(s)", expired)
        return expired
