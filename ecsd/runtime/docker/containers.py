"""Containers: create (idempotent by name: a name already ours is adopted), start, stop,
kill, remove, volumes, inspect and list by labels, and the network a container owns."""

from __future__ import annotations

import builtins
import math
import re
from typing import Any

import docker
import docker.errors
from docker.api.client import APIClient
from docker.types import Ulimit

from ..base import (
    MANAGED_LABEL,
    ContainerCreateError,
    ContainerRef,
    ContainerSpec,
    ContainerStartError,
    ContainerState,
    PortBinding,
    Sandbox,
)
from .answers import (
    _DEPENDENTS,
    _PODMAN_STATUS,
    _address,
    _explain,
    _health,
    _ignoring,
    _labels,
    _name_taken,
)
from .images import Images
from .logparse import _seconds


class Containers(Images):
    """Containers need images (a container's state shows its image digest)."""

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
                self._aliases.get(spec.image, spec.image),
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

    async def labelled(self, labels: dict[str, str]) -> builtins.list[ContainerRef]:
        def list_(api: APIClient) -> builtins.list[ContainerRef]:
            wanted = [f"{MANAGED_LABEL}=true"] + [f"{k}={v}" for k, v in labels.items()]
            return [
                ContainerRef(
                    id=str(s["Id"]),
                    name=str((s.get("Names") or [""])[0]).lstrip("/"),
                    labels=dict(s.get("Labels") or {}),
                )
                for s in api.containers(all=True, filters={"label": wanted})
            ]

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
