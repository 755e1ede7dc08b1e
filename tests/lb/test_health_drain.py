"""A real Plane's health checks and draining, against real HTTP targets (real time, with
1-second intervals; the state machine's timing is unit-tested in fake time)."""

from __future__ import annotations

import asyncio
import time

import aiohttp
from aiohttp import web

from ecsd.lb.table import Drained, HealthCheck, HealthReport, Table, TargetGroup

from .harness import FAST, Backend, Harness, default, forward, free_port, group, listener


async def until(predicate, timeout: float = 10.0) -> float:  # type: ignore[no-untyped-def]
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)
    return time.monotonic() - start


async def hits(port: int, n: int) -> list[str]:
    out = []
    async with aiohttp.ClientSession() as s:
        for _ in range(n):
            async with s.get(f"http://127.0.0.1:{port}/") as r:
                out.append((await r.text()).split()[0] if r.status == 200 else str(r.status))
    return out


def test_unhealthy_targets_get_no_traffic_and_recover_after_the_threshold():
    async def scenario() -> None:
        good, bad = Backend("good"), Backend("bad")
        bad.health_status = 500
        await good.start()
        await bad.start()
        h = Harness()
        port = free_port()
        try:
            await h.apply(
                listener(port, default(forward("tg"))),
                groups=(group("tg", good.target(), bad.target()),),
            )
            await h.until_healthy("tg", good.target())
            await until(lambda: h.states("tg").get(bad.target().key) == "unhealthy")
            report = [
                r for r in h.reports if isinstance(r, HealthReport) and r.state == "unhealthy"
            ][-1]
            assert (report.reason, report.description) == (
                "Target.ResponseCodeMismatch",
                "Health checks failed with these codes: [500]",
            )
            assert set(await hits(port, 10)) == {"good"}
            bad.health_status = 200
            await h.until_healthy("tg", bad.target())
            assert set(await hits(port, 10)) == {"good", "bad"}
        finally:
            await h.close()
            await good.stop()
            await bad.stop()

    asyncio.run(scenario())


def test_fail_open_when_every_target_is_unhealthy():
    async def scenario() -> None:
        a, b = Backend("a"), Backend("b")
        a.health_status = b.health_status = 503
        await a.start()
        await b.start()
        h = Harness()
        port = free_port()
        try:
            await h.apply(
                listener(port, default(forward("tg"))),
                groups=(group("tg", a.target(), b.target()),),
            )
            await until(lambda: set(h.states("tg").values()) == {"unhealthy"})
            assert set(await hits(port, 10)) == {"a", "b"}
        finally:
            await h.close()
            await a.stop()
            await b.stop()

    asyncio.run(scenario())


def test_a_dead_target_leaves_rotation_within_interval_times_threshold():
    async def scenario() -> None:
        a, b = Backend("a"), Backend("b")
        await a.start()
        await b.start()
        h = Harness()
        port = free_port()
        try:
            await h.apply(
                listener(port, default(forward("tg"))),
                groups=(group("tg", a.target(), b.target()),),
            )
            await h.until_healthy("tg", a.target(), b.target())
            await b.stop()
            took = await until(lambda: h.states("tg").get(b.target().key) == "unhealthy")
            # interval 1 s × unhealthy threshold 2, plus one interval of phase at most
            assert took <= FAST.interval_seconds * FAST.unhealthy_threshold + 1.5, took
            report = [r for r in h.reports if isinstance(r, HealthReport)][-1]
            assert report.reason == "Target.FailedHealthChecks"
            assert set(await hits(port, 6)) == {"a"}
        finally:
            await h.close()
            await a.stop()

    asyncio.run(scenario())


def test_a_timed_out_check_says_so():
    async def scenario() -> None:
        async def stuck(request: web.Request) -> web.Response:
            await asyncio.sleep(5)
            return web.Response(text="late")

        a = await Backend("a").start({"/stuck": stuck})
        h = Harness()
        port = free_port()
        try:
            check = HealthCheck(
                path="/stuck", interval_seconds=1, timeout_seconds=1, unhealthy_threshold=2
            )
            await h.apply(
                listener(port, default(forward("tg"))),
                groups=(group("tg", a.target(), check=check),),
            )
            await until(lambda: h.states("tg").get(a.target().key) == "unhealthy")
            report = [r for r in h.reports if isinstance(r, HealthReport)][-1]
            assert (report.reason, report.description) == ("Target.Timeout", "Request timed out")
        finally:
            await h.close()
            await a.stop()

    asyncio.run(scenario())


def test_draining_lets_in_flight_finish_and_sends_nothing_new():
    async def scenario() -> None:
        release = asyncio.Event()

        async def slow(request: web.Request) -> web.Response:
            await release.wait()
            return web.Response(text="slow done")

        old, new = Backend("old"), Backend("new")
        await old.start({"/slow": slow})
        await new.start()
        h = Harness()
        port = free_port()
        lst = listener(port, default(forward("tg")))
        try:
            await h.apply(lst, groups=(group("tg", old.target()),))
            await h.until_healthy("tg", old.target())
            async with aiohttp.ClientSession() as s:
                in_flight = asyncio.ensure_future(s.get(f"http://127.0.0.1:{port}/slow"))
                await until(lambda: h.plane.in_flight("tg", old.target().key) == 1)
                # the controller deregisters `old` and registers `new` (known healthy)
                table = Table(
                    (lst,),
                    (
                        TargetGroup(
                            "tg",
                            "tg",
                            health_check=FAST,
                            targets=(new.target(known_healthy=True),),
                            draining=(old.target(),),
                        ),
                    ),
                )
                await h.plane.apply(table)
                assert [
                    r.state
                    for r in h.reports
                    if isinstance(r, HealthReport) and r.target == old.target()
                ][-1] == "draining"
                before = len(old.requests)
                assert set(await hits(port, 10)) == {"new"}
                assert len(old.requests) == before  # nothing new reached the draining target
                assert not any(isinstance(r, Drained) for r in h.reports)
                release.set()
                r = await in_flight
                assert r.status == 200 and await r.text() == "slow done"
                r.release()
                await until(lambda: any(isinstance(x, Drained) for x in h.reports))
                drained = [x for x in h.reports if isinstance(x, Drained)]
                assert drained == [Drained("tg", old.target())]
        finally:
            await h.close()
            await old.stop()
            await new.stop()

    asyncio.run(scenario())


def test_a_draining_target_with_nothing_in_flight_is_drained_at_once():
    async def scenario() -> None:
        a = await Backend("a").start()
        h = Harness()
        port = free_port()
        lst = listener(port, default(forward("tg")))
        try:
            await h.apply(lst, groups=(group("tg", a.target()),))
            g = TargetGroup("tg", "tg", health_check=FAST, draining=(a.target(),))
            await h.plane.apply(Table((lst,), (g,)))
            assert h.reports[-1] == Drained("tg", a.target())
            assert (await hits(port, 1)) == ["503"]
        finally:
            await h.close()
            await a.stop()

    asyncio.run(scenario())
