"""CloudWatch alarms, really evaluated: every metric period each region's alarms are
judged against their metrics (model/cloudwatch/evaluate.py) in one write unit of work,
which records AlarmStateChanged for every move; the bus publishes them after the commit
so that actions (scaling policies) fire. Hourly it also sweeps raw points past their
24 h and alarm history past its two weeks (in every region).
"""

from __future__ import annotations

import asyncio
import logging

from ..core.unit import Unit, Units
from ..model.cloudwatch import alarms, evaluate, metrics

SWEEP_EVERY = 3600.0  # seconds between sweeps of raw points older than 24 h and old history


def _sweep(unit: Unit) -> int:
    return metrics.sweep(unit) + alarms.sweep_history(unit)


log = logging.getLogger(__name__)


class AlarmController:
    def __init__(self, units: Units, metric_period: float = 60.0) -> None:
        self.units = units
        self.clock = units.clock
        self.metric_period = metric_period
        self._task: asyncio.Task[None] | None = None
        self.passes = 0
        self._last_sweep = -SWEEP_EVERY

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="alarms")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.run_pass()
            except Exception:
                log.exception("alarm evaluation pass failed")
            await self.clock.sleep(self.metric_period)

    async def run_pass(self) -> int:
        """Evaluate every alarm in every region that has one; how many changed state."""
        regions = await self.units.run(
            alarms.regions, region=self.units.settings.region, write=False
        )
        scale = self.metric_period / 60.0
        changed = 0
        for region in sorted(regions):
            changed += await self.units.run(
                lambda unit: evaluate.evaluate_all(unit, scale), region=region
            )
        self.passes += 1
        if self.clock.time() - self._last_sweep >= SWEEP_EVERY:
            self._last_sweep = self.clock.time()
            await self.units.run(_sweep, region=self.units.settings.region)
        return changed
