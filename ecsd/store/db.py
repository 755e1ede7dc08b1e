"""SQLite through SQLAlchemy Core, in WAL mode, with durable commits shared by concurrent writes.

`synchronous=FULL` makes every acknowledged write survive not just `kill -9` but a power
cut. pysqlite's own implicit transactions are switched off (SQLAlchemy's recommended
recipe) so that `BEGIN IMMEDIATE` takes the write lock at the start of a write: a
read-then-write (the next revision number) can never interleave with another writer.

Group commit: a durable COMMIT costs one fsync, which under concurrent requests was the
whole of a write's latency (each waited behind every earlier one's fsync). So the one
writer thread takes every write unit already queued (up to `MAX_BATCH_UNITS`, and no more
once `MAX_BATCH_SECONDS` of work has run), runs each inside its own SAVEPOINT of one
transaction, commits once, and only then tells each caller its outcome. A unit that
raises is rolled back to its savepoint alone: its caller gets the exception and the other
units still commit, so a refused request changes nothing, as before. "Acknowledged means
durable" holds: no caller hears of success before the COMMIT (and its fsync) returned.
The units of a batch run one after another, in arrival order, each seeing the ones
before it, exactly as if each had been its own transaction.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event

from .schema import metadata

T = TypeVar("T")
log = logging.getLogger(__name__)

READ_THREADS = 2
# Bounds on one group commit, so that one batch never holds the writer (and its callers'
# answers) for long: a unit joins the batch only while fewer than this many ran ...
MAX_BATCH_UNITS = 64
# ... and while the batch's units have run for less than this (a long unit still runs
# whole; the bound only stops more joining it).
MAX_BATCH_SECONDS = 0.05


def _engine(path: Path, *, begin: str, pool_size: int) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}",
        pool_size=pool_size,
        max_overflow=0,
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql(begin)

    return engine


@dataclass
class _Unit(Generic[T]):
    """One caller's write, waiting for the writer thread."""

    fn: Callable[[Connection], T]
    future: Future[T] = field(default_factory=Future)


