"""The console's change feed: when to fetch again, never what changed.

A page open in the console would otherwise ask the APIs every couple of seconds whether
anything changed — with 200 services that is thousands of rows read per minute for
nothing. Instead it long-polls `GET /_console/changes?after=N`, which answers as soon as
a committed write has published an event on the change bus after N (a task's status, a
service's deployment, a target's health, …), or after `WAIT` seconds with nothing new;
then the page reads what it shows through the public APIs as before. What a page shows
is still what the API says; the feed only says when to look.
"""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp import web

from ..core.bus import Bus, Event

WAIT = 20.0  # seconds a poll waits for a change (below the guard's idle timeouts)


class Changes:
    def __init__(self, bus: Bus) -> None:
        self.seq = 0
        self._changed = asyncio.Event()
        bus.subscribe(Event, self._heard)

    def _heard(self, _event: Event) -> None:
        self.seq += 1
        self._changed.set()

    async def wait(self, after: int, timeout: float = WAIT) -> int:
        """The sequence number once it is past `after`, or as it is at the timeout."""
        if self.seq != after:
            return self.seq  # past it, or ecsd restarted (the count began again)
        self._changed.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while self.seq == after:
                    await self._changed.wait()
                    self._changed.clear()
        return self.seq

    async def handle(self, request: web.Request) -> web.Response:
        try:
            after = int(request.query.get("after", "-1"))
        except ValueError:
            raise web.HTTPBadRequest(text="after must be an integer\n") from None
        seq = await self.wait(after)
        return web.json_response({"seq": seq}, headers={"Cache-Control": "no-store"})
