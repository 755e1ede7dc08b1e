"""Layers through the API: BatchCheckLayerAvailability, GetDownloadUrlForLayer and the
InitiateLayerUpload / UploadLayerPart / CompleteLayerUpload upload (model/ecr/uploads.py,
the same uploads and blobs the registry's `/v2/` side uses). Blobs are shared by the
whole registry, as the registry's cross-repository mount shares them.
"""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.ecr import blobs, errors, tokens, uploads
from ...model.ecr import repositories as model
from . import checks
from .api import operation

# The part size InitiateLayerUpload suggests (ECR's answer is of this order); any part
# size is accepted.
PART_SIZE = 10 * 1024 * 1024


@operation("BatchCheckLayerAvailability")
def batch_check_layer_availability(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    model.require(ctx, p["repositoryName"])
    layers: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    for digest in p["layerDigests"]:
        if not checks.DIGEST.fullmatch(digest):
            failures.append(
                {
                    "layerDigest": digest,
                    "failureCode": "InvalidLayerDigest",
                    "failureReason": "Invalid layer digest",
                }
            )
            continue
        size = blobs.size(ctx, digest)
        if size is None:
            failures.append(
                {
                    "layerDigest": digest,
                    "failureCode": "MissingLayerDigest",
                    "failureReason": "Could not find layer",  # ecsd's own reason text
                }
            )
            continue
        layers.append({"layerDigest": digest, "layerAvailability": "AVAILABLE", "layerSize": size})
    return {"layers": layers, "failures": failures}


@operation("GetDownloadUrlForLayer")
def get_download_url_for_layer(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    repo = model.require(ctx, p["repositoryName"])
    digest = p["layerDigest"]
    checks.layer_digest(digest)
    if not blobs.exists(ctx, digest):
        raise errors.layers_not_found([digest])
    # The blob on ecsd's own registry, pre-signed as AWS's S3 URL is: the token in it lets
    # any HTTP client GET this one blob without the registry's credentials.
    token = tokens.mint_download(ctx, repo.name, digest)
    host = model.registry_host(ctx.settings)
    url = f"http://{host}/v2/{repo.name}/blobs/{digest}?{tokens.DOWNLOAD_PARAM}={token}"
    return {"downloadUrl": url, "layerDigest": digest}


@operation("InitiateLayerUpload", write=True)
def initiate_layer_upload(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    repo = model.require(ctx, p["repositoryName"])
    return {"uploadId": uploads.start(ctx, repo.name), "partSize": PART_SIZE}


@operation("UploadLayerPart", write=True)
def upload_layer_part(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    repo = model.require(ctx, p["repositoryName"])
    data: bytes = p["layerPartBlob"]
    first, last = p["partFirstByte"], p["partLastByte"]
    uploads.require(ctx, p["uploadId"], repo.name)
    if last - first + 1 != len(data):
        # ecsd's own wording.
        raise AwsError(
            "InvalidLayerPartException",
            f"The layer part's byte range {first}-{last} does not match its {len(data)} bytes.",
        )
    size = uploads.append(ctx, repo.name, p["uploadId"], data, first)
    return {
        "registryId": ctx.account,
        "repositoryName": repo.name,
        "uploadId": p["uploadId"],
        "lastByteReceived": size - 1,
    }


@operation("CompleteLayerUpload", write=True)
def complete_layer_upload(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    repo = model.require(ctx, p["repositoryName"])
    upload = uploads.require(ctx, p["uploadId"], repo.name)
    digests = p["layerDigests"]
    for d in digests:
        checks.layer_digest(d, "layerDigests")
    digest = digests[0]
    if upload.size == 0:
        # ecsd's own wording (the code is ECR's).
        raise AwsError(
            "EmptyUploadException",
            f"The upload with id '{p['uploadId']}' does not contain any layer parts.",
        )
    if blobs.exists(ctx, digest):
        # ecsd's own wording, modelled on ECR's other "already exists" texts.
        raise AwsError(
            "LayerAlreadyExistsException",
            f"The layer '{digest}' already exists in the repository with name '{repo.name}' "
            f"in the registry with id '{ctx.account}'",
        )
    digest, _size = uploads.complete(ctx, repo.name, p["uploadId"], digest)
    return {
        "registryId": ctx.account,
        "repositoryName": repo.name,
        "uploadId": p["uploadId"],
        "layerDigest": digest,
    }
