"""The data plane: serves a `Table` — sockets, routing, health checkers, draining.

`apply(table)` is the one way in. It compiles the table into a `Routing` (rule matchers,
target pools, forward choosers, listeners by socket) and swaps it in one assignment, so
a request is routed by one consistent table; opens sockets for new (host, bind port)
pairs and closes those no listener uses any more; starts a health checker for every
target that appears and stops those of targets that vanish or start draining.

Health changes and drains go back through `report` (called on the event loop); the
controller persists them. The plane keeps per-target counters of in-flight requests so
that a draining target is reported `Drained` the moment its last request ends.

Several load balancers may have a listener on the same port (on AWS each has its own
address; here they share the host's loopback): they share one socket and the Host header
picks the load balancer by its DNS name.

One Plane is one process's event loop; `workers.ProcessPlane` offers the same interface
over several worker processes (each a Plane with `reuse_port=True, checks=False`) where
one core is not enough (bench/alb.py has the figures).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import aiohttp

from ecsd.core.clock import Clock, SystemClock
from ecsd.lb import frontend, tls
from ecsd.lb.balancing import ForwardChooser, Pool
from ecsd.lb.counters import Counters, Counts
from ecsd.lb.fast import FastConnection
from ecsd.lb.health import DRAINING, Checker, HttpProbe, Probe, Status
from ecsd.lb.proxy import Proxy
from ecsd.lb.rules import Matcher, host_only
from ecsd.lb.table import (
    Drained,
    Forward,
    HealthCheck,
    HealthReport,
    Listener,
    Table,
    Target,
)
from ecsd.lb.upstream import Pool as UpstreamPool

Report = Callable[[HealthReport | Drained], None]
Socket = tuple[str, int]

log = logging.getLogger(__name__)
# The longest `close` waits for the checkers and for each client session to stop.
CLOSE_SECONDS = 5.0


@dataclass
class PortRoutes:
    """The listeners sharing one socket, by their load balancer's DNS name."""

    listeners: list[tuple[Listener, Matcher]]
    by_name: dict[str, tuple[Listener, Matcher]] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    idle: float = 60.0  # the socket's idle timeout: its listeners' longest

    def __post_init__(self) -> None:
        self.idle = float(max((lst.idle_timeout_seconds for lst, _ in self.listeners), default=60))
        for listener, matcher in self.listeners:
            if listener.dns_name:
                self.by_name[listener.dns_name.lower()] = (listener, matcher)
        self.names = [lst.dns_name for lst, _ in self.listeners if lst.dns_name]

    def pick(self, host: str) -> tuple[Listener | None, Matcher]:
        if len(self.listeners) == 1:
            return self.listeners[0]
        hit = self.by_name.get(host_only(host).lower())
        if hit is not None:
            return hit
        return None, self.listeners[0][1]


@dataclass
class Routing:
    ports: dict[Socket, PortRoutes] = field(default_factory=dict)
    pools: dict[str, Pool] = field(default_factory=dict)
    # by (listener ARN, rule ARN): a rule belongs to one listener
    choosers: dict[tuple[str, str], ForwardChooser] = field(default_factory=dict)


def _state_reader(states: dict[str, str]) -> Callable[[str], str]:
    return lambda key: states.get(key, "initial")


class _Served:
    def __init__(self, handler: frontend.Server) -> None:
        self.server: asyncio.Server | None = None
        self.handler = handler
        self.fast: set[FastConnection] = set()  # connections still on the fast path

    def set_idle(self, seconds: float) -> None:
        """A listener's idle timeout changed (ModifyLoadBalancerAttributes): the socket
        stays open, so the new value must reach its connections — those accepted from
        now on, and every idle period of the open ones (lb/frontend.py)."""
        self.handler.set_idle_timeout(seconds)
        for conn in self.fast:
            conn.set_idle_timeout(seconds)


