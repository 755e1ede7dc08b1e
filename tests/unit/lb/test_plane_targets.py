"""lb/plane.py keeps a target's running checks across tables: a table that differs only in
the target's `known_healthy` (the store's record of its health, which changes as the
plane's own reports are written) must not restart its checker, else its count would
start over with every report."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from ecsd.core.clock import FakeClock
from ecsd.lb.health import PASS
from ecsd.lb.plane import Plane
from ecsd.lb.table import HealthCheck, Table, Target, TargetGroup

CHECK = HealthCheck(interval_seconds=10, timeout_seconds=5, healthy_threshold=3)
TARGET = Target("10.0.0.1", 80, "127.0.0.1", 9001, 9001)


def _table(target: Target, check: HealthCheck = CHECK) -> Table:
    return Table((), (TargetGroup("arn:tg", "tg", health_check=check, targets=(target,)),))


def test_known_healthy_alone_does_not_restart_a_checker_but_a_new_port_does() -> None:
    async def main() -> tuple[bool, bool]:
        async def probe(_t: Target, _c: HealthCheck) -> object:
            return PASS

        plane = Plane(report=lambda _r: None, clock=FakeClock(), probe=probe)  # type: ignore[arg-type]
        await plane.apply(_table(TARGET))
        first = plane._checkers[("arn:tg", TARGET.key)]
        await plane.apply(_table(replace(TARGET, known_healthy=True)))
        kept = plane._checkers[("arn:tg", TARGET.key)] is first
        await plane.apply(_table(replace(TARGET, port=9002, check_port=9002)))
        replaced = plane._checkers[("arn:tg", TARGET.key)] is not first
        await plane.close()
        return kept, replaced

    kept, replaced = asyncio.run(main())
    assert kept and replaced
