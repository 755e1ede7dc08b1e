"""A real Plane relaying streams: keep-alive reuse, 50 MB both ways with flat memory,
a WebSocket echo."""

from __future__ import annotations

import asyncio
import resource
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from ecsd.lb.table import HealthCheck

from .harness import Backend, Harness, default, forward, free_port, group, listener

MB = 1024 * 1024
OFF = HealthCheck(enabled=False)


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / MB


def test_keep_alive_on_both_sides():
    async def scenario() -> None:
        b = await Backend("b").start()
        h = Harness()
        port = free_port()
        try:
            await h.apply(
                listener(port, default(forward("tg/b"))),
                groups=(group("tg/b", b.target(), check=OFF),),
            )
            client_peers = set()
            conn = aiohttp.TCPConnector(limit=1)
            async with aiohttp.ClientSession(connector=conn) as s:
                for _ in range(30):
                    async with s.get(f"http://127.0.0.1:{port}/k") as r:
                        assert r.status == 200
                        await r.read()
                        client_peers.add(
                            r.connection.transport.get_extra_info("sockname")
                            if r.connection and r.connection.transport
                            else None
                        )
            assert len(b.requests) == 30
            assert len(b.peers) == 1, b.peers  # one upstream connection, reused
        finally:
            await h.close()
            await b.stop()

    asyncio.run(scenario())


def test_50_mb_streamed_up_and_down_with_flat_memory():
    size = 50 * MB
    chunk = b"x" * (256 * 1024)

    async def download(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()  # chunked: no length
        await resp.prepare(request)
        for _ in range(size // len(chunk)):
            await resp.write(chunk)
        await resp.write_eof()
        return resp

    async def upload(request: web.Request) -> web.Response:
        n = 0
        async for data in request.content.iter_any():
            n += len(data)
        return web.Response(text=f"{n} {request.headers.get('Transfer-Encoding')}")

    async def scenario() -> None:
        b = await Backend("b").start({"/download": download, "/upload": upload})
        h = Harness()
        port = free_port()
        try:
            await h.apply(
                listener(port, default(forward("tg/b"))),
                groups=(group("tg/b", b.target(), check=OFF),),
            )
            base = f"http://127.0.0.1:{port}"
            before = rss_mb()
            peak = before

            async def body() -> AsyncIterator[bytes]:
                nonlocal peak
                for i in range(size // len(chunk)):
                    if i % 20 == 0:
                        peak = max(peak, rss_mb())
                    yield chunk

            async with aiohttp.ClientSession() as s:
                async with s.post(base + "/upload", data=body()) as r:
                    assert r.status == 200
                    assert await r.text() == f"{size} chunked"
                got = 0
                async with s.get(base + "/download") as r:
                    assert r.status == 200
                    assert r.headers.get("Transfer-Encoding") == "chunked"
                    async for data in r.content.iter_chunked(256 * 1024):
                        got += len(data)
                        peak = max(peak, rss_mb())
                assert got == size
            # the client, the plane and the backend share this process: 50 MB held whole
            # anywhere would show; streaming stays within a few buffers
            print(f"rss before {before:.1f} MB, peak {peak:.1f} MB")
            assert peak - before < 25, (before, peak)
        finally:
            await h.close()
            await b.stop()

    asyncio.run(scenario())


def test_websocket_echo():
    async def echo(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(protocols=("chat",))
        await ws.prepare(request)
        async for msg in ws:
            if msg.type == aiohttp.WSMsgType.TEXT:
                await ws.send_str("echo " + msg.data)
            elif msg.type == aiohttp.WSMsgType.BINARY:
                await ws.send_bytes(msg.data[::-1])
        return ws

    async def scenario() -> None:
        b = await Backend("b").start({"/ws": echo})
        h = Harness()
        port = free_port()
        try:
            await h.apply(
                listener(port, default(forward("tg/b"))),
                groups=(group("tg/b", b.target(), check=OFF),),
            )
            async with aiohttp.ClientSession() as s:
                async with s.ws_connect(f"http://127.0.0.1:{port}/ws", protocols=("chat",)) as ws:
                    assert ws.protocol == "chat"
                    for i in range(5):
                        await ws.send_str(f"hello {i}")
                        assert (await ws.receive_str(timeout=5)) == f"echo hello {i}"
                    await ws.send_bytes(b"abc")
                    assert (await ws.receive_bytes(timeout=5)) == b"cba"
                    # the target's view: a WebSocket request that came through the proxy
                    assert b.requests[-1].headers["X-Forwarded-Proto"] == "http"
            # in flight while open, none once closed
            await asyncio.sleep(0.1)
            assert h.plane.in_flight("tg/b", b.target().key) == 0
        finally:
            await h.close()
            await b.stop()

    asyncio.run(scenario())


def test_head_expect_continue_and_a_target_that_closed_its_idle_connection():
    async def scenario() -> None:
        async def sized(request: web.Request) -> web.Response:
            return web.Response(body=b"x" * 1234)

        async def echo(request: web.Request) -> web.Response:
            return web.Response(body=await request.read())

        b = Backend("b")
        await b.start({"/sized": sized, "/echo": echo})
        h = Harness()
        port = free_port()
        try:
            await h.apply(
                listener(port, default(forward("tg/b"))),
                groups=(group("tg/b", b.target(), check=OFF),),
            )
            base = f"http://127.0.0.1:{port}"
            async with aiohttp.ClientSession() as s:
                async with s.head(base + "/sized") as r:
                    assert r.status == 200
                    assert r.headers["Content-Length"] == "1234"
                async with s.post(base + "/echo", data=b"payload", expect100=True) as r:
                    assert await r.read() == b"payload"
                    assert "Expect" not in b.requests[-1].headers
                # the target drops its idle keep-alive connections; the plane's pooled one
                # is stale: the next request must still succeed (retried on a fresh one)
                assert b.runner is not None and b.runner.server is not None
                idle = list(b.runner.server.connections)
                assert len(idle) == 1  # the plane's one pooled connection
                for conn in idle:
                    conn.force_close()
                pooled = h.plane.upstream(b.target())
                await asyncio.sleep(0.1)
                stale = pooled._idle[-1]
                assert stale.eof  # the plane saw the close; the pool skips such connections
                async with s.get(base + "/again") as r:
                    assert r.status == 200 and await r.text() == "b /again"
        finally:
            await h.close()
            await b.stop()

    asyncio.run(scenario())
