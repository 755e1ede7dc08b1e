"""Secrets: CreateSecret, GetSecretValue, PutSecretValue, UpdateSecret, DescribeSecret,
ListSecrets, DeleteSecret, RestoreSecret.

A secret row holds the metadata; each version is a row with its staging labels and its
sealed value. AWSCURRENT moves to each new version, and the one it left becomes
AWSPREVIOUS, as in Secrets Manager.
"""

from __future__ import annotations

import random
import string
import uuid
from typing import Any

from sqlalchemy import Connection, delete, select

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...store import sealing
from ...store.schema.secrets import secret_versions as versions
from ...store.schema.secrets import secrets
from .api import secretsmanager

NOT_FOUND = "Secrets Manager can't find the specified secret."
MARKED = ("You can't perform this operation on the secret because it was marked for "
          "deletion.")


def _arn(ctx: Context, name: str) -> str:
    suffix = "".join(random.choices(string.ascii_letters + string.digits, k=6))
    return f"arn:aws:secretsmanager:{ctx.region}:{ctx.account}:secret:{name}-{suffix}"


def find(conn: Connection, region: str, secret_id: str) -> Any:
    """A secret by name, full ARN, or ARN without the random suffix; None if none."""
    if secret_id.startswith("arn:"):
        row = conn.execute(select(secrets).where(secrets.c.arn == secret_id)).first()
        if row is not None:
            return row
        parts = secret_id.split(":")
        region, secret_id = parts[3], ":".join(parts[6:])
    return conn.execute(select(secrets).where(secrets.c.region == region,
                                              secrets.c.name == secret_id)).first()


def _require(ctx: Context, secret_id: str, *, allow_deleted: bool = False) -> Any:
    row = find(ctx.conn, ctx.region, secret_id)
    if row is None:
        raise AwsError("ResourceNotFoundException", NOT_FOUND)
    if row.deleted_date is not None and not allow_deleted:
        raise AwsError("InvalidRequestException", MARKED)
    return row


def version(conn: Connection, arn: str, *, version_id: str | None = None,
            stage: str | None = None) -> Any:
    """The version by id, or the one carrying `stage` (AWSCURRENT by default)."""
    rows = conn.execute(select(versions).where(versions.c.arn == arn)).all()
    if version_id:
        found = [r for r in rows if r.version_id == version_id
                 and (stage is None or stage in r.stages)]
    else:
        found = [r for r in rows if (stage or "AWSCURRENT") in r.stages]
    if not found:
        what = f"VersionId: {version_id}" if version_id else f"staging label: {stage or 'AWSCURRENT'}"
        raise AwsError("ResourceNotFoundException",
                       f"Secrets Manager can't find the specified secret value for {what}")
    return found[0]


def _add_version(ctx: Context, arn: str, p: dict[str, Any],
                 stages: list[str] | None = None) -> str | None:
    string_value, binary = p.get("SecretString"), p.get("SecretBinary")
    if string_value is not None and binary is not None:
        raise AwsError("InvalidParameterException",
                       "You can't specify both a binary secret value and a string secret "
                       "value in the same secret.")
    if string_value is None and binary is None:
        return None
    version_id = p.get("ClientRequestToken") or str(uuid.uuid4())
    if ctx.conn.execute(select(versions.c.version_id).where(
            versions.c.arn == arn, versions.c.version_id == version_id)).first():
        raise AwsError("ResourceExistsException",
                       "You can't modify an existing version, you can only create a new "
                       "version.")
    stages = stages or ["AWSCURRENT"]
    existing = ctx.conn.execute(select(versions).where(versions.c.arn == arn)).all()
    for row in existing:
        labels = [s for s in row.stages if s not in stages and s != "AWSPREVIOUS"]
        if "AWSCURRENT" in stages and "AWSCURRENT" in row.stages:
            labels.append("AWSPREVIOUS")
        if labels != row.stages:
            ctx.conn.execute(versions.update().where(
                versions.c.arn == arn, versions.c.version_id == row.version_id)
                .values(stages=labels))
    data = binary if binary is not None else str(string_value).encode()
    ctx.conn.execute(versions.insert().values(
        arn=arn, version_id=version_id, stages=stages, created=ctx.now,
        binary=1 if binary is not None else 0,
        value=sealing.seal(ctx.settings.data_dir, data)))
    return version_id


def _touch(ctx: Context, row: Any, **changes: Any) -> dict[str, Any]:
    doc = {**row.doc, "LastChangedDate": ctx.now, **changes}
    ctx.conn.execute(secrets.update().where(secrets.c.arn == row.arn).values(doc=doc))
    return doc


