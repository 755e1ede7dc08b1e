"""`Runtime` on the Docker Engine API (Docker ≥ 20.10, and Podman's compatible API).

The `docker` SDK is blocking, so every call runs on a thread pool, off the event loop;
the two endless streams (events, a container's logs) each get a thread of their own
and a client of their own, feeding an asyncio queue with bounded credit so a chatty
container cannot fill memory faster than ecsd stores its lines.

Only plain container, image and volume endpoints are used (no swarm, no networks of
our own, no build): a task is one holder container (`pause.py`) that owns the network
namespace and publishes the ports, and the task's containers join it with
`network_mode=container:<holder>`, as a Kubernetes pod does.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import re
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import docker
import docker.errors
import requests
import urllib3
from docker.api.client import APIClient
from docker.types import CancellableStream, Ulimit
from docker.utils import kwargs_from_env, parse_repository_tag

from . import pause
from .base import (
    MANAGED_LABEL,
    ContainerCreateError,
    ContainerSpec,
    ContainerStartError,
    ContainerState,
    Health,
    ImageInfo,
    ImagePullError,
    LogSource,
    PortBinding,
    Runtime,
    RuntimeError_,
    RuntimeUnavailable,
    Sandbox,
)

T = TypeVar("T")
log = logging.getLogger(__name__)

DEFAULT_URL = "unix:///var/run/docker.sock"
# Container events worth waking a controller for; health checks' exec_* are noise.
EVENT_ACTIONS = {
    "create",
    "start",
    "restart",
    "die",
    "kill",
    "stop",
    "oom",
    "pause",
    "unpause",
    "destroy",
    "health_status",
}
STREAM_CREDIT = 1024  # items a stream may run ahead of its consumer
_END = object()


class DockerRuntime:
    def __init__(
        self, base_url: str | None = None, *, timeout: float = 60.0, max_workers: int = 32
    ) -> None:
        tls: Any = False
        if base_url is None:  # DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, as docker does
            env = kwargs_from_env()
            base_url, tls = env.get("base_url"), env.get("tls", False)
        self.url: str = base_url or DEFAULT_URL
        self._tls = tls
        self._timeout = timeout
        self._max_workers = max_workers
        # Stops wait for up to a container's stopTimeout: enough threads that a wave of
        # stops cannot starve inspects.
        self._pool = ThreadPoolExecutor(max_workers, thread_name_prefix="docker")
        self._api: APIClient | None = None
        self._api_lock = threading.Lock()
        self._pause_lock = threading.Lock()
        self._pause_ready = False
        self._digests: dict[str, str | None] = {}  # image id → repo digest (ids are immutable)
        self._pulls: dict[str, asyncio.Future[ImageInfo]] = {}
        self._closers: set[Callable[[], None]] = set()

    # -- plumbing -------------------------------------------------------------------
    def _client(self) -> APIClient:
        """One shared client, made on first use (making it asks the engine its API
        version, which fails while no engine answers: then the next call tries again)."""
        with self._api_lock:
            if self._api is None:
                self._api = APIClient(
                    base_url=self.url,
                    version="auto",
                    tls=self._tls,
                    timeout=self._timeout,
                    max_pool_size=self._max_workers,
                )
            return self._api

    def _unavailable(self, exc: BaseException) -> RuntimeUnavailable:
        if isinstance(exc, (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError)):
            return RuntimeUnavailable(
                f"container runtime at {self.url} did not answer within {self._timeout:g} s"
            )
        return RuntimeUnavailable(f"no container runtime reachable at {self.url}: {_reason(exc)}")

    def _guarded(self, fn: Callable[..., T], *args: Any) -> T:
        try:
            return fn(self._client(), *args)
        except RuntimeError_:
            raise
        except docker.errors.APIError as exc:
            raise RuntimeError_(f"Error response from daemon: {_explain(exc)}") from exc
        except (
            requests.exceptions.RequestException,
            urllib3.exceptions.HTTPError,
            docker.errors.DockerException,
            OSError,
        ) as exc:
            raise self._unavailable(exc) from exc

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(api, *args) on the pool, with transport failures as RuntimeUnavailable."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(self._guarded, fn, *args))

    # -- engine ---------------------------------------------------------------------
    async def ping(self) -> str:
        return await self._run(lambda api: str(api.version().get("Version", "")))

    async def close(self) -> None:
        for close in list(self._closers):
            _quietly(close)
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._api_lock:
            if self._api is not None:
                self._api.close()
                self._api = None

    # -- images ---------------------------------------------------------------------
    async def ensure_image(self, ref: str) -> ImageInfo:
        """Concurrent requests for one ref share one pull."""
        pending = self._pulls.get(ref)
        if pending is None:
            pending = asyncio.ensure_future(self._run(self._ensure_image, ref))
            self._pulls[ref] = pending

            def done(f: asyncio.Future[ImageInfo]) -> None:
                self._pulls.pop(ref, None)
                if not f.cancelled():
                    f.exception()  # retrieved here, so a lone failure is not "never retrieved"

            pending.add_done_callback(done)
        return await asyncio.shield(pending)

    def _ensure_image(self, api: APIClient, ref: str) -> ImageInfo:
        try:
            return self._image_info(ref, api.inspect_image(ref))
        except docker.errors.NotFound:
            pass
        repository, tag = parse_repository_tag(ref)
        try:
            # Without a tag the engine would pull every tag of the repository.
            for message in api.pull(repository, tag=tag or "latest", stream=True, decode=True):
                if isinstance(message, dict) and message.get("error"):
                    raise ImagePullError(_pull_message(ref, str(message["error"])))
            return self._image_info(ref, api.inspect_image(ref))
        except docker.errors.APIError as exc:
            raise ImagePullError(_pull_message(ref, _explain(exc))) from exc
        except (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError) as exc:
            raise ImagePullError(
                _pull_message(ref, f"the engine did not answer within {self._timeout:g} s")
            ) from exc

    def _image_info(self, ref: str, attrs: dict[str, Any]) -> ImageInfo:
        digest = _repo_digest(ref, attrs.get("RepoDigests") or [])
        self._digests[attrs["Id"]] = digest
        return ImageInfo(ref=ref, id=attrs["Id"], digest=digest)

    def _digest_of(self, api: APIClient, image_id: str, ref: str) -> str | None:
        if image_id not in self._digests:
            try:
                self._image_info(ref, api.inspect_image(image_id))
            except docker.errors.NotFound:
                return None
        return self._digests.get(image_id)

    def _ensure_pause(self, api: APIClient) -> None:
        """Import the holder image on first use (see pause.py)."""
        with self._pause_lock:
            if self._pause_ready:
                return
            try:
                api.inspect_image(pause.IMAGE)
            except docker.errors.NotFound:
                arch = str(api.info().get("Architecture", ""))
                try:
                    tar = pause.image_tar(arch)
                except ValueError as exc:
                    raise ContainerCreateError(str(exc)) from exc
                # The tag inside `repo`: Podman ignores a separate `tag` parameter.
                out = api.import_image_from_data(tar, repository=pause.IMAGE, changes=pause.CHANGES)
                if '"error"' in str(out):
                    raise ContainerCreateError(f"cannot import {pause.IMAGE}: {out}") from None
                api.inspect_image(pause.IMAGE)
            self._pause_ready = True

    # -- sandboxes and containers ---------------------------------------------------
    async def create_sandbox(
        self,
        *,
        name: str,
        labels: dict[str, str],
        ports: list[tuple[int, str]],
        bind_host: str,
        hostname: str | None = None,
    ) -> Sandbox:
        return await self._run(self._create_sandbox, name, labels, ports, bind_host, hostname)

    def _create_sandbox(
        self,
        api: APIClient,
        name: str,
        labels: dict[str, str],
        ports: list[tuple[int, str]],
        bind_host: str,
        hostname: str | None,
    ) -> Sandbox:
        self._ensure_pause(api)
        wanted = sorted({(int(p), (proto or "tcp").lower()) for p, proto in ports})
        host_config = api.create_host_config(
            # Only the address: the engine picks a free host port for each.
            port_bindings={f"{p}/{proto}": (bind_host,) for p, proto in wanted} or None
        )
        for attempt in range(2):
            try:
                created = api.create_container(
                    pause.IMAGE,
                    name=name,
                    hostname=hostname,
                    labels=_labels(labels),
                    stop_signal=pause.STOP_SIGNAL,
                    host_config=host_config,
                    ports=[(p, proto) for p, proto in wanted] or None,
                )
                sandbox_id = str(created["Id"])
                break
            except docker.errors.APIError as exc:
                if exc.status_code == 404 and attempt == 0:
                    # Someone removed the holder image (`docker image prune -a`): again.
                    self._pause_ready = False
                    self._ensure_pause(api)
                    continue
                if not _name_taken(exc):
                    raise ContainerCreateError(
                        f"Error response from daemon: {_explain(exc)}"
                    ) from exc
                sandbox_id = self._adopt(api, name, exc)
                break
        try:
            api.start(sandbox_id)
        except docker.errors.APIError as exc:
            _quietly(lambda: api.remove_container(sandbox_id, force=True))
            raise ContainerStartError(f"Error response from daemon: {_explain(exc)}") from exc
        try:
            return self._network(api, sandbox_id, wanted, bind_host)
        except ContainerStartError:
            _quietly(lambda: api.remove_container(sandbox_id, force=True))
            raise

    async def network(self, container_id: str) -> Sandbox:
        return await self._run(self._network, container_id, None, None)

    def _network(
        self,
        api: APIClient,
        container_id: str,
        wanted: list[tuple[int, str]] | None,
        bind_host: str | None,
    ) -> Sandbox:
        """Read back what the engine published: with `wanted`, every one must be there."""
        attrs = api.inspect_container(container_id)
        network = attrs.get("NetworkSettings") or {}
        bindings = []
        for key, published in (network.get("Ports") or {}).items():
            port, _, proto = key.partition("/")
            for b in published or []:
                if not b.get("HostPort"):
                    continue
                bindings.append(
                    PortBinding(
                        container_port=int(port),
                        protocol=proto or "tcp",
                        host_ip=b.get("HostIp") or bind_host or "",
                        host_port=int(b["HostPort"]),
                    )
                )
        missing = set(wanted or ()) - {(b.container_port, b.protocol) for b in bindings}
        if missing:
            raise ContainerStartError(
                "the engine did not publish port(s) "
                + ", ".join(f"{p}/{proto}" for p, proto in missing)
            )
        bindings.sort(key=lambda b: (b.container_port, b.protocol, b.host_ip))
        ip, mac = _address(network)
        return Sandbox(
            id=str(attrs["Id"]),
            name=str(attrs.get("Name", "")).lstrip("/"),
            ip=ip,
            mac=mac,
            bindings=bindings,
        )

    def _adopt(self, api: APIClient, name: str, conflict: docker.errors.APIError) -> str:
        """The name is taken: ours from an earlier attempt (reuse it), or not ours."""
        try:
            attrs = api.inspect_container(name)
        except docker.errors.NotFound:
            raise ContainerCreateError(
                f"Error response from daemon: {_explain(conflict)}"
            ) from conflict
        if (attrs.get("Config", {}).get("Labels") or {}).get(MANAGED_LABEL) != "true":
            raise ContainerCreateError(f"Error response from daemon: {_explain(conflict)}")
        return str(attrs["Id"])

    async def create_container(self, spec: ContainerSpec) -> str:
        return await self._run(self._create_container, spec)

    def _create_container(self, api: APIClient, spec: ContainerSpec) -> str:
        wanted = sorted({(int(p), (proto or "tcp").lower()) for p, proto in spec.ports})
        publish = not spec.sandbox_id and wanted
        host_config = api.create_host_config(
            network_mode=f"container:{spec.sandbox_id}" if spec.sandbox_id else None,
            port_bindings={f"{p}/{proto}": (spec.bind_host or "127.0.0.1",) for p, proto in wanted}
            if publish
            else None,
            binds=spec.binds or None,
            volumes_from=spec.volumes_from or None,
            ulimits=[
                Ulimit(name=u["name"], soft=int(u["soft"]), hard=int(u["hard"]))
                for u in spec.ulimits
            ]
            or None,
            read_only=spec.readonly_rootfs or None,
            init=spec.init or None,
            mem_limit=spec.memory_bytes,
            # Equal to the limit: no swap on top, so a container over its memory is
            # OOM-killed (exit 137) as on Fargate instead of slowing down.
            memswap_limit=spec.memory_bytes,
            mem_reservation=spec.memory_reservation_bytes,
            cpu_shares=spec.cpu_shares,
            nano_cpus=spec.nano_cpus,
            tmpfs=spec.tmpfs or None,
            cap_add=spec.cap_add or None,
            cap_drop=spec.cap_drop or None,
            shm_size=spec.shm_size_bytes,
        )
        try:
            created = api.create_container(
                spec.image,
                name=spec.name,
                command=spec.command,
                entrypoint=spec.entrypoint,
                environment=dict(spec.env) or None,
                labels=_labels(spec.labels),
                working_dir=spec.working_dir,
                user=spec.user or None,
                healthcheck=spec.healthcheck,
                stop_timeout=spec.stop_timeout,
                stop_signal=spec.stop_signal,
                tty=spec.tty,
                stdin_open=spec.interactive,
                ports=wanted if publish else None,
                host_config=host_config,
            )
            return str(created["Id"])
        except docker.errors.APIError as exc:
            if _name_taken(exc):
                return self._adopt(api, spec.name, exc)
            raise ContainerCreateError(f"Error response from daemon: {_explain(exc)}") from exc

    async def start(self, container_id: str) -> None:
        def start(api: APIClient) -> None:
            try:
                api.start(container_id)
            except docker.errors.APIError as exc:
                raise ContainerStartError(f"Error response from daemon: {_explain(exc)}") from exc

        await self._run(start)

    async def stop(self, container_id: str, timeout_s: float) -> None:
        def stop(api: APIClient) -> None:
            with _ignoring(404):
                api.stop(container_id, timeout=max(0, math.ceil(timeout_s)))

        await self._run(stop)

    async def kill(self, container_id: str, signal: str = "SIGKILL") -> None:
        def kill(api: APIClient) -> None:
            with _ignoring(404, 409, texts=("can only kill running",)):  # gone, not running
                api.kill(container_id, signal=signal)

        await self._run(kill)

    async def remove(self, container_id: str) -> None:
        await self._run(self._remove, container_id, 0)

    def _remove(self, api: APIClient, container_id: str, depth: int) -> None:
        # Gone, or its removal already under way.
        with _ignoring(404, 409, texts=("already in progress", "no such container")):
            try:
                api.remove_container(container_id, v=True, force=True)
            except docker.errors.APIError as exc:
                # Podman will not remove a sandbox while containers share its namespace
                # (Docker does): remove those first, as the caller wants them gone too.
                dependents = _DEPENDENTS.search(_explain(exc))
                if dependents is None or depth > 2:
                    raise
                for dependent in re.findall(r"[0-9a-f]{64}", dependents[1]):
                    self._remove(api, dependent, depth + 1)
                api.remove_container(container_id, v=True, force=True)

    async def remove_volumes(self, names: list[str]) -> None:
        def remove(api: APIClient) -> None:
            for name in names:
                # Gone, or still used by someone else.
                with _ignoring(404, 409, texts=("in use", "being used", "no such volume")):
                    api.remove_volume(name)

        if names:
            await self._run(remove)

    async def inspect(self, container_id: str) -> ContainerState | None:
        def inspect(api: APIClient) -> ContainerState | None:
            try:
                return self._state(api, api.inspect_container(container_id))
            except docker.errors.NotFound:
                return None

        return await self._run(inspect)

    async def list(self, labels: dict[str, str]) -> list[ContainerState]:
        def list_(api: APIClient) -> list[ContainerState]:
            wanted = [f"{MANAGED_LABEL}=true"] + [f"{k}={v}" for k, v in labels.items()]
            found = []
            # The list's summaries lack exit codes, OOM and start times: inspect each.
            for summary in api.containers(all=True, filters={"label": wanted}):
                try:
                    found.append(self._state(api, api.inspect_container(summary["Id"])))
                except docker.errors.NotFound:
                    continue  # removed meanwhile
            return found

        return await self._run(list_)

    def _state(self, api: APIClient, attrs: dict[str, Any]) -> ContainerState:
        state = attrs.get("State") or {}
        config = attrs.get("Config") or {}
        status = str(state.get("Status") or "")
        status = _PODMAN_STATUS.get(status, status)
        health = (state.get("Health") or {}).get("Status")
        image_id = str(attrs.get("Image") or "")
        image = str(config.get("Image") or "")
        return ContainerState(
            id=attrs["Id"],
            name=str(attrs.get("Name") or "").lstrip("/"),
            image=image,
            labels=dict(config.get("Labels") or {}),
            status=status,
            running=bool(state.get("Running")),
            exit_code=(int(state.get("ExitCode") or 0) if status in ("exited", "dead") else None),
            oom_killed=bool(state.get("OOMKilled")),
            error=state.get("Error") or None,
            started_at=_seconds(state.get("StartedAt")),
            finished_at=_seconds(state.get("FinishedAt")),
            health=_health(health),
            image_id=image_id,
            image_digest=self._digest_of(api, image_id, image) if image_id else None,
        )

    # -- streams --------------------------------------------------------------------
    def events(self) -> AsyncIterator[tuple[str, str, dict[str, str]]]:
        def open_events(
            api: APIClient,
        ) -> tuple[Iterator[tuple[str, str, dict[str, str]]], Callable[[], None]]:
            stream = api.events(filters={"type": ["container"]}, decode=True)

            def items() -> Iterator[tuple[str, str, dict[str, str]]]:
                for ev in stream:
                    action = str(ev.get("Action") or ev.get("status") or "")
                    if action.split(":", 1)[0] not in EVENT_ACTIONS:
                        continue
                    actor = ev.get("Actor") or {}
                    yield (
                        str(actor.get("ID") or ev.get("id") or ""),
                        action,
                        dict(actor.get("Attributes") or {}),
                    )

            return items(), stream.close

        return self._follow(open_events, "docker events")

    def logs(
        self, container_id: str, since_ms: int = 0
    ) -> AsyncIterator[tuple[int, LogSource, str]]:
        def open_logs(
            api: APIClient,
        ) -> tuple[Iterator[tuple[int, LogSource, str]], Callable[[], None]]:
            try:
                tty = bool(api.inspect_container(container_id)["Config"].get("Tty"))
            except docker.errors.NotFound:
                return iter(()), lambda: None
            current: list[requests.Response] = []
            closed = threading.Event()

            def request(follow: bool, since_ns: int) -> Iterator[tuple[int, bytes]]:
                params: dict[str, Any] = {
                    "stdout": 1,
                    "stderr": 1,
                    "timestamps": 1,
                    "follow": int(follow),
                }
                if since_ns > 0:
                    # Whole seconds (Podman misreads fractions); the parser drops what
                    # is older than asked.
                    params["since"] = since_ns // 1_000_000_000
                response = api._get(
                    api._url("/containers/{0}/logs", container_id), params=params, stream=True
                )
                current[:] = [response]
                api._raise_for_status(response)
                return _tty_frames(response) if tty else _frames(response)

            def lines() -> Iterator[tuple[int, LogSource, str]]:
                parser = _LogParser(since_ms)
                yield from parser.feed(request(True, since_ms * 1_000_000))
                if not closed.is_set():
                    # A follow can end a moment before the engine has handed over the
                    # last entries (Docker 20.10 drops a final line without a newline):
                    # read once more from the last entry seen; the parser skips repeats.
                    with _ignoring(404):
                        yield from parser.feed(request(False, parser.resume_ns()))
                yield from parser.flush()

            def close() -> None:
                closed.set()
                for response in current:
                    CancellableStream(iter(()), response).close()

            return lines(), close

        return self._follow(open_logs, f"logs {container_id[:12]}")

    def _stream_client(self) -> APIClient:
        # Its own connection and no read timeout: a quiet container is not a dead engine.
        return APIClient(
            base_url=self.url, version=self._client().api_version, tls=self._tls, timeout=None
        )

    async def _follow(
        self, opener: Callable[[APIClient], tuple[Iterator[T], Callable[[], None]]], name: str
    ) -> AsyncIterator[T]:
        """Run a blocking stream in a thread of its own; yield its items here. Leaving
        the loop (break, cancel) closes the stream's socket, which ends the thread."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        credit = threading.Semaphore(STREAM_CREDIT)
        stopped = threading.Event()
        closers: list[Callable[[], None]] = []

        def put(item: Any) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the loop is closed: nobody listens any more
                stopped.set()

        def pump() -> None:
            outcome: Any = _END
            try:
                api = self._guarded(lambda _api: self._stream_client())
                try:
                    items, close = self._guarded(lambda _api: opener(api))
                    closers.append(close)
                    self._closers.add(close)
                    if stopped.is_set():  # closed while we were opening
                        return
                    for item in items:
                        while not credit.acquire(timeout=0.5):
                            if stopped.is_set():
                                return
                        if stopped.is_set():
                            return
                        put(item)
                finally:
                    for close in closers:
                        self._closers.discard(close)
                        _quietly(close)
                    api.close()
            except RuntimeError_ as exc:
                outcome = exc
            except Exception as exc:  # noqa: BLE001 - a broken stream ends the iteration
                if not stopped.is_set():
                    outcome = self._unavailable(exc)
            if not stopped.is_set():
                put(outcome)

        threading.Thread(target=pump, name=name, daemon=True).start()
        try:
            while True:
                item = await queue.get()
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                credit.release()
                yield item
        finally:
            stopped.set()
            for close in list(closers):  # a copy: the pump thread may still append
                _quietly(close)


