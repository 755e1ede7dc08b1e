"""SQLite through SQLAlchemy Core, in WAL mode, with durable commits.

`synchronous=FULL` makes every acknowledged write survive not just `kill -9` but a power
cut. pysqlite's own implicit transactions are switched off (SQLAlchemy's recommended
recipe) so that `BEGIN IMMEDIATE` takes the write lock at the start of a write: a
read-then-write (the next revision number) can never interleave with another writer.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event

from .schema import metadata

T = TypeVar("T")
log = logging.getLogger(__name__)

READ_THREADS = 2


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
        self._write_pool = ThreadPoolExecutor(1, thread_name_prefix="ecsd-store-write")
        self._read_pool = ThreadPoolExecutor(READ_THREADS, thread_name_prefix="ecsd-store-read")

    # Synchronous forms, for code already on a store thread and for tests.
    def write_sync(self, fn: Callable[[Connection], T]) -> T:
        with self._writer.begin() as conn:
            return fn(conn)

    def read_sync(self, fn: Callable[[Connection], T]) -> T:
        with self._reader.begin() as conn:
            return fn(conn)

    async def write(self, fn: Callable[[Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._write_pool, self.write_sync, fn)

    async def read(self, fn: Callable[[Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._read_pool, self.read_sync, fn)

    async def reset(self) -> None:
        """Delete every row of every table, in one transaction."""

        def wipe(conn: Connection) -> None:
            for table in reversed(metadata.sorted_tables):
                conn.execute(table.delete())

        await self.write(wipe)

    def close(self) -> None:
        self._write_pool.shutdown(wait=True)
        self._read_pool.shutdown(wait=True)
        self._writer.dispose()
        self._reader.dispose()
