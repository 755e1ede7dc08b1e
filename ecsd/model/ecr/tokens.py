"""Registry passwords: what GetAuthorizationToken hands out (base64 `AWS:<password>`)
and `docker login` sends back as Basic `AWS:<password>`.

Nothing is stored: the password is an expiry and the account, sealed with the data dir's
key (store/sealing.py, AES-GCM), so only this data dir's ecsd can have made it and no one
can extend it. Valid 12 hours, as ECR's.
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
