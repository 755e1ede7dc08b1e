"""The proxy's side towards targets: a lean HTTP/1.1 client with a pool of keep-alive
connections per target.

Why not aiohttp's client: per request it builds a ClientRequest, timers, tracing hooks,
cookie handling and URL objects — about four fifths of the proxy's CPU in the benchmark
(bench/alb.py), for features a proxy does not use. Here a request is one write of its
head (plus the streamed body) on an idle connection, and the answer is parsed from the
socket's bytes by a small state machine: status line and headers, then a body delimited
by Content-Length, chunked encoding or the connection's end. Bodies stream in both
directions with flow control (reading pauses while the proxy has not passed on what it
has; writing waits while the socket's buffer is full), so no body is ever held whole.

WebSocket upgrades do not come here (the proxy relays them with aiohttp's WebSocket
client).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

HIGH_WATER = 256 * 1024


class UpstreamError(Exception):
    """The target broke the exchange (refused, reset, closed early, malformed answer):
    ALB's 502."""


class UpstreamTimeout(Exception):
    """No connection within the connect timeout, or no answer within the idle timeout:
    ALB's 504."""


@dataclass
class Head:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    length: int | None  # Content-Length, if the body is delimited by it
    chunked: bool
    close: bool  # the target closes the connection after this answer
    # The head as received, and whether it can be passed on as it is (HTTP/1.1, no
    # hop-by-hop header): the proxy's fast path then sends these bytes, not a rebuild.
    raw: bytes = b""
    verbatim: bool = False


# Hop-by-hop headers of an answer (RFC 9110 §7.6.1; the proxy's HOP_BY_HOP, lower-case).
_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


class Connection(asyncio.Protocol):
    """One connection to a target; one exchange at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._buf = bytearray()
        self._waiter: asyncio.Future[None] | None = None
        self._drain: asyncio.Future[None] | None = None
        self._paused = False
        self.eof = False
        self.closed = False
        self.error: BaseException | None = None
        self.used = 0  # exchanges completed on this connection
        self._deadline = 0.0
        self._timer: asyncio.TimerHandle | None = None

    # -- asyncio.Protocol ------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # (uvloop's transports are not asyncio.Transport subclasses, but behave as one)
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self._buf += data
        if len(self._buf) > HIGH_WATER and not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.eof = True
        self.error = exc
        self._wake()
        if self._drain is not None and not self._drain.done():
            self._drain.set_exception(UpstreamError(str(exc or "connection closed")))

    def pause_writing(self) -> None:
        if self._drain is None or self._drain.done():
            self._drain = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._drain is not None and not self._drain.done():
            self._drain.set_result(None)

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # -- reading and writing ---------------------------------------------------------------

    async def _more(self, timeout: float) -> None:
        """Wait for more bytes (or the end); UpstreamTimeout after `timeout` s of silence."""
        if self.eof:
            raise UpstreamError("the target closed the connection")
        loop = asyncio.get_running_loop()
        waiter = self._waiter = loop.create_future()
        if self._paused and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        # One lazy timer per connection rather than one per read (or asyncio.wait_for):
        # this runs for every read, and scheduling and cancelling a timer each time
        # costs more than the read. The timer checks the deadline when it fires.
        self._deadline = deadline = loop.time() + timeout
        timer = self._timer
        if timer is not None and timer.when() > deadline:
            timer.cancel()
            timer = None
        if timer is None:
            self._timer = loop.call_at(deadline, self._check_deadline)
        try:
            await waiter
        finally:
            self._waiter = None

    def _check_deadline(self) -> None:
        self._timer = None
        waiter = self._waiter
        if waiter is None or waiter.done():
            return  # no read waiting: the next one sets its own deadline
        loop = asyncio.get_running_loop()
        if loop.time() >= self._deadline:
            _expire(waiter)
        else:
            self._timer = loop.call_at(self._deadline, self._check_deadline)

    def write(self, data: bytes) -> None:
        if self.transport is None or self.closed:
            raise UpstreamError("the connection to the target is closed")
        self.transport.write(data)

    async def drain(self) -> None:
        if self._drain is not None and not self._drain.done():
            await self._drain

    def _take(self, n: int) -> bytes:
        data = bytes(self._buf[:n])
        del self._buf[:n]
        if self._paused and len(self._buf) < HIGH_WATER // 2 and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        return data

    async def read_head(self, method: str, timeout: float) -> Head:
        """The answer's status line and headers (1xx interim answers skipped)."""
        while True:
            end = self._buf.find(b"\r\n\r\n")
            while end < 0:
                if len(self._buf) > 64 * 1024:
                    raise UpstreamError("the target's headers are too large")
                await self._more(timeout)
                end = self._buf.find(b"\r\n\r\n")
            raw = self._take(end + 4)
            head = parse_head(raw, method)
            if 100 <= head.status < 200:
                continue
            return head

    async def body(self, head: Head, timeout: float) -> AsyncIterator[bytes]:
        """The answer's body, as it arrives."""
        if head.chunked:
            async for piece in self._chunked(timeout):
                yield piece
            return
        if head.length is not None:
            left = head.length
            while left > 0:
                if not self._buf:
                    await self._more(timeout)
                    if not self._buf:
                        continue
                piece = self._take(min(left, len(self._buf)))
                left -= len(piece)
                yield piece
            return
        # delimited by the connection's end
        while True:
            if self._buf:
                yield self._take(len(self._buf))
                continue
            if self.eof:
                return
            try:
                await self._more(timeout)
            except UpstreamError:
                return

    async def read_all(self, head: Head, timeout: float) -> bytes:
        if head.length is not None and not head.chunked:
            while len(self._buf) < head.length:
                await self._more(timeout)
            return self._take(head.length)
        return b"".join([p async for p in self.body(head, timeout)])

    async def _line(self, timeout: float) -> bytes:
        end = self._buf.find(b"\r\n")
        while end < 0:
            if len(self._buf) > 8192:
                raise UpstreamError("malformed chunked encoding")
            await self._more(timeout)
            end = self._buf.find(b"\r\n")
        line = self._take(end + 2)
        return line[:-2]

    async def _chunked(self, timeout: float) -> AsyncIterator[bytes]:
        while True:
            line = await self._line(timeout)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise UpstreamError("malformed chunk size") from None
            if size == 0:
                while await self._line(timeout):  # trailers, up to the empty line
                    pass
                return
            left = size
            while left > 0:
                if not self._buf:
                    await self._more(timeout)
                    continue
                piece = self._take(min(left, len(self._buf)))
                left -= len(piece)
                yield piece
            if await self._line(timeout) != b"":
                raise UpstreamError("malformed chunk")

    def close(self) -> None:
        self.closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.transport is not None:
            self.transport.close()


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(UpstreamTimeout("no answer within the idle timeout"))


