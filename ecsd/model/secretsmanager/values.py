"""Secret values as another service reads them: ECS resolving a container's
`secrets[].valueFrom` at task start, as the ECS agent does with GetSecretValue.

The one named read other services use; they never touch the secret rows."""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...core.unit import Unit
from . import rows


def secret_string(
    unit: Unit,
    secret_id: str,
    *,
    region: str,
    version_id: str | None = None,
    stage: str | None = None,
) -> str:
    """SecretString of the version `version_id` and/or `stage` names (AWSCURRENT by
    default) of the secret `secret_id` (name, ARN or partial ARN) in `region`; "" for a
    binary secret. Refuses as GetSecretValue does (`AwsError` with its code and text);
    a value that cannot be unsealed raises store.sealing.SealError."""
    # The moment of reading decides whether a scheduled deletion has happened yet.
    row = rows.find(
        unit.conn, region=region, account=unit.account, secret_id=secret_id, now=unit.now
    )
    if row is None:
        raise AwsError("ResourceNotFoundException", rows.NOT_FOUND)
    if row.deleted_date is not None:
        raise AwsError("InvalidRequestException", rows.MARKED)
    version = rows.pick_version(unit.conn, row.arn, version_id=version_id, stage=stage)
    data = rows.plaintext(unit.settings.data_dir, row.arn, version)
    return "" if version.binary else data.decode()


def secret_value(
    unit: Unit,
    secret_id: str,
    *,
    region: str,
    version_id: str | None = None,
    stage: str | None = None,
) -> dict[str, Any]:
    """The whole GetSecretValue answer (ARN, Name, VersionId, VersionStages,
    CreatedDate, SecretString or SecretBinary) for the version named as in
    `secret_string`: what Parameter Store's `/aws/reference/secretsmanager/` returns.
    Refuses as GetSecretValue does."""
    row = rows.find(
        unit.conn, region=region, account=unit.account, secret_id=secret_id, now=unit.now
    )
    if row is None:
        raise AwsError("ResourceNotFoundException", rows.NOT_FOUND)
    if row.deleted_date is not None:
        raise AwsError("InvalidRequestException", rows.MARKED)
    version = rows.pick_version(unit.conn, row.arn, version_id=version_id, stage=stage)
    return rows.value_view(unit.settings.data_dir, row, version)
