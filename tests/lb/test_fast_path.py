"""The fast path (lb/fast.py) through a real Plane and raw sockets: pipelined requests
answered in order, a connection handed to aiohttp's server at its first request with a
body and served on from there, HTTP/1.0 and `Connection: close`, a chunked answer passed
on chunked, and what the target receives is what the aiohttp path sends."""

from __future__ import annotations

import asyncio

from aiohttp import web

from ecsd.lb.table import HealthCheck

from .harness import Backend, Harness, default, forward, free_port, group, listener

OFF = HealthCheck(enabled=False)


async def served(extra: dict | None = None) -> tuple[Harness, Backend, int]:
    b = await Backend("b").start(extra)
    h = Harness()
    port = free_port()
    await h.apply(
        listener(port, default(forward("tg/b"))),
        groups=(group("tg/b", b.target(), check=OFF),),
    )
    return h, b, port


async def answer(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """One answer with a Content-Length: (head, body)."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    return head, await reader.readexactly(length)


def fast_connections(h: Harness, port: int) -> int:
    return len(h.plane._sockets[("127.0.0.1", port)].fast)


def test_pipelined_requests_are_answered_in_order_on_the_fast_path():
    async def scenario() -> None:
        h, b, port = await served()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"".join(b"GET /%d HTTP/1.1\r\nHost: x\r\n\r\n" % i for i in range(3)))
            bodies = [(await answer(reader))[1] for _ in range(3)]
            assert bodies == [b"b /0", b"b /1", b"b /2"]
            assert fast_connections(h, port) == 1
            sent = b.requests[0].headers
            assert sent["X-Forwarded-For"] == "127.0.0.1"
            assert sent["X-Forwarded-Proto"] == "http" and sent["X-Forwarded-Port"] == "80"
            assert sent["X-Amzn-Trace-Id"].startswith("Root=1-")
            writer.close()
        finally:
            await h.close()
            await b.stop()

    asyncio.run(scenario())


def test_a_request_with_a_body_hands_the_connection_to_aiohttp():
    async def echo(request: web.Request) -> web.Response:
        return web.Response(body=b"got " + await request.read())

    async def scenario() -> None:
        h, b, port = await served({"/echo": echo})
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /one HTTP/1.1\r\nHost: x\r\n\r\n")
            assert (await answer(reader))[1] == b"b /one"
            assert fast_connections(h, port) == 1
            # A body, pipelined with the next GET: both reach aiohttp's server intact.
            writer.write(
                b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                b"GET /three HTTP/1.1\r\nHost: x\r\n\r\n"
            )
            assert (await answer(reader))[1] == b"got hello"
            assert (await answer(reader))[1] == b"b /three"
            assert fast_connections(h, port) == 0  # handed over
            assert b.paths == ["/one", "/echo", "/three"]
            writer.close()
        finally:
            await h.close()
            await b.stop()

    asyncio.run(scenario())


def test_http10_and_connection_close():
    async def scenario() -> None:
        h, b, port = await served()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /close HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            head, body = await answer(reader)
            assert body == b"b /close" and b"Connection: close" in head
            assert await asyncio.wait_for(reader.read(), 5) == b""  # closed after it
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /old HTTP/1.0\r\nHost: x\r\n\r\n")  # aiohttp's path
            out = await asyncio.wait_for(reader.read(), 5)
            assert out.startswith(b"HTTP/1.0 200 OK") and out.endswith(b"b /old"), out
            writer.close()
        finally:
            await h.close()
            await b.stop()

    asyncio.run(scenario())


def test_a_chunked_answer_goes_on_chunked():
    async def chunks(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        for part in (b"one ", b"two ", b"three"):
            await resp.write(part)
        await resp.write_eof()
        return resp

    async def scenario() -> None:
        h, b, port = await served({"/chunks": chunks})
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /chunks HTTP/1.1\r\nHost: x\r\n\r\n")
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            assert b"Transfer-Encoding: chunked" in head
            body = b""
            while True:
                size = int((await reader.readuntil(b"\r\n"))[:-2], 16)
                if size == 0:
                    assert await reader.readexactly(2) == b"\r\n"
                    break
                body += await reader.readexactly(size)
                assert await reader.readexactly(2) == b"\r\n"
            assert body == b"one two three"
            writer.write(b"GET /after HTTP/1.1\r\nHost: x\r\n\r\n")  # still kept alive
            assert (await answer(reader))[1] == b"b /after"
            writer.close()
        finally:
            await h.close()
            await b.stop()

    asyncio.run(scenario())
