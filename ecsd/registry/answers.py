"""The distribution spec's error bodies (`{"errors": [{"code", "message", "detail"}]}`),
the Basic challenge, and how the model's ECR errors read as registry codes."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from ..aws.errors import AwsError

# ECR error code -> (registry code, HTTP status). ECR's registry answers an immutable
# tag with TAG_INVALID and a missing repository with NAME_UNKNOWN, as here.
_BY_AWS_CODE = {
    "RepositoryNotFoundException": ("NAME_UNKNOWN", 404),
    "LayersNotFoundException": ("MANIFEST_BLOB_UNKNOWN", 400),
    "ReferencedImagesNotFoundException": ("MANIFEST_BLOB_UNKNOWN", 400),
    "ImageDigestDoesNotMatchException": ("DIGEST_INVALID", 400),
    "ImageTagAlreadyExistsException": ("TAG_INVALID", 400),
    "ImageNotFoundException": ("MANIFEST_UNKNOWN", 404),
    "UploadNotFoundException": ("BLOB_UPLOAD_UNKNOWN", 404),
    "InvalidLayerException": ("DIGEST_INVALID", 400),
    "InvalidLayerPartException": ("BLOB_UPLOAD_INVALID", 416),
    "InvalidParameterException": ("MANIFEST_INVALID", 400),
}


class RegistryError(Exception):
    def __init__(
        self, code: str, message: str, status: int, detail: Any = None, **headers: str
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.detail = detail
        self.headers = headers


def from_aws(error: AwsError) -> RegistryError:
    code, status = _BY_AWS_CODE.get(error.code, ("UNSUPPORTED", 400))
    return RegistryError(code, error.message, status)


def error_response(error: RegistryError, *, head: bool = False) -> web.Response:
    body = {"errors": [{"code": error.code, "message": error.message, "detail": error.detail}]}
    return web.Response(
        status=error.status,
        body=None if head else json.dumps(body).encode(),
        content_type="application/json",
        headers={"Docker-Distribution-API-Version": "registry/2.0", **error.headers},
    )


def unauthorized(realm: str, why: str) -> RegistryError:
    # ECR's challenge names a realm and the service; the message text is ecsd's own.
    return RegistryError(
        "UNAUTHORIZED",
        why,
        401,
        **{"WWW-Authenticate": f'Basic realm="{realm}",service="ecr.amazonaws.com"'},
    )


def blob_unknown(digest: str) -> RegistryError:
    return RegistryError("BLOB_UNKNOWN", "blob unknown to registry", 404, detail=digest)


def manifest_unknown(ref: str) -> RegistryError:
    # ECR's text for a manifest it does not have (seen in CannotPullContainerError).
    return RegistryError(
        "MANIFEST_UNKNOWN", "Requested image not found", 404, detail={"Reference": ref}
    )
