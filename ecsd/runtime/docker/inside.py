"""What the task-side listener asks of the engine: the bridge's gateway address (where
every task's namespace can reach the host), the internal network that puts the host at
169.254.170.2 for a task with a role (the address the AWS SDKs take credentials from),
and a container's stats in Docker's format (which the task metadata endpoint serves as
they are)."""

from __future__ import annotations

import logging
from typing import Any

import docker.errors
from docker.api.client import APIClient
from docker.types import IPAMConfig, IPAMPool

from ..base import MANAGED_LABEL, TASKSIDE_ADDRESS, TASKSIDE_NETWORK, TASKSIDE_SUBNET
from .engine import Engine

log = logging.getLogger(__name__)

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

    async def taskside_network(self) -> str | None:
        def ensure(api: APIClient) -> str | None:
            try:
                net = api.inspect_network(TASKSIDE_NETWORK)
            except docker.errors.NotFound:
                try:
                    api.create_network(
                        TASKSIDE_NETWORK,
                        driver="bridge",
                        # internal: the task's default route stays on its own network
                        internal=True,
                        ipam=IPAMConfig(
                            pool_configs=[
                                IPAMPool(subnet=TASKSIDE_SUBNET, gateway=TASKSIDE_ADDRESS)
                            ]
                        ),
                        labels={MANAGED_LABEL: "true"},
                        check_duplicate=True,
                    )
                except docker.errors.APIError as exc:
                    # Another ecsd made it meanwhile (read below), or the engine will not.
                    log.info("task side: creating network %s: %s", TASKSIDE_NETWORK, exc)
                try:
                    net = api.inspect_network(TASKSIDE_NETWORK)
                except docker.errors.NotFound:
                    return None
            configs = (net.get("IPAM") or {}).get("Config") or []
            if any(c.get("Gateway") == TASKSIDE_ADDRESS for c in configs):
                return TASKSIDE_ADDRESS
            log.warning(
                "task side: network %s exists without gateway %s; not used",
                TASKSIDE_NETWORK,
                TASKSIDE_ADDRESS,
            )
            return None

        return await self._run(ensure)

    async def join_taskside(self, container_id: str) -> None:
        def join(api: APIClient) -> None:
            try:
                api.connect_container_to_network(container_id, TASKSIDE_NETWORK)
            except docker.errors.APIError as exc:
                if "already exists" not in str(exc):
                    raise

        await self._run(join)

    async def stats(self, container_id: str) -> dict[str, Any] | None:
        def read(api: APIClient) -> dict[str, Any] | None:
            try:
                # one_shot: no second sample (and no second of waiting); precpu is empty.
                return dict(api.stats(container_id, decode=False, stream=False, one_shot=True))
            except docker.errors.NotFound:
                return None

        return await self._run(read)
