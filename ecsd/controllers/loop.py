"""The shared shape of a controller: one supervisor coroutine that lists the objects in
need of work and keeps exactly one worker coroutine per object (as kopf does), so that two
steps for the same task never run at once and a slow task never holds up another.

A worker that fails is retried with a growing delay (`Backoff`), and each retry leaves one
log line naming the object and the attempt, instead of a traceback every few seconds for
as long as the cause lasts. All waiting goes through a `Clock`, so tests run in fake time.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable

from ..core.clock import Clock, SystemClock

log = logging.getLogger(__name__)

# Called with (key, error, attempt) when a worker's run fails; False gives up for good
# (the hook has dealt with it: a task stopped with a reason), True retries after a delay.
OnFailure = Callable[[str, Exception, int], Awaitable[bool]]


class Backoff:
    """Delays for retrying a step that failed for a temporary reason: `first` seconds,
    doubling, at most `limit`."""

    def __init__(self, first: float = 1.0, limit: float = 60.0) -> None:
        self.first = first
        self.limit = limit
        self.attempt = 0

    def next_delay(self) -> float:
        """Count one more failure; the delay before the next try."""
        delay = min(self.limit, self.first * 2**self.attempt)
        self.attempt += 1
        return delay

    def reset(self) -> None:
        self.attempt = 0


class Workers:
    """One long-lived worker per key; `poke` wakes one (or all) to re-read its object."""

    def __init__(
        self,
        run: Callable[[str, asyncio.Event], Awaitable[None]],
        clock: Clock | None = None,
        *,
        on_failure: OnFailure | None = None,
        backoff: Callable[[], Backoff] = Backoff,
    ) -> None:
        self._run = run
        self._clock: Clock = clock or SystemClock()
        self._on_failure = on_failure
        self._backoff = backoff
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._pokes: dict[str, asyncio.Event] = {}

    def ensure(self, key: str) -> None:
        task = self._tasks.get(key)
        if task is not None and not task.done():
            return
        poke = asyncio.Event()
        self._pokes[key] = poke
        # A fresh context: a worker must not inherit the context variables of whoever
        # made it (a task worker ensured from a service pass's publish would otherwise
        # count as that pass, and its events would not wake the service's worker).
        self._tasks[key] = asyncio.create_task(
            self._guarded(key, poke), name=f"worker {key}", context=contextvars.Context()
        )

    async def _guarded(self, key: str, poke: asyncio.Event) -> None:
        backoff = self._backoff()
        try:
            while True:
                began = self._clock.monotonic()
                try:
                    await self._run(key, poke)
                    return
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    # A run that went well for longer than the longest delay failed anew,
                    # not again: start from the shortest delay.
                    if self._clock.monotonic() - began > backoff.limit:
                        backoff.reset()
                    delay = backoff.next_delay()
                    if self._on_failure is not None and not await self._on_failure(
                        key, exc, backoff.attempt
                    ):
                        return
                    # The traceback once; the retries after it as one line each.
                    log.warning(
                        "worker for %s failed (attempt %d): %s; retrying in %g s",
                        key,
                        backoff.attempt,
                        exc,
                        delay,
                        exc_info=backoff.attempt == 1,
                    )
                    await self._clock.sleep(delay)
        finally:
            if self._tasks.get(key) is asyncio.current_task():
                self._tasks.pop(key, None)
                self._pokes.pop(key, None)

    def poke(self, key: str | None = None) -> None:
        if key is not None:
            event = self._pokes.get(key)
            if event is not None:
                event.set()
            return
        for event in self._pokes.values():
            event.set()

    def __contains__(self, key: str) -> bool:
        return key in self._tasks

    def __len__(self) -> int:
        return len(self._tasks)

    async def stop(self) -> None:
        tasks = list(self._tasks.values())
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
        self._pokes.clear()
