"""The fast path: plain HTTP/1.1 keep-alive requests without a body, forwarded on a raw
asyncio Protocol; everything else is handed to aiohttp's server (lb/frontend.py).

Why: under load most of the proxy's CPU went to aiohttp's server machinery (a task,
a request object, a stream writer and a response object per request; bench/alb.py). The
common request of a load balancer — a GET or HEAD on a kept-alive HTTP/1.1 connection to
a forward rule — needs none of it: the request is parsed by aiohttp's C parser (the same
one aiohttp uses), routed with the same matcher, sent on with `forward_head`, and the
target's answer goes back as its head plus its body in one `writelines`.

A connection starts here. The first request this path does not take — one with a body,
an upgrade, HTTP/1.0, a rule that is not a plain forward (fixed response, redirect,
stickiness), no routable target, a host no load balancer answers to, or bytes the parser
refuses — hands the connection over: the raw bytes of that request and of everything
after it are given to a fresh aiohttp connection (`AlbConnection`) on the same
transport, which serves the rest exactly as before (and answers the 400, the 503, ...).

Behaviour kept from the aiohttp path: ALB's 502 / 504 pages, the counters, in-flight
counts for draining, the 460 of a client gone before the answer, the 408 of a request
left incomplete at the idle timeout, and the idle timeout read afresh for each idle
period from the socket's current routes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import HttpVersion11
from aiohttp.base_protocol import BaseProtocol
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.http_parser import HttpRequestParser
from aiohttp.streams import EMPTY_PAYLOAD

from ecsd.lb.counters import REQUESTS, answered
from ecsd.lb.frontend import page
from ecsd.lb.proxy import (
    _HOP_BY_HOP_B,
    CONNECT_TIMEOUT,
    SMALL_BODY,
    forward_head,
)
from ecsd.lb.rules import Facts
from ecsd.lb.table import Forward, Listener, Target
from ecsd.lb.upstream import UpstreamError, UpstreamTimeout

if TYPE_CHECKING:
    from ecsd.lb.plane import Plane, PortRoutes
    from ecsd.lb.proxy import Proxy

log = logging.getLogger(__name__)

HANDOFF = object()  # in the queue: from here on, aiohttp serves the connection
MAX_QUEUED = 32  # pipelined requests read ahead before reading pauses
LIMIT = 16 * 1024  # ALB's header limits, as the aiohttp path has them


class FastConnection(BaseProtocol):
    """One client connection (see the module's docstring)."""

    def __init__(
        self,
        plane: Plane,
        proxy: Proxy,
        routes: Callable[[], PortRoutes | None],
        fallback: Callable[[], asyncio.Protocol],
        registry: set[FastConnection],
    ) -> None:
        loop = asyncio.get_running_loop()
        super().__init__(loop)
        self._plane = plane
        self._proxy = proxy
        self._routes = routes
        self._fallback = fallback
        self._registry = registry
        self._http = self._parser = HttpRequestParser(
            self,
            loop,
            2**16,
            max_line_size=LIMIT,
            max_field_size=LIMIT,
            auto_decompress=False,
        )
        self._raw = bytearray()  # received bytes not yet attributed to a request
        self._queue: deque[Any] = deque()  # (message, its raw bytes) | HANDOFF
        self._parsing = True
        self._wake: asyncio.Future[None] | None = None
        self._idle: asyncio.TimerHandle | None = None
        self._busy = False
        self._idle_since = 0.0
        self._closed = False
        self._held = False
        self.peer = ""

    # -- asyncio.Protocol -------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        peer = transport.get_extra_info("peername")
        self.peer = peer[0] if peer else ""
        self._registry.add(self)
        self._arm_idle()
        self._loop.create_task(self._serve())

    def data_received(self, data: bytes) -> None:
        self._raw += data
        if not self._parsing:
            return
        try:
            messages, _upgraded, _tail = self._http.feed_data(data)
        except HttpProcessingError:
            messages = []
            self._stop_parsing()
        for message, payload in messages:
            if not self._parsing:
                break
            if payload is not EMPTY_PAYLOAD or message.upgrade or message.version != HttpVersion11:
                self._stop_parsing()
                break
            end = self._raw.find(b"\r\n\r\n")
            if end < 0:  # leading blank lines or the like: not ours to attribute
                self._stop_parsing()
                break
            raw = bytes(self._raw[: end + 4])
            del self._raw[: end + 4]
            self._queue.append((message, raw))
        if len(self._queue) > MAX_QUEUED and not self._held and self.transport is not None:
            self._held = True
            self.transport.pause_reading()
        self._notify()

    def eof_received(self) -> bool:
        return False  # a half-closed client is a closed one

    def connection_lost(self, exc: BaseException | None) -> None:
        super().connection_lost(exc)
        self._closed = True
        self._registry.discard(self)
        if self._idle is not None:
            self._idle.cancel()
        self._notify()

    def close(self) -> None:
        """The socket closes: so does this connection."""
        if self.transport is not None:
            self.transport.close()

    # -- the loop of one connection ------------------------------------------------------------
    def _stop_parsing(self) -> None:
        self._parsing = False
        self._queue.append(HANDOFF)

    def _notify(self) -> None:
        wake = self._wake
        if wake is not None and not wake.done():
            wake.set_result(None)

    async def _serve(self) -> None:
        queue = self._queue
        while not self._closed:
            if not queue:
                self._wake = self._loop.create_future()
                await self._wake
                self._wake = None
                continue
            item = queue.popleft()
            if self._held and len(queue) < MAX_QUEUED // 2 and self.transport is not None:
                self._held = False
                self.transport.resume_reading()
            if item is HANDOFF:
                self._handoff(b"")
                return
            message, raw = item
            self._busy = True
            try:
                keep = await self._one(message, raw)
            except Exception:
                log.exception("load balancer: a request on the fast path failed")
                if self.transport is not None:
                    self.transport.close()
                return
            finally:
                self._busy = False
            if keep is None:
                return  # handed over
            if not keep or self._closed:
                if self.transport is not None and not self._closed:
                    self.transport.close()
                return
            self._arm_idle()

    def _handoff(self, raw: bytes) -> None:
        """From here on aiohttp serves this connection: `raw` (a request taken from the
        queue), the queue's requests and the bytes not parsed yet go to it as received."""
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        rest = [raw]
        for item in self._queue:
            if item is not HANDOFF:
                rest.append(item[1])
        self._queue.clear()
        rest.append(bytes(self._raw))
        self._raw.clear()
        self._parsing = False
        self._registry.discard(self)
        transport = self.transport
        if transport is None or self._closed:
            return
        if self._held:
            self._held = False
            transport.resume_reading()
        handler = self._fallback()
        transport.set_protocol(handler)
        handler.connection_made(transport)
        data = b"".join(rest)
        if data:
            handler.data_received(data)

    # -- idle timeout ----------------------------------------------------------------------
    def _arm_idle(self) -> None:
        """An idle period starts. The timer is lazy (it checks the deadline when it
        fires) so that a busy connection does not schedule and cancel one per request."""
        self._idle_since = self._loop.time()
        if self._idle is None:
            self._idle = self._loop.call_at(self._idle_deadline(), self._idle_ended)

    def _idle_deadline(self) -> float:
        routes = self._routes()
        return self._idle_since + (routes.idle if routes is not None else 60.0)

    def set_idle_timeout(self, seconds: float) -> None:
        """The socket's idle timeout changed: an idle period under way ends by it (later
        ones read it afresh from the routes)."""
        if self._idle is not None:
            self._idle.cancel()
            self._idle = self._loop.call_at(self._idle_since + seconds, self._idle_ended)

    def _idle_ended(self) -> None:
        self._idle = None
        if self._busy or self._queue or self.transport is None or self._closed:
            return  # serving: the idle period that follows arms the timer again
        deadline = self._idle_deadline()
        if self._loop.time() < deadline:  # a later idle period than the timer's
            self._idle = self._loop.call_at(deadline, self._idle_ended)
            return
        if self._raw:  # part of a request came, not the whole of it: ALB's 408
            self._proxy.unrouted_answer(408)
            self.transport.write(page(408))
        self.transport.close()

    # -- one request -----------------------------------------------------------------------
    async def _one(self, message: Any, raw: bytes) -> bool | None:
        """Serve one request; False: close the connection; None: handed over."""
        routes = self._routes()
        if routes is None:
            self._handoff(raw)
            return None
        headers = message.headers
        listener, matcher = routes.pick(headers.get("Host", ""))
        if listener is None:
            self._handoff(raw)
            return None
        rule = matcher.unconditional
        if rule is None:
            url = message.url
            rule = matcher.match(
                Facts(
                    host=headers.get("Host", ""),
                    path=url.path,
                    method=message.method,
                    headers=lambda name: headers.getall(name, ()),
                    query=list(url.query.items()),
                    peer=self.peer,
                )
            )
        action = rule.action if rule is not None else None
        if not isinstance(action, Forward) or action.stickiness_enabled:
            self._handoff(raw)
            return None
        plane = self._plane
        routing = plane.routing
        chooser = routing.choosers.get((listener.arn, rule.arn))  # type: ignore[union-attr]
        if chooser is None:
            self._handoff(raw)
            return None
        group = chooser.choose(None)
        pool = routing.pools.get(group.arn)
        if pool is None or pool.group.stickiness.enabled:
            self._handoff(raw)
            return None
        target = pool.choose()
        if target is None:
            self._handoff(raw)
            return None
        tg = group.arn
        row = plane.counters.group(listener.load_balancer_arn, tg)
        row[REQUESTS] += 1
        plane.begin(tg, target.key)
        try:
            return await self._relay(message, listener, target, row)
        finally:
            plane.end(tg, target.key)

    async def _relay(
        self, message: Any, listener: Listener, target: Target, row: list[float]
    ) -> bool:
        method = message.method
        head_bytes, _ = forward_head(
            method,
            message.path,
            message.raw_headers,
            message.headers.get("Connection"),
            self.peer,
            listener,
            False,
        )
        pool = self._plane.upstream(target)
        idle = float(listener.idle_timeout_seconds)
        conn = pool.idle()
        reused = conn is not None
        try:
            if conn is None:
                conn = await pool.connect(CONNECT_TIMEOUT)
            sent = time.monotonic()
            try:
                conn.write(head_bytes)
                head = await conn.read_head(method, idle)
            except UpstreamError:
                if not reused:
                    raise
                conn.close()  # a kept-alive connection the target had closed: once more
                conn = await pool.connect(CONNECT_TIMEOUT)
                sent = time.monotonic()
                conn.write(head_bytes)
                head = await conn.read_head(method, idle)
        except UpstreamTimeout:
            if conn is not None:
                conn.close()
            return self._error(listener, 504)
        except (UpstreamError, OSError):
            if conn is not None:
                conn.close()
            return self._error(listener, 502)
        answered(row, head.status, time.monotonic() - sent)
        transport = self.transport
        if transport is None or self._closed or transport.is_closing():
            conn.close()
            self._plane.counters.elb_answer(listener.load_balancer_arn, 460)
            log.info(
                "load balancer %s: 460: the client %s closed the connection before the "
                "target answered %s %s",
                listener.load_balancer_arn.split("loadbalancer/", 1)[-1],
                self.peer,
                method,
                message.path,
            )
            return False
        close = message.should_close
        if head.verbatim:  # the target's head as it came, without its last CRLF
            parts = [head.raw[:-2]]
        else:
            parts = [b"HTTP/1.1 %d %b\r\n" % (head.status, head.reason.encode("latin-1"))]
            for name, value in head.headers:
                if name.lower().encode("latin-1") not in _HOP_BY_HOP_B:
                    parts.append(b"%b: %b\r\n" % (name.encode("latin-1"), value.encode("latin-1")))
        streamed = head.length is None or head.length > SMALL_BODY
        if head.length is None:
            parts.append(b"Transfer-Encoding: chunked\r\n")
        if close:
            parts.append(b"Connection: close\r\n")
        parts.append(b"\r\n")
        try:
            if not streamed:
                parts.append(await conn.read_all(head, idle))
                pool.release(conn, not head.close)
                transport.writelines(parts)
                return not close
            transport.writelines(parts)
            chunked = head.length is None
            async for piece in conn.body(head, idle):
                if self._closed:
                    raise ConnectionResetError
                transport.write(b"%x\r\n%b\r\n" % (len(piece), piece) if chunked else piece)
                await self._drain_helper()
            if chunked:
                transport.write(b"0\r\n\r\n")
        except (UpstreamError, UpstreamTimeout, OSError):
            # The answer has begun (or the target broke its body): cut the connection.
            conn.close()
            transport.close()
            return False
        pool.release(conn, not head.close)
        return not close

    def _error(self, listener: Listener, status: int) -> bool:
        self._plane.counters.elb_answer(listener.load_balancer_arn, status)
        if self.transport is not None and not self._closed:
            self.transport.write(page(status, close=False))
        return True
