"""The daemon's sense of time, injected so that controllers can be tested in fake time.

Everything that waits or reads the time goes through a `Clock`: `time()` for what is
written into documents (createdAt, stoppedAt), `monotonic()` for measuring intervals,
`sleep()` and `wait()` for waiting. `SystemClock` is the real one. `FakeClock` moves only
when a test calls `advance()`, so a test of a 120-second stop timeout takes milliseconds
and never flakes on a busy machine.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from typing import Protocol


class Clock(Protocol):
    def time(self) -> float:
        """Seconds since the epoch (wall time, for what the API shows)."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for intervals and deadlines)."""
        ...

    async def sleep(self, seconds: float) -> None: ...

    async def wait(self, event: asyncio.Event, timeout: float) -> bool:
        """Wait for `event` or `timeout` seconds; True if the event was set. Clears the
        event either way, so that what happened before the wait is not seen twice."""
        ...


class SystemClock:
    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    async def wait(self, event: asyncio.Event, timeout: float) -> bool:
        # asyncio.timeout, not wait_for: Python 3.11's wait_for swallows a cancel that
        # arrives in the turn the event is set, and a controller whose loop loses its
        # cancel never stops (a reset or shutdown then waits forever).
        try:
            async with asyncio.timeout(max(0.0, timeout)):
                await event.wait()
            return True
        except TimeoutError:
            return False
        finally:
            event.clear()


class FakeClock:
    """A clock that stands still until `advance()`. Sleepers and waiters whose deadline
    the advance passes are woken in deadline order, each given a chance to run (and to
    start new sleeps) before the next deadline is reached."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = 0.0
        self._epoch = start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def time(self) -> float:
        return self._epoch + self._now

    def monotonic(self) -> float:
        return self._now

    def _timer(self, seconds: float) -> asyncio.Future[None]:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._now + max(0.0, seconds), next(self._seq), future))
        return future

    async def sleep(self, seconds: float) -> None:
        await self._timer(seconds)

    async def wait(self, event: asyncio.Event, timeout: float) -> bool:
        if event.is_set():
            event.clear()
            return True
        timer = self._timer(timeout)
        waiter: asyncio.Future[bool] = asyncio.ensure_future(event.wait())
        try:
            pending: list[asyncio.Future[object]] = [timer, waiter]  # type: ignore[list-item]
            await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            return event.is_set()
        finally:
            waiter.cancel()
            timer.cancel()
            event.clear()

    @property
    def sleepers(self) -> int:
        """How many sleeps and waits are pending (for tests that wait for quiet)."""
        return sum(1 for _, _, f in self._sleepers if not f.done())

    async def settle(self, rounds: int = 50) -> None:
        """Let every runnable coroutine run until none is left (store and runtime calls
        that hop to threads included, up to a bound)."""
        for _ in range(rounds):
            await asyncio.sleep(0)
        await asyncio.sleep(0.005)
        for _ in range(rounds):
            await asyncio.sleep(0)

    async def advance(self, seconds: float) -> None:
        """Move time forward by `seconds`, waking each sleeper at its deadline."""
        target = self._now + seconds
        await self.settle()
        while self._sleepers and self._sleepers[0][0] <= target:
            deadline, _, future = heapq.heappop(self._sleepers)
            if future.done():
                continue
            self._now = max(self._now, deadline)
            future.set_result(None)
            await self.settle()
        self._now = target
        await self.settle()