class _BatchLost(Exception):
    """SQLite ended the whole transaction itself (disk full, I/O error): every unit of the
    batch, not only the one that raised, lost its work."""


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = _engine(path, begin="BEGIN IMMEDIATE", pool_size=1)
        self._reader = _engine(path, begin="BEGIN", pool_size=READ_THREADS)
        metadata.create_all(self._writer)
        # create_all indexes only the tables it creates; an index added to an existing
        # table in a later version is made here, so an older data dir gains it.
        with self._writer.begin() as conn:
            for table in metadata.sorted_tables:
                for index in table.indexes:
                    index.create(conn, checkfirst=True)
        self._queue: queue.SimpleQueue[_Unit[Any] | None] = queue.SimpleQueue()
        self._closing = threading.Lock()
        self._closed = False
        self._write_thread = threading.Thread(
            target=self._write_loop, name="ecsd-store-write", daemon=True
        )
        self._write_thread.start()
        self._read_pool = ThreadPoolExecutor(READ_THREADS, thread_name_prefix="ecsd-store-read")

    # Synchronous forms, for code on other threads and for tests.
    def write_sync(self, fn: Callable[[Connection], T]) -> T:
        return self._submit(fn).result()

    def read_sync(self, fn: Callable[[Connection], T]) -> T:
        with self._reader.begin() as conn:
            return fn(conn)

    async def write(self, fn: Callable[[Connection], T]) -> T:
        return await asyncio.wrap_future(self._submit(fn))

    async def read(self, fn: Callable[[Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._read_pool, self.read_sync, fn)

    def _submit(self, fn: Callable[[Connection], T]) -> Future[T]:
        if threading.current_thread() is self._write_thread:
            # A unit waiting for another unit would wait for itself.
            raise RuntimeError("a store write cannot start another write")
        unit = _Unit(fn)
        with self._closing:
            if self._closed:
                raise RuntimeError("the store is closed")
            self._queue.put(unit)
        return unit.future

    def _write_loop(self) -> None:
        """The writer thread: one group commit after another until close()."""
        try:
            with self._writer.connect() as conn:
                while True:
                    first = self._queue.get()
                    if first is None:
                        return
                    if self._commit_batch(conn, first):
                        return
        finally:
            # Stopped (by close(), or by an error it could not answer a caller with):
            # nothing queued now will run, so its callers hear so rather than wait forever.
            with self._closing:
                self._closed = True
            while True:
                try:
                    unit = self._queue.get_nowait()
                except queue.Empty:
                    break
                if unit is not None and unit.future.set_running_or_notify_cancel():
                    unit.future.set_exception(RuntimeError("the store's writer has stopped"))

    def _commit_batch(self, conn: Connection, first: _Unit[Any]) -> bool:
        """Run `first` and whatever else is queued (within the bounds) in one transaction,
        commit, then resolve every unit's future. True when close() was asked for."""
        done: list[tuple[_Unit[Any], bool, Any]] = []  # (unit, succeeded, result or error)
        stop = False
        unit: _Unit[Any] | None = first
        try:
            with conn.begin():  # BEGIN IMMEDIATE (see _engine)
                started = time.perf_counter()
                while unit is not None:
                    if unit.future.set_running_or_notify_cancel():  # False: caller gave up
                        try:
                            with conn.begin_nested():  # SAVEPOINT … RELEASE
                                done.append((unit, True, unit.fn(conn)))
                        # BaseException too: whatever a unit raises goes to its caller,
                        # and the writer, which every write depends on, carries on.
                        except BaseException as exc:  # rolled back to its savepoint alone
                            if not _in_transaction(conn):
                                raise _BatchLost from exc
                            done.append((unit, False, exc))
                    unit = None
                    if len(done) < MAX_BATCH_UNITS and time.perf_counter() - started < (
                        MAX_BATCH_SECONDS
                    ):
                        try:
                            unit = self._queue.get_nowait()
                        except queue.Empty:
                            break
                        if unit is None:
                            stop = True
            # COMMIT returned: what succeeded is durable, and only now is it said so.
        except BaseException as exc:
            # Nothing of this batch was committed: every caller hears of it. A unit that
            # failed on its own keeps its own error; the rest get the one that ended it.
            cause = exc.__cause__ if isinstance(exc, _BatchLost) else exc
            if unit is not None and not unit.future.done():
                # The unit it happened in (or, if BEGIN failed, the first, not yet begun).
                if unit.future.running() or unit.future.set_running_or_notify_cancel():
                    done.append((unit, False, cause))
            for u, ok, value in done:
                u.future.set_exception(cause if ok else value)
            _end_transaction(conn)
            log.error("store write batch of %d failed: %r", len(done), cause)
            return stop
        for u, ok, value in done:
            if ok:
                u.future.set_result(value)
            else:
                u.future.set_exception(value)
        return stop

    async def reset(self) -> None:
        """Delete every row of every table, in one transaction."""

        def wipe(conn: Connection) -> None:
            for table in reversed(metadata.sorted_tables):
                conn.execute(table.delete())

        await self.write(wipe)

    def close(self) -> None:
        """Finish every write already submitted, then stop."""
        with self._closing:
            if not self._closed:
                self._closed = True
                self._queue.put(None)
        self._write_thread.join()
        self._read_pool.shutdown(wait=True)
        self._writer.dispose()
        self._reader.dispose()


def _in_transaction(conn: Connection) -> bool:
    """Whether SQLite itself still has the transaction open (some errors end it)."""
    dbapi = conn.connection.dbapi_connection
    return bool(dbapi is not None and dbapi.in_transaction)


def _end_transaction(conn: Connection) -> None:
    """After a failed batch, make sure SQLite's transaction is over: a COMMIT that fails
    (a deferred constraint, SQLITE_BUSY) leaves it open while SQLAlchemy deems it ended,
    and every later BEGIN would then fail — the writer, and every write, wedged."""
    if not _in_transaction(conn):
        return
    dbapi = conn.connection.dbapi_connection
    try:
        assert dbapi is not None
        dbapi.rollback()
    except Exception:
        log.exception("could not roll back a failed store write batch; reconnecting")
        conn.invalidate()
