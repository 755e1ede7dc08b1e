"""The service scheduler: keeps each service's tasks matching its deployments.

One worker per ACTIVE or DRAINING service (loop.Workers). A worker sleeps until its
service or one of the service's tasks changes (a `ServiceChanged` or a `TaskChanged`
naming the service, from the bus, pokes exactly that worker), or until a time it asked
for (a task's time to count as healthy, a grace period, a backoff), and then runs one
pass (service_tick.Tick) in one unit of work. At steady state nothing changes and
nothing runs: no polling.
"""

from __future__ import annotations

import asyncio
import contextvars
import copy
import logging

from ..config import Settings
from ..core.bus import Bus, ServiceChanged, TargetHealthChanged, TaskChanged
from ..core.unit import Unit, Units
from ..model.ecs import arns
from ..model.ecs import services as service_model
from .loop import Workers
from .service_tick import Tick

log = logging.getLogger(__name__)

RESYNC_SECONDS = 30.0

# The service whose worker is running in this asyncio task: the events of its own pass
# are published from here, and they must not wake it again for nothing.
_own_pass: contextvars.ContextVar[str | None] = contextvars.ContextVar("own_pass", default=None)


class ServiceController:
    def __init__(self, units: Units, settings: Settings) -> None:
        self.units = units
        self.clock = units.clock
        self.settings = settings
        self.workers = Workers(self._work)
        self._wake = asyncio.Event()
        self._background: list[asyncio.Task[None]] = []
        # service ARN → the target groups its loadBalancers name, as of its last pass: a
        # target's health change wakes only the services that use its group.
        self._groups: dict[str, frozenset[str]] = {}

    def subscribe(self, bus: Bus) -> None:
        bus.subscribe(TaskChanged, self._task_changed)
        bus.subscribe(ServiceChanged, self._service_changed)
        bus.subscribe(TargetHealthChanged, self._target_health_changed)

    async def start(self) -> None:
        self._background = [asyncio.create_task(self._supervise(), name="service supervisor")]

    async def stop(self) -> None:
        for t in self._background:
            t.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        await self.workers.stop()

    def _task_changed(self, event: TaskChanged) -> None:
        if event.service_arn and event.service_arn != _own_pass.get():
            self.workers.poke(event.service_arn)

    def _target_health_changed(self, event: TargetHealthChanged) -> None:
        for arn, groups in self._groups.items():
            if event.target_group_arn in groups:
                self.workers.poke(arn)

    def _service_changed(self, event: ServiceChanged) -> None:
        if event.arn == _own_pass.get():
            return
        # A new service needs a worker now, not at the next resync.
        if self._background:
            self.workers.ensure(event.arn)
        self.workers.poke(event.arn)

    async def _supervise(self) -> None:
        while True:
            try:
                found = await self.units.run(
                    service_model.scheduled, region=self.settings.region, write=False
                )
                for arn in found:
                    self.workers.ensure(arn)
            except Exception:
                log.exception("service supervisor pass failed")
            await self.clock.wait(self._wake, RESYNC_SECONDS)

    async def _work(self, arn: str, poke: asyncio.Event) -> None:
        parsed = arns.parse(arn)
        region = parsed[0] if parsed else self.settings.region
        _own_pass.set(arn)  # this worker's own asyncio task: its context alone
        while True:
            poke.clear()  # what happened before this pass, the pass sees
            next_at = await self.units.run(
                lambda unit: self._tick(unit, arn), region=region, request_id="service-scheduler"
            )
            if next_at is None:
                return
            await self.clock.wait(poke, max(0.0, next_at - self.clock.time()))

    def _tick(self, unit: Unit, arn: str) -> float | None:
        found = service_model.find(unit, arn)
        if found is None or found[0]["status"] == "INACTIVE":
            self._groups.pop(arn, None)
            return None
        stored, state = found
        balancers = list(stored.get("loadBalancers") or [])
        for task_set in stored.get("taskSets") or []:  # blue/green: each set's own groups
            balancers += task_set.get("loadBalancers") or []
        self._groups[arn] = frozenset(
            lb["targetGroupArn"] for lb in balancers if lb.get("targetGroupArn")
        )
        doc = copy.deepcopy(stored)
        before = state.to_json()
        tick = Tick(ctx=unit, doc=doc, state=state, healthy_after=self.settings.task_healthy_after)
        next_at = tick.run()
        if doc != stored or state.to_json() != before:
            service_model.save(unit, doc, state)
        return None if doc["status"] == "INACTIVE" else next_at
