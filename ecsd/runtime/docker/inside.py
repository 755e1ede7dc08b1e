"""What the task-side listener asks of the engine: the bridge's gateway address (where
every task's namespace can reach the host), a container's process id (whose network
namespace holds a task's loopback listener), and a container's stats in Docker's format
(which the task metadata endpoint serves as they are)."""

from __future__ import annotations

from typing import Any

import docker.errors
from docker.api.client import APIClient

from .engine import Engine

# Docker's default network, then Podman's.
BRIDGES = ("bridge", "podman")


class Inside(Engine):
    async def host_gateway(self) -> str | None:
        def find(api: APIClient) -> str | None:
            for name in BRIDGES:
                try:
                    net = api.inspect_network(name)
                except docker.errors.NotFound:
                    continue
                for config in (net.get("IPAM") or {}).get("Config") or []:
                    gateway = config.get("Gateway")
                    if gateway and ":" not in gateway:
                        return str(gateway)
            return None

        return await self._run(find)

    async def pid(self, container_id: str) -> int | None:
        def find(api: APIClient) -> int | None:
            try:
                pid = int(api.inspect_container(container_id)["State"].get("Pid") or 0)
            except docker.errors.NotFound:
                return None
            return pid or None

        return await self._run(find)

    async def stats(self, container_id: str) -> dict[str, Any] | None:
        def read(api: APIClient) -> dict[str, Any] | None:
            try:
                # one_shot: no second sample (and no second of waiting); precpu is empty.
                return dict(api.stats(container_id, decode=False, stream=False, one_shot=True))
            except docker.errors.NotFound:
                return None

        return await self._run(read)
