"""The HTTP proxy: what one request on a listener's socket goes through.

One aiohttp low-level server per bound socket (keep-alive with the client, the listener's
idle timeout); towards targets, upstream.py's lean client with a pool of keep-alive
connections per target (host:port). Bodies are streamed both ways — chunked or with a
length, of any size, never whole in memory; only small answers with a known length
(up to `SMALL_BODY`) are read in one go, which saves the per-chunk writes. WebSocket
upgrades are relayed frame by frame over an aiohttp WebSocket on each side (aiohttp's
client session is used for those only).

The hot path reads the plane's current `Routing` (one attribute, swapped whole by
`Plane.apply`), never the store and never a lock.

The load balancer's own answers are ALB's (reference §4.7): 502 when the target refused,
reset or broke the answer, 503 when the group has no registered target, 504 when the
target did not accept within 10 s or did not answer within the idle timeout, with the
small HTML pages ALB sends and `Server: awselb/2.0`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import WSMsgType, web
from multidict import CIMultiDict
from yarl import URL

from ecsd.lb.balancing import APP_COOKIE, GROUP_COOKIE, TARGET_COOKIE, Pool
from ecsd.lb.counters import FIXED, REDIRECT, REQUESTS, answered
from ecsd.lb.rules import Facts, host_only
from ecsd.lb.table import FixedResponse, Forward, Listener, Redirect, Target
from ecsd.lb.upstream import Connection, UpstreamError, UpstreamTimeout

if TYPE_CHECKING:
    from ecsd.lb.plane import Plane, PortRoutes

SERVER = "awselb/2.0"
CONNECT_TIMEOUT = 10.0  # ALB: no connection within 10 s → 504
SMALL_BODY = 64 * 1024

log = logging.getLogger(__name__)

# Hop-by-hop headers (RFC 9110 §7.6.1) never cross the proxy; Host is kept as sent.
HOP_BY_HOP = frozenset(
    h.lower()
    for h in (
        "Connection",
        "Keep-Alive",
        "Proxy-Authenticate",
        "Proxy-Authorization",
        "Proxy-Connection",
        "TE",
        "Trailer",
        "Transfer-Encoding",
        "Upgrade",
    )
)
WS_HANDSHAKE = frozenset(
    h.lower()
    for h in (
        "Sec-WebSocket-Key",
        "Sec-WebSocket-Version",
        "Sec-WebSocket-Extensions",
        "Sec-WebSocket-Protocol",
        "Sec-WebSocket-Accept",
    )
)

_TITLES = {
    502: "502 Bad Gateway",
    503: "503 Service Temporarily Unavailable",
    504: "504 Gateway Time-out",
    400: "400 Bad Request",
    408: "408 Request Time-out",
}


def error_page(status: int) -> str:
    """ALB's own error page (the nginx-style page ALB serves)."""
    title = _TITLES.get(status, f"{status}")
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n</body>\r\n</html>\r\n"
    )


def alb_error(status: int) -> web.Response:
    """ALB's own answer, with its page."""
    body = error_page(status)
    return web.Response(
        status=status, text=body, content_type="text/html", headers={"Server": SERVER}
    )


def not_served(host: str, names: list[str], port: int) -> web.Response:
    # ecsd's own words: on AWS every load balancer has its own address, so there is no
    # such answer; here several share a port and the Host header picks one.
    served = ", ".join(sorted(names))
    return web.Response(
        status=404,
        text=(
            f"ecsd: no load balancer on port {port} is named {host!r}. "
            f"Load balancers served on this port: {served}. "
            f"Use one of them as the host, e.g. curl http://{sorted(names)[0]}:{port}/\n"
        ),
        headers={"Server": SERVER},
    )


def trace_id(incoming: str | None) -> str:
    """X-Amzn-Trace-Id: `Root=1-<8 hex epoch>-<24 hex>`; an incoming one gets `Self=`."""
    value = f"1-{int(time.time()):08x}-{os.urandom(12).hex()}"
    if incoming:
        return f"{incoming};Self={value}"
    return f"Root={value}"


def fixed_response(action: FixedResponse) -> web.Response:
    return web.Response(
        status=action.status_code,
        body=(action.body or "").encode(),
        content_type=action.content_type or "text/plain",
        charset="utf-8",
        headers={"Server": SERVER},
    )


