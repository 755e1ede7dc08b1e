"""The two endless streams, events and a container's logs: each in a thread and on a
client of its own, feeding an asyncio queue with bounded credit so a chatty container
cannot fill memory faster than ecsd stores its lines."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar

import docker
import docker.errors
import requests
from docker.api.client import APIClient
from docker.types import CancellableStream

from ..base import (
    LogSource,
    RuntimeError_,
)
from .answers import (
    _ignoring,
    _quietly,
)
from .engine import Engine
from .logparse import _frames, _LogParser, _tty_frames

T = TypeVar("T")
log = logging.getLogger(__name__)

# Container events worth waking a controller for; health checks' exec_* are noise.
EVENT_ACTIONS = {
    "create",
    "start",
    "restart",
    "die",
    "kill",
    "stop",
    "oom",
    "pause",
    "unpause",
    "destroy",
    "health_status",
}
STREAM_CREDIT = 1024  # items a stream may run ahead of its consumer
_END = object()


class Streams(Engine):
    def events(self) -> AsyncIterator[tuple[str, str, dict[str, str]]]:
        def open_events(
            api: APIClient,
        ) -> tuple[Iterator[tuple[str, str, dict[str, str]]], Callable[[], None]]:
            stream = api.events(filters={"type": ["container"]}, decode=True)

            def items() -> Iterator[tuple[str, str, dict[str, str]]]:
                for ev in stream:
                    action = str(ev.get("Action") or ev.get("status") or "")
                    if action.split(":", 1)[0] not in EVENT_ACTIONS:
                        continue
                    actor = ev.get("Actor") or {}
                    yield (
                        str(actor.get("ID") or ev.get("id") or ""),
                        action,
                        dict(actor.get("Attributes") or {}),
                    )

            return items(), stream.close

        return self._follow(open_events, "docker events")

    def logs(
        self, container_id: str, since_ms: int = 0
    ) -> AsyncIterator[tuple[int, LogSource, str]]:
        def open_logs(
            api: APIClient,
        ) -> tuple[Iterator[tuple[int, LogSource, str]], Callable[[], None]]:
            try:
                tty = bool(api.inspect_container(container_id)["Config"].get("Tty"))
            except docker.errors.NotFound:
                return iter(()), lambda: None
            current: list[requests.Response] = []
            closed = threading.Event()

            def request(follow: bool, since_ns: int) -> Iterator[tuple[int, bytes]]:
                params: dict[str, Any] = {
                    "stdout": 1,
                    "stderr": 1,
                    "timestamps": 1,
                    "follow": int(follow),
                }
                if since_ns > 0:
                    # Whole seconds (Podman misreads fractions); the parser drops what
                    # is older than asked.
                    params["since"] = since_ns // 1_000_000_000
                response = api._get(
                    api._url("/containers/{0}/logs", container_id), params=params, stream=True
                )
                current[:] = [response]
                api._raise_for_status(response)
                return _tty_frames(response) if tty else _frames(response)

            def lines() -> Iterator[tuple[int, LogSource, str]]:
                parser = _LogParser(since_ms)
                yield from parser.feed(request(True, since_ms * 1_000_000))
                if not closed.is_set():
                    # A follow can end a moment before the engine has handed over the
                    # last entries (Docker 20.10 drops a final line without a newline):
                    # read once more from the last entry seen; the parser skips repeats.
                    with _ignoring(404):
                        yield from parser.feed(request(False, parser.resume_ns()))
                yield from parser.flush()

            def close() -> None:
                closed.set()
                for response in current:
                    CancellableStream(iter(()), response).close()

            return lines(), close

        return self._follow(open_logs, f"logs {container_id[:12]}")

    def _stream_client(self) -> APIClient:
        # Its own connection and no read timeout: a quiet container is not a dead engine.
        return APIClient(
            base_url=self.url, version=self._client().api_version, tls=self._tls, timeout=None
        )

    async def _follow(
        self, opener: Callable[[APIClient], tuple[Iterator[T], Callable[[], None]]], name: str
    ) -> AsyncIterator[T]:
        """Run a blocking stream in a thread of its own; yield its items here. Leaving
        the loop (break, cancel) closes the stream's socket, which ends the thread."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        credit = threading.Semaphore(STREAM_CREDIT)
        stopped = threading.Event()
        closers: list[Callable[[], None]] = []

        def put(item: Any) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the loop is closed: nobody listens any more
                stopped.set()

        def pump() -> None:
            outcome: Any = _END
            try:
                api = self._guarded(lambda _api: self._stream_client())
                try:
                    items, close = self._guarded(lambda _api: opener(api))
                    closers.append(close)
                    self._closers.add(close)
                    if stopped.is_set():  # closed while we were opening
                        return
                    for item in items:
                        while not credit.acquire(timeout=0.5):
                            if stopped.is_set():
                                return
                        if stopped.is_set():
                            return
                        put(item)
                finally:
                    for close in closers:
                        self._closers.discard(close)
                        _quietly(close)
                    api.close()
            except RuntimeError_ as exc:
                outcome = exc
            except Exception as exc:  # noqa: BLE001 - a broken stream ends the iteration
                if not stopped.is_set():
                    outcome = self._unavailable(exc)
            if not stopped.is_set():
                put(outcome)

        threading.Thread(target=pump, name=name, daemon=True).start()
        try:
            while True:
                item = await queue.get()
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                credit.release()
                yield item
        finally:
            stopped.set()
            for close in list(closers):  # a copy: the pump thread may still append
                _quietly(close)
