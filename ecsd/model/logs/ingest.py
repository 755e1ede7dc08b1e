"""How container output becomes CloudWatch Logs events (the awslogs driver's job in ECS).

Two layers, for the tasks controller:
- `append(conn, …)` — one plain, synchronous unit of work inside the caller's store
  transaction: find or create the stream (and the group, with `create_group`, as the
  `awslogs-create-group` option does) and store the lines. With no lines it only makes
  sure the stream exists, which is what the awslogs driver does when a container starts.
  A missing group without `create_group` raises `LogGroupMissing` before anything is
  written, carrying the text ECS shows in the task's stoppedReason.
- `LogSink` — for asyncio code following containers: `await sink.write(region, group,
  stream, ts_ms, line)` only buffers (the region is the container's `awslogs-region`); the buffer goes to the store in ONE write transaction per
  batch (every `flush_interval` seconds, or sooner when it holds `max_lines` lines or
  `max_bytes`). The store has one writer thread, shared with every API request, so a
  container printing megabytes must cost a few large transactions, never one per line.
  A writer that outpaces the store waits for the flush it triggered (back-pressure
  instead of unbounded memory).

Lines longer than the awslogs driver's event limit are split into several events, as
Docker's awslogs driver does; empty lines are dropped, as it does too (an event's message
may not be empty).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence

from sqlalchemy import Connection

from ...store import Store
from . import rows

log = logging.getLogger(__name__)

# Docker's awslogs driver: 256 KiB per event, less the 26 bytes CloudWatch adds to each.
MAX_EVENT_BYTES = 262_144 - rows.EVENT_OVERHEAD


class LogGroupMissing(Exception):
    """The log group does not exist and was not to be created."""

    code = "ResourceNotFoundException"

    def __init__(self, group: str) -> None:
        super().__init__(rows.MISSING_GROUP)
        self.group = group
        self.message = rows.MISSING_GROUP


def split_message(message: str, limit: int = MAX_EVENT_BYTES) -> list[str]:
    """`message` in pieces of at most `limit` UTF-8 bytes, never splitting a character."""
    data = message.encode()
    if len(data) <= limit:
        return [message] if message else []
    pieces = []
    while data:
        cut = min(limit, len(data))
        while cut < len(data) and (data[cut] & 0xC0) == 0x80:  # a continuation byte
            cut -= 1
        pieces.append(data[:cut].decode())
        data = data[cut:]
    return pieces


def append(
    conn: Connection,
    *,
    region: str,
    account: str,
    group: str,
    stream: str,
    events: Sequence[tuple[int, str]],
    create_group: bool,
    now_ms: int | None = None,
) -> None:
    """Store `events` ((timestamp ms, line) pairs) in `group`/`stream`, creating the stream
    on first use and the group too when `create_group`. `account` names the caller's
    account for symmetry with the API; one ecsd serves one account."""
    del account  # every table is the one account's
    now = now_ms if now_ms is not None else int(time.time() * 1000)
    found = rows.find_group(conn, region, group)
    if found is None:
        if not create_group:
            raise LogGroupMissing(group)
        rows.insert_group(conn, region=region, name=group, now=now)
        found = rows.find_group(conn, region, group)
        assert found is not None
    target = rows.find_stream(conn, found.id, stream)
    if target is None:
        rows.insert_stream(conn, group_id=found.id, name=stream, now=now)
        target = rows.find_stream(conn, found.id, stream)
        assert target is not None
    pieces = [(ts, piece) for ts, line in events for piece in split_message(line)]
    if pieces:
        rows.append_events(conn, stream=target, events=pieces, now=now)


def last_timestamp(conn: Connection, *, region: str, group: str, stream: str) -> int | None:
    """The newest event's timestamp (ms) in a stream, so that a log follower resumed
    after a restart asks the runtime only for lines it has not stored yet."""
    found = rows.find_group(conn, region, group)
    target = rows.find_stream(conn, found.id, stream) if found is not None else None
    return None if target is None else target.last_event_timestamp


ErrorHandler = Callable[[str, str, Exception], None]


class LogSink:
    """Buffers lines from many containers and writes them to the store in batches."""

    def __init__(
        self,
        store: Store,
        *,
        account: str,
        flush_interval: float = 0.1,
        max_lines: int = 1000,
        max_bytes: int = 1_048_576,
        on_error: ErrorHandler | None = None,
    ) -> None:
        self.store = store
        self.account = account
        self.flush_interval = flush_interval
        self.max_lines = max_lines
        self.max_bytes = max_bytes
        # Called with (group, stream, error) for lines that could not be stored, e.g. a
        # LogGroupMissing: the controller decides what that means for the task.
        self.on_error = on_error
        self._buffer: dict[tuple[str, str, str, bool], list[tuple[int, str]]] = {}
        self._lines = 0
        self._bytes = 0
        self._lock = asyncio.Lock()  # one flush at a time, so batches land in order
        self._timer: asyncio.TimerHandle | None = None
        self._background: set[asyncio.Task[None]] = set()

    async def write(
        self,
        region: str,
        group: str,
        stream: str,
        ts_ms: int,
        line: str,
        *,
        create_group: bool = False,
    ) -> None:
        self._buffer.setdefault((region, group, stream, create_group), []).append((ts_ms, line))
        self._lines += 1
        self._bytes += len(line)  # characters: near enough to bytes for a flush trigger
        if self._lines >= self.max_lines or self._bytes >= self.max_bytes:
            try:
                await self.flush()
            except Exception:  # the container keeps running; its lines are lost, said so
                log.exception("could not store container output")
        elif self._timer is None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(self.flush_interval, self._flush_in_background)

    async def flush(self) -> None:
        """Write everything buffered so far, in one transaction."""
        async with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            batch, self._buffer = self._buffer, {}
            self._lines = self._bytes = 0
            if not batch:
                return
            now = int(time.time() * 1000)

            def unit(conn: Connection) -> list[tuple[str, str, Exception]]:
                failed: list[tuple[str, str, Exception]] = []
                for (region, group, stream, create_group), events in batch.items():
                    try:
                        append(
                            conn,
                            region=region,
                            account=self.account,
                            group=group,
                            stream=stream,
                            events=events,
                            create_group=create_group,
                            now_ms=now,
                        )
                    except LogGroupMissing as exc:  # raised before it wrote anything
                        failed.append((group, stream, exc))
                return failed

            for group, stream, exc in await self.store.write(unit):
                log.warning("dropped output for %s/%s: %s", group, stream, exc)
                if self.on_error is not None:
                    self.on_error(group, stream, exc)

    def _flush_in_background(self) -> None:
        self._timer = None
        task = asyncio.get_running_loop().create_task(self._flush_quietly())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _flush_quietly(self) -> None:
        try:
            await self.flush()
        except Exception:
            log.exception("could not store container output")

    async def close(self) -> None:
        """Write what is left; the sink must not be written to afterwards."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        await self.flush()
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
