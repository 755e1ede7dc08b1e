"""Images: DescribeImages, ListImages, BatchGetImage, BatchDeleteImage and PutImage.

Images are model/ecr/images.py's rows — the same ones the registry's `/v2/` side writes,
so a `docker push` shows in DescribeImages at once. The batch operations answer per image
(`failures` with ECR's failure codes) and never refuse the whole request for one bad id.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.ecr import errors, images, lifecycle_runs
from ...model.ecr import repositories as model
from .. import pagination
from . import checks
from .api import operation

NOT_FOUND = ("ImageNotFound", "Requested image not found")


def _shown(image_id: dict[str, Any]) -> str:
    return (
        "{"
        + ", ".join(f"{k}:'{image_id.get(k) or 'null'}'" for k in ("imageDigest", "imageTag"))
        + "}"
    )


def _find(ctx: Context, repository: str, image_id: dict[str, Any]) -> Row[Any] | None:
    return images.find(
        ctx, repository, digest=image_id.get("imageDigest"), tag=image_id.get("imageTag")
    )


def _mismatch(ctx: Context, repository: str, image_id: dict[str, Any]) -> bool:
    """Both parts given, the tag exists, but names another image."""
    digest, tag = image_id.get("imageDigest"), image_id.get("imageTag")
    if digest is None or tag is None:
        return False
    target = images.tag_target(ctx, repository, tag)
    return target is not None and target != digest


def _status(p: dict[str, Any]) -> str | None:
    status = (p.get("filter") or {}).get("tagStatus")
    return None if status in (None, "ANY") else status


@operation("DescribeImages")
def describe_images(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    repo = model.require(ctx, p["repositoryName"])
    ids = p.get("imageIds")
    if ids:
        if p.get("nextToken") or p.get("maxResults"):
            # ecsd's own wording of the documented rule.
            raise AwsError(
                "InvalidParameterException",
                "maxResults and nextToken cannot be used together with imageIds.",
            )
        details: dict[str, dict[str, Any]] = {}
        for image_id in ids:
            checks.image_id(image_id)
            row = _find(ctx, repo.name, image_id)
            if row is None:
                raise errors.image_not_found(_shown(image_id), repo.name, ctx.account)
            details.setdefault(row.digest, images.describe(ctx, row))
        return {"imageDetails": list(details.values())}
    q, key = images.list(ctx, repo.name, tag_status=_status(p))
    rows, token = pagination.keyset_page(ctx.conn, q, key, p, default=100, maximum=1000)
    return pagination.result("imageDetails", [images.describe(ctx, r) for r in rows], token)


@operation("ListImages")
def list_images(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    repo = model.require(ctx, p["repositoryName"])
    q, key = images.list(ctx, repo.name, tag_status=_status(p))
    rows, token = pagination.keyset_page(ctx.conn, q, key, p, default=100, maximum=1000)
    ids: list[dict[str, str]] = []
    for r in rows:
        tags = images.tags_of(ctx, repo.name, r.digest)
        ids += [{"imageDigest": r.digest, "imageTag": t} for t in tags] or [
            {"imageDigest": r.digest}
        ]
    return pagination.result("imageIds", ids, token)


@operation("BatchGetImage", write=True)  # a write: it records lastRecordedPullTime
def batch_get_image(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    repo = model.require(ctx, p["repositoryName"])
    accepted = set(p.get("acceptedMediaTypes") or [])
    found: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    for image_id in p["imageIds"]:
        problem = checks.image_id_problem(image_id)
        if problem is None and _mismatch(ctx, repo.name, image_id):
            problem = NOT_FOUND
        row = _find(ctx, repo.name, image_id) if problem is None else None
        if problem is None and row is None:
            problem = NOT_FOUND
        if problem is None and accepted and row is not None and row.media_type not in accepted:
            # ecsd's own reason: ECR may convert a manifest to an accepted type; ecsd
            # serves manifests as they were pushed.
            problem = (
                "ImageNotFound",
                f"The image's manifest is {row.media_type}, which is not among the "
                "acceptedMediaTypes (ecsd does not convert manifests).",
            )
        if problem is not None or row is None:
            code, reason = problem or NOT_FOUND
            failures.append({"imageId": image_id, "failureCode": code, "failureReason": reason})
            continue
        got = images.get_manifest(ctx, repo.name, row.digest, pull=True)
        assert got is not None  # found above, in this transaction
        manifest, media_type, digest = got
        shown = {"imageDigest": digest}
        if image_id.get("imageTag"):
            shown["imageTag"] = image_id["imageTag"]
        found.append(
            {
                "registryId": ctx.account,
                "repositoryName": repo.name,
                "imageId": shown,
                "imageManifest": manifest.decode("utf-8", "replace"),
                "imageManifestMediaType": media_type,
            }
        )
    return {"images": found, "failures": failures}


@operation("BatchDeleteImage", write=True)
def batch_delete_image(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    repo = model.require(ctx, p["repositoryName"])
    deleted: list[dict[str, str]] = []
    failures: list[dict[str, Any]] = []
    for image_id in p["imageIds"]:
        problem = checks.image_id_problem(image_id)
        if problem is None and _mismatch(ctx, repo.name, image_id):
            problem = (
                "ImageTagDoesNotMatchDigest",
                "Invalid request parameters: image tag does not match digest",
            )
        row = _find(ctx, repo.name, image_id) if problem is None else None
        if problem is None and row is None:
            problem = NOT_FOUND
        if problem is None and row is not None and image_id.get("imageDigest"):
            parents = lifecycle_runs.referenced_children(ctx, repo.name)
            if row.digest in parents:
                problem = (
                    "ImageReferencedByManifestList",
                    "Requested image referenced by a manifest list",
                )
        if problem is not None:
            failures.append(
                {"imageId": image_id, "failureCode": problem[0], "failureReason": problem[1]}
            )
            continue
        deleted.append(
            images.delete(
                ctx, repo.name, digest=image_id.get("imageDigest"), tag=image_id.get("imageTag")
            )
        )
    return {"imageIds": deleted, "failures": failures}


@operation("PutImage", write=True)
def put_image(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    repo = model.require(ctx, p["repositoryName"])
    tag, digest = p.get("imageTag"), p.get("imageDigest")
    if digest is not None:
        checks.image_id({"imageDigest": digest})
    if tag is not None:
        checks.image_id({"imageTag": tag})
    manifest = p["imageManifest"].encode("utf-8")
    out = images.put_manifest(
        ctx, repo.name, manifest, p.get("imageManifestMediaType"), tag=tag, digest=digest
    )
    if not out["new"] and not out["retagged"]:
        shown = f"Image with digest '{out['digest']}'" + (f" and tag '{tag}'" if tag else "")
        raise AwsError(
            "ImageAlreadyExistsException",
            f"{shown} already exists in the repository with name '{repo.name}' in "
            f"registry with id '{ctx.account}'",
        )
    image_id = {"imageDigest": out["digest"]}
    if tag:
        image_id["imageTag"] = tag
    return {
        "image": {
            "registryId": ctx.account,
            "repositoryName": repo.name,
            "imageId": image_id,
            "imageManifest": p["imageManifest"],
            "imageManifestMediaType": out["mediaType"],
        }
    }
