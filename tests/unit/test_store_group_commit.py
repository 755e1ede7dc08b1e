"""The store's group commit: concurrent writes share one durable COMMIT, each still all or
nothing on its own, and no caller is told of success before that COMMIT.

The writer is held on purpose (a first unit waiting on an event) so that the units after
it are queued together: which units share a batch is then certain, not left to timing.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, event

from ecsd.aws.errors import AwsError
from ecsd.store import Store
from ecsd.store import db as store_db


class Probe:
    """A store with a scratch table and a count of the writer's COMMITs."""

    def __init__(self, path: Path) -> None:
        self.store = Store(path)
        self.commits = 0
        self.at_commit: list[Any] = []  # what `on_commit` saw at each COMMIT
        self.on_commit: Any = None
        event.listen(self.store._writer, "commit", self._commit)
        self.store.write_sync(
            lambda c: c.exec_driver_sql("CREATE TABLE scratch (k TEXT PRIMARY KEY, batch INTEGER)")
        )
        self.commits = 0

    def _commit(self, _conn: Connection) -> None:
        # SQLAlchemy calls this just before the DBAPI commit.
        if self.on_commit is not None:
            self.at_commit.append(self.on_commit())
        self.commits += 1

    def insert(self, *keys: str, fail: BaseException | None = None) -> Any:
        def unit(conn: Connection) -> list[str]:
            for k in keys:
                conn.exec_driver_sql(
                    "INSERT INTO scratch (k, batch) VALUES (?, ?)", (k, self.commits)
                )
            if fail is not None:
                raise fail
            return list(keys)

        return unit

    def rows(self) -> dict[str, int]:
        return dict(
            self.store.read_sync(
                lambda c: c.exec_driver_sql("SELECT k, batch FROM scratch").fetchall()
            )
        )

    def hold(self) -> tuple[threading.Event, Future[Any]]:
        """Occupy the writer until the returned event is set."""
        entered, release = threading.Event(), threading.Event()

        def blocker(_conn: Connection) -> None:
            entered.set()
            assert release.wait(10)

        future = self.store._submit(blocker)
        assert entered.wait(10)
        return release, future


@pytest.fixture
def probe(tmp_path: Path) -> Iterator[Probe]:
    p = Probe(tmp_path / "ecsd.db")
    yield p
    p.store.close()


def test_concurrent_writes_are_all_committed_in_fewer_commits(probe: Probe):
    async def scenario() -> list[Any]:
        return await asyncio.gather(*(probe.store.write(probe.insert(f"k{i}")) for i in range(200)))

    results = asyncio.run(scenario())
    assert results == [[f"k{i}"] for i in range(200)]
    assert set(probe.rows()) == {f"k{i}" for i in range(200)}
    assert probe.commits < 200 // 2, probe.commits  # shared, not one each


def test_a_failing_unit_loses_only_its_own_work(probe: Probe):
    release, held = probe.hold()
    a = probe.store._submit(probe.insert("a1", "a2"))
    refused = AwsError("InvalidParameterException", "no")
    b = probe.store._submit(probe.insert("b1", "b2", fail=refused))
    c = probe.store._submit(probe.insert("c1"))
    release.set()
    held.result(10)
    assert a.result(10) == ["a1", "a2"]
    assert c.result(10) == ["c1"]
    assert b.exception(10) is refused
    rows = probe.rows()
    assert set(rows) == {"a1", "a2", "c1"}  # nothing of b, all of a and c
    assert rows["a1"] == rows["c1"], "a and c should have shared one COMMIT"


def test_a_unit_that_raises_alone_leaves_nothing(probe: Probe):
    with pytest.raises(ValueError, match="half done"):
        probe.store.write_sync(probe.insert("x1", "x2", fail=ValueError("half done")))
    assert probe.rows() == {}
    # The writer goes on: the next write commits.
    assert probe.store.write_sync(probe.insert("y")) == ["y"]
    assert set(probe.rows()) == {"y"}


def test_a_failing_statement_rolls_back_to_its_savepoint_only(probe: Probe):
    """A database error (here a duplicate key) half-way through a unit undoes that unit's
    earlier statements, not its batch-mates'."""
    probe.store.write_sync(probe.insert("dup"))
    release, held = probe.hold()
    a = probe.store._submit(probe.insert("a"))
    b = probe.store._submit(probe.insert("b", "dup"))  # "b" inserted, then a conflict
    c = probe.store._submit(probe.insert("c"))
    release.set()
    held.result(10)
    assert a.result(10) == ["a"] and c.result(10) == ["c"]
    assert "UNIQUE constraint failed" in str(b.exception(10))
    assert set(probe.rows()) == {"dup", "a", "c"}


