"""Uploads in progress: a row (who, where, how many bytes so far) and a file
(storage.upload_path). Used by the registry's POST/PATCH/PUT and by the ECR API's
InitiateLayerUpload / UploadLayerPart / CompleteLayerUpload.

`append` and `complete` here do their file I/O inside the caller's unit: right for the
API, whose parts are small and arrive base64 in a JSON body. The registry streams
instead: it writes with storage.* in a thread and records the result with `note` and
`commit`.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, insert, select, update

from ...aws.errors import AwsError
from ...core.unit import Unit
from ...store.schema.ecr import ecr_uploads
from . import blobs, storage

# Seconds after its last byte an abandoned upload is removed by the sweep.
ABANDONED = 24 * 3600.0


def upload_not_found(upload_id: str) -> AwsError:
    return AwsError(
        "UploadNotFoundException", f"The upload with id '{upload_id}' could not be found."
    )


def get(unit: Unit, upload_id: str) -> Any:
    return unit.conn.execute(select(ecr_uploads).where(ecr_uploads.c.id == upload_id)).first()


def require(unit: Unit, upload_id: str, repository: str) -> Any:
    row = get(unit, upload_id)
    if row is None or row.region != unit.region or row.repository != repository:
        raise upload_not_found(upload_id)
    return row


def start(unit: Unit, repository: str) -> str:
    """A new, empty upload into `repository` (which the caller has checked); its id."""
    upload_id = str(uuid.uuid4())
    storage.create_upload(unit.settings.data_dir, upload_id)
    unit.conn.execute(
        insert(ecr_uploads).values(
            id=upload_id,
            region=unit.region,
            repository=repository,
            size=0,
            started=unit.now,
            touched=unit.now,
        )
    )
    return upload_id


def note(unit: Unit, upload_id: str, size: int) -> None:
    """The upload's file now holds `size` bytes."""
    unit.conn.execute(
        update(ecr_uploads).where(ecr_uploads.c.id == upload_id).values(size=size, touched=unit.now)
    )


def append(
    unit: Unit, repository: str, upload_id: str, data: bytes, first_byte: int | None = None
) -> int:
    """Append a part (UploadLayerPart); the size after it. A part must start where the
    upload ends (InvalidLayerPartException otherwise, as ECR)."""
    row = require(unit, repository=repository, upload_id=upload_id)
    if first_byte is not None and first_byte != row.size:
        raise AwsError(
            "InvalidLayerPartException",
            f"The layer part starting at byte {first_byte} does not follow the "
            f"{row.size} bytes already uploaded.",
        )
    size = storage.append(unit.settings.data_dir, upload_id, data)
    note(unit, upload_id, size)
    return size


def commit(unit: Unit, upload_id: str, digest: str, size: int) -> None:
    """The upload's file is now blob `digest` (storage.finish has run): forget the upload
    and make the blob visible."""
    unit.conn.execute(delete(ecr_uploads).where(ecr_uploads.c.id == upload_id))
    blobs.record(unit, digest, size)


def complete(unit: Unit, repository: str, upload_id: str, digest: str) -> tuple[str, int]:
    """Finish an upload as blob `digest` (CompleteLayerUpload); (digest, size). A digest
    the bytes do not have is InvalidLayerException and drops the upload."""
    require(unit, upload_id, repository)
    if not storage.valid_digest(digest):
        raise AwsError("InvalidLayerException", f"Invalid layer digest '{digest[:100]}'.")
    try:
        size = storage.finish(unit.settings.data_dir, upload_id, digest)
    except storage.DigestMismatch as exc:
        unit.conn.execute(delete(ecr_uploads).where(ecr_uploads.c.id == upload_id))
        raise AwsError(
            "InvalidLayerException",
            f"The calculated digest '{exc.actual}' does not match the provided digest "
            f"'{exc.given}'.",
        ) from None
    commit(unit, upload_id, digest, size)
    return digest, size


def cancel(unit: Unit, upload_id: str) -> None:
    """Forget the upload row (the caller removes the file once committed)."""
    unit.conn.execute(delete(ecr_uploads).where(ecr_uploads.c.id == upload_id))


def abandoned(unit: Unit, older: float = ABANDONED) -> list[str]:
    """Forget uploads untouched for `older` seconds; their ids (files to remove)."""
    ids = list(
        unit.conn.execute(select(ecr_uploads.c.id).where(ecr_uploads.c.touched < unit.now - older))
        .scalars()
        .all()
    )
    if ids:
        unit.conn.execute(delete(ecr_uploads).where(ecr_uploads.c.id.in_(ids)))
    return ids


def live_ids(unit: Unit) -> set[str]:
    return set(unit.conn.execute(select(ecr_uploads.c.id)).scalars().all())
