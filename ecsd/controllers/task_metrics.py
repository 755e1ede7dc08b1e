"""ECS's own CloudWatch metrics (`AWS/ECS` CPUUtilization and MemoryUtilization, per
ClusterName+ServiceName and per ClusterName), from the running tasks' containers.

Every metric period (aligned on the period's boundaries, so that each period gets one
point) it takes one resource sample of every container of every RUNNING service task
(`Runtime.usage`: one-shot engine samples, a few at a time, off the event loop) and
keeps it: a task's CPU is the delta between this sample and ecsd's previous one, so a
task is measured from its second period on (a container without a previous sample —
just started, or new to this ecsd — publishes nothing yet).

As ECS computes them (developer guide, "Amazon ECS service utilization metrics"):
a task's CPU utilization is the CPU units its containers used (1024 per vCPU) over the
task-level `cpu` × 100, its memory utilization the MiB in use (less page cache) over the
task-level `memory` × 100. A service's (or cluster's) point for the period is a statistic
set over its tasks, with each task's value kept as a sample: Average is the mean of the
tasks, Minimum / Maximum the least and most loaded task, SampleCount the number of tasks
measured. ECS's Average is Σ used / Σ reserved; for tasks of one size (one task
definition) the two are the same, and ecsd takes the mean of the tasks throughout.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..core.unit import Unit, Units
from ..model.cloudwatch import metrics
from ..model.ecs import tasks
from ..runtime.base import Runtime, Usage

log = logging.getLogger(__name__)

NAMESPACE = "AWS/ECS"
CPU_UNITS_PER_VCPU = 1024
MIB = 1024 * 1024


@dataclass(frozen=True)
class TaskUse:
    """One task's utilization over the last period, in percent of its reservations."""

    region: str
    cluster: str
    service: str
    cpu: float | None
    memory: float | None


def task_use(
    task: dict[str, Any], now: dict[str, Usage], before: dict[str, Usage]
) -> TaskUse | None:
    """A task's utilization from two samples of each of its running containers; None
    while one of them has only one (the first period after a start) or none runs. A
    container that has stopped (a non-essential one that exited) has no sample and no
    use any more."""
    ids = [c for c in task["containers"] if c in now]
    if not ids or any(c not in before for c in ids):
        return None
    vcpus = 0.0
    for cid in ids:
        a, b = before[cid], now[cid]
        system = b.system_ns - a.system_ns
        used = b.cpu_ns - a.cpu_ns
        if system <= 0 or used < 0:  # the same sample twice, or a restarted container
            return None
        # As `docker stats`: the share of the host's CPU time, times its CPUs.
        vcpus += used / system * b.online_cpus
    memory_mib = sum(now[c].memory_bytes for c in ids) / MIB
    cpu = task["cpu"]
    mem = task["memory"]
    return TaskUse(
        task["region"],
        task["clusterName"],
        task["serviceName"],
        vcpus * CPU_UNITS_PER_VCPU / cpu * 100 if cpu else None,
        memory_mib / mem * 100 if mem else None,
    )


def points(uses: list[TaskUse], ts: float) -> dict[str, list[metrics.Point]]:
    """The period's points by region: one statistic set per metric and dimension set
    (service, cluster) over the tasks measured, each task's value a sample."""
    groups: dict[tuple[str, str, tuple[tuple[str, str], ...]], list[float]] = defaultdict(list)
    for u in uses:
        for name, value in (("CPUUtilization", u.cpu), ("MemoryUtilization", u.memory)):
            if value is None:
                continue
            service = (("ClusterName", u.cluster), ("ServiceName", u.service))
            groups[(u.region, name, service)].append(value)
            groups[(u.region, name, (("ClusterName", u.cluster),))].append(value)
    out: dict[str, list[metrics.Point]] = defaultdict(list)
    for (region, name, dims), values in sorted(groups.items()):
        out[region].append(
            metrics.Point(
                NAMESPACE,
                name,
                [{"Name": n, "Value": v} for n, v in dims],
                ts,
                float(len(values)),
                sum(values),
                min(values),
                max(values),
                "Percent",
                values,
            )
        )
    return dict(out)


class TaskMetricsController:
    def __init__(self, units: Units, runtime: Runtime, metric_period: float = 60.0) -> None:
        self.units = units
        self.runtime = runtime
        self.clock = units.clock
        self.period = metric_period
        self._previous: dict[str, Usage] = {}  # container id → its last sample
        self._task: asyncio.Task[None] | None = None
        self.passes = 0

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="task metrics")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        self._previous = {}

    async def _run(self) -> None:
        # A little after each boundary, so the sample closes the period just ended.
        offset = min(1.0, self.period / 10)
        while True:
            now = self.clock.time()
            await self.clock.sleep(math.floor(now / self.period + 1) * self.period + offset - now)
            try:
                await self.run_pass()
            except Exception:
                log.exception("task metrics pass failed")

    async def run_pass(self) -> int:
        """Sample every running service task's containers and publish the period that
        just ended; how many points were stored."""
        running = await self.units.run(
            tasks.running_in_services, region=self.units.settings.region, write=False
        )
        # The period just ended (the pass starts just after its end; the samples may
        # take a while: a one-shot Docker sample waits for the engine's next round).
        ts = (math.floor(self.clock.time() / self.period) - 1) * self.period
        ids = [cid for t in running for cid in t["containers"]]
        now = await self.runtime.usage(ids) if ids else {}
        uses = [u for t in running if (u := task_use(t, now, self._previous)) is not None]
        self._previous = now  # containers that stopped drop out here
        self.passes += 1
        stored = 0
        for region, batch in points(uses, ts).items():
            stored += await self.units.run(_putter(batch), region=region)
        return stored


def _putter(batch: list[metrics.Point]) -> Callable[[Unit], int]:
    return lambda unit: metrics.put_many(unit, batch)