if TYPE_CHECKING:  # mypy proves DockerRuntime is a Runtime

    def _is_a_runtime(rt: DockerRuntime) -> Runtime:
        return rt


# -- helpers --------------------------------------------------------------------------
def _labels(labels: dict[str, str]) -> dict[str, str]:
    return {**{k: str(v) for k, v in labels.items()}, MANAGED_LABEL: "true"}


def _explain(exc: docker.errors.APIError) -> str:
    text = exc.explanation
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return str(text or exc).strip()


def _reason(exc: BaseException, depth: int = 0) -> str:
    """The innermost OS-level reason ("No such file or directory", "Connection refused")
    in the wrappers requests and urllib3 put around it; else the message itself."""
    if depth < 8:
        if isinstance(exc, OSError) and exc.strerror:
            return exc.strerror
        inner = [a for a in exc.args if isinstance(a, BaseException)]
        inner += [e for e in (exc.__cause__, exc.__context__) if e is not None]
        for e in inner:
            found = _reason(e, depth + 1)
            if found:
                return found
    return str(exc) if depth == 0 else ""


def _quietly(fn: Callable[[], Any]) -> None:
    try:
        fn()
    except Exception:  # best effort clean-up
        log.debug("clean-up step failed", exc_info=True)


def _name_taken(exc: docker.errors.APIError) -> bool:
    """Docker answers 409; Podman 500 with words."""
    return exc.status_code == 409 or "already in use" in _explain(exc)


