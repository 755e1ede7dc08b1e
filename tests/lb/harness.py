"""A real Plane on loopback with real aiohttp backends, for the data-plane tests.

Each backend records what reached it (paths, headers, the client ports of its
connections), so tests can check what the proxy really sent."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

from ecsd.lb.plane import Plane
from ecsd.lb.table import (
    Action,
    Condition,
    Drained,
    Forward,
    HealthCheck,
    HealthReport,
    Listener,
    Rule,
    Table,
    Target,
    TargetGroup,
    WeightedGroup,
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def free_ports(n: int) -> list[int]:
    """n distinct free ports (all held open while choosing, so none comes back twice)."""
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in socks]
    finally:
        for s in socks:
            s.close()


@dataclass
class Backend:
    name: str
    port: int = 0
    requests: list[web.Request] = field(default_factory=list)
    peers: set[tuple[str, int]] = field(default_factory=set)
    health_status: int = 200
    runner: web.AppRunner | None = None

    @property
    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def target(self, **kw: object) -> Target:
        return Target(f"10.0.0.{self.port % 250}", 80, "127.0.0.1", self.port, self.port, **kw)  # type: ignore[arg-type]

    async def start(self, extra: dict[str, Handler] | None = None) -> Backend:
        app = web.Application(client_max_size=0)

        async def health(request: web.Request) -> web.Response:
            return web.Response(status=self.health_status, text="ok")

        async def default(request: web.Request) -> web.Response:
            self.requests.append(request)
            peer = request.transport.get_extra_info("peername") if request.transport else None
            if peer:
                self.peers.add(tuple(peer[:2]))
            return web.Response(text=f"{self.name} {request.path}")

        app.router.add_get("/health", health)
        for path, handler in (extra or {}).items():

            async def wrapped(
                request: web.Request, handler: Handler = handler
            ) -> web.StreamResponse:
                self.requests.append(request)
                return await handler(request)

            app.router.add_route("*", path, wrapped)
        app.router.add_route("*", "/{tail:.*}", default)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        self.port = self.port or free_port()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


FAST = HealthCheck(
    path="/health",
    interval_seconds=1,
    timeout_seconds=1,
    healthy_threshold=2,
    unhealthy_threshold=2,
)


def group(arn: str, *targets: Target, check: HealthCheck = FAST, **kw: object) -> TargetGroup:
    return TargetGroup(arn, arn.rsplit("/", 1)[-1], health_check=check, targets=targets, **kw)  # type: ignore[arg-type]


def forward(*arns: str, weights: tuple[int, ...] = (), sticky: bool = False) -> Forward:
    ws = weights or (1,) * len(arns)
    return Forward(
        tuple(WeightedGroup(a, w) for a, w in zip(arns, ws, strict=True)), stickiness_enabled=sticky
    )


def rule(arn: str, priority: int, action: Action, *conditions: Condition) -> Rule:
    return Rule(arn, priority, conditions, action)


def default(action: Action) -> Rule:
    return Rule("default", 0, (), action, is_default=True)


def listener(port: int, *rules: Rule, dns: str = "lb-1.elb.localhost", **kw: object) -> Listener:
    return Listener(
        f"arn:listener/{dns}/{port}", f"arn:lb/{dns}", 80, port, rules=rules, dns_name=dns, **kw
    )  # type: ignore[arg-type]


class Harness:
    """A Plane plus what it reported."""

    def __init__(self) -> None:
        self.reports: list[HealthReport | Drained] = []
        self.plane = Plane(report=self.reports.append)

    async def apply(
        self, *listeners: Listener, groups: tuple[TargetGroup, ...] = ()
    ) -> dict[str, str]:
        return await self.plane.apply(Table(listeners, groups))

    def states(self, tg: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for r in self.reports:
            if isinstance(r, HealthReport) and r.target_group_arn == tg:
                out[r.target.key] = r.state
        return out

    async def until_healthy(self, tg: str, *targets: Target, timeout: float = 10.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            states = self.states(tg)
            if all(states.get(t.key) == "healthy" for t in targets):
                return
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"not healthy in {timeout}s: {states}")
            await asyncio.sleep(0.02)

    async def close(self) -> None:
        await self.plane.close()
