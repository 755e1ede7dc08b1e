"""The load-balancing controller: keeps the data plane serving what the store says.

The ELBv2 API only writes desired state (load balancers, listeners, rules, target groups,
targets). This controller turns it into a frozen routing table (model/elbv2/routing.py,
with every target resolved to where the plane can really connect) and hands it whole to
the plane (`Plane.apply`), which swaps it in one assignment — the proxy's hot path never
touches the store. It rebuilds the table a few milliseconds after every ELBv2 write
(`LoadBalancingChanged`, debounced so that a burst of writes makes one table), after a
change to a task that is a target, and on a periodic resync.

Health flows the other way: the plane reports each target's state change and each draining
target's last request (`Drained`); the controller persists them in one unit of work per
batch (`targets.record_health`, `targets.drained`), removes targets whose deregistration
delay has run out (`targets.remove_drained`), and publishes `TargetHealthChanged` so the
service scheduler wakes exactly the services concerned.

It also owns the two task-controller hooks (`on_status`, `drain`) that register a service's
task in its target groups when it becomes RUNNING, deregister it when it starts to stop,
and keep it DEACTIVATING until no request can reach it any more (model/ecs/service_targets).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, Protocol

from ..config import Settings
from ..core.bus import Bus, LoadBalancingChanged, TargetHealthChanged, TaskChanged
from ..core.unit import Unit, Units
from ..lb.counters import Counts, GroupKey, host_counts
from ..lb.table import Drained, Forward, HealthReport, Table
from ..model.ecs import service_targets
from ..model.ecs.lifecycle import TaskStatus
from ..model.elbv2 import metrics as elb_metrics
from ..model.elbv2 import routing
from ..model.elbv2 import targets as elb_targets

log = logging.getLogger(__name__)

# A burst of writes (a Terraform apply, a deployment registering several tasks) makes one
# table, built this long after the first of them.
DEBOUNCE_SECONDS = 0.005
# Rebuild anyway this often: what no event announced (a binding found after a restart).
RESYNC_SECONDS = 10.0
# Health reports are written in batches, at most this long after the first one, and
# expired drains are looked for this often.
FLUSH_SECONDS = 0.05
EXPIRE_SECONDS = 1.0

Report = HealthReport | Drained


class PlaneLike(Protocol):
    """What the controller needs of the data plane (ecsd.lb.plane.Plane)."""

    async def apply(self, table: Table) -> dict[str, str]: ...

    async def close(self) -> None: ...

    def in_flight(self, target_group_arn: str, key: str) -> int: ...

    async def take_counts(self) -> Counts: ...

    def host_states(self) -> dict[str, dict[str, str]]: ...


PlaneFactory = Callable[[Callable[[Report], None]], PlaneLike]


def default_plane(report: Callable[[Report], None]) -> PlaneLike:
    from ..lb.plane import Plane  # the real proxy: only where the daemon runs one

    return Plane(report=report)


def plane_for(settings: Settings) -> PlaneFactory:
    """The data plane `settings.lb_workers` asks for: in this process (0), or that many
    worker processes sharing each listener's port (lb/workers.py); bench/README.md has
    the figures of each."""
    if settings.lb_workers <= 0:
        return default_plane

    def make(report: Callable[[Report], None]) -> PlaneLike:
        from ..lb.workers import ProcessPlane

        return ProcessPlane(report=report, workers=settings.lb_workers)

    return make


def lb_name(load_balancer_arn: str) -> str:
    """`my-lb` of `…:loadbalancer/app/my-lb/50dc6c495c0c9188`."""
    parts = load_balancer_arn.split("/")
    return parts[-2] if len(parts) >= 3 else load_balancer_arn


class LoadBalancingController:
    def __init__(
        self,
        units: Units,
        settings: Settings,
        *,
        plane: PlaneFactory = default_plane,
        say: Callable[[str], None] | None = None,
    ) -> None:
        self.units = units
        self.clock = units.clock
        self.settings = settings
        # The daemon passes `default_plane` unless a test gives its own: the real plane is
        # then the one the settings ask for (in-process or worker processes).
        self._make_plane = plane_for(settings) if plane is default_plane else plane
        self._say = say or (lambda line: print(line, flush=True))
        self.plane: PlaneLike | None = None
        self.table = Table()
        self._dirty = asyncio.Event()
        self._reported = asyncio.Event()
        self._reports: list[Report] = []
        self._targets_of: set[str] = set()  # task ARNs whose addresses the table uses
        self._announced: dict[str, tuple[int, str | None]] = {}  # listener → (bind, error)
        self._background: list[asyncio.Task[None]] = []
        self._running = False

    def subscribe(self, bus: Bus) -> None:
        bus.subscribe(LoadBalancingChanged, self._changed)
        bus.subscribe(TaskChanged, self._task_changed)

    # -- life ------------------------------------------------------------------------------
    async def start(self) -> None:
        self._running = True
        self.plane = self._make_plane(self._report)
        self._announced = {}
        try:
            await self.rebuild()
        except Exception:
            log.exception("load balancers: first table failed; retrying at the resync")
        self._background = [
            asyncio.create_task(self._tables(), name="load balancer tables"),
            asyncio.create_task(self._health(), name="load balancer health"),
            asyncio.create_task(self._metrics(), name="load balancer metrics"),
        ]

    async def stop(self) -> None:
        self._running = False
        for t in self._background:
            t.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        self._background = []
        try:
            await self.flush()  # what the plane said last is kept
        except Exception:
            log.exception("load balancers: last health reports not written")
        if self.plane is not None:
            await self.plane.close()
            self.plane = None
        self.table = Table()

    # -- events ----------------------------------------------------------------------------
    def _changed(self, _event: LoadBalancingChanged) -> None:
        self._dirty.set()

    def _task_changed(self, event: TaskChanged) -> None:
        if event.arn in self._targets_of:
            self._dirty.set()

    def _report(self, report: Report) -> None:
        self._reports.append(report)
        self._reported.set()

    # -- the table -------------------------------------------------------------------------
    async def _tables(self) -> None:
        while True:
            woken = await self.clock.wait(self._dirty, RESYNC_SECONDS)
            if woken:
                await self.clock.sleep(DEBOUNCE_SECONDS)
            self._dirty.clear()  # what changed before the read, the read sees
            try:
                await self.rebuild()
            except Exception:
                log.exception("load balancers: rebuilding the routing table failed")

    async def rebuild(self) -> None:
        """Build the table from the store and hand it to the plane."""

        def build(unit: Unit) -> tuple[Table, set[str]]:
            index = service_targets.addresses(unit)
            used: set[str] = set()

            def resolve(target_id: str, port: int) -> tuple[str, int] | None:
                found = index.get((target_id, int(port)))
                if found is None:
                    return None
                host, host_port, task_arn = found
                used.add(task_arn)
                return host, host_port

            return routing.build_table(unit, resolve), used

        table, used = await self.units.run(build, region=self.settings.region, write=False)
        if self.plane is None:
            return
        errors = await self.plane.apply(table)
        self.table, self._targets_of = table, used
        self._announce(table, errors)

    def _announce(self, table: Table, errors: dict[str, str]) -> None:
        """Say where each new listener serves (and the fallback port, where the port
        itself cannot be bound), once per listener and change."""
        seen = {}
        for lis in table.listeners:
            key = (lis.bind_port, errors.get(lis.arn))
            seen[lis.arn] = key
            if self._announced.get(lis.arn) == key:
                continue
            name = lb_name(lis.load_balancer_arn)
            host = lis.dns_name or lis.bind_host
            if lis.arn in errors:
                self._say(
                    f"ecsd: WARNING: load balancer {name}: the listener on port {lis.port} "
                    f"is not served: {errors[lis.arn]}"
                )
                continue
            where = f"http://{host}/" if lis.bind_port == 80 else f"http://{host}:{lis.bind_port}/"
            note = f"port {lis.port}"
            if lis.bind_port != lis.port:
                note += f" cannot be bound by this user; it serves on {lis.bind_port}"
            self._say(f"ecsd: load balancer {name} listening on {where} ({note})")
        self._announced = seen

    # -- health ----------------------------------------------------------------------------
    async def _health(self) -> None:
        while True:
            woken = await self.clock.wait(self._reported, EXPIRE_SECONDS)
            if woken:
                await self.clock.sleep(FLUSH_SECONDS)  # a batch, not a write per report
            try:
                await self.flush()
            except Exception:
                log.exception("load balancers: writing target health failed")

    async def flush(self) -> None:
        """Write the reports received so far in one unit, and end expired drains."""
        self._reported.clear()
        batch, self._reports = self._reports, []

        def write(unit: Unit) -> None:
            for r in batch:
                t = r.target
                if isinstance(r, Drained):
                    elb_targets.drained(unit, r.target_group_arn, t.id, t.port_id)
                else:
                    elb_targets.record_health(unit, r)
                    unit.record(TargetHealthChanged(r.target_group_arn, t.id, t.port_id))
            elb_targets.remove_drained(unit, unit.now)

        try:
            await self.units.run(write, region=self.settings.region)
        except Exception:
            self._reports[:0] = batch  # kept for the next try
            raise

    # -- metrics ---------------------------------------------------------------------------
    async def _metrics(self) -> None:
        """Every metric period, at its end (periods aligned on the clock as alarms
        evaluate them), publish the period's AWS/ApplicationELB metrics."""
        period = self.settings.metric_period
        while True:
            now = self.clock.time()
            start = now - now % period
            await self.clock.sleep(start + period - now)
            try:
                await self.publish_metrics(start)
            except Exception:
                log.exception("load balancers: publishing metrics failed")

    def _routed_pairs(self) -> set[GroupKey]:
        """(load balancer, target group) of every forward action in the table."""
        pairs: set[GroupKey] = set()
        for lis in self.table.listeners:
            for rule in lis.rules:
                if isinstance(rule.action, Forward):
                    for g in rule.action.groups:
                        pairs.add((lis.load_balancer_arn, g.target_group_arn))
        return pairs

    async def publish_metrics(self, ts: float) -> int:
        """Take the plane's counts and store them as the period starting at `ts`."""
        if self.plane is None:
            return 0
        counts = await self.plane.take_counts()
        hosts = host_counts(self._routed_pairs(), self.plane.host_states())
        if not counts.groups and not counts.lbs and not hosts:
            return 0
        return await self.units.run(
            lambda unit: elb_metrics.publish(unit, counts, hosts, ts),
            region=self.settings.region,
        )

    # -- the task controller's hooks ---------------------------------------------------------
    @staticmethod
    def on_status(unit: Any, doc: dict[str, Any], rt: dict[str, Any], to: TaskStatus) -> None:
        """In the task controller's status write: RUNNING registers a service task's
        targets, DEACTIVATING deregisters them (they start draining)."""
        if to == TaskStatus.RUNNING:
            service_targets.register(unit, doc, rt)
        elif to == TaskStatus.DEACTIVATING:
            service_targets.deregister(unit, doc, rt)

    async def drain(self, doc: dict[str, Any]) -> bool:
        """The task controller's drain hook: True once none of the task's targets is
        draining any more (its last request ended, or its deregistration delay passed)."""
        arn = doc["taskArn"]
        draining = await self.units.run(
            lambda unit: service_targets.task_draining(unit, arn),
            region=self.settings.region,
            write=False,
        )
        return not draining
