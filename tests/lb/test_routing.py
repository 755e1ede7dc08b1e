"""A real Plane routing real HTTP: rules, weighted forward, answers of its own, several
load balancers on one port, the headers it adds."""

from __future__ import annotations

import asyncio
import re
from collections import Counter

import aiohttp
from aiohttp import web

from ecsd.lb.table import Condition, FixedResponse, HealthCheck, Redirect, Stickiness, Target

from .harness import (
    Backend,
    Harness,
    default,
    forward,
    free_port,
    free_ports,
    group,
    listener,
    rule,
)


def test_routing_by_path_and_host_with_the_default_last():
    async def scenario() -> None:
        api, web_, admin = Backend("api"), Backend("web"), Backend("admin")
        for b in (api, web_, admin):
            await b.start()
        h = Harness()
        port = free_port()
        try:
            groups = (
                group("tg/api", api.target()),
                group("tg/web", web_.target()),
                group("tg/admin", admin.target()),
            )
            errors = await h.apply(
                listener(
                    port,
                    rule("r-api", 10, forward("tg/api"), Condition("path-pattern", ("/api/*",))),
                    rule("r-admin", 5, forward("tg/admin"), Condition("host-header", ("ADMIN.*",))),
                    default(forward("tg/web")),
                ),
                groups=groups,
            )
            assert errors == {}
            for g in groups:
                await h.until_healthy(g.arn, *g.targets)
            base = f"http://127.0.0.1:{port}"
            async with aiohttp.ClientSession() as s:
                async with s.get(base + "/api/users?x=1") as r:
                    assert await r.text() == "api /api/users"
                async with s.get(base + "/API/users") as r:  # the path is case-sensitive
                    assert await r.text() == "web /API/users"
                async with s.get(base + "/api/x", headers={"Host": "admin.example.com"}) as r:
                    assert await r.text() == "admin /api/x"  # priority 5 wins over 10
                async with s.get(base + "/") as r:
                    assert await r.text() == "web /"
        finally:
            await h.close()
            for b in (api, web_, admin):
                await b.stop()

    asyncio.run(scenario())


def test_weighted_forward_and_round_robin():
    async def scenario() -> None:
        blue1, blue2, green = Backend("blue1"), Backend("blue2"), Backend("green")
        for b in (blue1, blue2, green):
            await b.start()
        h = Harness()
        port = free_port()
        try:
            groups = (
                group("tg/blue", blue1.target(), blue2.target()),
                group("tg/green", green.target()),
            )
            await h.apply(
                listener(port, default(forward("tg/blue", "tg/green", weights=(3, 1)))),
                groups=groups,
            )
            await h.until_healthy("tg/blue", blue1.target(), blue2.target())
            await h.until_healthy("tg/green", green.target())
            counts: Counter[str] = Counter()
            async with aiohttp.ClientSession() as s:
                for _ in range(400):
                    async with s.get(f"http://127.0.0.1:{port}/") as r:
                        counts[(await r.text()).split()[0]] += 1
            assert 0.65 < (counts["blue1"] + counts["blue2"]) / 400 < 0.85, counts
            assert abs(counts["blue1"] - counts["blue2"]) <= 1, counts  # round robin
        finally:
            await h.close()
            for b in (blue1, blue2, green):
                await b.stop()

    asyncio.run(scenario())


def test_group_stickiness_keeps_a_client_on_its_group():
    async def scenario() -> None:
        a, b = Backend("a"), Backend("b")
        await a.start()
        await b.start()
        h = Harness()
        port = free_port()
        try:
            groups = (group("tg/a", a.target()), group("tg/b", b.target()))
            await h.apply(
                listener(port, default(forward("tg/a", "tg/b", sticky=True))), groups=groups
            )
            await h.until_healthy("tg/a", a.target())
            await h.until_healthy("tg/b", b.target())
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as s:
                seen = set()
                for _ in range(20):
                    async with s.get(f"http://127.0.0.1:{port}/") as r:
                        assert "AWSALBTG" in r.cookies
                        seen.add((await r.text()).split()[0])
            assert len(seen) == 1
        finally:
            await h.close()
            await a.stop()
            await b.stop()

    asyncio.run(scenario())