_NO_BODY = frozenset({204, 304})


def parse_head(raw: bytes, method: str) -> Head:
    try:
        text = raw.decode("latin-1")
        lines = text.split("\r\n")
        version, _, rest = lines[0].partition(" ")
        code, _, reason = rest.partition(" ")
        status = int(code)
    except (ValueError, IndexError):
        raise UpstreamError("malformed status line") from None
    if not version.startswith("HTTP/1."):
        raise UpstreamError("not an HTTP/1.x answer")
    headers: list[tuple[str, str]] = []
    length: int | None = None
    chunked = False
    close = version == "HTTP/1.0"
    verbatim = version == "HTTP/1.1"
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise UpstreamError("malformed header")
        value = value.strip()
        low = name.lower()
        if low in _HOP:
            verbatim = False
        if low == "content-length":
            try:
                length = int(value)
            except ValueError:
                raise UpstreamError("malformed Content-Length") from None
        elif low == "transfer-encoding":
            chunked = "chunked" in value.lower()
        elif low == "connection":
            v = value.lower()
            if "close" in v:
                close = True
            elif "keep-alive" in v:
                close = False
        headers.append((name, value))
    if method == "HEAD" or status in _NO_BODY or 100 <= status < 200:
        length, chunked = 0, False
    elif chunked:
        length = None
    elif length is None:
        close = True  # delimited by the connection's end: not reusable
    return Head(status, reason, headers, length, chunked, close, raw, verbatim)


class Pool:
    """Idle keep-alive connections to one target."""

    __slots__ = ("host", "port", "_idle")

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._idle: list[Connection] = []

    def idle(self) -> Connection | None:
        while self._idle:
            conn = self._idle.pop()
            if not conn.closed and not conn.eof:
                return conn
            conn.close()
        return None

    async def connect(self, timeout: float) -> Connection:
        loop = asyncio.get_running_loop()
        try:
            # asyncio.timeout, not wait_for: 3.11's wait_for can swallow the cancel of a
            # request whose client went away in the turn the connection was made.
            async with asyncio.timeout(timeout):
                _, conn = await loop.create_connection(Connection, self.host, self.port)
        except TimeoutError:
            raise UpstreamTimeout("no connection within the connect timeout") from None
        except OSError as e:
            raise UpstreamError(str(e)) from None
        return conn

    def release(self, conn: Connection, reusable: bool) -> None:
        if reusable and not conn.closed and not conn.eof and not conn._buf:
            conn.used += 1
            self._idle.append(conn)
        else:
            conn.close()

    def close(self) -> None:
        for conn in self._idle:
            conn.close()
        self._idle.clear()
