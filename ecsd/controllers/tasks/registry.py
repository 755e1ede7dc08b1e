"""Images from ecsd's own registry: a task definition may name one by its repositoryUri
(`127.0.0.1:<port>/<repo>:<tag>`) or by the AWS form users copy from real task
definitions (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>`, this account).
Either is pulled from ecsd's registry with a freshly minted password, as ECS's agent
pulls from ECR with the execution role's token — whatever the engine's own login."""

from __future__ import annotations

from typing import Any

from ...model.ecr import repositories, tokens


def pull_args(settings: Any, image: str, now: float) -> dict[str, Any]:
    """Keyword arguments for Runtime.ensure_image: `source` and `auth` for an image of
    ecsd's registry, nothing for any other."""
    source = repositories.local_image(settings, image)
    if source is None:
        return {}
    password, _ = tokens.mint_for(settings, now)
    auth = {
        "username": "AWS",
        "password": password,
        "serveraddress": repositories.registry_host(settings),
    }
    return {"source": source, "auth": auth}
