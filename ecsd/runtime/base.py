"""What controllers may ask of a container engine, in ecsd's own terms.

Controllers never import the Docker SDK: they speak to a `Runtime` (this protocol) with
the plain dataclasses below, so a fake (`runtime/fake.py`, scripted, in fake time) stands
in for fast controller tests and the Docker implementation (`runtime/docker/`) stays the
one place that knows Docker.

Errors carry texts meant to be shown to users after ECS's prefixes:
`ImagePullError` → `CannotPullContainerError: …`, `ContainerStartError` →
`CannotStartContainerError: …`, `RuntimeUnavailable` → `ResourceInitializationError: …`.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

MANAGED_LABEL = "ecsd.managed"

# The address ECS's agent serves task credentials and metadata on, and the one (besides
# loopback) the AWS SDKs take a credentials URI from over plain HTTP. ecsd puts the host
# there as the gateway of an internal network of its own (no default route through it),
# which a task's namespace joins: no root, no iptables — the engine makes the bridge.
TASKSIDE_NETWORK = "ecsd-taskside"
TASKSIDE_SUBNET = "169.254.170.0/24"
TASKSIDE_ADDRESS = "169.254.170.2"

Health = Literal["healthy", "unhealthy", "starting"]
LogSource = Literal["stdout", "stderr"]


# -- errors -------------------------------------------------------------------------
class RuntimeError_(Exception):  # named so: the builtin RuntimeError is taken
    """Anything the runtime could not do. str(error) is the text for users."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RuntimeUnavailable(RuntimeError_):
    """No engine answers (not running, wrong socket, timed out)."""


class ImagePullError(RuntimeError_):
    """The image is not local and the engine could not pull it; the message names the
    ref and carries the engine's (registry's) answer."""


class ContainerCreateError(RuntimeError_):
    """The engine refused to create the container (bad options, unknown image...)."""


class ContainerStartError(RuntimeError_):
    """The engine created the container but could not start it (no such executable,
    rlimits, mounts...); the message is the engine's answer."""


# -- values -------------------------------------------------------------------------
@dataclass(frozen=True)
class PortBinding:
    """A container port published on the host: host_ip:host_port → container_port."""

    container_port: int
    protocol: str  # "tcp" | "udp"
    host_ip: str
    host_port: int


@dataclass(frozen=True)
class Sandbox:
    """The holder container owning a task's network namespace."""

    id: str
    name: str
    ip: str  # its address on the engine's network ("" where the engine gives none)
    mac: str | None
    bindings: list[PortBinding]


@dataclass(frozen=True)
class ImageInfo:
    """A local image, as ensure_image found or pulled it."""

    ref: str
    id: str
    digest: str | None  # the repository digest ("sha256:…"); None for local-only images


@dataclass
class ContainerSpec:
    """One container to create inside a sandbox. Sizes in bytes, durations as the
    engine wants them (healthcheck values in nanoseconds, stop_timeout in seconds)."""

    name: str
    image: str
    labels: dict[str, str] = field(default_factory=dict)
    command: list[str] | None = None  # None: the image's CMD
    entrypoint: list[str] | None = None  # None: the image's ENTRYPOINT
    env: dict[str, str] = field(default_factory=dict)
    working_dir: str | None = None
    user: str | None = None
    ulimits: list[dict[str, Any]] = field(default_factory=list)  # {name, soft, hard}
    readonly_rootfs: bool = False
    init: bool = False
    memory_bytes: int | None = None  # hard limit; swap is not added to it
    memory_reservation_bytes: int | None = None  # soft limit
    cpu_shares: int | None = None
    nano_cpus: int | None = None
    binds: list[str] = field(default_factory=list)  # "source:target:ro|rw"
    volumes_from: list[str] = field(default_factory=list)  # "container:ro|rw"
    tmpfs: dict[str, str] = field(default_factory=dict)  # path → mount options
    cap_add: list[str] = field(default_factory=list)
    cap_drop: list[str] = field(default_factory=list)
    shm_size_bytes: int | None = None
    # Docker's healthcheck: {"test": [...], "interval", "timeout", "start_period" (ns),
    # "retries"}; {"test": ["NONE"]} switches off the image's own; None keeps it.
    healthcheck: dict[str, Any] | None = None
    stop_timeout: int | None = None  # seconds between the stop signal and SIGKILL
    stop_signal: str | None = None
    sandbox_id: str | None = None  # join this sandbox's network namespace
    # With no sandbox the container owns its namespace and publishes these
    # (container_port, protocol) pairs itself on bind_host, at engine-chosen ports.
    ports: list[tuple[int, str]] = field(default_factory=list)
    bind_host: str | None = None
    tty: bool = False
    interactive: bool = False


@dataclass(frozen=True)
class ContainerRef:
    """A container as the engine's list shows it: enough to know whose it is."""

    id: str
    name: str
    labels: dict[str, str]


@dataclass(frozen=True)
class ContainerState:
    """A container as the engine shows it now. Times are epoch seconds."""

    id: str
    name: str
    image: str
    labels: dict[str, str]
    status: str  # the engine's word: created, running, paused, restarting, exited, dead…
    running: bool
    exit_code: int | None  # None until it has exited
    oom_killed: bool
    error: str | None  # why it could not start, if the engine says
    started_at: float | None  # None: never started
    finished_at: float | None
    health: Health | None  # None: no health check
    image_id: str
    image_digest: str | None


