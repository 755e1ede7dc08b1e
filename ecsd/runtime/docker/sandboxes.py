"""Sandboxes: the holder container owning a task's network namespace and publishing every
port of the task (the task's containers join it, as a Kubernetes pod's do)."""

from __future__ import annotations

import docker
import docker.errors
from docker.api.client import APIClient

from .. import pause
from ..base import (
    ContainerCreateError,
    ContainerStartError,
    Sandbox,
)
from .answers import (
    _explain,
    _labels,
    _name_taken,
    _quietly,
)
from .containers import Containers


class Sandboxes(Containers):
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
