"""What stands between the network and ecsd's handlers: reaching the port is not owning
the machine, and a slow client cannot take the server from the others.

- The `Host` header must name ecsd (loopback names, an IP literal, `--host`, or an
  `--allowed-host`): a page whose DNS name is rebound to 127.0.0.1 is refused, so it
  cannot read what ecsd answers. IP literals are always allowed because rebinding needs a
  name the attacker controls; an IP literal is never that.
- Requests a browser marks as cross-site (an `Origin` that is not ecsd itself, or
  without an Origin, `Sec-Fetch-Site` other than same-origin/none) are refused, and the
  administrative `/_ecsd/*` writes refuse the content types an HTML form can send
  without a preflight.
- With `--auth`, every request but `GET /_ecsd/health` must carry a SigV4 signature by a
  configured key (ecsd/aws/auth.py); the admin routes use the same signature (any service
  name in the scope), so one credential guards everything. The exceptions are the paths
  a surface names `unsigned`: the task side's token paths, and the console's static files
  and change feed (no data; the console signs its API calls).
- Slow clients: a request's headers must arrive within `header_timeout` (aiohttp has no
  header timeout: `GuardedProtocol` below keeps one per connection), its body within
  `body_timeout`; idle keep-alive connections close after `idle_timeout` (aiohttp's own
  keepalive_timeout), and at most `max_connections` are open at once.

Refusals are 403 in the AWS error shape of the path: JSON `__type` for the JSON services
and `/_ecsd/*`, the Query XML error otherwise.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import logging
import signal
import uuid
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web
from aiohttp.typedefs import Middleware

from .aws import auth
from .aws.errors import AwsError
from .aws.protocols import json as json_protocol
from .aws.protocols import query as query_protocol
from .config import Settings

log = logging.getLogger(__name__)

# Names every ecsd answers to. Later surfaces that reach ecsd by another name (the task
# metadata endpoint, the registry) add theirs here or via Settings.allowed_hosts.
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
ADMIN_PREFIX = "/_ecsd/"
HEALTH_PATH = "/_ecsd/health"
# The registry (ecsd/registry/) authenticates its own clients (docker's Basic
# `AWS:<password>`, not SigV4) and streams its bodies (layers of any size) itself, with
# its own per-read timeout: the guard neither reads nor signs them.
REGISTRY_PREFIX = "/v2/"
# Content types an HTML form (or a no-preflight fetch) can send cross-site.
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})
# The Query error's namespace when no service is known yet (STS is the Query service).
QUERY_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"
# Seconds aiohttp keeps reading (and dropping) a body it answered early, before closing:
# closing at once with unread bytes resets the connection, and the client loses the
# answer. aiohttp's default is 10 s; a trickling body is cut off LINGER after its 408.
LINGER = 2.0

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def served_hosts(settings: Settings) -> frozenset[str]:
    """The one list of host names requests may be addressed to (lower case)."""
    names = set(LOOPBACK_NAMES) | {h.lower() for h in settings.allowed_hosts}
    names.add(settings.host.lower().strip("[]"))
    return frozenset(names)


def host_name(host_header: str) -> str:
    """`name` of a Host header `name[:port]` / `[v6][:port]`, lower case."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def host_allowed(host_header: str | None, names: frozenset[str]) -> bool:
    if host_header is None:
        return True  # HTTP/1.0 without Host: no browser sends that
    name = host_name(host_header)
    if name in names:
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def origin_allowed(origin: str, host_header: str, names: frozenset[str], port: int) -> bool:
    """An Origin is ecsd itself: the address the request was sent to, or a name ecsd
    serves on ecsd's own port (a page there is ecsd's, e.g. the console)."""
    origin = origin.strip().lower().rstrip("/")
    if origin == f"http://{host_header.strip().lower()}":
        return True
    scheme, _, netloc = origin.partition("://")
    if scheme != "http" or not netloc:
        return False
    name = host_name(netloc)
    rest = netloc[netloc.rfind("]") + 1 :] if netloc.startswith("[") else netloc
    given_port = rest.rpartition(":")[2] if ":" in rest else "80"
    return name in names and given_port == str(port)


def cross_site_reason(request: web.Request, names: frozenset[str], port: int) -> str | None:
    """Why the browser says this request comes from another site, or None.

    Browsers send `Origin` with every cross-origin request that could change something;
    `Sec-Fetch-Site` (without an Origin) covers the rest: links, images, form GETs.
    """
    origin = request.headers.get("Origin")
    if origin is not None:
        if origin_allowed(origin, request.headers.get("Host", ""), names, port):
            return None
        return f"Origin {origin[:100]}"
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site.lower() not in ("same-origin", "none"):
        return f"Sec-Fetch-Site: {fetch_site[:40]}"
    return None


def is_json_request(request: web.Request) -> bool:
    return (
        "X-Amz-Target" in request.headers
        or request.content_type.startswith("application/x-amz-json")
        or request.path.startswith(ADMIN_PREFIX)
    )


def error_response(request: web.Request, error: AwsError) -> web.Response:
    """`error` in the shape the path's clients read."""
    request_id = str(uuid.uuid4())
    if is_json_request(request):
        status, headers, body = json_protocol.encode_error(error)
        return web.Response(
            status=status,
            body=body,
            headers={**headers, "x-amzn-RequestId": request_id},
            content_type=json_protocol.CONTENT_TYPE,
        )
    status, body = query_protocol.encode_error(error, request_id, QUERY_NAMESPACE)
    return web.Response(status=status, body=body, content_type=query_protocol.CONTENT_TYPE)


