"""The shared shape of a controller: one supervisor coroutine that lists the objects in
need of work and keeps exactly one worker coroutine per object (as kopf does), so that two
steps for the same task never run at once and a slow task never holds up another."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Workers:
    """One long-lived worker per key; `poke` wakes them all to re-read their object."""

    def __init__(self, run: Callable[[str, asyncio.Event], Awaitable[None]]) -> None:
        self._run = run
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._pokes: dict[str, asyncio.Event] = {}

    def ensure(self, key: str) -> None:
        task = self._tasks.get(key)
        if task is not None and not task.done():
            return
        poke = asyncio.Event()
        self._pokes[key] = poke
        self._tasks[key] = asyncio.create_task(self._guarded(key, poke), name=f"worker {key}")

    async def _guarded(self, key: str, poke: asyncio.Event) -> None:
        try:
            await self._run(key, poke)
        except asyncio.CancelledError:
            raise
        except Exception:
            # The supervisor restarts it at the next resync: level-based, so a worker that
            # died halfway just takes the same step again.
            log.exception("worker for %s failed; it will be retried", key)
        finally:
            if self._tasks.get(key) is asyncio.current_task():
                self._tasks.pop(key, None)
                self._pokes.pop(key, None)

    def poke(self, key: str | None = None) -> None:
        for k, event in self._pokes.items():
            if key is None or k == key:
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


async def wait_poke(poke: asyncio.Event, timeout: float) -> bool:
    """Wait for a poke or the timeout; True if poked. Clears the poke either way."""
    try:
        await asyncio.wait_for(poke.wait(), timeout)
        return True
    except TimeoutError:
        return False
    finally:
        poke.clear()