def test_no_caller_hears_of_success_before_the_commit(probe: Probe):
    release, held = probe.hold()
    futures = [probe.store._submit(probe.insert(f"k{i}")) for i in range(10)]
    probe.on_commit = lambda: [f.done() for f in futures]
    release.set()
    assert [f.result(10) for f in futures] == [[f"k{i}"] for i in range(10)]
    held.result(10)
    # At every COMMIT of this test, none of the ten had been resolved yet.
    assert probe.at_commit and all(not any(seen) for seen in probe.at_commit)


def test_a_batch_is_bounded(probe: Probe, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(store_db, "MAX_BATCH_SECONDS", 60.0)  # only the count bounds here
    release, held = probe.hold()
    futures = [probe.store._submit(probe.insert(f"k{i}")) for i in range(200)]
    release.set()
    held.result(10)
    for f in futures:
        f.result(10)
    sizes = Counter(probe.rows().values())  # rows per COMMIT
    assert sum(sizes.values()) == 200
    assert max(sizes.values()) <= store_db.MAX_BATCH_UNITS
    assert len(sizes) >= 200 // store_db.MAX_BATCH_UNITS


def test_a_long_batch_stops_taking_units(probe: Probe, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(store_db, "MAX_BATCH_SECONDS", 0.0)  # every unit is its own batch
    release, held = probe.hold()
    futures = [probe.store._submit(probe.insert(f"k{i}")) for i in range(5)]
    release.set()
    held.result(10)
    for f in futures:
        f.result(10)
    assert sorted(Counter(probe.rows().values()).values()) == [1] * 5


def test_a_write_inside_a_write_is_refused_not_deadlocked(probe: Probe):
    def nested(_conn: Connection) -> None:
        probe.store.write_sync(probe.insert("inner"))

    with pytest.raises(RuntimeError, match="cannot start another write"):
        probe.store.write_sync(nested)
    assert probe.rows() == {}


def test_close_finishes_queued_writes_then_refuses_more(tmp_path: Path):
    p = Probe(tmp_path / "ecsd.db")
    release, held = p.hold()
    futures = [p.store._submit(p.insert(f"k{i}")) for i in range(20)]
    closer = threading.Thread(target=p.store.close)
    closer.start()
    release.set()
    closer.join(10)
    assert not closer.is_alive()
    assert [f.result(0) for f in futures] == [[f"k{i}"] for i in range(20)]
    with pytest.raises(RuntimeError, match="closed"):
        p.store.write_sync(p.insert("late"))
    reopened = Store(tmp_path / "ecsd.db")
    try:
        assert (
            reopened.read_sync(lambda c: c.exec_driver_sql("SELECT count(*) FROM scratch").scalar())
            == 20
        )
    finally:
        reopened.close()


class Abort(BaseException):
    """Not an Exception: the writer must still hand it to the caller and carry on."""


def test_a_unit_raising_a_base_exception_does_not_stop_the_writer(probe: Probe):
    release, held = probe.hold()
    a = probe.store._submit(probe.insert("a"))
    b = probe.store._submit(probe.insert("b", fail=Abort()))
    c = probe.store._submit(probe.insert("c"))
    release.set()
    held.result(10)
    assert isinstance(b.exception(10), Abort)
    assert a.result(10) == ["a"] and c.result(10) == ["c"]
    assert probe.store.write_sync(probe.insert("d")) == ["d"]
    assert set(probe.rows()) == {"a", "c", "d"}


def test_a_failed_commit_is_every_batch_mates_error_and_commits_nothing(probe: Probe):
    """A deferred foreign key is checked at COMMIT, after every unit succeeded: then no
    caller may hear of success, nothing is stored, and the writer carries on."""
    probe.store.write_sync(
        lambda c: c.exec_driver_sql(
            "CREATE TABLE child (k TEXT REFERENCES scratch(k) DEFERRABLE INITIALLY DEFERRED)"
        )
    )
    release, held = probe.hold()
    a = probe.store._submit(probe.insert("a"))
    orphan = probe.store._submit(
        lambda c: c.exec_driver_sql("INSERT INTO child (k) VALUES ('nobody')")
    )
    release.set()
    for f in (held, a, orphan):
        assert "FOREIGN KEY constraint failed" in str(f.exception(10))
    assert probe.rows() == {}
    assert probe.store.write_sync(probe.insert("after")) == ["after"]
    assert set(probe.rows()) == {"after"}