class _ignoring:
    """Swallow the engine's answers with these HTTP statuses, or (Podman often answers
    500) containing these words: for idempotent operations."""

    def __init__(self, *statuses: int, texts: tuple[str, ...] = ()) -> None:
        self.statuses = statuses
        self.texts = texts

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool:
        if not isinstance(exc, docker.errors.APIError):
            return False
        return exc.status_code in self.statuses or any(t in _explain(exc) for t in self.texts)


def fully_qualified(ref: str) -> str:
    """docker.io/library/nginx:latest for nginx, as Fargate names refs in its errors."""
    name, digest = (ref.split("@", 1) + [""])[:2]
    repository, tag = parse_repository_tag(name)
    first = repository.split("/", 1)[0]
    if "/" not in repository or not ("." in first or ":" in first or first == "localhost"):
        repository = "docker.io/" + (repository if "/" in repository else f"library/{repository}")
    if digest:
        return f"{repository}@{digest}"
    return f"{repository}:{tag or 'latest'}"


def _pull_message(ref: str, answer: str) -> str:
    return (
        f"pull image manifest has been retried 1 time(s): failed to resolve ref "
        f"{fully_qualified(ref)}: {answer.strip()}"
    )


def _repo_digest(ref: str, repo_digests: list[str]) -> str | None:
    """The digest under the ref's own repository, else any the image has."""
    repository = parse_repository_tag(ref.split("@", 1)[0])[0]
    candidates = [d for d in repo_digests if d.split("@", 1)[0].endswith(repository)]
    for entry in candidates or repo_digests:
        if "@" in entry:
            return entry.split("@", 1)[1]
    return None


