"""Resource-use samples for ecsd's own CloudWatch metrics: one one-shot stats request per
container, a few at a time.

`stream=False` without one-shot makes the engine take two samples a second apart (to fill
`precpu_stats`), a second of a pool thread per container; one-shot answers at once and the
caller keeps its own previous sample instead. The bound keeps a wave of samples (hundreds of
containers every metric period) from taking every pool thread from the task controller.
"""

from __future__ import annotations

import asyncio
import builtins

from ..base import RuntimeError_, Usage, usage_of
from .inside import Inside

CONCURRENT_SAMPLES = 4  # stats requests in flight at once (of the engine pool's threads)


class Usages(Inside):
    async def usage(self, container_ids: builtins.list[str]) -> dict[str, Usage]:
        gate = asyncio.Semaphore(CONCURRENT_SAMPLES)

        async def one(cid: str) -> Usage | None:
            async with gate:
                try:
                    stats = await self.stats(cid)
                except RuntimeError_:  # gone between listing and asking: no sample
                    return None
            return None if stats is None else usage_of(stats)

        found = await asyncio.gather(*(one(cid) for cid in container_ids))
        return {cid: u for cid, u in zip(container_ids, found, strict=True) if u is not None}