class Plane:
    def __init__(
        self,
        *,
        report: Report,
        clock: Clock | None = None,
        probe: Probe | None = None,
        reuse_port: bool = False,
        checks: bool = True,
    ) -> None:
        # checks=False: this plane runs no health checks; its targets' states come from
        # `set_health` (a worker process of lb/workers.py, whose parent checks).
        self._checks = checks
        # reuse_port: bind with SO_REUSEPORT, so that several processes each running a
        # Plane with the same table share the listeners' ports and the kernel spreads
        # connections over them (a multi-process data plane; see bench/alb.py --workers).
        self._reuse_port = reuse_port
        self._report = report
        self._clock: Clock = clock or SystemClock()
        self._http_probe = HttpProbe() if probe is None else None
        self._probe: Probe = probe or self._http_probe  # type: ignore[assignment]
        self.table = Table()
        self.routing = Routing()
        self._sockets: dict[Socket, _Served] = {}
        self._checkers: dict[tuple[str, str], Checker] = {}
        self._states: dict[str, dict[str, str]] = {}
        self._healthy_since: dict[str, dict[str, float]] = {}
        self._in_flight: dict[str, dict[str, int]] = {}
        self._draining: dict[tuple[str, str], Target] = {}
        self._pools: dict[tuple[str, int], UpstreamPool] = {}
        self._session: aiohttp.ClientSession | None = None
        self._apply_lock = asyncio.Lock()
        # What the proxy counted since the last `take_counts` (AWS/ApplicationELB).
        self.counters = Counters()

    # -- the interface ---------------------------------------------------------------------

    async def apply(self, table: Table) -> dict[str, str]:
        """Serve `table` from now on; {listener_arn: error} for listeners not bound."""
        # Applies are serialised (opening sockets awaits); requests never take this lock.
        async with self._apply_lock:
            return await self._apply(table)

    async def _apply(self, table: Table) -> dict[str, str]:
        errors: dict[str, str] = {}
        wanted: dict[Socket, list[Listener]] = {}
        for listener in table.listeners:
            wanted.setdefault((listener.bind_host, listener.bind_port), []).append(listener)
        for sock, listeners in wanted.items():
            if sock in self._sockets:
                self._sockets[sock].set_idle(max(lst.idle_timeout_seconds for lst in listeners))
                continue
            try:
                await self._open(sock, listeners)
            except OSError as e:
                for listener in listeners:
                    errors[listener.arn] = (
                        f"cannot listen on {sock[0]}:{sock[1]}: {e.strerror or e}"
                    )
        self._sync_targets(table)
        self.routing = self._compile(
            table, {s: ls for s, ls in wanted.items() if s in self._sockets}
        )
        self.table = table
        dialled = {(t.host, t.port) for g in table.target_groups for t in (*g.targets, *g.draining)}
        for key in [k for k in self._pools if k not in dialled]:
            self._pools.pop(key).close()
        for sock in [s for s in self._sockets if s not in wanted]:
            await self._close_socket(sock)
        return errors

    async def close(self) -> None:
        for sock in list(self._sockets):
            await self._close_socket(sock)
        # The checkers stop together, and a bounded wait: a daemon's reset or stop must
        # not hang on one probe that does not give up (CI once saw /_ecsd/reset time out).
        stopping = [asyncio.ensure_future(c.stop()) for c in self._checkers.values()]
        self._checkers.clear()
        if stopping:
            _, stuck = await asyncio.wait(stopping, timeout=CLOSE_SECONDS)
            if stuck:
                log.warning("load balancer: %d health checkers did not stop", len(stuck))
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()
        if self._session is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._session.close(), CLOSE_SECONDS)
            self._session = None
        if self._http_probe is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._http_probe.close(), CLOSE_SECONDS)

    def in_flight(self, target_group_arn: str, key: str) -> int:
        return self._in_flight.get(target_group_arn, {}).get(key, 0)

    async def take_counts(self) -> Counts:
        """The requests counted since the last call (one metric period's)."""
        return self.counters.take()

    def host_states(self) -> dict[str, dict[str, str]]:
        """Each target group's targets by key, with the state its checks found
        (HealthyHostCount / UnHealthyHostCount); targets not yet checked are `initial`."""
        out: dict[str, dict[str, str]] = {}
        for group in self.table.target_groups:
            states = self._states.get(group.arn, {})
            out[group.arn] = {t.key: states.get(t.key, "initial") for t in group.targets}
        return out

    # -- for the proxy ---------------------------------------------------------------------

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                # One pool of keep-alive connections per target (the connector keys its
                # pool by host and port); no overall limit, ALB has none.
                connector=aiohttp.TCPConnector(limit=0, limit_per_host=0, ttl_dns_cache=None),
                auto_decompress=False,
                skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return self._session

    def upstream(self, target: Target) -> UpstreamPool:
        """The keep-alive connections to a target (by where the proxy dials it)."""
        key = (target.host, target.port)
        pool = self._pools.get(key)
        if pool is None:
            pool = self._pools[key] = UpstreamPool(target.host, target.port)
        return pool

    def begin(self, tg: str, key: str) -> None:
        counts = self._in_flight.get(tg)
        if counts is None:
            counts = self._in_flight[tg] = {}
        counts[key] = counts.get(key, 0) + 1

    def end(self, tg: str, key: str) -> None:
        counts = self._in_flight[tg]
        left = counts[key] - 1
        counts[key] = left
        if left == 0:
            target = self._draining.get((tg, key))
            if target is not None:
                self._report(Drained(tg, target))

    # -- sockets ---------------------------------------------------------------------------

    async def _open(self, sock: Socket, listeners: list[Listener]) -> None:
        proxy = Proxy(self, lambda: self.routing.ports.get(sock), sock[1])
        idle = max(lst.idle_timeout_seconds for lst in listeners)
        handler = frontend.Server(
            proxy.handle,
            on_answer=proxy.unrouted_answer,
            keepalive_timeout=float(idle),
            access_log=None,
            auto_decompress=False,
            max_field_size=16 * 1024,  # ALB accepts headers up to 16 KB
            max_line_size=16 * 1024,
        )
        loop = asyncio.get_running_loop()
        context = None
        if any(lst.protocol == "HTTPS" for lst in listeners):
            context = tls.server_context(lambda: self._listeners_on(sock, listeners))
        served = _Served(handler)
        factory: Callable[[], asyncio.BaseProtocol] = handler
        if context is None:  # plain HTTP: the fast path first (lb/fast.py)
            routes = lambda: self.routing.ports.get(sock)  # noqa: E731

            def factory() -> asyncio.BaseProtocol:
                return FastConnection(self, proxy, routes, handler, served.fast)

        served.server = await loop.create_server(
            factory,
            sock[0],
            sock[1],
            reuse_address=True,
            reuse_port=self._reuse_port or None,
            ssl=context,
        )
        self._sockets[sock] = served

    def _listeners_on(self, sock: Socket, opened: list[Listener]) -> list[Listener]:
        """The socket's listeners as the current table has them (TLS picks their
        certificates at each handshake)."""
        routes = self.routing.ports.get(sock)
        return [lst for lst, _ in routes.listeners] if routes is not None else opened

    async def _close_socket(self, sock: Socket) -> None:
        served = self._sockets.pop(sock)
        assert served.server is not None
        served.server.close()
        for conn in list(served.fast):
            conn.close()
        with contextlib.suppress(Exception):
            await served.handler.shutdown(1.0)
        with contextlib.suppress(Exception):
            await served.server.wait_closed()

    # -- routing ---------------------------------------------------------------------------

    def _compile(self, table: Table, sockets: dict[Socket, list[Listener]]) -> Routing:
        routing = Routing()
        for sock, listeners in sockets.items():
            routing.ports[sock] = PortRoutes([(lst, Matcher(lst.rules)) for lst in listeners])
        for listener in table.listeners:
            for rule in listener.rules:
                if isinstance(rule.action, Forward):
                    routing.choosers[(listener.arn, rule.arn)] = ForwardChooser(rule.action)
        for group in table.target_groups:
            states = self._states.setdefault(group.arn, {})
            routing.pools[group.arn] = Pool(
                group,
                _state_reader(states),
                self._in_flight.setdefault(group.arn, {}),
                self._clock.monotonic,
                self._healthy_since.setdefault(group.arn, {}),
            )
        return routing

    # -- targets, health and draining ------------------------------------------------------

    def _sync_targets(self, table: Table) -> None:
        live: dict[tuple[str, str], tuple[Target, HealthCheck]] = {}
        draining: dict[tuple[str, str], Target] = {}
        for group in table.target_groups:
            for target in group.targets:
                live[(group.arn, target.key)] = (target, group.health_check)
            for target in group.draining:
                draining[(group.arn, target.key)] = target
        # Checkers of targets gone or draining stop.
        for key in [k for k in self._checkers if k not in live]:
            checker = self._checkers.pop(key)
            asyncio.get_running_loop().create_task(checker.stop())
            self._states.get(key[0], {}).pop(key[1], None)
            self._healthy_since.get(key[0], {}).pop(key[1], None)
        # Targets start draining: report it, and Drained at once if nothing is in flight.
        for key, target in draining.items():
            if key in self._draining:
                self._draining[key] = target
                continue
            self._draining[key] = target
            self._report(HealthReport(key[0], target, *DRAINING))
            if self.in_flight(*key) == 0:
                self._report(Drained(key[0], target))
        for key in [k for k in self._draining if k not in draining]:
            del self._draining[key]
        # New targets get a checker; changed settings reach the running ones.
        for key, (target, check) in live.items():
            running = self._checkers.get(key)
            # A target is the same one whatever its `known_healthy` says: that flag only
            # seeds a NEW checker (the store's health after a restart); a rebuilt table
            # carrying the health recorded since must not restart the checks.
            if (
                running is not None
                and replace(running.target, known_healthy=target.known_healthy) == target
                and running.check.enabled == check.enabled
            ):
                if running.check != check:
                    running.update(check)
                continue
            if running is not None:
                asyncio.get_running_loop().create_task(running.stop())
            if self._checks:
                self._start_checker(key, target, check)

    def set_health(self, tg: str, key: str, state: str) -> None:
        """A target's state as someone else's checks found it (checks=False)."""
        states = self._states.setdefault(tg, {})
        before = states.get(key)
        states[key] = state
        if state == "healthy" and before != "healthy":
            self._healthy_since.setdefault(tg, {})[key] = self._clock.monotonic()
        pool = self.routing.pools.get(tg)
        if pool is not None:
            pool.refresh()

    def _start_checker(self, key: tuple[str, str], target: Target, check: HealthCheck) -> None:
        tg, tkey = key

        def on_change(status: Status) -> None:
            if self._checkers.get(key) is not checker:
                return  # a stopped checker's last word
            self.set_health(tg, tkey, status[0])
            self._report(HealthReport(tg, target, *status))

        checker = Checker(
            target,
            check,
            clock=self._clock,
            probe=self._probe,
            on_change=on_change,
            known_healthy=target.known_healthy,
        )
        self._checkers[key] = checker
        checker.start()
