"""Secret values and their versions: GetSecretValue, PutSecretValue,
ListSecretVersionIds, UpdateSecretVersionStage, and the staging-label rules every new
version follows.

Each version carries staging labels. A label sits on at most one version: giving it to
one takes it from another. When AWSCURRENT moves, the version it left becomes
AWSPREVIOUS (and AWSPREVIOUS leaves whichever version had it). Versions with no label
are deprecated; beyond 100 versions the oldest deprecated ones older than a day are
removed, as Secrets Manager does.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Row

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.secretsmanager import rows, versions
from ...model.secretsmanager.rows import CURRENT, PREVIOUS
from ...model.secretsmanager.secrets import touch
from .. import pagination
from .api import secretsmanager

MAX_VERSIONS = 100
KEEP_DEPRECATED_FOR = 86400.0
BAD_TOKEN = AwsError("InvalidNextTokenException", "You provided an invalid NextToken value.")


def new_value(p: dict[str, Any]) -> tuple[bytes, bool] | None:
    """(bytes, is_binary) of SecretString / SecretBinary in a request, or None."""
    text, binary = p.get("SecretString"), p.get("SecretBinary")
    if text is not None and binary is not None:
        raise AwsError(
            "InvalidParameterException",
            "You can't specify both a binary secret value and a string secret "
            "value in the same secret.",
        )
    if binary is not None:
        return bytes(binary), True
    if text is not None:
        return str(text).encode(), False
    return None


def _relabel(ctx: Context, existing: list[Row[Any]], stages: list[str], new_id: str | None) -> None:
    """Take `stages` from every version but `new_id`, with AWSCURRENT's move leaving
    AWSPREVIOUS on the version it left."""
    old_current = next(
        (v.version_id for v in existing if CURRENT in v.stages and v.version_id != new_id), None
    )
    moving_current = CURRENT in stages and old_current is not None
    for v in existing:
        if v.version_id == new_id:
            continue
        labels = [s for s in v.stages if s not in stages and not (moving_current and s == PREVIOUS)]
        if moving_current and v.version_id == old_current:
            labels.append(PREVIOUS)
        if labels != list(v.stages):
            versions.set_stages(ctx, v.arn, v.version_id, labels)


def _trim(ctx: Context, arn: str) -> None:
    existing = rows.all_versions(ctx.conn, arn)
    extra = len(existing) - MAX_VERSIONS
    for v in existing:  # oldest first
        if extra <= 0:
            break
        if not v.stages and v.created < ctx.now - KEEP_DEPRECATED_FOR:
            versions.drop(ctx, arn, v.version_id)
            extra -= 1


def token_in_use(secret: Row[Any], token: str) -> AwsError:
    """A ClientRequestToken reused with another value: versions never change."""
    return AwsError(
        "ResourceExistsException",
        f"You can't use ClientRequestToken {token} because that value is already in use "
        f"for a version of secret {secret.arn}",
    )


def add_version(
    ctx: Context,
    secret: Row[Any],
    value: tuple[bytes, bool],
    token: str | None,
    stages: list[str] | None = None,
) -> Row[Any]:
    """Store a new version (or, for a retried request with the same token and value,
    answer the version it made) and move the staging labels onto it."""
    data, binary = value
    version_id = token or str(uuid.uuid4())
    existing = rows.all_versions(ctx.conn, secret.arn)
    same = next((v for v in existing if v.version_id == version_id), None)
    if same is not None:
        if (
            bool(same.binary) == binary
            and rows.plaintext(ctx.settings.data_dir, secret.arn, same) == data
        ):
            return same  # an idempotent retry
        raise token_in_use(secret, version_id)
    stages = list(dict.fromkeys(stages or [CURRENT]))
    if not existing and CURRENT not in stages:
        stages.append(CURRENT)  # a secret's first version is always its current one
    _relabel(ctx, existing, stages, version_id)
    versions.add(ctx, secret.arn, version_id, stages, data, binary=binary)
    _trim(ctx, secret.arn)
    touch(ctx, secret)
    return versions.get(ctx, secret.arn, version_id)


def stages_by_version(ctx: Context, arn: str) -> dict[str, list[str]]:
    """Version id → labels, for the versions that have any (the others are deprecated)."""
    return {v.version_id: list(v.stages) for v in rows.all_versions(ctx.conn, arn) if v.stages}


@secretsmanager.operation("GetSecretValue")
def get_secret_value(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    secret = rows.require(ctx, p["SecretId"])
    v = rows.pick_version(
        ctx.conn, secret.arn, version_id=p.get("VersionId"), stage=p.get("VersionStage")
    )
    return rows.value_view(ctx.settings.data_dir, secret, v)


@secretsmanager.operation("PutSecretValue", write=True)
def put_secret_value(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    secret = rows.require(ctx, p["SecretId"])
    value = new_value(p)
    if value is None:
        raise AwsError(
            "InvalidRequestException", "You must provide either SecretString or SecretBinary."
        )
    v = add_version(ctx, secret, value, p.get("ClientRequestToken"), p.get("VersionStages"))
    return {
        "ARN": secret.arn,
        "Name": secret.name,
        "VersionId": v.version_id,
        "VersionStages": list(v.stages),
    }


@secretsmanager.operation("ListSecretVersionIds")
def list_secret_version_ids(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    secret = rows.require(ctx, p["SecretId"])
    q, key = versions.listing(secret.arn)
    after = pagination.decode_token(p.get("NextToken"), pagination.kinds_of(key), error=BAD_TOKEN)
    include_all = bool(p.get("IncludeDeprecated"))
    page, next_key = pagination.scan(
        ctx.conn,
        q,
        key,
        after,
        p.get("MaxResults") or 100,
        lambda v: include_all or bool(v.stages),
    )
    out: dict[str, Any] = {
        "ARN": secret.arn,
        "Name": secret.name,
        "Versions": [
            {"VersionId": v.version_id, "VersionStages": list(v.stages), "CreatedDate": v.created}
            for v in page
        ],
    }
    if next_key is not None:
        out["NextToken"] = pagination.encode_token(next_key)
    return out


@secretsmanager.operation("UpdateSecretVersionStage", write=True)
def update_secret_version_stage(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    secret = rows.require(ctx, p["SecretId"])
    stage, remove_from, move_to = (
        p["VersionStage"],
        p.get("RemoveFromVersionId"),
        p.get("MoveToVersionId"),
    )
    existing = {v.version_id: v for v in rows.all_versions(ctx.conn, secret.arn)}
    for vid in (remove_from, move_to):
        if vid and vid not in existing:
            raise AwsError(
                "ResourceNotFoundException",
                f"Secrets Manager can't find the specified secret value for VersionId: {vid}",
            )
    holder = next((vid for vid, v in existing.items() if stage in v.stages), None)
    if move_to and holder and holder != move_to and remove_from != holder:
        raise AwsError(
            "InvalidParameterException",
            f"The parameter RemoveFromVersionId can't be empty. Staging label "
            f"{stage} is currently attached to version {holder}, so you must "
            "explicitly reference that version in RemoveFromVersionId.",
        )
    if remove_from and stage not in existing[remove_from].stages:
        raise AwsError(
            "InvalidParameterException",
            f"The staging label {stage} is not attached to version {remove_from}.",
        )
    if move_to:
        if move_to != holder:
            _relabel(ctx, list(existing.values()), [stage], move_to)
            target = existing[move_to]
            labels = [s for s in target.stages if s != PREVIOUS or stage != CURRENT]
            versions.set_stages(ctx, secret.arn, move_to, labels + [stage])
    elif remove_from:
        versions.set_stages(
            ctx, secret.arn, remove_from, [s for s in existing[remove_from].stages if s != stage]
        )
    touch(ctx, secret)
    return {"ARN": secret.arn, "Name": secret.name}
