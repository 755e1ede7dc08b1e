"""Images: one row per manifest in a repository, tags pointing at them, and what each
refers to. A push (registry PUT or PutImage) is one transaction: the image, its
references and its tag appear together or not at all, and only once every blob (or
child manifest) it names is present.

Image ids are ECR's `{"imageDigest": ..., "imageTag": ...}` (either or both).
"""

from __future__ import annotations

import builtins
import hashlib
from typing import Any

from sqlalchemy import Row, and_, exists, func, insert, select, update
from sqlalchemy import delete as sa_delete

from ...aws.errors import AwsError
from ...core.bus import EcrImagesChanged
from ...core.unit import Unit
from ...store.schema.ecr import ecr_image_refs, ecr_images, ecr_tags
from ..keyset import Keyset
from . import blobs, errors, manifests, mutability, repositories, storage


def digest_of(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()


def _where(unit: Unit, repository: str, table: Any = ecr_images) -> Any:
    return and_(table.c.region == unit.region, table.c.repository == repository)


def by_digest(unit: Unit, repository: str, digest: str) -> Row[Any] | None:
    return unit.conn.execute(
        select(ecr_images).where(_where(unit, repository), ecr_images.c.digest == digest)
    ).first()


def tag_target(unit: Unit, repository: str, tag: str) -> str | None:
    return unit.conn.execute(
        select(ecr_tags.c.digest).where(_where(unit, repository, ecr_tags), ecr_tags.c.tag == tag)
    ).scalar_one_or_none()


def tags_of(unit: Unit, repository: str, digest: str) -> builtins.list[str]:
    return [
        *unit.conn.execute(
            select(ecr_tags.c.tag)
            .where(_where(unit, repository, ecr_tags), ecr_tags.c.digest == digest)
            .order_by(ecr_tags.c.tagged, ecr_tags.c.tag)
        ).scalars()
    ]


def find(
    unit: Unit, repository: str, *, digest: str | None = None, tag: str | None = None
) -> Row[Any] | None:
    """The image an imageId names (both parts must agree when both are given)."""
    if tag is not None:
        target = tag_target(unit, repository, tag)
        if target is None or (digest is not None and digest != target):
            return None
        digest = target
    if digest is None:
        return None
    return by_digest(unit, repository, digest)


def reference(unit: Unit, repository: str, ref: str) -> Row[Any] | None:
    """The image a registry reference names: `sha256:...` or a tag."""
    if storage.valid_digest(ref):
        return by_digest(unit, repository, ref)
    return find(unit, repository, tag=ref)


def get_manifest(
    unit: Unit, repository: str, ref: str, *, pull: bool = True
) -> tuple[bytes, str, str] | None:
    """(manifest bytes, media type, digest) of the image `ref` names, or None. A `pull`
    records lastRecordedPullTime (a write: call it in a write unit)."""
    row = reference(unit, repository, ref)
    if row is None:
        return None
    if pull:
        unit.conn.execute(
            update(ecr_images)
            .where(_where(unit, repository), ecr_images.c.digest == row.digest)
            .values(last_pull=unit.now)
        )
    return bytes(row.manifest), row.media_type, row.digest


def put_manifest(
    unit: Unit,
    repository: str,
    manifest: bytes,
    media_type: str | None = None,
    *,
    tag: str | None = None,
    digest: str | None = None,
) -> dict[str, Any]:
    """Store a pushed manifest (and point `tag` at it); what happened:
    {"digest", "mediaType", "size", "new": image created, "retagged": tag moved or added}.

    Refused, with nothing stored: a `digest` the bytes do not have
    (ImageDigestDoesNotMatchException), a body that is no manifest
    (InvalidParameterException), blobs not present (LayersNotFoundException), child
    manifests not in the repository (ReferencedImagesNotFoundException), an existing tag
    of an IMMUTABLE repository moved (ImageTagAlreadyExistsException)."""
    repo = repositories.require(unit, repository)
    actual = digest_of(manifest)
    if digest is not None and digest != actual:
        raise errors.digest_mismatch(digest, actual)
    if tag is not None and not manifests.TAG.match(tag):
        raise AwsError("InvalidParameterException", f"Invalid parameter at 'imageTag': {tag!r}")
    parsed = manifests.parse(manifest, media_type)
    absent = blobs.missing(unit, parsed.blobs)
    if absent:
        raise errors.layers_not_found(absent)
    size = parsed.layer_bytes
    if parsed.children:
        sizes = []
        for child in parsed.children:
            row = by_digest(unit, repository, child)
            if row is None:
                raise AwsError(
                    "ReferencedImagesNotFoundException",
                    f"The manifest list references image {child} which does not exist "
                    f"in the repository '{repository}'.",
                )
            sizes.append(int(row.size))
        size = max(sizes, default=0)
    previous = tag_target(unit, repository, tag) if tag is not None else None
    if (
        previous is not None
        and previous != actual
        and not mutability.repository_allows(repo, tag or "")
    ):
        raise errors.tag_exists(tag or "", repository, unit.account)
    new = by_digest(unit, repository, actual) is None
    if new:
        unit.conn.execute(
            insert(ecr_images).values(
                region=unit.region,
                repository=repository,
                digest=actual,
                media_type=parsed.media_type,
                artifact_media_type=parsed.artifact_media_type,
                size=size,
                pushed=unit.now,
                manifest=manifest,
            )
        )
        refs = [(b, "blob") for b in parsed.blobs] + [(c, "manifest") for c in parsed.children]
        if refs:
            unit.conn.execute(
                insert(ecr_image_refs),
                [
                    dict(region=unit.region, repository=repository, image=actual, ref=r, kind=k)
                    for r, k in refs
                ],
            )
    retagged = tag is not None and previous != actual
    if new or retagged:  # the lifecycle controller evaluates the policy again
        unit.record(EcrImagesChanged(unit.region, repository))
    if retagged:
        if previous is None:
            unit.conn.execute(
                insert(ecr_tags).values(
                    region=unit.region,
                    repository=repository,
                    tag=tag,
                    digest=actual,
                    tagged=unit.now,
                )
            )
        else:
            unit.conn.execute(
                update(ecr_tags)
                .where(_where(unit, repository, ecr_tags), ecr_tags.c.tag == tag)
                .values(digest=actual, tagged=unit.now)
            )
    return {
        "digest": actual,
        "mediaType": parsed.media_type,
        "size": size,
        "new": new,
        "retagged": retagged,
    }


def _drop_image(unit: Unit, repository: str, digest: str) -> None:
    for table, column in (
        (ecr_tags, ecr_tags.c.digest),
        (ecr_image_refs, ecr_image_refs.c.image),
        (ecr_images, ecr_images.c.digest),
    ):
        unit.conn.execute(sa_delete(table).where(_where(unit, repository, table), column == digest))
    unit.record(EcrImagesChanged(unit.region, repository, deleted=True))


def delete(
    unit: Unit, repository: str, *, digest: str | None = None, tag: str | None = None
) -> dict[str, str]:
    """Delete what an imageId names, as BatchDeleteImage: by digest the image and all
    its tags; by tag only that tag, and the image too once it has no tag left. The
    imageId deleted; ImageNotFoundException if it names nothing. Blobs are left to the
    garbage collector."""
    row = find(unit, repository, digest=digest, tag=tag)
    if row is None:
        what = (
            "{"
            + ", ".join(f"{k}:'{v}'" for k, v in (("imageDigest", digest), ("imageTag", tag)) if v)
            + "}"
        )
        raise errors.image_not_found(what, repository, unit.account)
    if tag is not None and digest is None:
        unit.conn.execute(
            sa_delete(ecr_tags).where(_where(unit, repository, ecr_tags), ecr_tags.c.tag == tag)
        )
        if not tags_of(unit, repository, row.digest):
            _drop_image(unit, repository, row.digest)
        return {"imageDigest": row.digest, "imageTag": tag}
    _drop_image(unit, repository, row.digest)
    out = {"imageDigest": row.digest}
    if tag is not None:
        out["imageTag"] = tag
    return out


def untag(unit: Unit, repository: str, tag: str) -> bool:
    """Remove only the tag (the registry's DELETE of a tag); whether it existed."""
    result = unit.conn.execute(
        sa_delete(ecr_tags).where(_where(unit, repository, ecr_tags), ecr_tags.c.tag == tag)
    )
    return bool(result.rowcount)


def list(unit: Unit, repository: str, *, tag_status: str | None = None) -> Keyset:  # noqa: A001
    """The repository's images in digest order, for services/pagination.py; `tag_status`
    TAGGED / UNTAGGED / ANY (None) filters as ListImages' and DescribeImages' filter."""
    tagged = exists().where(
        _where(unit, repository, ecr_tags), ecr_tags.c.digest == ecr_images.c.digest
    )
    q = select(ecr_images).where(_where(unit, repository))
    if tag_status == "TAGGED":
        q = q.where(tagged)
    elif tag_status == "UNTAGGED":
        q = q.where(~tagged)
    return Keyset(q.order_by(ecr_images.c.digest), [ecr_images.c.digest])


def all_tags(
    unit: Unit, repository: str, *, last: str | None = None, n: int | None = None
) -> builtins.list[str]:
    """Tag names in lexical order after `last`, at most `n` (the registry's tag list)."""
    q = select(ecr_tags.c.tag).where(_where(unit, repository, ecr_tags))
    if last:
        q = q.where(ecr_tags.c.tag > last)
    q = q.order_by(ecr_tags.c.tag)
    if n is not None:
        q = q.limit(n)
    return [*unit.conn.execute(q).scalars()]


def describe(unit: Unit, row: Row[Any]) -> dict[str, Any]:
    """The imageDetail DescribeImages shows for an image row."""
    detail: dict[str, Any] = {
        "registryId": unit.account,
        "repositoryName": row.repository,
        "imageDigest": row.digest,
        "imageSizeInBytes": int(row.size),
        "imagePushedAt": row.pushed,
        "imageManifestMediaType": row.media_type,
    }
    tags = tags_of(unit, row.repository, row.digest)
    if tags:
        detail["imageTags"] = tags
    if row.artifact_media_type:
        detail["artifactMediaType"] = row.artifact_media_type
    if row.last_pull is not None:
        detail["lastRecordedPullTime"] = row.last_pull
    return detail


def count(unit: Unit, repository: str) -> int:
    return int(
        unit.conn.execute(
            select(func.count()).select_from(ecr_images).where(_where(unit, repository))
        ).scalar_one()
    )
