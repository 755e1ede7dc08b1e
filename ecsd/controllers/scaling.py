"""Application Auto Scaling, really carried out: alarms invoke scaling policies, and
scheduled actions run at their times.

An `AlarmStateChanged` to ALARM (core/bus.py, published once the alarm's write has
committed) makes the alarm's scaling policies act at once; while the alarm stays in ALARM
they act again every `repeat` seconds (AWS re-invokes an alarm's Auto Scaling actions
every period it stays in ALARM; cooldowns keep that from over-scaling). After a start —
a restart after `kill -9` included — the alarms already in ALARM with a scaling action
are picked up from the store. Scheduled actions keep their next run time in the store;
this controller looks for due ones every `poll` seconds (and at the next known run).
Hourly it deletes activities older than the six weeks AWS keeps them.

Each decision is one write unit of work (model/autoscaling/scaling.py): the policy's
arithmetic, the service's new desired count through UpdateService's model path, and the
activity, all or nothing. Waiting goes through the clock, so tests run in fake time.
"""

from __future__ import annotations

import asyncio
import functools
import logging

from ..core.bus import AlarmStateChanged, Bus
from ..core.unit import Unit, Units
from ..model.autoscaling import activities, scaling, scheduled
from ..model.cloudwatch import alarms as cw_alarms

log = logging.getLogger(__name__)

DEFAULT_REPEAT = 60.0  # seconds between re-invocations while an alarm stays in ALARM
DEFAULT_POLL = 5.0  # seconds between looks for due scheduled actions
SWEEP_INTERVAL = 3600.0  # seconds between deletions of activities past six weeks


class ScalingController:
    def __init__(
        self, units: Units, *, repeat: float = DEFAULT_REPEAT, poll: float = DEFAULT_POLL
    ) -> None:
        self.units = units
        self.clock = units.clock
        self.repeat = repeat
        self.poll = poll
        self._wake = asyncio.Event()
        # (region, alarm name) -> monotonic time its policies act next
        self._alarming: dict[tuple[str, str], float] = {}
        self._task: asyncio.Task[None] | None = None
        self.activities = 0  # scaling activities recorded (for tests and logs)
        self._next_sweep = 0.0  # monotonic time of the next sweep of old activities

    def subscribe(self, bus: Bus) -> None:
        bus.subscribe(AlarmStateChanged, self._changed)

    def _changed(self, event: AlarmStateChanged) -> None:
        key = (event.region, event.alarm_name)
        if event.new == cw_alarms.ALARM:
            self._alarming[key] = self.clock.monotonic()
            self._wake.set()
        else:
            self._alarming.pop(key, None)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="scaling")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        self._alarming.clear()

    async def _run(self) -> None:
        try:
            await self._recover()
        except Exception:
            log.exception("scaling: reading the alarms in ALARM failed")
        while True:
            try:
                await self.run_pass()
            except Exception:
                log.exception("scaling pass failed")
            await self.clock.wait(self._wake, self._timeout())

    def _timeout(self) -> float:
        now = self.clock.monotonic()
        soonest = min(self._alarming.values(), default=now + self.poll)
        return max(0.0, min(self.poll, soonest - now))

    async def _recover(self) -> None:
        """The alarms in ALARM whose actions name a scaling policy, in every region."""

        def in_alarm(unit: Unit) -> list[tuple[str, str]]:
            return [
                (unit.region, a["AlarmName"])
                for a in cw_alarms.all_alarms(unit)
                if a["StateValue"] == cw_alarms.ALARM
                and any(":scalingPolicy:" in arn for arn in a.get("AlarmActions", []))
            ]

        regions = await self.units.run(
            cw_alarms.regions, region=self.units.settings.region, write=False
        )
        found = []
        for region in regions:
            found += await self.units.run(in_alarm, region=region, write=False)
        now = self.clock.monotonic()
        for key in found:
            self._alarming.setdefault(key, now)

    async def run_pass(self) -> int:
        """Invoke the policies of the alarms whose turn it is, and run the due scheduled
        actions; how many scaling activities were recorded."""
        made = 0
        now = self.clock.monotonic()
        for key, at in sorted(self._alarming.items()):
            if at > now:
                continue
            region, name = key
            result = await self.units.run(
                functools.partial(_invoke, alarm_name=name), region=region
            )
            if result is None:  # the alarm is gone or no longer in ALARM
                self._alarming.pop(key, None)
                continue
            made += result
            if key in self._alarming:
                self._alarming[key] = now + self.repeat
        regions = await self.units.run(
            scheduled.regions_due, region=self.units.settings.region, write=False
        )
        for region in regions:
            await self.units.run(scaling.run_due, region=region)
        if now >= self._next_sweep:
            await self.units.run(activities.sweep, region=self.units.settings.region)
            self._next_sweep = now + SWEEP_INTERVAL
        self.activities += made
        return made


def _invoke(unit: Unit, alarm_name: str) -> int | None:
    """The alarm's policies act on it; how many scaled (None: not in ALARM any more)."""
    alarm = cw_alarms.get(unit, alarm_name)
    if alarm is None or alarm["StateValue"] != cw_alarms.ALARM:
        return None
    made = 0
    for arn in scaling.alarm_policies(unit, alarm_name):
        activity = scaling.run_policy(unit, arn, alarm_name)
        if activity is not None:
            log.info(
                "%s: %s (%s)", activity["ResourceId"], activity["Description"], activity["Cause"]
            )
            made += 1
    return made
