"""The load-balancing controller in fake time, with a real store and a fake plane that
records the tables it is given: a write is followed by one rebuilt table (debounced),
targets are resolved to a task's published port, health reports are persisted in batches
and announced on the bus, idle draining targets are drained, and each listener's address
is printed once (with the fallback where its port cannot be bound)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ecsd.config import Settings
from ecsd.controllers.load_balancing import LoadBalancingController
from ecsd.core.bus import Bus, TargetHealthChanged
from ecsd.core.clock import FakeClock
from ecsd.core.unit import Unit, Units
from ecsd.lb.counters import Counts
from ecsd.lb.table import Drained, HealthReport, Listener, Table
from ecsd.model.elbv2 import listeners, load_balancers, target_groups
from ecsd.model.elbv2 import targets as elb_targets
from ecsd.services import all_providers
from ecsd.store import Store
from ecsd.store.schema.ecs_tasks import tasks as task_rows

all_providers()  # every service's tables, before a store opens
T = TypeVar("T")
TG = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/0123456789abcdef"
TASK = "arn:aws:ecs:us-east-1:000000000000:task/default/0123456789abcdef0123456789abcdef"


class FakePlane:
    def __init__(self, report: Callable[[Any], None]) -> None:
        self.report = report
        self.tables: list[Table] = []
        self.flight: dict[tuple[str, str], int] = {}
        self.closed = False
        self.counts = Counts()
        self.states: dict[str, dict[str, str]] = {}

    async def apply(self, table: Table) -> dict[str, str]:
        """As the real plane: a target that starts draining with nothing in flight is
        reported Drained at once."""
        last = self.tables[-1] if self.tables else Table()
        before = {(g.arn, t.key) for g in last.target_groups for t in g.draining}
        self.tables.append(table)
        for g in table.target_groups:
            for t in g.draining:
                if (g.arn, t.key) not in before and self.in_flight(g.arn, t.key) == 0:
                    self.report(Drained(g.arn, t))
        return {}

    async def close(self) -> None:
        self.closed = True

    def in_flight(self, target_group_arn: str, key: str) -> int:
        return self.flight.get((target_group_arn, key), 0)

    async def take_counts(self) -> Counts:
        counts, self.counts = self.counts, Counts()
        return counts

    def host_states(self) -> dict[str, dict[str, str]]:
        return self.states


class Harness:
    def __init__(self, tmp_path: Path) -> None:
        self.settings = Settings(data_dir=tmp_path)
        self.store = Store(tmp_path / "ecsd.db")
        self.clock = FakeClock()
        self.bus = Bus()
        self.units = Units(
            self.store, settings=self.settings, clock=self.clock, publish=self.bus.publish
        )
        self.said: list[str] = []
        self.planes: list[FakePlane] = []
        self.health_events: list[TargetHealthChanged] = []
        self.bus.subscribe(TargetHealthChanged, self.health_events.append)
        self.controller = LoadBalancingController(
            self.units, self.settings, plane=self._plane, say=self.said.append
        )
        self.controller.subscribe(self.bus)

    def _plane(self, report: Callable[[Any], None]) -> FakePlane:
        self.planes.append(FakePlane(report))
        return self.planes[-1]

    @property
    def plane(self) -> FakePlane:
        return self.planes[-1]

    async def write(self, fn: Callable[[Unit], T]) -> T:
        return await self.units.run(fn, region="us-east-1")

    async def quiet(self, seconds: float = 0.2) -> None:
        """Let fake time pass in small steps, with real time for the store's threads."""
        for _ in range(int(seconds / 0.01)):
            await self.clock.advance(0.01)
            await asyncio.sleep(0.002)


def _load_balancer(unit: Unit, port: int = 80) -> str:
    doc = load_balancers.new_doc(
        unit,
        "web-lb",
        scheme="internet-facing",
        subnets=["subnet-1", "subnet-2"],
        mappings=[],
        security_groups=[],
        ip_address_type="ipv4",
    )
    load_balancers.create(unit, doc, {})
    target_groups.create(
        unit,
        {
            "TargetGroupArn": TG,
            "TargetGroupName": "web",
            "Protocol": "HTTP",
            "Port": 80,
            "TargetType": "ip",
            "HealthCheckEnabled": True,
        },
        {"deregistration_delay.timeout_seconds": "300"},
    )
    listeners.create(
        unit,
        doc["LoadBalancerArn"],
        {
            "Port": port,
            "Protocol": "HTTP",
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": TG}],
        },
        {},
        {TG},
    )
    return str(doc["DNSName"])


def _task(unit: Unit, ip: str, host_port: int) -> None:
    """A running task's row as the task controller leaves it: its IP and its binding."""
    unit.conn.execute(
        task_rows.insert().values(
            arn=TASK,
            region="us-east-1",
            cluster_arn="arn:aws:ecs:us-east-1:000000000000:cluster/default",
            family="web",
            started_by=None,
            group="family:web",
            desired_status="RUNNING",
            last_status="RUNNING",
            created_at=unit.now,
            doc={
                "taskArn": TASK,
                "containers": [
                    {
                        "name": "app",
                        "networkBindings": [
                            {"bindIP": "0.0.0.0", "containerPort": 80, "hostPort": host_port}
                        ],
                    }
                ],
            },
            runtime={"ip": ip, "containers": []},
        )
    )


