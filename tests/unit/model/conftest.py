"""A store and units of work on it in fake time, for the model's unit tests (ELBv2, CloudWatch …)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from ecsd.config import Settings
from ecsd.core.clock import FakeClock
from ecsd.core.unit import Unit
from ecsd.services import all_providers
from ecsd.store import Store

T = TypeVar("T")


class World:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.clock = FakeClock(start=1_000.0)
        self.events: list[Any] = []

    def advance(self, seconds: float) -> None:
        asyncio.run(self.clock.advance(seconds))

    def run(self, fn: Callable[[Unit], T], region: str = "us-east-1") -> T:
        """`fn` in one write transaction (rolled back if it raises)."""

        def body(conn: Any) -> T:
            unit = Unit(
                conn=conn,
                region=region,
                account=self.settings.account_id,
                settings=self.settings,
                clock=self.clock,
            )
            out = fn(unit)
            self.events.extend(unit.changed)
            return out

        return self.store.write_sync(body)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    all_providers()
    store = Store(tmp_path / "ecsd.db")
    yield World(store, Settings(data_dir=tmp_path))
    store.close()