def _refuse(request: web.Request, message: str) -> web.Response:
    # The codes and texts are ecsd's own: AWS has no Host or Origin checks to copy.
    code = "AccessDeniedException" if is_json_request(request) else "AccessDenied"
    return error_response(request, AwsError(code, message, status=403))


def middleware(
    settings: Settings,
    *,
    keys: Mapping[str, str] | None = None,
    unsigned: tuple[str, ...] = (),
) -> Middleware:
    """`keys`: the access keys to verify against, the configured ones by default (the
    task-side listener adds the task-role keys ecsd minted); `unsigned`: path prefixes
    that carry a token of their own instead of a signature (the task metadata and
    credentials endpoints)."""
    names = served_hosts(settings)
    keys = dict(settings.access_keys) if keys is None else keys

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        connection = _guarded(request)
        if connection is not None:
            connection.request_started()
        try:
            return await _checked(request, handler)
        finally:
            if connection is not None:
                connection.request_finished()

    async def _checked(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not host_allowed(request.headers.get("Host"), names):
            return _refuse(
                request,
                f"Host '{request.headers.get('Host', '')[:100]}' is not a name this ecsd "
                "serves; add it with --allowed-host.",
            )
        why = cross_site_reason(request, names, settings.port)
        if why is not None:
            return _refuse(request, f"Cross-site requests are refused ({why}).")
        admin = request.path.startswith(ADMIN_PREFIX)
        if admin and request.method not in ("GET", "HEAD") and request.content_type in FORM_TYPES:
            return _refuse(
                request, f"Content-Type {request.content_type} is refused on {request.path}."
            )
        if request.path.startswith(REGISTRY_PREFIX) or request.path == REGISTRY_PREFIX[:-1]:
            return await handler(request)
        try:
            async with asyncio.timeout(settings.body_timeout):
                body = await request.read()  # cached: the handler's read() returns it
        except TimeoutError:
            # ecsd's own text. The connection closes after the answer (and after
            # LINGER, which lets the client read the answer before the close).
            response = web.Response(status=408, text="Request body not received in time.\n")
            response.force_close()
            return response
        exempt = request.path == HEALTH_PATH and request.method == "GET"
        if settings.auth and not exempt and not request.path.startswith(unsigned or ("\0",)):
            try:
                auth.verify(
                    request.method,
                    request.raw_path,
                    request.headers,
                    body,
                    keys,
                    dt.datetime.now(dt.UTC),
                )
            except auth.AuthFailure as failure:
                query = not is_json_request(request)
                return error_response(request, auth.error_for(failure, query=query))
        return await handler(request)

    return guard


def _guarded(request: web.Request) -> GuardedProtocol | None:
    transport = request.transport
    protocol = transport.get_protocol() if transport is not None else None
    return protocol if isinstance(protocol, GuardedProtocol) else None


class GuardedProtocol(asyncio.Protocol):
    """aiohttp's connection handler behind a header timeout and a connection bound.

    A connection must deliver a request's headers within `header_timeout` of opening or
    of the first byte after the previous answer; the middleware says when the headers
    are in (`request_started`). A connection over `max_connections` is answered 503 and
    closed at once.
    """

    def __init__(self, inner: asyncio.Protocol, server: GuardedServer) -> None:
        self.inner = inner
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.awaiting_headers = True
        self.timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        if len(self.server.open) >= self.server.settings.max_connections:
            transport.write(
                b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n"
                b"Content-Length: 0\r\n\r\n"
            )
            transport.close()
            return
        self.transport = transport
        self.server.open.add(self)
        self._arm()
        self.inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self.transport is None:
            return  # refused over the bound
        if self.awaiting_headers and self.timer is None:
            self._arm()
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received() if self.transport is not None else None

    def connection_lost(self, exc: Exception | None) -> None:
        if self.transport is None:
            return
        self._disarm()
        self.server.open.discard(self)
        self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()

    def request_started(self) -> None:
        self.awaiting_headers = False
        self._disarm()

    def request_finished(self) -> None:
        self.awaiting_headers = True  # the next request's first byte arms the timer

    def _arm(self) -> None:
        self._disarm()
        loop = asyncio.get_running_loop()
        self.timer = loop.call_later(self.server.settings.header_timeout, self._expired)

    def _disarm(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def _expired(self) -> None:
        self.timer = None
        if self.transport is None or not self.awaiting_headers:
            return
        log.info("closing a connection whose request headers did not arrive in time")
        self.transport.write(
            b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        )
        self.transport.close()


class GuardedServer:
    """The protocol factory for the listening socket: aiohttp's, each connection guarded."""

    def __init__(self, factory: Callable[[], asyncio.Protocol], settings: Settings) -> None:
        self.factory = factory
        self.settings = settings
        self.open: set[GuardedProtocol] = set()

    def __call__(self) -> GuardedProtocol:
        return GuardedProtocol(self.factory(), self)


def run(app: web.Application, settings: Settings) -> None:
    """Serve `app` until SIGINT/SIGTERM, as web.run_app does, on a guarded socket."""
    asyncio.run(_serve(app, settings))


async def _serve(app: web.Application, settings: Settings) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runner = web.AppRunner(
        app,
        access_log=None,
        keepalive_timeout=settings.idle_timeout,
        # A header line or field past 8 KiB is refused (aiohttp's defaults, stated).
        max_line_size=8190,
        max_field_size=8190,
        lingering_time=LINGER,
    )
    await runner.setup()
    assert runner.server is not None
    listener = await loop.create_server(
        GuardedServer(runner.server, settings),
        settings.host,
        settings.port,
        reuse_address=True,
    )
    try:
        await stop.wait()
    finally:
        listener.close()
        await runner.cleanup()