def test_tables_follow_writes_targets_resolve_and_health_is_persisted(tmp_path: Path) -> None:
    h = Harness(tmp_path)

    async def main() -> None:
        dns = await h.write(_load_balancer)
        await h.write(lambda u: _task(u, "172.17.0.5", 32768))
        await h.controller.start()
        assert len(h.plane.tables) == 1
        [listener] = h.plane.tables[0].listeners
        assert h.said == [
            f"ecsd: load balancer web-lb listening on {_where(listener, dns)}" + _note(listener)
        ]
        # Two writes close together: one new table, with the target resolved.
        await h.write(lambda u: elb_targets.register(u, TG, [("172.17.0.5", 80, None)]))
        await h.write(lambda u: elb_targets.register(u, TG, [("172.17.0.9", 80, None)]))
        await h.quiet()
        assert len(h.plane.tables) == 2
        group = h.plane.tables[-1].group(TG)
        assert group is not None
        by_id = {t.id: t for t in group.targets}
        assert (by_id["172.17.0.5"].host, by_id["172.17.0.5"].port) == ("127.0.0.1", 32768)
        assert (by_id["172.17.0.9"].host, by_id["172.17.0.9"].port) == ("172.17.0.9", 80)
        assert not by_id["172.17.0.5"].known_healthy
        # The plane reports: persisted, announced, and the next table knows it.
        h.plane.report(HealthReport(TG, by_id["172.17.0.5"], "healthy"))
        await h.quiet()
        state = await h.units.run(
            lambda u: elb_targets.health(u, TG, "172.17.0.5", 80), region="us-east-1"
        )
        assert state == ("healthy", None, None)
        assert h.health_events == [TargetHealthChanged(TG, "172.17.0.5", 80)]
        # The next table carries the stored health as it is (the plane keeps a running
        # target's checks whatever known_healthy says: tests/unit/lb/test_health.py);
        # a plane started afresh (a restart) gets it too.
        await h.controller.rebuild()
        group = h.plane.tables[-1].group(TG)
        assert group is not None
        assert [t.known_healthy for t in group.targets if t.id == "172.17.0.5"] == [True]
        await h.controller.stop()
        await h.controller.start()
        assert len(h.planes) == 2
        group = h.plane.tables[0].group(TG)
        assert group is not None
        assert [t.known_healthy for t in group.targets if t.id == "172.17.0.5"] == [True]
        assert len(h.said) == 2  # said again at the start
        # Deregistered with nothing in flight: the plane says Drained once the table is
        # applied, and the target is gone.
        await h.write(lambda u: elb_targets.deregister(u, TG, [("172.17.0.5", 80)]))
        h.plane.flight[(TG, "172.17.0.9:80")] = 1
        await h.quiet(0.5)
        rows = await h.units.run(lambda u: elb_targets.rows(u, TG), region="us-east-1")
        assert [r.target_id for r in rows] == ["172.17.0.9"]
        await h.controller.stop()
        assert h.plane.closed
        assert len(h.said) == 2  # the listener was announced once per start

    asyncio.run(main())


def test_a_draining_target_with_requests_in_flight_waits_for_the_plane(tmp_path: Path) -> None:
    h = Harness(tmp_path)

    async def main() -> None:
        await h.write(_load_balancer)
        await h.write(lambda u: elb_targets.register(u, TG, [("172.17.0.7", 80, None)]))
        await h.controller.start()
        h.plane.flight[(TG, "172.17.0.7:80")] = 2
        await h.write(lambda u: elb_targets.deregister(u, TG, [("172.17.0.7", 80)]))
        await h.quiet()
        group = h.plane.tables[-1].group(TG)
        assert group is not None and [t.id for t in group.draining] == ["172.17.0.7"]
        rows = await h.units.run(lambda u: elb_targets.rows(u, TG), region="us-east-1")
        assert len(rows) == 1  # still draining: requests in flight
        h.plane.report(Drained(TG, group.draining[0]))  # the last one ended
        await h.quiet()
        rows = await h.units.run(lambda u: elb_targets.rows(u, TG), region="us-east-1")
        assert rows == []
        group = h.plane.tables[-1].group(TG)
        assert group is not None and group.draining == ()
        await h.controller.stop()

    asyncio.run(main())


def test_the_fallback_port_is_said(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    listener = Listener(
        arn="arn:l",
        load_balancer_arn="arn:aws:elasticloadbalancing:us-east-1:0:loadbalancer/app/web-lb/1",
        port=80,
        bind_port=8080,
        dns_name="web-lb-1.us-east-1.elb.localhost",
    )
    h.controller._announce(Table(listeners=(listener,)), {})
    assert h.said == [
        "ecsd: load balancer web-lb listening on http://web-lb-1.us-east-1.elb.localhost:8080/ "
        "(port 80 cannot be bound by this user; it serves on 8080)"
    ]
    h.controller._announce(Table(listeners=(listener,)), {"arn:l": "address in use"})
    assert h.said[-1].startswith("ecsd: WARNING: load balancer web-lb: the listener on port 80")


def _where(listener: Listener, dns: str) -> str:
    if listener.bind_port == 80:
        return f"http://{dns}/"
    return f"http://{dns}:{listener.bind_port}/"


def _note(listener: Listener) -> str:
    if listener.bind_port == listener.port:
        return " (port 80)"
    return f" (port 80 cannot be bound by this user; it serves on {listener.bind_port})"


def test_the_plane_is_the_one_the_settings_ask_for(tmp_path):
    from ecsd.config import Settings
    from ecsd.controllers.load_balancing import default_plane, plane_for
    from ecsd.lb.plane import Plane
    from ecsd.lb.workers import ProcessPlane

    assert plane_for(Settings(data_dir=tmp_path)) is default_plane  # code-made: in-process
    assert isinstance(plane_for(Settings(data_dir=tmp_path, lb_workers=0))(print), Plane)
    workers = plane_for(Settings(data_dir=tmp_path, lb_workers=3))(print)
    assert isinstance(workers, ProcessPlane) and workers._n == 3  # started by its first apply