def test_fixed_response_and_redirect_are_answered_by_the_plane():
    async def scenario() -> None:
        h = Harness()
        port = free_port()
        try:
            await h.apply(
                listener(
                    port,
                    rule(
                        "r-old",
                        1,
                        Redirect("HTTP_301", path="/new/#{path}", query="#{query}&from=old"),
                        Condition("path-pattern", ("/old/*",)),
                    ),
                    rule(
                        "r-elsewhere",
                        2,
                        Redirect("HTTP_302", host="example.com", port="443", protocol="HTTPS"),
                        Condition("path-pattern", ("/away",)),
                    ),
                    default(FixedResponse(404, "application/json", '{"message":"nothing here"}')),
                )
            )
            base = f"http://127.0.0.1:{port}"
            async with aiohttp.ClientSession() as s:
                async with s.get(base + "/missing") as r:
                    assert r.status == 404
                    assert r.headers["Content-Type"].startswith("application/json")
                    assert await r.text() == '{"message":"nothing here"}'
                    assert r.headers["Server"] == "awselb/2.0"
                async with s.get(base + "/old/page?a=1", allow_redirects=False) as r:
                    assert r.status == 301
                    assert (
                        r.headers["Location"]
                        == f"http://127.0.0.1:{port}/new/old/page?a=1&from=old"
                    )
                async with s.get(
                    base + "/away", allow_redirects=False, headers={"Host": "lb-1.elb.localhost"}
                ) as r:
                    assert r.status == 302
                    assert r.headers["Location"] == "https://example.com/away"
        finally:
            await h.close()

    asyncio.run(scenario())


def test_502_503_504_as_alb_gives_them():
    async def scenario() -> None:
        async def slow(request: web.Request) -> web.Response:
            await asyncio.sleep(3)
            return web.Response(text="late")

        slow_backend = await Backend("slow").start({"/slow": slow})
        dead_port, port = free_ports(2)  # nothing listens on dead_port
        h = Harness()
        off = HealthCheck(enabled=False)  # targets routed without checks (unavailable)
        try:
            dead = group(
                "tg/dead",
                Target("10.9.9.9", 80, "127.0.0.1", dead_port, dead_port),
                check=off,
            )
            groups = (dead, group("tg/empty"), group("tg/slow", slow_backend.target(), check=off))
            await h.apply(
                listener(
                    port,
                    rule("r1", 1, forward("tg/dead"), Condition("path-pattern", ("/dead",))),
                    rule("r2", 2, forward("tg/empty"), Condition("path-pattern", ("/empty",))),
                    default(forward("tg/slow")),
                    idle_timeout_seconds=1,
                ),
                groups=groups,
            )
            base = f"http://127.0.0.1:{port}"
            async with aiohttp.ClientSession() as s:
                async with s.get(base + "/dead") as r:
                    assert r.status == 502
                    body = await r.text()
                    assert "<title>502 Bad Gateway</title>" in body
                    assert r.headers["Server"] == "awselb/2.0"
                async with s.get(base + "/empty") as r:
                    assert r.status == 503
                    assert "<title>503 Service Temporarily Unavailable</title>" in await r.text()
                async with s.get(base + "/slow") as r:
                    assert r.status == 504
                    assert "<title>504 Gateway Time-out</title>" in await r.text()
            states = h.states("tg/dead")
            assert list(states.values()) == ["unavailable"]
        finally:
            await h.close()
            await slow_backend.stop()

    asyncio.run(scenario())


