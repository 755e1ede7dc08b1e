"""The load balancer's own answers to clients, through a real Plane and raw sockets:
400 for a malformed request or a header over 16 KB, 408 when a request is only partly
sent by the idle timeout (head or body), 460 — counted, never seen — when the client
leaves before the target answered; and a changed idle timeout reaching an open
connection's later idle periods."""

from __future__ import annotations

import asyncio

from aiohttp import web

from ecsd.lb.counters import ELB_4XX, code_index
from ecsd.lb.table import HealthCheck

from .harness import Backend, Harness, default, forward, free_port, group, listener

OFF = HealthCheck(enabled=False)
LB = "arn:lb/lb-1.elb.localhost"


async def exchange(port: int, data: bytes, *, wait: float = 5.0) -> bytes:
    """Send `data`, then read until the load balancer closes (or `wait` passes)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        out = b""
        async with asyncio.timeout(wait):
            while chunk := await reader.read(65536):
                out += chunk
        return out
    finally:
        writer.close()


async def served(idle: int = 60, extra: dict | None = None) -> tuple[Harness, Backend, int]:
    b = await Backend("b").start(extra)
    h = Harness()
    port = free_port()
    await h.apply(
        listener(port, default(forward("tg/b")), idle_timeout_seconds=idle),
        groups=(group("tg/b", b.target(), check=OFF),),
    )
    return h, b, port


def elb_count(h: Harness, code: int) -> int:
    row = h.plane.counters.lb(LB)
    return row[code_index(code) or 0]


def test_malformed_request_and_header_too_large_get_albs_400():
    async def scenario() -> None:
        h, b, port = await served()
        try:
            out = await exchange(port, b"NOT HTTP AT ALL\r\n\r\n")
            assert out.startswith(b"HTTP/1.1 400 Bad Request\r\n"), out
            assert b"Server: awselb/2.0" in out
            assert b"<html>\r\n<head><title>400 Bad Request</title></head>" in out
            big = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (17 * 1024) + b"\r\n\r\n"
            out = await exchange(port, big)
            assert out.startswith(b"HTTP/1.1 400 Bad Request\r\n"), out[:200]
            assert b.requests == []  # the target never saw either
            assert elb_count(h, 400) == 2 and h.plane.counters.lb(LB)[ELB_4XX] == 2
        finally:
            await h.close()
            await b.stop()

    asyncio.run(scenario())


def test_partial_request_at_the_idle_timeout_gets_408_and_an_idle_one_is_closed():
    async def scenario() -> None:
        h, b, port = await served(idle=1)
        try:
            loop = asyncio.get_running_loop()
            start = loop.time()
            out = await exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\n")  # no blank line
            assert out.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), out
            assert b"<title>408 Request Time-out</title>" in out
            assert 0.8 < loop.time() - start < 3.0
            # A body that stops coming: 408 too (the target's connection is dropped).
            post = b"POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"
            out = await exchange(port, post)
            assert out.startswith(b"HTTP/1.1 408 "), out
            # Nothing sent at all: closed without an answer, as ALB does.
            assert await exchange(port, b"") == b""
            assert elb_count(h, 408) == 2
        finally:
            await h.close()
            await b.stop()

    asyncio.run(scenario())


def test_client_leaving_before_the_answer_is_counted_460():
    started = asyncio.Event

    async def scenario() -> None:
        began = started()

        async def slow(request: web.Request) -> web.Response:
            began.set()
            await asyncio.sleep(0.5)
            return web.Response(text="late")

        h, b, port = await served(extra={"/slow": slow})
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
            await writer.drain()
            await asyncio.wait_for(began.wait(), 5)
            writer.close()
            for _ in range(100):
                if elb_count(h, 460):
                    break
                await asyncio.sleep(0.05)
            assert elb_count(h, 460) == 1
            assert h.plane.counters.lb(LB)[ELB_4XX] == 1
        finally:
            await h.close()
            await b.stop()

    asyncio.run(scenario())


def test_a_changed_idle_timeout_reaches_later_idle_periods_of_open_connections():
    async def scenario() -> None:
        h, b, port = await served(idle=1)
        request = b"GET /k HTTP/1.1\r\nHost: x\r\n\r\n"
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)

            async def ask() -> bytes:
                writer.write(request)
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
                length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
                return head + await reader.readexactly(length)

            assert b"200 OK" in await ask()
            await h.apply(  # 1 s → 3 s
                listener(port, default(forward("tg/b")), idle_timeout_seconds=3),
                groups=(group("tg/b", b.target(), check=OFF),),
            )
            assert b"200 OK" in await ask()
            await asyncio.sleep(2.0)  # longer than the timeout the connection began with
            assert b"200 OK" in await ask()
            await h.apply(  # 3 s → 1 s
                listener(port, default(forward("tg/b")), idle_timeout_seconds=1),
                groups=(group("tg/b", b.target(), check=OFF),),
            )
            assert b"200 OK" in await ask()
            start = asyncio.get_running_loop().time()
            assert await asyncio.wait_for(reader.read(), 5) == b""  # closed by the new 1 s
            assert asyncio.get_running_loop().time() - start < 2.0
            writer.close()
        finally:
            await h.close()
            await b.stop()

    asyncio.run(scenario())