def redirect_location(
    action: Redirect, *, host: str, port: int, path: str, query: str, protocol: str = "http"
) -> str:
    """The Location of a redirect action with ELBv2's placeholders. `#{path}` is the path
    without its leading slash (the default path is `/#{path}`); `#{port}` is the port the
    client really connected to (the bind port: on AWS it is the listener's port, here the
    two differ where the fallback applies, and the client must come back where it can).
    A port that is the protocol's default is left out of the URL (ecsd's choice)."""
    values = {
        "#{protocol}": protocol,
        "#{host}": host,
        "#{port}": str(port),
        "#{path}": path.lstrip("/"),
        "#{query}": query,
    }

    def fill(text: str) -> str:
        for k, v in values.items():
            text = text.replace(k, v)
        return text

    proto = fill(action.protocol).lower()
    out_host = fill(action.host)
    out_port = fill(action.port)
    out_path = fill(action.path)
    if not out_path.startswith("/"):
        out_path = "/" + out_path
    out_query = fill(action.query)
    default = {"http": "80", "https": "443"}.get(proto)
    netloc = out_host if out_port in ("", default) else f"{out_host}:{out_port}"
    return f"{proto}://{netloc}{out_path}" + (f"?{out_query}" if out_query else "")


def redirect(action: Redirect, request: web.BaseRequest, port: int) -> web.Response:
    location = redirect_location(
        action,
        host=host_only(request.host),
        port=port,
        path=request.path,
        query=request.query_string,
        protocol="https" if request.secure else "http",
    )
    status = 301 if action.status_code == "HTTP_301" else 302
    return web.Response(
        status=status, headers={"Location": location, "Server": SERVER}, content_type="text/html"
    )


def facts_of(request: web.BaseRequest) -> Facts:
    headers = request.headers
    return Facts(
        host=request.host,
        path=request.path,
        method=request.method,
        headers=lambda name: headers.getall(name, ()),
        query=list(request.query.items()),
        peer=request.remote or "",
    )


