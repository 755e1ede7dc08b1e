"""The client side of a listener's connections: aiohttp's server, answering as ALB does.

Why a module: aiohttp's low-level server answers a malformed request with its own text
and closes an idle connection silently whatever it had received; ALB answers both
itself. `Server` makes each connection an `AlbConnection`, which:
- answers a request aiohttp cannot parse (bad request line or header, a header over the
  16 KB limit) with ALB's 400 page, counted as the load balancer's own answer;
- answers 408 with ALB's page when the idle timeout ends while a request is only partly
  received (a connection idle between requests is closed without an answer, as on AWS);
- uses the listener's CURRENT idle timeout for every idle period: aiohttp reads the
  value once per connection (its `start` loop keeps a local copy and computes each
  deadline from it), so the deadline it sets is re-based here on the timeout of now
  (`ModifyLoadBalancerAttributes` reaches open connections' later idle periods).

These lean on aiohttp's RequestHandler internals (`_next_keepalive_close_time`,
`_keepalive_handle`, `_waiter`, `handle_error`): tests/lb/test_client_errors.py pins them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import HttpVersion11, web
from aiohttp.web_protocol import RequestHandler

from ecsd.lb.proxy import SERVER, alb_error, error_page

log = logging.getLogger(__name__)

OnAnswer = Callable[[int], None]
REASONS = {
    400: "Bad Request",
    408: "Request Timeout",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def page(status: int, *, close: bool = True) -> bytes:
    """ALB's own error page as a whole HTTP/1.1 answer (closing the connection, or not)."""
    body = error_page(status).encode()
    closing = "Connection: close\r\n" if close else ""
    reason = REASONS.get(status, "Error")
    return (
        f"HTTP/1.1 {status} {reason}\r\nServer: {SERVER}\r\nContent-Type: text/html\r\n"
        f"Content-Length: {len(body)}\r\n{closing}\r\n"
    ).encode() + body


class AlbConnection(RequestHandler):
    """One client connection (see the module's docstring)."""

    def __init__(self, manager: web.Server, *, on_answer: OnAnswer, **kwargs: Any) -> None:
        # Set before aiohttp's __init__, which already assigns the deadline below.
        self._first_timeout = float(kwargs.get("keepalive_timeout", 3630.0))
        self._idle_since = 0.0
        self._partial = False
        self._on_answer = on_answer
        super().__init__(manager, **kwargs)

    # -- the idle timeout of now ---------------------------------------------------------
    @property  # type: ignore[override]
    def _next_keepalive_close_time(self) -> float:
        return self._idle_since + self._keepalive_timeout

    @_next_keepalive_close_time.setter
    def _next_keepalive_close_time(self, value: float) -> None:
        # aiohttp sets `now + the timeout it read when the connection began`: an idle
        # period starts; its end is re-based on the current timeout.
        self._idle_since = value - self._first_timeout
        self._partial = False
        if not value:  # aiohttp's placeholder in __init__
            return
        self._reschedule(value)

    def _reschedule(self, aiohttp_deadline: float) -> None:
        deadline = self._next_keepalive_close_time
        handle = self._keepalive_handle
        if handle is not None and isinstance(handle, asyncio.TimerHandle):
            if handle.when() <= deadline:
                return  # fires first; aiohttp then reschedules to the deadline
            handle.cancel()
            self._keepalive_handle = None
        if deadline < aiohttp_deadline or handle is not None:
            # aiohttp would schedule at its own (later) deadline only when no timer is
            # pending: this timer takes its place.
            self._keepalive_handle = self._loop.call_at(deadline, self._process_keepalive)

    def set_idle_timeout(self, seconds: float) -> None:
        """The listener's idle timeout changed: this connection's current and later
        idle periods end by it."""
        self._keepalive_timeout = float(seconds)
        if self._idle_since and self._keepalive_handle is not None:
            self._reschedule(float("inf"))

    # -- 408 -----------------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        # Bytes arrived and no whole request yet while waiting for one: partial.
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            self._partial = True

    def _process_keepalive(self) -> None:
        waiter = self._waiter
        if (
            self._partial
            and not self._force_close
            and self._keepalive
            and waiter is not None
            and not waiter.done()
            and self._loop.time() >= self._next_keepalive_close_time
            and self.transport is not None
        ):
            self._partial = False
            self._on_answer(408)
            self.transport.write(page(408))
        super()._process_keepalive()

    # -- 400 -----------------------------------------------------------------------------
    def handle_error(
        self,
        request: web.BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if status != 400:
            return super().handle_error(request, status, exc, message)
        log.debug("load balancer: 400 for a malformed request: %s", message or exc)
        self._on_answer(400)
        # aiohttp stands an HTTP/1.0 placeholder in for a request it could not read,
        # and answers in the request's version; ALB (nginx-style) answers HTTP/1.1.
        request._version = HttpVersion11  # type: ignore[misc]
        response = alb_error(400)
        response.force_close()
        return response


class Server(web.Server):
    """aiohttp's low-level server whose connections are `AlbConnection`s; `on_answer`
    counts the load balancer's own 400 and 408 answers."""

    def __init__(self, handler: Any, *, on_answer: OnAnswer, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._on_answer = on_answer

    def __call__(self) -> RequestHandler:
        return AlbConnection(self, loop=self._loop, on_answer=self._on_answer, **self._kwargs)

    def set_idle_timeout(self, seconds: float) -> None:
        """New connections and open ones use `seconds` from now on."""
        self._kwargs["keepalive_timeout"] = float(seconds)
        for conn in self.connections:
            if isinstance(conn, AlbConnection):
                conn.set_idle_timeout(seconds)