def test_forwarded_headers_and_trace_id():
    async def scenario() -> None:
        b = await Backend("b").start()
        h = Harness()
        ports = free_ports(3)  # distinct: two listeners on one port would share it by Host
        try:
            groups = (group("tg/b", b.target()),)
            await h.apply(
                listener(ports[0], default(forward("tg/b")), dns="append.elb.localhost"),
                listener(
                    ports[1],
                    default(forward("tg/b")),
                    dns="preserve.elb.localhost",
                    xff_mode="preserve",
                ),
                listener(
                    ports[2],
                    default(forward("tg/b")),
                    dns="remove.elb.localhost",
                    xff_mode="remove",
                ),
                groups=groups,
            )
            await h.until_healthy("tg/b", b.target())
            async with aiohttp.ClientSession() as s:
                for p in ports:
                    async with s.get(
                        f"http://127.0.0.1:{p}/", headers={"X-Forwarded-For": "203.0.113.7"}
                    ):
                        pass
                async with s.get(
                    f"http://127.0.0.1:{ports[0]}/",
                    headers={"X-Amzn-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793"},
                ):
                    pass
                async with s.get(f"http://127.0.0.1:{ports[0]}/"):
                    pass
            assert len(b.requests) == 5, [(r.path, dict(r.headers)) for r in b.requests]
            append, preserve, remove, traced, fresh = (r.headers for r in b.requests)
            assert append["X-Forwarded-For"] == "203.0.113.7, 127.0.0.1"
            assert preserve["X-Forwarded-For"] == "203.0.113.7"
            assert "X-Forwarded-For" not in remove
            assert append["X-Forwarded-Proto"] == "http"
            assert append["X-Forwarded-Port"] == "80"  # the listener's port, as the API shows it
            assert fresh["X-Forwarded-For"] == "127.0.0.1"
            assert re.fullmatch(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24}", fresh["X-Amzn-Trace-Id"])
            assert re.fullmatch(
                r"Root=1-5759e988-bd862e3fe1be46a994272793;Self=1-[0-9a-f]{8}-[0-9a-f]{24}",
                traced["X-Amzn-Trace-Id"],
            )
        finally:
            await h.close()
            await b.stop()

    asyncio.run(scenario())


def test_several_load_balancers_share_a_port_by_host():
    async def scenario() -> None:
        one, two = Backend("one"), Backend("two")
        await one.start()
        await two.start()
        h = Harness()
        port = free_port()
        try:
            groups = (group("tg/one", one.target()), group("tg/two", two.target()))
            await h.apply(
                listener(port, default(forward("tg/one")), dns="one-1.us-east-1.elb.localhost"),
                listener(port, default(forward("tg/two")), dns="two-2.us-east-1.elb.localhost"),
                groups=groups,
            )
            await h.until_healthy("tg/one", one.target())
            await h.until_healthy("tg/two", two.target())
            async with aiohttp.ClientSession() as s:
                for name in ("one", "two"):
                    host = (
                        f"{name.upper()}-{1 if name == 'one' else 2}.us-east-1.elb.localhost:{port}"
                    )
                    async with s.get(f"http://127.0.0.1:{port}/x", headers={"Host": host}) as r:
                        assert await r.text() == f"{name} /x"
                async with s.get(f"http://127.0.0.1:{port}/x") as r:
                    assert r.status == 404
                    text = await r.text()
                    assert (
                        "one-1.us-east-1.elb.localhost" in text
                        and "two-2.us-east-1.elb.localhost" in text
                    )
        finally:
            await h.close()
            await one.stop()
            await two.stop()

    asyncio.run(scenario())


def test_target_stickiness_with_the_load_balancer_cookie():
    async def scenario() -> None:
        a, b = Backend("a"), Backend("b")
        await a.start()
        await b.start()
        h = Harness()
        port = free_port()
        try:
            sticky = Stickiness(enabled=True, type="lb_cookie", duration_seconds=60)
            groups = (group("tg", a.target(), b.target(), stickiness=sticky),)
            await h.apply(listener(port, default(forward("tg"))), groups=groups)
            await h.until_healthy("tg", a.target(), b.target())
            jar = aiohttp.CookieJar(unsafe=True)
            async with aiohttp.ClientSession(cookie_jar=jar) as s:
                seen = set()
                for _ in range(10):
                    async with s.get(f"http://127.0.0.1:{port}/") as r:
                        assert "AWSALB" in r.cookies
                        seen.add((await r.text()).split()[0])
            assert len(seen) == 1
            async with aiohttp.ClientSession() as s:  # no cookies kept: round robin
                seen = set()
                for _ in range(4):
                    async with s.get(f"http://127.0.0.1:{port}/") as r:
                        seen.add((await r.text()).split()[0])
            assert seen == {"a", "b"}
        finally:
            await h.close()
            await a.stop()
            await b.stop()

    asyncio.run(scenario())


