"""Image digests: what DescribeTasks shows as a container's `imageDigest`, and what a
service deployment pins its tasks to (versionConsistency).

ECS resolves a tag to the registry's manifest digest. A locally built image has no
registry digest (no RepoDigests): its image ID (`sha256:…`, immutable like a digest)
stands in for it, both as the shown digest and as the pin, so a tag moved during a
deployment changes nothing for the tasks of that deployment.

The pins live in the runtime record of the deployment's tasks (the first one to reach
PENDING resolves; the others read it, `store_access.deployment_pins`), not in the
service: the service scheduler never talks to the engine. A deployment whose every task
was purged (scaled to zero for longer than the stopped-task retention) resolves again.
"""

from __future__ import annotations

from ...runtime.base import ImageInfo


def digest(info: ImageInfo) -> str:
    return info.digest or info.id


def pin(info: ImageInfo) -> str:
    """A reference that names exactly this image: repo@digest, or the image ID."""
    if info.digest:
        repository = info.ref.split("@", 1)[0]
        last = repository.rsplit("/", 1)[-1]
        if ":" in last:  # drop the tag: repo:tag@digest is not a valid reference
            repository = repository[: len(repository) - len(last)] + last.split(":", 1)[0]
        return f"{repository}@{info.digest}"
    return info.id
