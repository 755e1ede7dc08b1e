"""Unguessable tokens and task-role credentials, derived from one key in the data dir.

Nothing here is stored: a container's metadata token and its credentials token are
HMACs of the task ARN and container name, so they are the same after a restart of ecsd
(the environment of a running container cannot change). Minted credentials carry their
validity window in the access key id and their secret is an HMAC of that id, so the
SigV4 check (`--auth`) can recompute the secret of any key ecsd minted, without a table,
and refuses it once its window has passed.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

KEY_FILE = "taskside.key"
# Credentials are minted per hour-long window and stay valid one window more: a client
# fetching at any moment gets at least an hour, and a new key pair once the window turns
# (the SDKs refresh 15 minutes before Expiration: rotation without a gap).
WINDOW_SECONDS = 3600
VALID_WINDOWS = 2
PREFIX = "ASIA"  # AWS's prefix for temporary access key ids


def load_key(data_dir: Path) -> bytes:
    """The key, made once (0600) in the data dir."""
    path = data_dir / KEY_FILE
    try:
        return path.read_bytes()
    except FileNotFoundError:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(32))
        os.replace(tmp, path)
        return path.read_bytes()


@dataclass(frozen=True)
class Minted:
    access_key_id: str
    secret_access_key: str
    token: str
    expiration: float  # epoch seconds
    role_arn: str


class TaskKeys:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, *parts: str) -> bytes:
        return hmac.new(self._key, "\0".join(parts).encode(), hashlib.sha256).digest()

    def token(self, kind: str, task_arn: str, container: str = "") -> str:
        """`kind` ("v4", "creds") keeps one kind's token from opening the other."""
        return self._mac(kind, task_arn, container)[:16].hex()

    # -- credentials ------------------------------------------------------------------
    def mint(self, role_arn: str, task_arn: str, now: float) -> Minted:
        window = int(now // WINDOW_SECONDS)
        tag = self._mac("akid", task_arn, str(window))[:7]
        akid = PREFIX + base64.b32encode(window.to_bytes(3, "big") + tag).decode()
        # The session token names the role and the task, as STS's opaque token would.
        claims = json.dumps({"role": role_arn, "task": task_arn, "akid": akid}).encode()
        token = base64.b64encode(claims + self._mac("token", claims.decode())[:16]).decode()
        return Minted(
            access_key_id=akid,
            secret_access_key=self._secret(akid),
            token=token,
            expiration=float((window + VALID_WINDOWS) * WINDOW_SECONDS),
            role_arn=role_arn,
        )

    def _secret(self, akid: str) -> str:
        return base64.b64encode(self._mac("secret", akid)[:30]).decode()

    def secret_for(self, akid: str, now: float) -> str | None:
        """The secret of a key ecsd minted and that is still valid; None otherwise."""
        if len(akid) != 20 or not akid.startswith(PREFIX):
            return None
        try:
            raw = base64.b32decode(akid[len(PREFIX) :])
        except ValueError:
            return None
        window = int.from_bytes(raw[:3], "big")
        if now >= (window + VALID_WINDOWS) * WINDOW_SECONDS:
            return None
        return self._secret(akid)

    def role_of(self, session_token: str) -> dict[str, str] | None:
        """The claims of a session token ecsd minted (role, task, akid), or None."""
        try:
            raw = base64.b64decode(session_token, validate=True)
        except ValueError:
            return None
        claims, mac = raw[:-16], raw[-16:]
        try:
            text = claims.decode()
        except UnicodeDecodeError:
            return None
        if not hmac.compare_digest(mac, self._mac("token", text)[:16]):
            return None
        parsed = json.loads(text)
        return parsed if isinstance(parsed, dict) else None


class KeyView(Mapping[str, str]):
    """Configured keys plus the minted ones, plus those `issued` knows (AssumeRole's, kept
    in the store), as the mapping `aws/auth.verify` reads (it only looks keys up:
    iterating shows the configured ones)."""

    def __init__(
        self,
        configured: dict[str, str],
        minted: TaskKeys,
        now: Callable[[], float],
        issued: Callable[[str], str | None] | None = None,
    ) -> None:
        self._configured = configured
        self._minted = minted
        self._now = now
        self._issued = issued

    def get(self, akid: str, default: str | None = None) -> str | None:  # type: ignore[override]
        found = self._configured.get(akid) or self._minted.secret_for(akid, self._now())
        if found is None and self._issued is not None and akid.startswith(PREFIX):
            found = self._issued(akid)
        return found or default

    def __getitem__(self, akid: str) -> str:
        found = self.get(akid)
        if found is None:
            raise KeyError(akid)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._configured)

    def __len__(self) -> int:
        return len(self._configured)


def iso(epoch: float) -> str:
    """ISO 8601 in UTC with a Z, as the credentials endpoint writes Expiration."""
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
