"""The registry itself: where it is (the host docker names in `repositoryUri` and logs in
to) and DescribeRegistry.

ecsd serves the registry's `/v2/` API on its own port, so the registry's address is
ecsd's: `127.0.0.1:<port>` when ecsd listens on a wildcard or loopback address — Docker
talks plain HTTP to a registry on 127.0.0.0/8 without any daemon.json change, which is
what lets `docker push <repositoryUri>:<tag>` work unchanged — else the host it listens on.
"""

from __future__ import annotations

from typing import Any

from ...aws.provider import Context
from .api import operation

_WILDCARDS = frozenset({"0.0.0.0", "::", "", "localhost", "::1"})


def registry_host(settings: Any) -> str:
    host = str(settings.host)
    if host in _WILDCARDS:
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"{host}:{settings.port}"


def repository_uri(ctx: Context, name: str) -> str:
    return f"{registry_host(ctx.settings)}/{name}"


@operation("DescribeRegistry")
def describe_registry(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    # No replication: one registry on one machine.
    return {"registryId": ctx.account, "replicationConfiguration": {"rules": []}}
