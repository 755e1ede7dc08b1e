"""An in-memory container engine with scripted behaviour, for controller tests.

`FakeRuntime` answers the whole `Runtime` protocol (sandboxes, containers, labels, events,
logs, images, networks, volumes) without Docker, and plays what a test scripts per image:
an exit with a code after N seconds, health results over time, an OOM kill, a pull that
fails, a process that ignores SIGTERM until the SIGKILL at the stop timeout, an engine that
stops answering, lines of log output, a CPU load and memory in use (read back through
`stats` / `usage` in Docker's terms; `set_load` changes a running container's load).
Scripted moments happen on the injected `Clock`, so with a `FakeClock` a 120-second stop
timeout takes no real time at all.

It also keeps `calls` (method name → count) and `history` (what happened when, in order)
for tests to assert on.
"""

from __future__ import annotations

import asyncio
import builtins
import itertools
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from ..core.clock import Clock
from .base import (
    MANAGED_LABEL,
    ContainerRef,
    ContainerSpec,
    ContainerStartError,
    ContainerState,
    Health,
    ImageInfo,
    ImagePullError,
    LogSource,
    PortBinding,
    RuntimeError_,
    RuntimeUnavailable,
    Sandbox,
    Usage,
    usage_of,
)

SIGTERM_EXIT = 143  # 128 + 15: a process that ends on SIGTERM
SIGKILL_EXIT = 137  # 128 + 9


@dataclass
class Script:
    """What a container of one image does once started. Times are seconds after start."""

    exit_after: float | None = None  # None: runs until stopped
    exit_code: int = 0
    oom_after: float | None = None  # killed for memory (exit 137, OOMKilled) at this time
    health: list[tuple[float, Health]] = field(default_factory=list)  # (at, status)
    ignores_sigterm: bool = False  # ends only at the SIGKILL after the stop timeout
    start_error: str | None = None  # the engine's answer to start (CannotStartContainer)
    logs: list[tuple[float, str]] = field(default_factory=list)  # (at, line) on stdout
    cpu: float = 0.0  # vCPUs kept busy while running (1.0: one busy loop)
    memory_mib: float = 0.0  # memory in use while running


@dataclass
class _Container:
    id: str
    name: str
    image: str
    labels: dict[str, str]
    spec: ContainerSpec | None
    ip: str
    mac: str
    bindings: list[PortBinding]
    status: str = "created"
    exit_code: int | None = None
    oom_killed: bool = False
    started_at: float | None = None
    finished_at: float | None = None
    health: Health | None = None
    lines: list[tuple[int, LogSource, str]] = field(default_factory=list)
    timers: list[asyncio.Task[None]] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    cpu_load: float = 0.0  # vCPUs busy now
    cpu_ns: float = 0.0  # CPU time used up to cpu_since
    cpu_since: float = 0.0


