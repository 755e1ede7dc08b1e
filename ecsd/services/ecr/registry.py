"""DescribeRegistry: the one registry ecsd hosts (this account's, no replication).

Where the registry is — the `host:port` in every repositoryUri and proxyEndpoint — is
model/ecr/repositories.registry_host's to say, the one answer the registry's HTTP side
and the API share.
"""

from __future__ import annotations

from typing import Any

from ...aws.provider import Context
from .api import operation


@operation("DescribeRegistry")
def describe_registry(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return {"registryId": ctx.account, "replicationConfiguration": {"rules": []}}