class Proxy:
    """Serves requests for one bound socket; `routes()` returns the current routing."""

    def __init__(self, plane: Plane, routes: Callable[[], PortRoutes | None], port: int) -> None:
        self._plane = plane
        self._routes = routes
        self._port = port

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        routes = self._routes()
        if routes is None:
            return alb_error(503)
        listener, matcher = routes.pick(request.host)
        if listener is None:
            return not_served(host_only(request.host), routes.names, self._port)
        rule = matcher.unconditional or matcher.match(facts_of(request))
        if rule is None:  # a listener always has a default rule; a broken table is ours
            return self._elb(listener, 503)
        action = rule.action
        if isinstance(action, Forward):
            return await self._forward(request, listener, rule.arn, action)
        if isinstance(action, FixedResponse):
            self._plane.counters.lb(listener.load_balancer_arn)[FIXED] += 1
            return fixed_response(action)
        self._plane.counters.lb(listener.load_balancer_arn)[REDIRECT] += 1
        return redirect(action, request, self._port)

    def unrouted_answer(self, status: int) -> None:
        """The connection layer answered `status` itself (400, 408) before a request
        could be routed: counted for the socket's first listener's load balancer (on
        AWS each load balancer has its own address; here several may share a socket
        and a request that could not be read names none — ecsd's choice)."""
        routes = self._routes()
        if routes is not None and routes.listeners:
            self._plane.counters.elb_answer(routes.listeners[0][0].load_balancer_arn, status)

    def _elb(self, listener: Listener, status: int) -> web.Response:
        """The load balancer's own answer, counted (HTTPCode_ELB_*)."""
        self._plane.counters.elb_answer(listener.load_balancer_arn, status)
        return alb_error(status)

    async def _forward(
        self, request: web.BaseRequest, listener: Listener, rule_arn: str, action: Forward
    ) -> web.StreamResponse:
        plane = self._plane
        routing = plane.routing
        chooser = routing.choosers.get((listener.arn, rule_arn))
        if chooser is None:
            return self._elb(listener, 503)
        cookies = request.cookies if "Cookie" in request.headers else {}
        group = chooser.choose(cookies.get(GROUP_COOKIE))
        pool = routing.pools.get(group.arn)
        if pool is None or not pool.registered:
            return self._elb(listener, 503)
        sticky = pool.group.stickiness
        target = None
        if sticky.enabled:
            name = TARGET_COOKIE if sticky.type == "lb_cookie" else APP_COOKIE
            target = pool.sticky(cookies.get(name))
        if target is None:
            target = pool.choose()
        if target is None:
            return self._elb(listener, 503)
        decorate = None
        if group.cookie is not None or sticky.enabled:
            group_cookie = group.cookie

            def decorate(response: web.StreamResponse) -> None:
                if group_cookie is not None:
                    response.set_cookie(
                        GROUP_COOKIE, group_cookie, max_age=action.stickiness_seconds, path="/"
                    )
                if sticky.enabled:
                    self._target_cookie(response, pool, target)

        tg = group.arn
        row = plane.counters.group(listener.load_balancer_arn, tg)
        row[REQUESTS] += 1
        plane.begin(tg, target.key)
        try:
            return await self._relay(request, listener, target, decorate, row)
        finally:
            plane.end(tg, target.key)

    @staticmethod
    def _target_cookie(response: web.StreamResponse, pool: Pool, target: Target) -> None:
        sticky = pool.group.stickiness
        if sticky.type == "lb_cookie":
            response.set_cookie(
                TARGET_COOKIE, pool.target_token(target), max_age=sticky.duration_seconds, path="/"
            )
        elif sticky.cookie_name and any(
            v.split("=", 1)[0].strip() == sticky.cookie_name
            for v in response.headers.getall("Set-Cookie", ())
        ):
            response.set_cookie(
                APP_COOKIE, pool.target_token(target), max_age=sticky.duration_seconds, path="/"
            )

    def _upstream_headers(
        self, request: web.BaseRequest, listener: Listener, *, websocket: bool = False
    ) -> CIMultiDict[str]:
        headers: CIMultiDict[str] = CIMultiDict()
        drop = HOP_BY_HOP | WS_HANDSHAKE if websocket else HOP_BY_HOP
        for name, value in request.headers.items():
            if name.lower() not in drop:
                headers.add(name, value)
        # Connection can name more hop-by-hop headers.
        conn = request.headers.get("Connection")
        if conn:
            for extra in conn.split(","):
                headers.popall(extra.strip(), None)
        peer = request.remote or ""
        mode = listener.xff_mode
        if mode == "append":
            prior = headers.get("X-Forwarded-For")
            headers["X-Forwarded-For"] = f"{prior}, {peer}" if prior else peer
        elif mode == "remove":
            headers.popall("X-Forwarded-For", None)
        headers["X-Forwarded-Proto"] = listener.protocol.lower()
        headers["X-Forwarded-Port"] = str(listener.port)
        headers["X-Amzn-Trace-Id"] = trace_id(request.headers.get("X-Amzn-Trace-Id"))
        return headers

    async def _relay(
        self,
        request: web.BaseRequest,
        listener: Listener,
        target: Target,
        decorate: Callable[[web.StreamResponse], None] | None,
        row: list[float],
    ) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            url = URL.build(
                scheme="http", host=target.host, port=target.port, path="/", encoded=True
            ).join(URL(request.raw_path, encoded=True))
            return await self._websocket(request, listener, url)
        pool = self._plane.upstream(target)
        idle = float(listener.idle_timeout_seconds)
        method = request.method
        has_body = request.body_exists
        if has_body and request.headers.get("Expect", "").lower() == "100-continue":
            # Answer the client's Expect here (the body is streamed on at once); the
            # target is not asked (Expect is not passed on).
            await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        head_bytes, chunked = request_head(request, listener, has_body)
        conn = pool.idle()
        reused = conn is not None
        try:
            if conn is None:
                conn = await pool.connect(CONNECT_TIMEOUT)
            sent = time.monotonic()
            try:
                conn.write(head_bytes)
                if has_body:
                    await send_body(conn, request, chunked, idle)
                head = await conn.read_head(method, idle)
            except UpstreamError:
                if not reused or has_body:
                    raise
                # A kept-alive connection the target had closed meanwhile: once more,
                # on a fresh one (nothing of the request can have been processed).
                conn.close()
                conn = await pool.connect(CONNECT_TIMEOUT)
                sent = time.monotonic()
                conn.write(head_bytes)
                head = await conn.read_head(method, idle)
        except UpstreamTimeout:
            if conn is not None:
                conn.close()
            return self._elb(listener, 504)
        except ClientStalled:
            if conn is not None:
                conn.close()  # the target has part of a request: that connection is done
            # ALB answers and closes: no lingering read of a body that is not coming.
            response = self._elb(listener, 408)
            response.force_close()
            with contextlib.suppress(ConnectionError):
                await response.prepare(request)
                await response.write_eof()
            request.protocol.force_close()
            return response
        except ClientGone:
            if conn is not None:
                conn.close()
            return self._client_gone(listener, request)
        except (UpstreamError, OSError):
            if conn is not None:
                conn.close()
            return self._elb(listener, 502)
        answered(row, head.status, time.monotonic() - sent)
        if request.transport is None or request.transport.is_closing():
            # The client went away before the answer: ALB logs and counts a 460 (the
            # client never sees it); the target's connection may carry a body we will
            # not read, so it is not kept.
            conn.close()
            return self._client_gone(listener, request)
        out = CIMultiDict[str]()
        for name, value in head.headers:
            if name.lower() not in HOP_BY_HOP:
                out.add(name, value)
        if head.length is not None and head.length <= SMALL_BODY:
            try:
                body = await conn.read_all(head, idle)
            except UpstreamTimeout:
                conn.close()
                return self._elb(listener, 504)
            except UpstreamError:
                conn.close()
                return self._elb(listener, 502)
            pool.release(conn, not head.close)
            if method != "HEAD":
                out.popall("Content-Length", None)
            response = web.Response(status=head.status, reason=head.reason, body=body, headers=out)
            if decorate is not None:
                decorate(response)
            return response
        stream = web.StreamResponse(status=head.status, reason=head.reason)
        stream.headers.extend(out)
        if decorate is not None:
            decorate(stream)
        try:
            await stream.prepare(request)
            async for piece in conn.body(head, idle):
                await stream.write(piece)
            await stream.write_eof()
        except (UpstreamError, UpstreamTimeout, OSError):
            # The answer has begun: all a proxy can do is cut the connection.
            conn.close()
            if request.transport is not None:
                request.transport.close()
            return stream
        pool.release(conn, not head.close)
        return stream

    def _client_gone(self, listener: Listener, request: web.BaseRequest) -> web.Response:
        self._plane.counters.elb_answer(listener.load_balancer_arn, 460)
        log.info(
            "load balancer %s: 460: the client %s closed the connection before the target "
            "answered %s %s",
            listener.load_balancer_arn.split("loadbalancer/", 1)[-1],
            request.remote,
            request.method,
            request.raw_path,
        )
        return alb_error(460)

    async def _websocket(
        self, request: web.BaseRequest, listener: Listener, url: URL
    ) -> web.StreamResponse:
        plane = self._plane
        headers = self._upstream_headers(request, listener, websocket=True)
        protocols = tuple(
            p.strip()
            for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",")
            if p.strip()
        )
        try:
            upstream = await plane.session.ws_connect(
                url,
                headers=headers,
                protocols=protocols,
                autoping=False,
                timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=10.0),
            )
        except aiohttp.WSServerHandshakeError as e:
            if 400 <= e.status < 500:
                return alb_error(e.status)  # the target's refusal, passed on
            return self._elb(listener, 502)
        except aiohttp.ServerTimeoutError:
            return self._elb(listener, 504)
        except (aiohttp.ClientError, OSError):
            return self._elb(listener, 502)
        ws = web.WebSocketResponse(
            protocols=(upstream.protocol,) if upstream.protocol else (), autoping=False
        )
        try:
            await ws.prepare(request)  # type: ignore[arg-type]
            await _pump(ws, upstream)
        finally:
            await upstream.close()
            await ws.close()
        return ws