class FakeRuntime:
    def __init__(self, clock: Clock, *, url: str = "fake://engine") -> None:
        self.clock = clock
        self.url = url
        self.available = True
        self.scripts: dict[str, Script] = {}  # image ref → behaviour (default: runs forever)
        self.local_images: set[str] = set()  # present without a pull
        self.pullable: set[str] | None = None  # None: every image pulls fine
        self.pull_errors: dict[str, str] = {}  # image ref → the registry's answer
        self.volumes: set[str] = set()
        # The task-side network's host address (None: the engine cannot make it), and
        # the containers joined to it.
        self.taskside: str | None = None
        self.joined: set[str] = set()
        self.online_cpus = 2
        self.calls: Counter[str] = Counter()
        self.history: list[tuple[float, str, str]] = []  # (monotonic, action, name)
        self._containers: dict[str, _Container] = {}
        self._ids = itertools.count(1)
        self._subscribers: list[asyncio.Queue[tuple[str, str, dict[str, str]] | None]] = []

    # -- scripting ------------------------------------------------------------------
    def script(self, image: str, **behaviour: object) -> Script:
        s = Script(**behaviour)  # type: ignore[arg-type]
        self.scripts[image] = s
        return s

    def set_load(self, container_id: str, vcpus: float) -> None:
        """From now on the container keeps `vcpus` CPUs busy (its load changes)."""
        c = self._get(container_id)
        self._used(c)
        c.cpu_load = vcpus

    def _used(self, c: _Container) -> float:
        """CPU ns the container has used so far (folding the current load in)."""
        now = self.clock.time()
        if c.status == "running":
            c.cpu_ns += c.cpu_load * (now - c.cpu_since) * 1e9
        c.cpu_since = now
        return c.cpu_ns

    def stop_engine(self) -> None:
        """The engine goes away: every call raises RuntimeUnavailable, streams end."""
        self.available = False
        for q in self._subscribers:
            q.put_nowait(None)

    def start_engine(self) -> None:
        self.available = True

    def by_name(self, name: str) -> _Container | None:
        return next((c for c in self._containers.values() if c.name == name), None)

    def add_container(
        self, name: str, labels: dict[str, str], *, image: str = "img", running: bool = True
    ) -> str:
        """A container that exists before the test (left by a crash, say)."""
        c = self._new(name, image, labels, None)
        if running:
            c.status, c.started_at = "running", self.clock.time()
        return c.id

    # -- plumbing -------------------------------------------------------------------
    def _call(self, name: str) -> None:
        self.calls[name] += 1
        if not self.available:
            raise RuntimeUnavailable(f"no container runtime reachable at {self.url}: stopped")

    def _record(self, action: str, c: _Container, **extra: str) -> None:
        self.history.append((self.clock.monotonic(), action, c.name))
        attrs = {**c.labels, "name": c.name, "image": c.image, **extra}
        for q in self._subscribers:
            q.put_nowait((c.id, action, attrs))
        c.changed.set()

    def _new(
        self, name: str, image: str, labels: dict[str, str], spec: ContainerSpec | None
    ) -> _Container:
        n = next(self._ids)
        ports = list(spec.ports) if spec else []
        c = _Container(
            id=f"{n:064x}",
            name=name,
            image=image,
            labels={MANAGED_LABEL: "true", **labels},
            spec=spec,
            ip=f"172.17.{n // 250}.{n % 250 + 2}",
            mac=f"02:42:ac:11:00:{n % 256:02x}",
            bindings=[
                PortBinding(port, proto, (spec.bind_host if spec else None) or "0.0.0.0", 30000 + n)
                for port, proto in ports
            ],
        )
        self._containers[c.id] = c
        self._record("create", c)
        return c

    def _get(self, container_id: str) -> _Container:
        c = self._containers.get(container_id)
        if c is None:
            raise RuntimeError_(f"Error response from daemon: No such container: {container_id}")
        return c

    def _state(self, c: _Container) -> ContainerState:
        return ContainerState(
            id=c.id,
            name=c.name,
            image=c.image,
            labels=dict(c.labels),
            status=c.status,
            running=c.status == "running",
            exit_code=c.exit_code if c.status == "exited" else None,
            oom_killed=c.oom_killed,
            error=None,
            started_at=c.started_at,
            finished_at=c.finished_at,
            health=c.health,
            image_id=f"sha256:{c.image}",
            image_digest=None,
        )

    def _exit(self, c: _Container, code: int, *, oom: bool = False) -> None:
        if c.status != "running":
            return
        self._used(c)
        c.status, c.exit_code, c.oom_killed = "exited", code, oom
        c.finished_at = self.clock.time()
        c.health = "unhealthy" if c.health else None
        for t in c.timers:
            if t is not asyncio.current_task():
                t.cancel()
        if oom:
            self._record("oom", c)
        self._record("die", c, exitCode=str(code))

    def _at(self, c: _Container, delay: float, action: object) -> None:
        async def later() -> None:
            await self.clock.sleep(delay)
            action()  # type: ignore[operator]

        c.timers.append(asyncio.create_task(later(), name=f"fake {c.name} +{delay}"))

    def _play(self, c: _Container) -> None:
        script = self.scripts.get(c.image)
        if script is None:
            return
        for at, status in script.health:
            self._at(c, at, lambda s=status: self._health(c, s))
        for at, line in script.logs:
            self._at(c, at, lambda text=line: self._log(c, text))
        if script.oom_after is not None:
            self._at(c, script.oom_after, lambda: self._exit(c, SIGKILL_EXIT, oom=True))
        if script.exit_after is not None:
            self._at(c, script.exit_after, lambda: self._exit(c, script.exit_code))

    def _health(self, c: _Container, status: Health) -> None:
        if c.status == "running" and c.health != status:
            c.health = status
            self._record(f"health_status: {status}", c)

    def _log(self, c: _Container, text: str) -> None:
        if c.status == "running":
            c.lines.append((int(self.clock.time() * 1000), "stdout", text))
            c.changed.set()

    # -- the Runtime protocol ---------------------------------------------------------
    async def ping(self) -> str:
        self._call("ping")
        return "fake-1.0"

    async def ensure_image(
        self, ref: str, *, source: str | None = None, auth: dict[str, str] | None = None
    ) -> ImageInfo:
        self._call("ensure_image")
        ref = ref.removeprefix("sha256:")
        if ref not in self.local_images:
            answer = self.pull_errors.get(ref)
            if answer is None and self.pullable is not None and ref not in self.pullable:
                answer = "pull access denied, repository does not exist"
            if answer is not None:
                raise ImagePullError(f"pull image manifest has been retried 1 time(s): {answer}")
            self.local_images.add(ref)
        return ImageInfo(ref=ref, id=f"sha256:{ref}", digest=None)

    async def create_sandbox(
        self,
        *,
        name: str,
        labels: dict[str, str],
        ports: list[tuple[int, str]],
        bind_host: str,
        hostname: str | None = None,
    ) -> Sandbox:
        self._call("create_sandbox")
        c = self.by_name(name)
        if c is None:
            spec = ContainerSpec(name=name, image="ecsd/pause", ports=ports, bind_host=bind_host)
            c = self._new(name, "ecsd/pause", labels, spec)
        if c.status != "running":
            c.status, c.started_at = "running", self.clock.time()
            self._record("start", c)
        return Sandbox(id=c.id, name=c.name, ip=c.ip, mac=c.mac, bindings=list(c.bindings))

    async def create_container(self, spec: ContainerSpec) -> str:
        self._call("create_container")
        existing = self.by_name(spec.name)
        if existing is not None:
            return existing.id
        # An image ID (what ensure_image answered, "sha256:<ref>") names the image too.
        image = spec.image.removeprefix("sha256:")
        if image not in self.local_images:
            raise RuntimeError_(f"Error response from daemon: No such image: {spec.image}")
        if spec.sandbox_id is not None:
            self._get(spec.sandbox_id)
        return self._new(spec.name, image, spec.labels, spec).id

    async def network(self, container_id: str) -> Sandbox:
        self._call("network")
        c = self._get(container_id)
        return Sandbox(id=c.id, name=c.name, ip=c.ip, mac=c.mac, bindings=list(c.bindings))

    async def start(self, container_id: str) -> None:
        self._call("start")
        c = self._get(container_id)
        if c.status == "running":
            return
        script = self.scripts.get(c.image)
        if script is not None and script.start_error:
            c.status = "exited"
            c.exit_code = 128
            raise ContainerStartError(f"Error response from daemon: {script.start_error}")
        c.status, c.started_at, c.finished_at = "running", self.clock.time(), None
        c.cpu_since, c.cpu_load = self.clock.time(), script.cpu if script else 0.0
        c.exit_code, c.oom_killed = None, False
        if script is not None and script.health:
            c.health = "starting"
        self._record("start", c)
        self._play(c)

    async def stop(self, container_id: str, timeout_s: float) -> None:
        self._call("stop")
        c = self._containers.get(container_id)
        if c is None or c.status != "running":
            return
        self._record("stop", c)
        script = self.scripts.get(c.image)
        if script is not None and script.ignores_sigterm:
            await self.clock.sleep(timeout_s)
            self._record("kill", c, signal="SIGKILL")
            self._exit(c, SIGKILL_EXIT)
        else:
            self._exit(c, SIGTERM_EXIT)

    async def kill(self, container_id: str, signal: str = "SIGKILL") -> None:
        self._call("kill")
        c = self._containers.get(container_id)
        if c is not None and c.status == "running":
            self._record("kill", c, signal=signal)
            self._exit(c, SIGKILL_EXIT)

    async def remove(self, container_id: str) -> None:
        self._call("remove")
        c = self._containers.pop(container_id, None)
        if c is None:
            return
        for t in c.timers:
            t.cancel()
        if c.status == "running":
            c.status, c.exit_code, c.finished_at = "exited", SIGKILL_EXIT, self.clock.time()
            self._record("die", c, exitCode=str(SIGKILL_EXIT))
        self._record("destroy", c)

    async def remove_volumes(self, names: list[str]) -> None:
        if not names:
            return  # as the Docker runtime: no request at all
        self._call("remove_volumes")
        self.volumes.difference_update(names)

    async def inspect(self, container_id: str) -> ContainerState | None:
        self._call("inspect")
        c = self._containers.get(container_id)
        return self._state(c) if c else None

    async def list(self, labels: dict[str, str]) -> list[ContainerState]:
        self._call("list")
        return [
            self._state(c)
            for c in self._containers.values()
            if all(c.labels.get(k) == v for k, v in labels.items())
        ]

    async def labelled(self, labels: dict[str, str]) -> builtins.list[ContainerRef]:
        self._call("labelled")
        return [
            ContainerRef(id=c.id, name=c.name, labels=dict(c.labels))
            for c in self._containers.values()
            if all(c.labels.get(k) == v for k, v in labels.items())
        ]

    @property
    def containers(self) -> builtins.list[ContainerState]:
        """Every container, without counting a call (for assertions)."""
        return [self._state(c) for c in self._containers.values()]

    async def events(self) -> AsyncIterator[tuple[str, str, dict[str, str]]]:
        self._call("events")
        queue: asyncio.Queue[tuple[str, str, dict[str, str]] | None] = asyncio.Queue()
        self._subscribers.append(queue)
        try:
            while True:
                item = await queue.get()
                if item is None:
                    raise RuntimeUnavailable(f"{self.url}: the event stream ended")
                yield item
        finally:
            self._subscribers.remove(queue)

    async def logs(
        self, container_id: str, since_ms: int = 0
    ) -> AsyncIterator[tuple[int, LogSource, str]]:
        self._call("logs")
        c = self._get(container_id)
        sent = 0
        while True:
            c.changed.clear()
            for ts, source, line in c.lines[sent:]:
                if ts >= since_ms:
                    yield ts, source, line
            sent = len(c.lines)
            if c.status != "running" or container_id not in self._containers:
                return
            await c.changed.wait()

    async def host_gateway(self) -> str | None:
        return "10.88.0.1"

    async def taskside_network(self) -> str | None:
        return self.taskside

    async def join_taskside(self, container_id: str) -> None:
        if container_id not in self._containers:
            raise RuntimeError_(f"No such container: {container_id}")
        self.joined.add(container_id)

    async def stats(self, container_id: str) -> dict[str, Any] | None:
        c = self._containers.get(container_id)
        if c is None:
            return None
        if c.status != "running":  # as Docker: a stopped container has no CPU reading
            return {"id": c.id, "name": "/" + c.name, "memory_stats": {}, "cpu_stats": {}}
        script = self.scripts.get(c.image)
        memory = int((script.memory_mib if script else 0.0) * 1024 * 1024)
        return {
            "id": c.id,
            "name": "/" + c.name,
            "memory_stats": {"usage": memory + 4096, "stats": {"inactive_file": 4096}},
            "cpu_stats": {
                "cpu_usage": {"total_usage": int(self._used(c))},
                "system_cpu_usage": int(self.clock.time() * 1e9 * self.online_cpus),
                "online_cpus": self.online_cpus,
            },
        }

    async def usage(self, container_ids: builtins.list[str]) -> dict[str, Usage]:
        self._call("usage")
        out = {}
        for cid in container_ids:
            stats = await self.stats(cid)
            found = usage_of(stats) if stats is not None else None
            if found is not None:
                out[cid] = found
        return out

    async def close(self) -> None:
        for c in self._containers.values():
            for t in c.timers:
                t.cancel()


def _is_a_runtime(rt: FakeRuntime) -> object:
    """mypy checks here that the fake keeps up with the protocol."""
    from .base import Runtime

    checked: Runtime = rt
    return checked