def test_target_stickiness_with_the_application_cookie():
    async def scenario() -> None:
        def login(name: str):  # type: ignore[no-untyped-def]
            async def handler(request: web.Request) -> web.Response:
                response = web.Response(text=f"{name} login")
                response.set_cookie("SESSION", "abc")
                return response

            return handler

        a, b = Backend("a"), Backend("b")
        await a.start({"/login": login("a")})
        await b.start({"/login": login("b")})
        h = Harness()
        port = free_port()
        try:
            sticky = Stickiness(enabled=True, type="app_cookie", cookie_name="SESSION")
            groups = (group("tg", a.target(), b.target(), stickiness=sticky),)
            await h.apply(listener(port, default(forward("tg"))), groups=groups)
            await h.until_healthy("tg", a.target(), b.target())
            jar = aiohttp.CookieJar(unsafe=True)
            async with aiohttp.ClientSession(cookie_jar=jar) as s:
                async with s.get(f"http://127.0.0.1:{port}/") as r:
                    assert "AWSALBAPP-0" not in r.cookies  # the app set no cookie yet
                async with s.get(f"http://127.0.0.1:{port}/login") as r:
                    assert "AWSALBAPP-0" in r.cookies and "SESSION" in r.cookies
                    first = (await r.text()).split()[0]
                seen = set()
                for _ in range(6):
                    async with s.get(f"http://127.0.0.1:{port}/") as r:
                        seen.add((await r.text()).split()[0])
            assert seen == {first}
        finally:
            await h.close()
            await a.stop()
            await b.stop()

    asyncio.run(scenario())


def test_502_when_the_target_closes_early_or_answers_garbage():
    async def scenario() -> None:
        async def hang_up(request: web.Request) -> web.Response:
            assert request.transport is not None
            request.transport.close()
            await asyncio.sleep(0.1)
            return web.Response(text="never seen")

        async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"THIS IS NOT HTTP\r\n\r\n")
            await writer.drain()
            writer.close()

        closer = await Backend("closer").start({"/hang-up": hang_up})
        raw_port = free_port()
        raw = await asyncio.start_server(garbage, "127.0.0.1", raw_port)
        h = Harness()
        port = free_port()
        off = HealthCheck(enabled=False)
        try:
            groups = (
                group("tg/closer", closer.target(), check=off),
                group("tg/raw", Target("10.8.8.8", 80, "127.0.0.1", raw_port, raw_port), check=off),
            )
            await h.apply(
                listener(
                    port,
                    rule("r1", 1, forward("tg/raw"), Condition("path-pattern", ("/raw",))),
                    default(forward("tg/closer")),
                ),
                groups=groups,
            )
            async with aiohttp.ClientSession() as s:
                for path in ("/hang-up", "/raw"):
                    async with s.get(f"http://127.0.0.1:{port}{path}") as r:
                        assert r.status == 502, path
                        assert "502 Bad Gateway" in await r.text()
        finally:
            await h.close()
            await closer.stop()
            raw.close()

    asyncio.run(scenario())


def test_a_changed_idle_timeout_reaches_the_open_socket():
    """ModifyLoadBalancerAttributes idle_timeout.timeout_seconds on a listener whose socket
    stays open: an idle keep-alive connection is closed by the new value, and a new
    connection gets it."""

    async def scenario() -> tuple[float, float]:
        backend = await Backend("b").start()
        h = Harness()
        port = free_port()
        g = group("tg", backend.target(known_healthy=True))
        try:
            await h.apply(listener(port, default(forward("tg"))), groups=(g,))

            async def idle_close_after(change: int | None) -> float:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                await reader.readuntil(b"b /")
                if change is not None:
                    lst = listener(port, default(forward("tg")), idle_timeout_seconds=change)
                    await h.apply(lst, groups=(g,))
                t0 = asyncio.get_running_loop().time()
                await asyncio.wait_for(reader.read(), 10)  # b"" when the plane closes it
                writer.close()
                return asyncio.get_running_loop().time() - t0

            open_then_changed = await idle_close_after(1)
            new_connection = await idle_close_after(None)
            return open_then_changed, new_connection
        finally:
            await h.close()
            await backend.stop()

    open_then_changed, new_connection = asyncio.run(scenario())
    assert open_then_changed < 3  # was 60 s when the connection was accepted
    assert new_connection < 3
