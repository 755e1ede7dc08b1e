"""GetAuthorizationToken: what `aws ecr get-login-password` prints and `docker login`
sends back. The password is model/ecr/tokens.mint's (sealed, valid 12 hours as ECR's);
proxyEndpoint is ecsd's registry over plain HTTP (`http://127.0.0.1:<port>`), which
Docker accepts for a registry on a loopback address without any daemon.json change.
"""

from __future__ import annotations

from typing import Any

from ...aws.provider import Context
from ...model.ecr import repositories, tokens
from .api import ecr, registry_id


@ecr.operation("GetAuthorizationToken")
def get_authorization_token(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    # Deprecated `registryIds`: each must be this registry (one token serves all).
    for given in p.get("registryIds") or []:
        registry_id(ctx, {"registryId": given})
    password, expires = tokens.mint(ctx)
    return {
        "authorizationData": [
            {
                "authorizationToken": tokens.authorization_token(password),
                "expiresAt": expires,
                "proxyEndpoint": f"http://{repositories.registry_host(ctx.settings)}",
            }
        ]
    }
