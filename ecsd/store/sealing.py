"""Encryption at rest for secret values: every SSM parameter value (SecureString or not)
and every Secrets Manager secret reaches the database only as AES-256-GCM ciphertext.

The key is made on first use in the data dir (`master.key`, mode 0600). It is written
to a uniquely named temporary file, fsynced, and then hard-linked into place: the link
either creates `master.key` whole or fails because another process or thread won, in
which case the winner's key is used. Nobody can ever read a half-written key, and two
servers starting together on one data dir agree on one key.

Each value is sealed with a `context` naming where it belongs (e.g. `ssm/<region>/
<name>/<version>`), bound in as GCM associated data: a ciphertext copied into another
row of the database does not open there. Anyone who can read the data dir can read the
secrets — as with any local keystore — but a copied or inspected database file shows
none of them.
"""

from __future__ import annotations

import base64
import os
import threading
import uuid
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_FILE = "master.key"
_FORMAT = b"\x01"  # first byte of every sealed value: the layout below, for later change
_NONCE = 12

_lock = threading.Lock()
_keys: dict[Path, AESGCM] = {}


class SealError(Exception):
    """A sealed value that does not open with this data dir's key (never shows it)."""


def _create_key(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{KEY_FILE}.{os.getpid()}.{uuid.uuid4().hex}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)) + b"\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # someone else's key is in place: that one is the key
        else:
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)  # the new name survives a power cut, like the data
            finally:
                os.close(dir_fd)
    finally:
        tmp.unlink(missing_ok=True)


def _aead(data_dir: Path) -> AESGCM:
    data_dir = Path(data_dir).resolve()
    with _lock:
        aead = _keys.get(data_dir)
        if aead is None:
            path = data_dir / KEY_FILE
            if not path.exists():
                _create_key(path)
            aead = AESGCM(base64.urlsafe_b64decode(path.read_bytes().strip()))
            _keys[data_dir] = aead
        return aead


def seal(data_dir: Path, value: bytes, context: str) -> bytes:
    nonce = os.urandom(_NONCE)
    return _FORMAT + nonce + _aead(data_dir).encrypt(nonce, value, context.encode())


def unseal(data_dir: Path, token: bytes, context: str) -> bytes:
    if token[:1] != _FORMAT:
        raise SealError(f"unknown sealed-value format for {context}")
    nonce, body = token[1 : 1 + _NONCE], token[1 + _NONCE :]
    try:
        return _aead(data_dir).decrypt(nonce, body, context.encode())
    except InvalidTag:
        raise SealError(
            f"the value of {context} does not open with this data dir's {KEY_FILE}"
        ) from None
