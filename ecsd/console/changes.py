"""The console's change feed: when to fetch again, and what changed.

A page open in the console would otherwise ask the APIs every couple of seconds whether
anything changed — with 200 services that is thousands of rows read per minute for
nothing. Instead it long-polls `GET /_console/changes?after=N`, which answers as soon as
a committed write has published an event on the change bus after N (a task's status, a
service's deployment, a target's health, …), or after `WAIT` seconds with nothing new.
The answer also names the ARNs those events were about (a task's event names its service
too), so that a page of 200 services describes again the one that changed, not all 200;
`arns` is null when an event named nothing or the page is too far behind, and the page
then reads everything again. Either way the page reads what it shows through the public
APIs: the feed says when and where to look, never what is there.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

from aiohttp import web

from ..core.bus import Bus, Event

WAIT = 20.0  # seconds a poll waits for a change (below the guard's idle timeouts)
KEEP = 2000  # recent events remembered; a page further behind reads everything again
MAX_ARNS = 200  # more than this in one answer: the page reads everything again


def _arns(event: Event) -> tuple[str, ...] | None:
    """The ARNs an event is about, or None when it names nothing a page could use."""
    found = tuple(
        str(v)
        for k, v in vars(event).items()
        if v and isinstance(v, str) and k.endswith("arn") and v.startswith("arn:")
    )
    return found or None


class Changes:
    def __init__(self, bus: Bus) -> None:
        self.seq = 0
        self._recent: deque[tuple[int, tuple[str, ...] | None]] = deque(maxlen=KEEP)
        self._changed = asyncio.Event()
        bus.subscribe(Event, self._heard)

    def _heard(self, event: Event) -> None:
        self.seq += 1
        self._recent.append((self.seq, _arns(event)))
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

    def since(self, after: int) -> list[str] | None:
        """The ARNs named by the events after `after`; None when that cannot be told."""
        if after < 0 or after > self.seq or not self._recent or self._recent[0][0] > after + 1:
            return None
        arns: set[str] = set()
        for seq, named in self._recent:
            if seq <= after:
                continue
            if named is None:
                return None
            arns.update(named)
            if len(arns) > MAX_ARNS:
                return None
        return sorted(arns)

    async def handle(self, request: web.Request) -> web.Response:
        try:
            after = int(request.query.get("after", "-1"))
        except ValueError:
            raise web.HTTPBadRequest(text="after must be an integer\n") from None
        seq = await self.wait(after)
        body = {"seq": seq, "arns": self.since(after) if seq != after else []}
        return web.json_response(body, headers={"Cache-Control": "no-store"})