@dataclass(frozen=True)
class Usage:
    """One sample of a container's resource use, cumulative where Docker's is: CPU from
    two samples' deltas (a one-shot sample has no previous reading of its own)."""

    cpu_ns: int  # CPU time the container has used since it started
    system_ns: int  # CPU time the host has had (all its CPUs) by the same clock
    online_cpus: int
    memory_bytes: int  # in use, less the page cache (what `docker stats` shows)


def usage_of(stats: dict[str, Any]) -> Usage | None:
    """A `Usage` from one sample in Docker's stats format; None when it carries no CPU
    reading (a container that is not running)."""
    cpu = stats.get("cpu_stats") or {}
    total = (cpu.get("cpu_usage") or {}).get("total_usage")
    system = cpu.get("system_cpu_usage")
    if total is None or system is None:
        return None
    online = cpu.get("online_cpus") or len((cpu.get("cpu_usage") or {}).get("percpu_usage") or ())
    mem = stats.get("memory_stats") or {}
    detail = mem.get("stats") or {}
    # What `docker stats` subtracts: inactive_file on cgroup v2, total_inactive_file on v1.
    cache = detail.get("inactive_file", detail.get("total_inactive_file", 0)) or 0
    used = max(0, int(mem.get("usage") or 0) - int(cache))
    return Usage(int(total), int(system), int(online or 1), used)


# -- the interface ------------------------------------------------------------------
class Runtime(Protocol):
    async def ping(self) -> str:
        """The engine's version; RuntimeUnavailable when none answers."""
        ...

    async def ensure_image(
        self, ref: str, *, source: str | None = None, auth: dict[str, str] | None = None
    ) -> ImageInfo:
        """A local image for `ref`, pulled if missing (ImagePullError if it cannot be).
        With `source` (ecsd's own registry) it is always pulled from `source` with the
        credentials `auth` (the tag may have moved since) and tagged as `ref`."""
        ...

    async def create_sandbox(
        self,
        *,
        name: str,
        labels: dict[str, str],
        ports: list[tuple[int, str]],
        bind_host: str,
        hostname: str | None = None,
    ) -> Sandbox:
        """Create and start the holder of a task's network namespace, publishing every
        (container_port, protocol) on `bind_host` at an engine-chosen free port.
        Idempotent by name: an existing sandbox of that name is reused."""
        ...

    async def create_container(self, spec: ContainerSpec) -> str:
        """Create (not start) a container; its id. Idempotent by name."""
        ...

    async def network(self, container_id: str) -> Sandbox:
        """Address and published ports of a running container that owns its network
        namespace (a sandbox, or a task's only container)."""
        ...

    async def start(self, container_id: str) -> None: ...

    async def stop(self, container_id: str, timeout_s: float) -> None:
        """The stop signal (SIGTERM unless the image says otherwise), then SIGKILL after
        timeout_s. A container that is missing or stopped already is fine."""
        ...

    async def kill(self, container_id: str, signal: str = "SIGKILL") -> None: ...

    async def remove(self, container_id: str) -> None:
        """Force-remove with its anonymous volumes; missing already is fine."""
        ...

    async def remove_volumes(self, names: list[str]) -> None:
        """Remove named volumes; missing ones are fine, ones still in use are kept."""
        ...

    async def inspect(self, container_id: str) -> ContainerState | None:
        """None when there is no such container."""
        ...

    async def list(self, labels: dict[str, str]) -> list[ContainerState]:
        """Every ecsd container (running or not) carrying all these labels."""
        ...

    async def labelled(self, labels: dict[str, str]) -> builtins.list[ContainerRef]:
        """Like `list`, ids, names and labels only: one engine request whatever the
        number of containers (for the sweep, which needs no more)."""
        ...

    def events(self) -> AsyncIterator[tuple[str, str, dict[str, str]]]:
        """Container events as they happen: (container id, action, attributes). The
        action is the engine's ("start", "die", "oom", "health_status: healthy"…);
        attributes are the container's labels plus the engine's own keys (name, image,
        exitCode). Ends (or raises RuntimeUnavailable) when the engine goes away."""
        ...

    def logs(
        self, container_id: str, since_ms: int = 0
    ) -> AsyncIterator[tuple[int, LogSource, str]]:
        """(timestamp ms, source, line) for every line the container wrote at or after
        since_ms, then its new lines as they come; ends when the container stops."""
        ...

    async def host_gateway(self) -> str | None:
        """The host's address on the engine's default network (the bridge gateway), which
        every task's namespace can reach; None where the engine has none."""
        ...

    async def taskside_network(self) -> str | None:
        """Make (once, shared by every ecsd on the engine) the internal network
        `TASKSIDE_NETWORK` whose gateway, on the host, is `TASKSIDE_ADDRESS`; that
        address, or None where the engine cannot make it (its reason logged)."""
        ...

    async def join_taskside(self, container_id: str) -> None:
        """Connect the container (a task's namespace owner) to `TASKSIDE_NETWORK`;
        already connected is fine."""
        ...

    async def stats(self, container_id: str) -> dict[str, Any] | None:
        """One sample of the container's resource use in Docker's stats format."""
        ...

    async def usage(self, container_ids: builtins.list[str]) -> dict[str, Usage]:
        """One `Usage` sample of each running container of these (one one-shot stats
        request each, a few at a time); containers gone or not running are left out."""
        ...

    async def close(self) -> None: ...