def _address(network: dict[str, Any]) -> tuple[str, str | None]:
    for settings in (network.get("Networks") or {}).values():
        if settings and settings.get("IPAddress"):
            return str(settings["IPAddress"]), settings.get("MacAddress") or None
    return str(network.get("IPAddress") or ""), network.get("MacAddress") or None


def _health(status: Any) -> Health | None:
    if status == "healthy":
        return "healthy"
    if status == "unhealthy":
        return "unhealthy"
    if status == "starting":
        return "starting"
    return None


_DEPENDENTS = re.compile(r"has dependent containers which must be removed before it: (.*)")
# Podman's words for Docker's states.
_PODMAN_STATUS = {"configured": "created", "stopped": "exited", "initialized": "created"}

_TIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$")


def _nanoseconds(text: Any) -> int | None:
    """Epoch ns of an RFC 3339 time with up to 9 fractional digits (Docker's and
    Podman's); None for Docker's zero time (never happened) or anything unreadable."""
    m = _TIME.match(str(text or "").strip())
    if not m:
        return None
    zone = m[3] or "Z"
    zone = "+00:00" if zone == "Z" else zone
    base = datetime.fromisoformat(m[1] + zone)
    if base.year <= 1:
        return None
    return int(base.timestamp()) * 1_000_000_000 + int((m[2] or "")[:9].ljust(9, "0"))


