"""Blob and upload files on disk: content-addressed, written so that a crash never leaves
a partial blob where a reader would find it.

Layout under the data dir:
  blobs/sha256/<2 hex>/<64 hex>   a complete, verified blob (read-only once there)
  uploads/<id>                    bytes of an upload in progress

An upload is appended to its own file; when it completes, its digest is verified, the
file fsynced and renamed into `blobs/` (rename is atomic), the directory fsynced, and only
then the `ecr_blobs` row written (blobs.record). A `kill -9` at any point leaves either
an upload file (resumable or swept) or a complete blob, never a visible half.

Everything here is blocking file I/O: callers on the event loop run it in a thread.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

DIGEST = re.compile(r"^sha256:([a-f0-9]{64})$")
CHUNK = 1024 * 1024


class DigestMismatch(Exception):
    """The bytes received do not hash to the digest the client named."""

    def __init__(self, given: str, actual: str) -> None:
        super().__init__(f"{given} != {actual}")
        self.given = given
        self.actual = actual


def valid_digest(digest: str) -> bool:
    return DIGEST.match(digest) is not None


def blob_path(data_dir: Path, digest: str) -> Path:
    m = DIGEST.match(digest)
    if m is None:
        raise ValueError(f"not a sha256 digest: {digest[:100]!r}")
    hexa = m.group(1)
    return Path(data_dir) / "blobs" / "sha256" / hexa[:2] / hexa


def uploads_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "uploads"


def upload_path(data_dir: Path, upload_id: str) -> Path:
    if not re.fullmatch(r"[a-f0-9-]{32,36}", upload_id):
        raise ValueError("not an upload id")
    return uploads_dir(data_dir) / upload_id


def create_upload(data_dir: Path, upload_id: str) -> None:
    path = upload_path(data_dir, upload_id)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))


def upload_size(data_dir: Path, upload_id: str) -> int | None:
    try:
        return upload_path(data_dir, upload_id).stat().st_size
    except FileNotFoundError:
        return None


def append(data_dir: Path, upload_id: str, data: bytes) -> int:
    """Append `data`; the upload's size after it."""
    with open(upload_path(data_dir, upload_id), "ab") as f:
        f.write(data)
        return f.tell()


def hash_file(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
    return "sha256:" + h.hexdigest(), size


def finish(data_dir: Path, upload_id: str, digest: str, actual: str | None = None) -> int:
    """Move a complete upload into place as blob `digest`; its size.

    `actual` is the digest the caller computed while receiving (else the file is hashed
    here). A mismatch raises DigestMismatch and removes the upload: the client starts
    again, and nothing is stored."""
    src = upload_path(data_dir, upload_id)
    if actual is None:
        actual, _ = hash_file(src)
    if actual != digest:
        src.unlink(missing_ok=True)
        raise DigestMismatch(digest, actual)
    dst = blob_path(data_dir, digest)
    fd = os.open(src, os.O_RDONLY)
    try:
        os.fsync(fd)
        size = os.fstat(fd).st_size
    finally:
        os.close(fd)
    dst.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.replace(src, dst)  # the same bytes if it was already there: content-addressed
    _fsync_dir(dst.parent)
    return size


def write_blob(data_dir: Path, data: bytes) -> tuple[str, int]:
    """Store small `data` (a manifest's config pushed through the API) as a blob."""
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    dst = blob_path(data_dir, digest)
    if dst.exists():
        return digest, len(data)
    dst.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, dst)
    _fsync_dir(dst.parent)
    return digest, len(data)


def read_range(
    data_dir: Path, digest: str, start: int = 0, end: int | None = None
) -> Iterator[bytes]:
    """The blob's bytes [start, end] (inclusive end, as HTTP ranges), in chunks."""
    with open(blob_path(data_dir, digest), "rb") as f:
        f.seek(start)
        left = None if end is None else end - start + 1
        while left is None or left > 0:
            chunk = f.read(CHUNK if left is None else min(CHUNK, left))
            if not chunk:
                return
            if left is not None:
                left -= len(chunk)
            yield chunk


def remove_blob(data_dir: Path, digest: str) -> None:
    blob_path(data_dir, digest).unlink(missing_ok=True)


def remove_upload(data_dir: Path, upload_id: str) -> None:
    try:
        upload_path(data_dir, upload_id).unlink(missing_ok=True)
    except ValueError:
        pass


def upload_ids(data_dir: Path) -> list[str]:
    try:
        return [p.name for p in uploads_dir(data_dir).iterdir()]
    except FileNotFoundError:
        return []


def blob_digests(data_dir: Path) -> Iterator[str]:
    """Every blob file on disk (for the sweep of files no row names)."""
    root = Path(data_dir) / "blobs" / "sha256"
    if not root.exists():
        return
    for sub in root.iterdir():
        for p in sub.iterdir():
            if len(p.name) == 64 and not p.name.startswith("."):
                yield "sha256:" + p.name


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
