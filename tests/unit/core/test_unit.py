"""The unit of work: its time comes from the clock, and what it changed is published
once — after the transaction commits, never for one that raised."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from ecsd.config import Settings
from ecsd.core.bus import Bus, Event, ServiceChanged, TaskChanged
from ecsd.core.clock import FakeClock
from ecsd.core.unit import Unit, Units
from ecsd.services import all_providers
from ecsd.store import Store
from ecsd.store.schema.ecs import clusters


def test_a_unit_reads_its_time_once_from_its_clock() -> None:
    clock = FakeClock(start=1_000.0)
    unit = Unit(conn=None, region="eu-west-1", account="123456789012", settings=None, clock=clock)  # type: ignore[arg-type]
    assert unit.now == 1_000.0
    assert unit.arn("ecs", "cluster/a") == "arn:aws:ecs:eu-west-1:123456789012:cluster/a"
    assert unit.principal == "arn:aws:iam::123456789012:root"
    unit.record(TaskChanged("t"))
    unit.record(TaskChanged("t"))
    assert unit.changed == [TaskChanged("t")]


@pytest.fixture
def world(tmp_path: Path):
    all_providers()
    store = Store(tmp_path / "ecsd.db")
    bus = Bus()
    seen: list[tuple[Event, bool]] = []
    units = Units(
        store, settings=Settings(data_dir=tmp_path), clock=FakeClock(), publish=bus.publish
    )

    def committed() -> bool:
        # What a listener sees when told: the write must already be visible.
        return store.read_sync(lambda c: c.execute(select(clusters.c.arn)).first()) is not None

    bus.subscribe(ServiceChanged, lambda e: seen.append((e, committed())))
    yield units, seen
    store.close()


def _insert(unit: Unit) -> str:
    unit.conn.execute(
        clusters.insert().values(arn="c", region=unit.region, name="c", status="ACTIVE", doc={})
    )
    unit.record(ServiceChanged("svc"))
    return unit.region


def test_events_are_published_after_the_commit(world) -> None:
    units, seen = world
    assert asyncio.run(units.run(_insert, region="eu-west-1")) == "eu-west-1"
    assert seen == [(ServiceChanged("svc"), True)]


def test_a_unit_that_raises_keeps_nothing_and_publishes_nothing(world) -> None:
    units, seen = world

    def refuse(unit: Unit) -> None:
        _insert(unit)
        raise ValueError("refused")

    with pytest.raises(ValueError):
        asyncio.run(units.run(refuse, region="us-east-1"))
    assert seen == []
    assert (
        asyncio.run(
            units.run(
                lambda u: u.conn.execute(select(clusters)).all(), region="us-east-1", write=False
            )
        )
        == []
    )
