"""ProcessPlane: the data plane in two worker processes sharing the listener's port,
health checks and draining kept in the parent."""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp import web

from ecsd.lb.table import Drained, HealthReport, Table, TargetGroup
from ecsd.lb.workers import ProcessPlane

from .harness import FAST, Backend, default, forward, free_port, group, listener


def test_two_workers_serve_one_port_and_drain_together():
    async def scenario() -> None:
        release = asyncio.Event()

        async def slow(request: web.Request) -> web.Response:
            await release.wait()
            return web.Response(text="slow done")

        old, new = Backend("old"), Backend("new")
        await old.start({"/slow": slow})
        await new.start()
        reports: list[HealthReport | Drained] = []
        plane = ProcessPlane(report=reports.append, workers=2)
        port = free_port()
        lst = listener(port, default(forward("tg")))
        try:
            assert await plane.apply(Table((lst,), (group("tg", old.target()),))) == {}
            for _ in range(500):
                if any(isinstance(r, HealthReport) and r.state == "healthy" for r in reports):
                    break
                await asyncio.sleep(0.02)
            else:
                raise AssertionError(f"never healthy: {reports}")
            await asyncio.sleep(0.1)  # the state reaches the workers
            # many connections: the kernel spreads them over both workers
            for _ in range(20):
                async with aiohttp.ClientSession() as s:
                    async with s.get(f"http://127.0.0.1:{port}/x") as r:
                        assert r.status == 200 and await r.text() == "old /x"
            assert len(old.peers) >= 2  # both workers' upstream connections came
            # a slow request in flight, then `old` drains and `new` takes over
            s = aiohttp.ClientSession()
            try:
                pending = asyncio.ensure_future(s.get(f"http://127.0.0.1:{port}/slow"))
                for _ in range(250):
                    if old.requests and old.requests[-1].path == "/slow":
                        break
                    await asyncio.sleep(0.02)
                g = TargetGroup(
                    "tg",
                    "tg",
                    health_check=FAST,
                    targets=(new.target(known_healthy=True),),
                    draining=(old.target(),),
                )
                assert await plane.apply(Table((lst,), (g,))) == {}
                await asyncio.sleep(0.2)
                assert plane.in_flight("tg", old.target().key) == 1
                assert not any(isinstance(r, Drained) for r in reports)
                before = len(old.requests)
                for _ in range(6):
                    async with aiohttp.ClientSession() as c:
                        async with c.get(f"http://127.0.0.1:{port}/y") as r:
                            assert await r.text() == "new /y"
                assert len(old.requests) == before
                release.set()
                r = await pending
                assert await r.text() == "slow done"
                r.release()
            finally:
                await s.close()
            for _ in range(250):
                if any(isinstance(x, Drained) for x in reports):
                    break
                await asyncio.sleep(0.02)
            assert [x for x in reports if isinstance(x, Drained)] == [Drained("tg", old.target())]
            assert plane.in_flight("tg", old.target().key) == 0
        finally:
            await plane.close()
            await old.stop()
            await new.stop()
        # the workers are gone and the port is free again
        async with aiohttp.ClientSession() as s:
            try:
                async with s.get(f"http://127.0.0.1:{port}/"):
                    raise AssertionError("still served after close")
            except aiohttp.ClientConnectorError:
                pass

    asyncio.run(scenario())


def test_no_listener_no_worker_process_and_draining_is_drained_at_once():
    async def scenario() -> tuple[int, list[HealthReport | Drained]]:
        backend = Backend("b")
        await backend.start()
        reports: list[HealthReport | Drained] = []
        plane = ProcessPlane(report=reports.append, workers=2)
        try:
            await plane.apply(Table((), (group("tg", backend.target()),)))
            started = len(plane._workers)
            g = TargetGroup("tg", "tg", health_check=FAST, draining=(backend.target(),))
            assert await plane.apply(Table((), (g,))) == {}
            assert plane.in_flight("tg", backend.target().key) == 0
            return started, reports
        finally:
            await plane.close()
            await backend.stop()

    started, reports = asyncio.run(scenario())
    assert started == 0  # a daemon with no load balancer spawns nothing
    assert [r for r in reports if isinstance(r, Drained)][-1:] != []