_REPLACED = frozenset(
    {b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-port", b"x-amzn-trace-id", b"expect"}
)
_HOP_BY_HOP_B = frozenset(h.encode() for h in HOP_BY_HOP)


def request_head(
    request: web.BaseRequest, listener: Listener, has_body: bool
) -> tuple[bytes, bool]:
    """The request's head as the target gets it (see `forward_head`)."""
    return forward_head(
        request.method,
        request.raw_path,
        request.raw_headers,
        request.headers.get("Connection"),
        request.remote or "",
        listener,
        has_body,
    )


def forward_head(
    method: str,
    raw_path: str,
    raw_headers: tuple[tuple[bytes, bytes], ...],
    connection: str | None,
    peer: str,
    listener: Listener,
    has_body: bool,
) -> tuple[bytes, bool]:
    """A request's head as the target gets it, built from the raw header bytes (no
    decoding and re-encoding on the hot path): hop-by-hop headers dropped, X-Forwarded-*
    and X-Amzn-Trace-Id set as ALB sets them. Returns the bytes and whether the body
    goes chunked (it does when the client sent no Content-Length)."""
    drop = _HOP_BY_HOP_B
    if connection:
        drop = drop | {t.strip().lower().encode() for t in connection.split(",")}
    parts = [f"{method} {raw_path} HTTP/1.1\r\n".encode("utf-8", "surrogateescape")]
    xff: list[bytes] = []
    incoming_trace: bytes | None = None
    has_length = False
    for name, value in raw_headers:
        low = name.lower()
        if low in drop:
            continue
        if low in _REPLACED:
            if low == b"x-forwarded-for":
                xff.append(value)
            elif low == b"x-amzn-trace-id":
                incoming_trace = value
            continue
        if low == b"content-length":
            has_length = True
        parts.append(b"%b: %b\r\n" % (name, value))
    mode = listener.xff_mode
    if mode == "append":
        xff.append(peer.encode())
        parts.append(b"X-Forwarded-For: %b\r\n" % b", ".join(xff))
    elif mode == "preserve" and xff:
        parts.append(b"X-Forwarded-For: %b\r\n" % b", ".join(xff))
    trace = trace_id(incoming_trace.decode("latin-1") if incoming_trace else None)
    parts.append(
        b"X-Forwarded-Proto: %b\r\nX-Forwarded-Port: %d\r\nX-Amzn-Trace-Id: %b\r\n"
        % (listener.protocol.lower().encode(), listener.port, trace.encode())
    )
    chunked = has_body and not has_length
    if chunked:
        parts.append(b"Transfer-Encoding: chunked\r\n")
    parts.append(b"\r\n")
    return b"".join(parts), chunked


class ClientStalled(Exception):
    """The client sent no more of its body within the idle timeout (ALB: 408)."""


class ClientGone(Exception):
    """The client's connection ended before its body did (ALB: 460)."""


async def send_body(conn: Connection, request: web.BaseRequest, chunked: bool, idle: float) -> None:
    """Stream the client's body on, as it arrives (never whole in memory); each piece
    must come within the idle timeout."""
    content = request.content
    while True:
        try:
            async with asyncio.timeout(idle):
                data = await content.readany()
        except TimeoutError:
            raise ClientStalled from None
        except (OSError, aiohttp.ClientPayloadError, web.HTTPException) as e:
            raise ClientGone from e
        if not data:
            break
        if chunked:
            conn.write(b"%x\r\n%b\r\n" % (len(data), data))
        else:
            conn.write(data)
        await conn.drain()
    if chunked:
        conn.write(b"0\r\n\r\n")


async def _pump(client: web.WebSocketResponse, upstream: aiohttp.ClientWebSocketResponse) -> None:
    """Relay frames both ways until either side closes."""

    async def to_upstream() -> None:
        async for msg in client:
            if msg.type == WSMsgType.TEXT:
                await upstream.send_str(msg.data)
            elif msg.type == WSMsgType.BINARY:
                await upstream.send_bytes(msg.data)
            elif msg.type == WSMsgType.PING:
                await upstream.ping(msg.data)
            elif msg.type == WSMsgType.PONG:
                await upstream.pong(msg.data)
        await upstream.close(code=client.close_code or 1000)

    async def to_client() -> None:
        async for msg in upstream:
            if msg.type == WSMsgType.TEXT:
                await client.send_str(msg.data)
            elif msg.type == WSMsgType.BINARY:
                await client.send_bytes(msg.data)
            elif msg.type == WSMsgType.PING:
                await client.ping(msg.data)
            elif msg.type == WSMsgType.PONG:
                await client.pong(msg.data)
        await client.close(code=upstream.close_code or 1000)

    tasks = [asyncio.ensure_future(to_upstream()), asyncio.ensure_future(to_client())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
