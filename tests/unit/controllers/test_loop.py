"""loop.Workers: what each worker starts with."""

from __future__ import annotations

import asyncio
import contextvars

from ecsd.controllers.loop import Workers

_who = contextvars.ContextVar("who", default="nobody")


def test_a_worker_does_not_inherit_the_context_of_whoever_made_it():
    """A task worker is made from inside a service pass's publish; had it inherited the
    pass's context, its own writes would have counted as that pass's and never woken the
    service (a rollout then never reached its steady state)."""
    seen: list[str] = []

    async def run(_key: str, _poke: asyncio.Event) -> None:
        seen.append(_who.get())

    async def scenario() -> None:
        workers = Workers(run)
        _who.set("service pass")
        workers.ensure("task-1")
        await asyncio.sleep(0.01)
        await workers.stop()

    asyncio.run(scenario())
    assert seen == ["nobody"]
