"""Lifecycle policies: Put / Get / DeleteLifecyclePolicy and Start /
GetLifecyclePolicyPreview.

A policy is checked whole by model/ecr/lifecycle.check before it is stored (AWS's
schema-validator texts). Storing or deleting one records `EcrImagesChanged`, so the
lifecycle controller (controllers/ecr_lifecycle.py) applies it within about a second —
AWS takes up to a day. A preview is the same engine run on the repository's images as
they are when it is read, so GetLifecyclePolicyPreview always answers COMPLETE.
"""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError, clip
from ...aws.provider import Context
from ...model.ecr import images, lifecycle, lifecycle_runs
from ...model.ecr import repositories as model
from .. import pagination
from . import checks
from .api import invalid, operation


def _check(text: str) -> str:
    try:
        lifecycle.check(text)
    except lifecycle.PolicyError as e:
        raise invalid(e.message) from None
    return text


def not_found(ctx: Context, name: str) -> AwsError:
    return AwsError(
        "LifecyclePolicyNotFoundException",
        f"Lifecycle policy does not exist for the repository with name '{clip(name, 256)}' "
        f"in the registry with id '{ctx.account}'",
    )


def _answer(ctx: Context, row: Any, text: str) -> dict[str, Any]:
    return {"registryId": ctx.account, "repositoryName": row.name, "lifecyclePolicyText": text}


@operation("PutLifecyclePolicy", write=True)
def put_lifecycle_policy(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    text = _check(p["lifecyclePolicyText"])
    row = model.update(ctx, model.require(ctx, p["repositoryName"]).name, lifecycle_policy=text)
    lifecycle_runs.changed(ctx, row.name)
    return _answer(ctx, row, text)


@operation("GetLifecyclePolicy")
def get_lifecycle_policy(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = model.require(ctx, p["repositoryName"])
    if row.lifecycle_policy is None:
        raise not_found(ctx, row.name)
    return {**_answer(ctx, row, row.lifecycle_policy), "lastEvaluatedAt": row.lifecycle_updated}


@operation("DeleteLifecyclePolicy", write=True)
def delete_lifecycle_policy(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = model.require(ctx, p["repositoryName"])
    if row.lifecycle_policy is None:
        raise not_found(ctx, row.name)
    out = {**_answer(ctx, row, row.lifecycle_policy), "lastEvaluatedAt": row.lifecycle_updated}
    model.update(ctx, row.name, lifecycle_policy=None)
    return out


@operation("StartLifecyclePolicyPreview", write=True)
def start_lifecycle_policy_preview(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = model.require(ctx, p["repositoryName"])
    text = p.get("lifecyclePolicyText")
    if text is None:
        if row.lifecycle_policy is None:
            raise not_found(ctx, row.name)
        text = row.lifecycle_policy
    _check(text)
    lifecycle_runs.start_preview(ctx, row.name, text)
    # AWS answers IN_PROGRESS and the preview completes later; here it is complete as
    # soon as it is read.
    return {**_answer(ctx, row, text), "status": "IN_PROGRESS"}


BAD_TOKEN = pagination.INVALID_TOKEN


@operation("GetLifecyclePolicyPreview")
def get_lifecycle_policy_preview(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = model.require(ctx, p["repositoryName"])
    text = lifecycle_runs.preview_text(ctx, row.name)
    if text is None:
        # ecsd's own wording.
        raise AwsError(
            "LifecyclePolicyPreviewNotFoundException",
            f"There is no lifecycle policy preview for the repository with name "
            f"'{row.name}' in the registry with id '{ctx.account}'",
        )
    expiries = lifecycle_runs.due(ctx, row.name, text)
    for image_id in p.get("imageIds") or []:
        checks.image_id(image_id)
    wanted = p.get("imageIds")
    status = ((p.get("filter") or {}).get("tagStatus") or "ANY").upper()
    results = []
    for e in expiries:
        tags = list(e.image.tags)
        if status == "TAGGED" and not tags or status == "UNTAGGED" and tags:
            continue
        if wanted and not any(_names(w, e.image.digest, tags) for w in wanted):
            continue
        item: dict[str, Any] = {
            "imageDigest": e.image.digest,
            "imagePushedAt": e.image.pushed_at,
            "action": {"type": "EXPIRE"},
            "appliedRulePriority": e.priority,
        }
        if tags:
            item["imageTags"] = images.tags_of(ctx, row.name, e.image.digest)
        results.append(item)
    size = pagination.page_size(p, default=100, maximum=100)
    after = pagination.decode_token(p.get("nextToken"), [float, str], error=BAD_TOKEN)
    if after is not None:
        results = [r for r in results if (r["imagePushedAt"], r["imageDigest"]) > tuple(after)]
    page, rest = results[:size], results[size:]
    out: dict[str, Any] = {
        **_answer(ctx, row, text),
        "status": "COMPLETE",
        "previewResults": page,
        "summary": {"expiringImageTotalCount": len(expiries)},
    }
    if rest:
        out["nextToken"] = pagination.encode_token(
            [page[-1]["imagePushedAt"], page[-1]["imageDigest"]]
        )
    return out


def _names(image_id: dict[str, Any], digest: str, tags: list[str]) -> bool:
    d, t = image_id.get("imageDigest"), image_id.get("imageTag")
    return (d is None or d == digest) and (t is None or t in tags)
