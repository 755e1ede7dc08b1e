"""Encryption at rest for secret values (SSM SecureString and every parameter value,
Secrets Manager secrets): they reach the database only as Fernet tokens.

The key is made on first use in the data dir (`master.key`, mode 0600), written to a
temporary file and linked into place so that two processes starting together agree on
one key. Anyone who can read the data dir can read the secrets — as with any local
keystore — but a copied or inspected database file shows none of them.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from cryptography.fernet import Fernet


@functools.lru_cache(maxsize=None)
def _fernet(data_dir: Path) -> Fernet:
    path = data_dir / "master.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = data_dir / f".master.key.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(Fernet.generate_key())
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)  # fails if another process won: then theirs is the key
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return Fernet(path.read_bytes().strip())


def seal(data_dir: Path, value: bytes) -> bytes:
    return _fernet(data_dir).encrypt(value)


def unseal(data_dir: Path, token: bytes) -> bytes:
    return _fernet(data_dir).decrypt(token)
