"""Lifecycle policies applied to stored images: what a repository's images look like
to the engine (model/ecr/lifecycle.py), the expiry pass the controller runs, and the
preview texts StartLifecyclePolicyPreview keeps.

An image that a manifest list (or OCI index) of the repository names is never a
candidate: deleting it would break the index, and ECR refuses to delete it
(ImageReferencedByManifestList); the index's own expiry frees it for a later pass.
"""

from __future__ import annotations

from sqlalchemy import delete, insert, select

from ...core.bus import EcrImagesChanged
from ...core.unit import Unit
from ...store.schema.ecr import ecr_image_refs, ecr_images, ecr_repositories, ecr_tags
from ...store.schema.ecr_lifecycle import ecr_lifecycle_previews
from . import images, lifecycle


def referenced_children(unit: Unit, repository: str) -> set[str]:
    """Digests of the repository's images an index of the repository names."""
    return set(
        unit.conn.execute(
            select(ecr_image_refs.c.ref).where(
                ecr_image_refs.c.region == unit.region,
                ecr_image_refs.c.repository == repository,
                ecr_image_refs.c.kind == "manifest",
            )
        ).scalars()
    )


def candidates(unit: Unit, repository: str) -> list[lifecycle.Image]:
    """The repository's images as the engine sees them (children of an index left out)."""
    tags: dict[str, list[str]] = {}
    for digest, tag in unit.conn.execute(
        select(ecr_tags.c.digest, ecr_tags.c.tag).where(
            ecr_tags.c.region == unit.region, ecr_tags.c.repository == repository
        )
    ):
        tags.setdefault(digest, []).append(tag)
    children = referenced_children(unit, repository)
    return [
        lifecycle.Image(digest, tuple(sorted(tags.get(digest, ()))), float(pushed))
        for digest, pushed in unit.conn.execute(
            select(ecr_images.c.digest, ecr_images.c.pushed).where(
                ecr_images.c.region == unit.region, ecr_images.c.repository == repository
            )
        )
        if digest not in children
    ]


def due(unit: Unit, repository: str, policy_text: str) -> list[lifecycle.Expiry]:
    """What `policy_text` expires in `repository` now."""
    return lifecycle.evaluate(lifecycle.check(policy_text), candidates(unit, repository), unit.now)


def regions_with_policies(unit: Unit) -> list[str]:
    return list(
        unit.conn.execute(
            select(ecr_repositories.c.region)
            .where(ecr_repositories.c.lifecycle_policy.is_not(None))
            .distinct()
        ).scalars()
    )


def expire_due(unit: Unit) -> int:
    """Delete the images every lifecycle policy of the unit's region expires now (in
    the unit's one transaction); how many were deleted."""
    done = 0
    for name, text in unit.conn.execute(
        select(ecr_repositories.c.name, ecr_repositories.c.lifecycle_policy).where(
            ecr_repositories.c.region == unit.region,
            ecr_repositories.c.lifecycle_policy.is_not(None),
        )
    ).all():
        try:
            expiries = due(unit, name, text)
        except lifecycle.PolicyError:
            continue  # stored before a stricter check: never applied half-understood
        for e in expiries:
            images.delete(unit, name, digest=e.image.digest)
            done += 1
    return done


def changed(unit: Unit, repository: str) -> None:
    """Tell the lifecycle controller (once committed) that `repository` changed."""
    unit.record(EcrImagesChanged(unit.region, repository))


def start_preview(unit: Unit, repository: str, policy_text: str) -> None:
    forget_preview(unit, repository)
    unit.conn.execute(
        insert(ecr_lifecycle_previews).values(
            region=unit.region, repository=repository, policy=policy_text, started=unit.now
        )
    )


def preview_text(unit: Unit, repository: str) -> str | None:
    return unit.conn.execute(
        select(ecr_lifecycle_previews.c.policy).where(
            ecr_lifecycle_previews.c.region == unit.region,
            ecr_lifecycle_previews.c.repository == repository,
        )
    ).scalar_one_or_none()


def forget_preview(unit: Unit, repository: str) -> None:
    unit.conn.execute(
        delete(ecr_lifecycle_previews).where(
            ecr_lifecycle_previews.c.region == unit.region,
            ecr_lifecycle_previews.c.repository == repository,
        )
    )
