"""Resolve a container's `secrets[].valueFrom` at task start, as the ECS agent does with
the task's execution role: an SSM parameter (name or ARN) or a Secrets Manager secret
(ARN, optionally `:json-key:version-stage:version-id`).

Failures raise `SecretResolutionError` with the text ECS shows after
`ResourceInitializationError: `; it names what could not be read, never a value.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection

from ...store import sealing
from ..secretsmanager import secrets as asm
from ..ssm import parameters as ssm

_PREFIX = "unable to pull secrets or registry auth: execution resource retrieval failed: "


class SecretResolutionError(Exception):
    pass


def resolve(conn: Connection, *, region: str, account: str, settings: Any,
            value_from: str) -> str:
    if value_from.startswith("arn:") and ":secretsmanager:" in value_from:
        return _from_secrets_manager(conn, settings, value_from)
    param_region, name = ssm.split_reference(value_from, region)
    row = ssm.current(conn, param_region, name)
    if row is None:
        raise SecretResolutionError(
            _PREFIX + "unable to retrieve secrets from ssm: service call has been retried 1 "
            f"time(s): invalid ssm parameters: {name}")
    return ssm.plain_value(settings, row)


def _from_secrets_manager(conn: Connection, settings: Any, value_from: str) -> str:
    # arn:aws:secretsmanager:<region>:<account>:secret:<name>[:<json-key>:<stage>:<version>]
    parts = value_from.split(":")
    secret_arn = ":".join(parts[:7])
    json_key, stage, version_id = (parts[7:] + ["", "", ""])[:3]
    failed = (_PREFIX + "unable to retrieve secret from asm: service call has been retried 1 "
              f"time(s): failed to fetch secret {secret_arn} from secrets manager: ")
    row = asm.find(conn, parts[3], secret_arn)
    if row is None:
        raise SecretResolutionError(failed + "ResourceNotFoundException: " + asm.NOT_FOUND)
    if row.deleted_date is not None:
        raise SecretResolutionError(failed + "InvalidRequestException: " + asm.MARKED)
    try:
        version = asm.version(conn, row.arn, version_id=version_id or None,
                              stage=stage or None)
    except Exception as exc:  # AwsError with Secrets Manager's own words
        raise SecretResolutionError(failed + f"ResourceNotFoundException: {exc}") from None
    value = sealing.unseal(settings.data_dir, version.value).decode()
    if not json_key:
        return value
    try:
        field = json.loads(value)[json_key]
    except (ValueError, KeyError, TypeError):
        raise SecretResolutionError(
            _PREFIX + f"retrieved secret from Secrets Manager did not contain json key "
            f"{json_key}") from None
    return field if isinstance(field, str) else json.dumps(field)
