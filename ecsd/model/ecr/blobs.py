"""Blob rows: a blob is visible (HEAD, GET, referable by a manifest) once its row exists,
and its row is written only after its file is in place (storage.finish). Blobs are
shared by every repository of the registry (content-addressed); what makes one live is
an image that refers to it (`ecr_image_refs`). Garbage is a blob no image refers to and
older than GRACE, so that layers of a push in progress (uploaded, manifest not yet put)
are spared.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy import exists as sa_exists

from ...core.unit import Unit
from ...store.schema.ecr import ecr_blobs, ecr_image_refs

# Seconds an unreferenced blob is kept: a push uploads its layers before its manifest,
# and a slow push of many layers must not lose its first ones.
GRACE = 3600.0


def get(unit: Unit, digest: str) -> Any:
    return unit.conn.execute(select(ecr_blobs).where(ecr_blobs.c.digest == digest)).first()


def exists(unit: Unit, digest: str) -> bool:
    return get(unit, digest) is not None


def size(unit: Unit, digest: str) -> int | None:
    row = get(unit, digest)
    return None if row is None else int(row.size)


def record(unit: Unit, digest: str, nbytes: int) -> None:
    """The blob's file is in place: make it visible (again: a re-push refreshes its age,
    so a blob about to be used is not collected under the push)."""
    if get(unit, digest) is None:
        unit.conn.execute(insert(ecr_blobs).values(digest=digest, size=nbytes, created=unit.now))
    else:
        unit.conn.execute(
            ecr_blobs.update().where(ecr_blobs.c.digest == digest).values(created=unit.now)
        )


def missing(unit: Unit, digests: list[str]) -> list[str]:
    """Those of `digests` the registry does not hold, in the order given."""
    if not digests:
        return []
    have = set(
        unit.conn.execute(select(ecr_blobs.c.digest).where(ecr_blobs.c.digest.in_(digests)))
        .scalars()
        .all()
    )
    return [d for d in digests if d not in have]


def collect(unit: Unit, grace: float = GRACE) -> list[str]:
    """Forget blobs no image refers to and older than `grace`; their digests (the caller
    removes the files once this has committed)."""
    referenced = sa_exists().where(ecr_image_refs.c.ref == ecr_blobs.c.digest)
    digests = list(
        unit.conn.execute(
            select(ecr_blobs.c.digest).where(~referenced, ecr_blobs.c.created < unit.now - grace)
        )
        .scalars()
        .all()
    )
    if digests:
        unit.conn.execute(delete(ecr_blobs).where(ecr_blobs.c.digest.in_(digests)))
    return digests


def known(unit: Unit, digests: list[str]) -> set[str]:
    """Those of `digests` that have a row (the sweep of orphan files asks)."""
    if not digests:
        return set()
    return set(
        unit.conn.execute(select(ecr_blobs.c.digest).where(ecr_blobs.c.digest.in_(digests)))
        .scalars()
        .all()
    )
