"""Repositories: CreateRepository, DescribeRepositories, DeleteRepository,
PutImageTagMutability and PutImageScanningConfiguration.

The rows are model/ecr/repositories.py's. What the model leaves to the API is checked
here before anything is written: tags, the mutability and its exclusion filters, the
encryption configuration (stored as given; ecsd encrypts nothing with KMS).
"""

from __future__ import annotations

from typing import Any

from ...aws.provider import Context
from ...model.ecr import lifecycle_runs
from ...model.ecr import repositories as model
from .. import pagination
from . import checks
from .api import check_name, invalid, operation


def encryption(p: dict[str, Any]) -> dict[str, Any]:
    given = p.get("encryptionConfiguration")
    if given is None:
        return {"encryptionType": "AES256"}
    kind = given["encryptionType"]
    if kind == "AES256" and given.get("kmsKey"):
        # ecsd's own wording of ECR's rule: a KMS key only goes with KMS encryption.
        raise invalid("A KMS key can only be specified with the KMS or KMS_DSSE encryption type.")
    return {k: v for k, v in given.items() if v is not None}


@operation("CreateRepository", write=True)
def create_repository(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    mutability, filters = checks.mutability(p)
    tags = checks.merged_tags([], p.get("tags") or [])
    scanning = {"scanOnPush": bool((p.get("imageScanningConfiguration") or {}).get("scanOnPush"))}
    doc = model.create(
        ctx,
        p["repositoryName"],
        mutability=mutability,
        scanning=scanning,
        encryption=encryption(p),
        tags=tags,
        extra={"imageTagMutabilityExclusionFilters": filters} if filters else None,
    )
    return {"repository": {**doc, "repositoryUri": model.uri(ctx, p["repositoryName"])}}


@operation("DescribeRepositories")
def describe_repositories(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    names = p.get("repositoryNames")
    if names:
        for name in names:
            check_name(name)  # AWS names the member `repositoryName` here too
            model.require(ctx, name)  # the first missing one is the error, as on AWS
    q, key = model.list_keyset(ctx, list(names) if names else None)
    rows, token = pagination.keyset_page(ctx.conn, q, key, p, default=100, maximum=1000)
    return pagination.result("repositories", [model.describe(ctx, r) for r in rows], token)


@operation("DeleteRepository", write=True)
def delete_repository(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    doc = model.delete(ctx, p["repositoryName"], force=bool(p.get("force")))
    lifecycle_runs.forget_preview(ctx, p["repositoryName"])
    return {"repository": doc}


@operation("PutImageTagMutability", write=True)
def put_image_tag_mutability(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    mutability, filters = checks.mutability(p)
    row = model.require(ctx, p["repositoryName"])
    doc = {k: v for k, v in row.doc.items() if k != "imageTagMutabilityExclusionFilters"}
    if filters:
        doc["imageTagMutabilityExclusionFilters"] = filters
    model.update(ctx, row.name, doc=doc)  # the filters replaced (or dropped) as a whole
    model.update(ctx, row.name, mutability=mutability)
    out: dict[str, Any] = {
        "registryId": ctx.account,
        "repositoryName": row.name,
        "imageTagMutability": mutability,
    }
    if filters:
        out["imageTagMutabilityExclusionFilters"] = filters
    return out


@operation("PutImageScanningConfiguration", write=True)
def put_image_scanning_configuration(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    scanning = {"scanOnPush": bool(p["imageScanningConfiguration"].get("scanOnPush"))}
    row = model.update(
        ctx, p["repositoryName"], doc_fields={"imageScanningConfiguration": scanning}
    )
    return {
        "registryId": ctx.account,
        "repositoryName": row.name,
        "imageScanningConfiguration": scanning,
    }
