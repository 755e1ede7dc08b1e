"""The start/stop of a controller that is one background coroutine (a loop of passes):
`start` runs `_run` as a named task, `stop` cancels it and waits for it to end."""

from __future__ import annotations

import asyncio


class Background:
    name = "controller"  # the task's name, in asyncio's debug output

    _task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        raise NotImplementedError