@secretsmanager.operation("CreateSecret", write=True)
def create_secret(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    name = p["Name"]
    existing = find(ctx.conn, ctx.region, name)
    if existing is not None:
        if existing.deleted_date is not None:
            raise AwsError("InvalidRequestException",
                           "You can't create this secret because a secret with this name is "
                           "already scheduled for deletion.")
        raise AwsError("ResourceExistsException",
                       f"The operation failed because the secret {name} already exists.")
    arn = _arn(ctx, name)
    doc: dict[str, Any] = {"ARN": arn, "Name": name, "CreatedDate": ctx.now,
                           "LastChangedDate": ctx.now, "Tags": p.get("Tags") or []}
    for key in ("Description", "KmsKeyId"):
        if p.get(key):
            doc[key] = p[key]
    ctx.conn.execute(secrets.insert().values(arn=arn, region=ctx.region, name=name, doc=doc))
    out = {"ARN": arn, "Name": name}
    version_id = _add_version(ctx, arn, p)
    if version_id:
        out["VersionId"] = version_id
    return out


@secretsmanager.operation("GetSecretValue")
def get_secret_value(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = _require(ctx, p["SecretId"])
    v = version(ctx.conn, row.arn, version_id=p.get("VersionId"), stage=p.get("VersionStage"))
    data = sealing.unseal(ctx.settings.data_dir, v.value)
    out: dict[str, Any] = {"ARN": row.arn, "Name": row.name, "VersionId": v.version_id,
                           "VersionStages": v.stages, "CreatedDate": v.created}
    if v.binary:
        out["SecretBinary"] = data
    else:
        out["SecretString"] = data.decode()
    return out


@secretsmanager.operation("PutSecretValue", write=True)
def put_secret_value(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = _require(ctx, p["SecretId"])
    version_id = _add_version(ctx, row.arn, p, p.get("VersionStages"))
    if version_id is None:
        raise AwsError("InvalidRequestException",
                       "You must provide either SecretString or SecretBinary.")
    _touch(ctx, row)
    stages = version(ctx.conn, row.arn, version_id=version_id).stages
    return {"ARN": row.arn, "Name": row.name, "VersionId": version_id, "VersionStages": stages}


@secretsmanager.operation("UpdateSecret", write=True)
def update_secret(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = _require(ctx, p["SecretId"])
    changes = {k: p[k] for k in ("Description", "KmsKeyId") if p.get(k) is not None}
    _touch(ctx, row, **changes)
    out = {"ARN": row.arn, "Name": row.name}
    version_id = _add_version(ctx, row.arn, p)
    if version_id:
        out["VersionId"] = version_id
    return out


def _describe(ctx: Context, row: Any) -> dict[str, Any]:
    doc = dict(row.doc)
    doc["VersionIdsToStages"] = {v.version_id: v.stages for v in ctx.conn.execute(
        select(versions.c.version_id, versions.c.stages).where(versions.c.arn == row.arn))
        if v.stages}
    if row.deleted_date is not None:
        doc["DeletedDate"] = row.deleted_date
    return doc


@secretsmanager.operation("DescribeSecret")
def describe_secret(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return _describe(ctx, _require(ctx, p["SecretId"], allow_deleted=True))


@secretsmanager.operation("ListSecrets")
def list_secrets(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    q = select(secrets).where(secrets.c.region == ctx.region).order_by(secrets.c.name)
    if not p.get("IncludePlannedDeletion"):
        q = q.where(secrets.c.deleted_date.is_(None))
    rows = ctx.conn.execute(q).all()
    for f in p.get("Filters") or []:
        values = f.get("Values") or []
        if f["Key"] == "name":
            rows = [r for r in rows if any(r.name.startswith(v) for v in values)]
        elif f["Key"] == "description":
            rows = [r for r in rows if any(v in r.doc.get("Description", "") for v in values)]
        elif f["Key"] == "tag-key":
            rows = [r for r in rows if any(t["Key"] in values for t in r.doc.get("Tags", []))]
    size = p.get("MaxResults") or 100
    start = int(p["NextToken"]) if (p.get("NextToken") or "").isdigit() else 0
    out: dict[str, Any] = {"SecretList": [_describe(ctx, r) for r in rows[start:start + size]]}
    if start + size < len(rows):
        out["NextToken"] = str(start + size)
    return out


@secretsmanager.operation("DeleteSecret", write=True)
def delete_secret(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    force, window = p.get("ForceDeleteWithoutRecovery"), p.get("RecoveryWindowInDays")
    if force and window is not None:
        raise AwsError("InvalidParameterException",
                       "You can't use ForceDeleteWithoutRecovery in conjunction with "
                       "RecoveryWindowInDays.")
    if window is not None and not 7 <= window <= 30:
        raise AwsError("InvalidParameterException",
                       "The RecoveryWindowInDays value must be between 7 and 30 days "
                       "(inclusive).")
    row = _require(ctx, p["SecretId"], allow_deleted=True)
    if force:
        ctx.conn.execute(delete(versions).where(versions.c.arn == row.arn))
        ctx.conn.execute(delete(secrets).where(secrets.c.arn == row.arn))
        return {"ARN": row.arn, "Name": row.name, "DeletionDate": ctx.now}
    if row.deleted_date is not None:
        raise AwsError("InvalidRequestException", MARKED)
    when = ctx.now + (window or 30) * 86400
    ctx.conn.execute(secrets.update().where(secrets.c.arn == row.arn).values(deleted_date=when))
    return {"ARN": row.arn, "Name": row.name, "DeletionDate": when}


@secretsmanager.operation("RestoreSecret", write=True)
def restore_secret(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = _require(ctx, p["SecretId"], allow_deleted=True)
    ctx.conn.execute(secrets.update().where(secrets.c.arn == row.arn).values(deleted_date=None))
    return {"ARN": row.arn, "Name": row.name}
