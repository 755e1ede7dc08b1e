"""The daemon in the test process: `build_app` served by aiohttp on a background thread's
event loop, on a free loopback port.

For server tests that need no process of their own: starting one costs milliseconds
where spawning `ecsd serve` costs about a second. Real clients (boto3, the aws CLI) talk
to it over HTTP exactly as to a process, and `call()` runs an operation without HTTP.
Tests of crashes and restarts keep real processes (server_process.EcsdProcess).
"""

from __future__ import annotations

import asyncio
import threading
import urllib.request
from pathlib import Path
from typing import Any

from aiohttp import web
from server_process import free_port

from ecsd.config import Settings
from ecsd.core.clock import Clock
from ecsd.daemon import Daemon
from ecsd.runtime.base import Runtime
from ecsd.server import DAEMON, build_app


class InProcessServer:
    def __init__(
        self,
        data_dir: Path,
        *,
        runtime: Runtime | None = None,
        clock: Clock | None = None,
        **settings: Any,
    ) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.settings = Settings(data_dir=data_dir, port=self.port, **settings)
        self._runtime = runtime
        self._clock = clock
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="ecsd in-process", daemon=True
        )
        self._runner: web.AppRunner | None = None
        self.daemon: Daemon | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self, coro: Any, timeout: float = 60.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def start(self) -> InProcessServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._thread.start()

        async def start() -> None:
            app = build_app(self.settings, runtime=self._runtime, clock=self._clock)
            self.daemon = app[DAEMON]
            self._runner = web.AppRunner(app, access_log=None)
            await self._runner.setup()
            await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

        self._run(start())
        return self

    def call(
        self,
        service: str,
        operation: str,
        params: dict[str, Any] | None = None,
        *,
        region: str | None = None,
    ) -> Any:
        """Run one operation in-process (no HTTP), as `Gateway.call` does."""
        assert self.daemon is not None
        return self._run(self.daemon.gateway.call(service, operation, params or {}, region=region))

    def reset(self) -> None:
        req = urllib.request.Request(
            f"{self.url}/_ecsd/reset",
            method="POST",
            data=b"",
            headers={"Content-Type": "application/json"},  # a form type is refused
        )
        with urllib.request.urlopen(req, timeout=30):
            pass

    def close(self) -> None:
        if self._runner is not None:
            self._run(self._runner.cleanup())
            self._runner = None
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._loop.close()
