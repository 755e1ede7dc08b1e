"""Finding secrets and their versions: the rows behind the API handlers and behind
`values.py`, the read other services use.

A secret is named by its name, its full ARN, or its ARN without the six random
characters Secrets Manager appends (a "partial ARN"). A secret whose scheduled deletion
date has passed is gone: it is treated as absent and purged by the next write that
meets it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Row, delete, select

from ...aws.errors import AwsError
from ...store import sealing
from ...store.schema.secretsmanager import secret_versions as versions
from ...store.schema.secretsmanager import secrets

NOT_FOUND = "Secrets Manager can't find the specified secret."
MARKED = "You can't perform this operation on the secret because it was marked for deletion."
CURRENT, PREVIOUS, PENDING = "AWSCURRENT", "AWSPREVIOUS", "AWSPENDING"


def seal_context(arn: str, version_id: str) -> str:
    """What a value is sealed to: it opens only as this version of this secret."""
    return f"secretsmanager/{arn}/{version_id}"


def plaintext(data_dir: Path, arn: str, version: Row[Any]) -> bytes:
    return sealing.unseal(data_dir, version.value, seal_context(arn, version.version_id))


def _live(row: Row[Any] | None, now: float) -> Row[Any] | None:
    if row is not None and row.deleted_date is not None and row.deleted_date <= now:
        return None  # its recovery window is over: gone for good
    return row


def find(
    conn: Connection, *, region: str, account: str, secret_id: str, now: float
) -> Row[Any] | None:
    """The secret a SecretId names in this region and account, or None."""
    name = secret_id
    if secret_id.startswith("arn:"):
        parts = secret_id.split(":", 6)
        if (
            len(parts) < 7
            or parts[2] != "secretsmanager"
            or parts[3] != region
            or parts[4] != account
            or parts[5] != "secret"
        ):
            return None
        row = conn.execute(select(secrets).where(secrets.c.arn == secret_id)).first()
        if row is not None:
            return _live(row, now)
        name = parts[6]  # a partial ARN: the name without the random suffix
    return _live(
        conn.execute(
            select(secrets).where(secrets.c.region == region, secrets.c.name == name)
        ).first(),
        now,
    )


def purge_expired(conn: Connection, region: str, name: str, now: float) -> None:
    """Delete for good a secret of this name whose recovery window is over."""
    row = conn.execute(
        select(secrets).where(secrets.c.region == region, secrets.c.name == name)
    ).first()
    if row is not None and row.deleted_date is not None and row.deleted_date <= now:
        conn.execute(delete(versions).where(versions.c.arn == row.arn))
        conn.execute(delete(secrets).where(secrets.c.arn == row.arn))


def all_versions(conn: Connection, arn: str) -> list[Row[Any]]:
    # Secrets Manager keeps about 100 versions of a secret, so this stays small.
    return list(
        conn.execute(
            select(versions)
            .where(versions.c.arn == arn)
            .order_by(versions.c.created, versions.c.version_id)
        )
    )


def pick_version(
    conn: Connection, arn: str, *, version_id: str | None = None, stage: str | None = None
) -> Row[Any]:
    """The version GetSecretValue reads: by id (which must then carry `stage`, if given),
    else the one labelled `stage` (AWSCURRENT by default)."""
    if version_id:
        row = conn.execute(
            select(versions).where(versions.c.arn == arn, versions.c.version_id == version_id)
        ).first()
        if row is None:
            raise AwsError(
                "ResourceNotFoundException",
                f"Secrets Manager can't find the specified secret value for "
                f"VersionId: {version_id}",
            )
        if stage and stage not in row.stages:
            raise AwsError(
                "InvalidRequestException",
                "You provided a VersionStage that is not associated to the provided VersionId.",
            )
        return row
    stage = stage or CURRENT
    for row in all_versions(conn, arn):
        if stage in row.stages:
            return row
    raise AwsError(
        "ResourceNotFoundException",
        f"Secrets Manager can't find the specified secret value for staging label: {stage}",
    )


def value_view(data_dir: Path, secret: Row[Any], v: Row[Any]) -> dict[str, Any]:
    """One version of a secret as GetSecretValue answers it."""
    data = plaintext(data_dir, secret.arn, v)
    out: dict[str, Any] = {
        "ARN": secret.arn,
        "Name": secret.name,
        "VersionId": v.version_id,
        "VersionStages": list(v.stages),
        "CreatedDate": v.created,
    }
    if v.binary:
        out["SecretBinary"] = data
    else:
        out["SecretString"] = data.decode()
    return out


def require(ctx: Any, secret_id: str, *, allow_deleted: bool = False) -> Row[Any]:
    """The secret a request names (`ctx` is the handler's Context), or AWS's error."""
    row = find(ctx.conn, region=ctx.region, account=ctx.account, secret_id=secret_id, now=ctx.now)
    if row is None:
        raise AwsError("ResourceNotFoundException", NOT_FOUND)
    if row.deleted_date is not None and not allow_deleted:
        raise AwsError("InvalidRequestException", MARKED)
    return row