def _seconds(text: Any) -> float | None:
    ns = _nanoseconds(text)
    return None if ns is None else ns / 1e9


def _read(response: requests.Response, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = response.raw.read(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def _frames(response: requests.Response) -> Iterator[tuple[int, bytes]]:
    """The engine's multiplexed stream: an 8-byte header (stream id, payload length)
    per written log entry."""
    while True:
        header = _read(response, 8)
        if len(header) < 8:
            return
        stream, length = header[0], int.from_bytes(header[4:8], "big")
        payload = _read(response, length)
        if len(payload) < length:
            return
        yield stream, payload


def _tty_frames(response: requests.Response) -> Iterator[tuple[int, bytes]]:
    """A TTY container's logs are one unframed stream, all of it stdout."""
    for line in response.raw:
        yield 1, line.replace(b"\r\n", b"\n")


class _LogParser:
    """Frames are "<RFC 3339 time> <text>". The engine splits a very long line into
    several entries of which only the last ends in a newline: join them, and stamp the
    line with its first part's time. Entries already given out are skipped, so that
    overlapping reads of one container's log give each line once: times only rise
    within one stream (stdout and stderr interleave out of order), and the parts of a
    split line share one time, so each stream keeps its last time and how many entries
    it has given out with that time."""

    def __init__(self, since_ms: int) -> None:
        self.since_ms = since_ms
        self._last: dict[int, tuple[int, int]] = {}  # stream → (last ns, entries at it)
        self._partial: dict[int, tuple[int, bytes]] = {}

    def resume_ns(self) -> int:
        """Where a further read must start to miss nothing: a second before the oldest
        stream's last entry (entries are written in arrival order, stamped a little
        earlier), never before since_ms."""
        floor = self.since_ms * 1_000_000
        if not self._last:
            return floor
        return max(floor, min(ns for ns, _ in self._last.values()) - 1_000_000_000)

    def feed(self, frames: Iterator[tuple[int, bytes]]) -> Iterator[tuple[int, LogSource, str]]:
        met: dict[int, int] = {}  # stream → entries at its last ns met in this read
        for stream, payload in frames:
            stamp, _, text = payload.partition(b" ")
            ns = _nanoseconds(stamp.decode("ascii", "replace")) or 0
            if ns:
                last, given = self._last.get(stream, (0, 0))
                if ns < last:
                    continue
                if ns == last:
                    met[stream] = met.get(stream, 0) + 1
                    if met[stream] <= given:
                        continue
                    self._last[stream] = (ns, given + 1)
                else:
                    self._last[stream] = (ns, 1)
                    met[stream] = 1
            ts = ns // 1_000_000
            if stream in self._partial:
                first_ts, head = self._partial.pop(stream)
                ts, text = first_ts, head + text
            if not text.endswith(b"\n"):
                self._partial[stream] = (ts, text)
                continue
            yield from self._emit(stream, ts, text[:-1])

    def flush(self) -> Iterator[tuple[int, LogSource, str]]:
        partial, self._partial = self._partial, {}
        for stream, (ts, text) in partial.items():
            yield from self._emit(stream, ts, text)

    def _emit(self, stream: int, ts: int, text: bytes) -> Iterator[tuple[int, LogSource, str]]:
        if ts >= self.since_ms:
            source: LogSource = "stderr" if stream == 2 else "stdout"
            yield ts, source, text.decode("utf-8", "replace")
