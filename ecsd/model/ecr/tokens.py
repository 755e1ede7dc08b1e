"""Registry passwords: what GetAuthorizationToken hands out (base64 `AWS:<password>`)
and `docker login` sends back as Basic `AWS:<password>`.

Nothing is stored: the password is an expiry and the account, sealed with the data dir's
key (store/sealing.py, AES-GCM), so only this data dir's ecsd can have made it and no one
can extend it. Valid 12 hours, as ECR's.

A layer's download URL (GetDownloadUrlForLayer) carries a token of its own, sealed the
same way and good for that one blob of that one repository only: AWS hands out a
pre-signed S3 URL that any HTTP client fetches without credentials.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from ...core.unit import Unit
from ...store import sealing

VALID_FOR = 12 * 3600.0
_CONTEXT = "ecr/registry-password/"
# How long a layer's download URL works: ecsd's choice (AWS does not document its own).
DOWNLOAD_VALID_FOR = 3600.0
_DOWNLOAD_CONTEXT = "ecr/layer-download/"
# The query parameter of a download URL that carries the token (ecsd's own name).
DOWNLOAD_PARAM = "X-Ecsd-Download"


def mint(unit: Unit) -> tuple[str, float]:
    """(password, expires_at) for the unit's account."""
    return mint_for(unit.settings, unit.now)


def mint_for(settings: Any, now: float) -> tuple[str, float]:
    """(password, expires_at) for `settings.account_id`, minted at `now` (the task
    controller's own pulls)."""
    expires = now + VALID_FOR
    account = settings.account_id
    body = json.dumps({"a": account, "e": expires}).encode()
    sealed = sealing.seal(settings.data_dir, body, _CONTEXT + account)
    return base64.urlsafe_b64encode(sealed).decode().rstrip("="), expires


def verify(settings: Any, password: str, now: float) -> bool:
    """Whether `password` is one this data dir minted for `settings.account_id` and not
    yet expired at `now`."""
    if not password or len(password) > 4096:
        return False
    try:
        sealed = base64.urlsafe_b64decode(password + "=" * (-len(password) % 4))
        body = json.loads(sealing.unseal(settings.data_dir, sealed, _CONTEXT + settings.account_id))
    except (binascii.Error, ValueError, sealing.SealError):
        return False
    if not isinstance(body, dict) or body.get("a") != settings.account_id:
        return False
    expires = body.get("e")
    return isinstance(expires, (int, float)) and now < expires


def authorization_token(password: str) -> str:
    """GetAuthorizationToken's authorizationToken: base64 of `AWS:<password>`."""
    return base64.b64encode(f"AWS:{password}".encode()).decode()


def mint_download(unit: Unit, repository: str, digest: str) -> str:
    """The token a download URL carries for `repository`'s blob `digest`."""
    body = {"a": unit.account, "e": unit.now + DOWNLOAD_VALID_FOR, "r": repository, "d": digest}
    context = _DOWNLOAD_CONTEXT + unit.account
    sealed = sealing.seal(unit.settings.data_dir, json.dumps(body).encode(), context)
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def verify_download(settings: Any, token: str, repository: str, digest: str, now: float) -> bool:
    """Whether `token` is a download token this data dir minted for exactly this blob of
    this repository, not yet expired at `now`."""
    if not token or len(token) > 4096:
        return False
    account = settings.account_id
    try:
        sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        body = json.loads(sealing.unseal(settings.data_dir, sealed, _DOWNLOAD_CONTEXT + account))
    except (binascii.Error, ValueError, sealing.SealError):
        return False
    if not isinstance(body, dict) or (body.get("a"), body.get("r"), body.get("d")) != (
        account,
        repository,
        digest,
    ):
        return False
    expires = body.get("e")
    return isinstance(expires, (int, float)) and now < expires
