"""Secrets: CreateSecret, UpdateSecret, DescribeSecret, DeleteSecret, RestoreSecret,
TagResource, UntagResource, GetResourcePolicy.

A secret's ARN ends in its name, a hyphen and six random characters, as in Secrets
Manager, so a secret deleted and created again under the same name has a new ARN.
DeleteSecret schedules the deletion (7–30 days, 30 by default); until then the secret
can be described and restored but not read or changed.
"""

from __future__ import annotations

import random
import re
import string
from typing import Any

from sqlalchemy import Row

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.secretsmanager import rows
from ...model.secretsmanager import secrets as model
from .api import secretsmanager
from .versions import add_version, new_value, stages_by_version, token_in_use, touch

MAX_TAGS = 50
_NAME = re.compile(r"^[A-Za-z0-9/_+=.@-]+$")
_SUFFIX = string.ascii_letters + string.digits


def _new_arn(ctx: Context, name: str) -> str:
    while True:
        suffix = "".join(random.choices(_SUFFIX, k=6))
        arn = ctx.arn("secretsmanager", f"secret:{name}-{suffix}")
        if not model.arn_taken(ctx, arn):
            return arn


def _check_tags(tags: list[dict[str, Any]]) -> None:
    for tag in tags:
        if tag.get("Key") is None or tag.get("Value") is None:
            raise AwsError(
                "InvalidParameterException", "You must provide both a Key and a Value for each tag."
            )
        if tag["Key"].lower().startswith("aws:"):
            raise AwsError(
                "InvalidParameterException",
                "Tag keys beginning with 'aws:' are reserved for AWS use.",
            )
    if len(tags) > MAX_TAGS:
        raise AwsError("InvalidParameterException", f"A secret can have at most {MAX_TAGS} tags.")


def describe(ctx: Context, row: Row[Any], *, key: str = "VersionIdsToStages") -> dict[str, Any]:
    """The secret as DescribeSecret (or, with key SecretVersionsToStages, ListSecrets)
    shows it."""
    doc = {k: v for k, v in row.doc.items() if k != "Tags" or v}
    doc[key] = stages_by_version(ctx, row.arn)
    if row.deleted_date is not None:
        doc["DeletedDate"] = row.deleted_date
    return doc


@secretsmanager.operation("CreateSecret", write=True)
def create_secret(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    name = p["Name"]
    if not _NAME.match(name):
        raise AwsError(
            "ValidationException",
            "Invalid name. Must be a valid name containing alphanumeric "
            "characters, or any of the following: -/_+=.@!",
        )
    value = new_value(p)
    tags = p.get("Tags") or []
    _check_tags(tags)
    rows.purge_expired(ctx.conn, ctx.region, name, ctx.now)
    existing = model.named(ctx, name)
    if existing is not None:
        if existing.deleted_date is not None:
            raise AwsError(
                "InvalidRequestException",
                "You can't create this secret because a secret with this name is "
                "already scheduled for deletion.",
            )
        token = p.get("ClientRequestToken")
        retried = (
            token
            and value is not None
            and any(
                v.version_id == token
                and bool(v.binary) == value[1]
                and rows.plaintext(ctx.settings.data_dir, existing.arn, v) == value[0]
                for v in rows.all_versions(ctx.conn, existing.arn)
            )
        )
        if retried:  # the same request again (an SDK retry): the same answer
            return {"ARN": existing.arn, "Name": name, "VersionId": token}
        if token and any(v.version_id == token for v in rows.all_versions(ctx.conn, existing.arn)):
            raise token_in_use(existing, token)
        raise AwsError(
            "ResourceExistsException",
            f"The operation failed because the secret {name} already exists.",
        )
    arn = _new_arn(ctx, name)
    doc: dict[str, Any] = {
        "ARN": arn,
        "Name": name,
        "LastChangedDate": ctx.now,
        "Tags": tags,
        "CreatedDate": ctx.now,
    }
    for key in ("Description", "KmsKeyId"):
        if p.get(key):
            doc[key] = p[key]
    model.create(ctx, arn, name, doc)
    out: dict[str, Any] = {"ARN": arn, "Name": name}
    if value is not None:
        secret = model.by_arn(ctx, arn)
        out["VersionId"] = add_version(ctx, secret, value, p.get("ClientRequestToken")).version_id
    return out


@secretsmanager.operation("UpdateSecret", write=True)
def update_secret(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    secret = rows.require(ctx, p["SecretId"])
    out: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name}
    value = new_value(p)
    if value is not None:
        out["VersionId"] = add_version(ctx, secret, value, p.get("ClientRequestToken")).version_id
    changes = {k: p[k] for k in ("Description", "KmsKeyId") if p.get(k) is not None}
    touch(ctx, secret, **changes)
    return out


@secretsmanager.operation("DescribeSecret")
def describe_secret(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return describe(ctx, rows.require(ctx, p["SecretId"], allow_deleted=True))


@secretsmanager.operation("DeleteSecret", write=True)
def delete_secret(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    force, window = p.get("ForceDeleteWithoutRecovery"), p.get("RecoveryWindowInDays")
    if force and window is not None:
        raise AwsError(
            "InvalidParameterException",
            "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
        )
    if window is not None and not 7 <= window <= 30:
        raise AwsError(
            "InvalidParameterException",
            "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).",
        )
    found = rows.find(
        ctx.conn, region=ctx.region, account=ctx.account, secret_id=p["SecretId"], now=ctx.now
    )
    if found is None and force:
        # Secrets Manager answers a forced delete of a secret that does not exist as if
        # it had deleted it (so a clean-up script can run twice).
        return {
            "ARN": _missing_arn(ctx, p["SecretId"]),
            "Name": _name_of(p["SecretId"]),
            "DeletionDate": ctx.now,
        }
    secret = rows.require(ctx, p["SecretId"], allow_deleted=True)
    if force:
        model.delete_for_good(ctx, secret.arn)
        return {"ARN": secret.arn, "Name": secret.name, "DeletionDate": ctx.now}
    if secret.deleted_date is not None:
        raise AwsError("InvalidRequestException", rows.MARKED)
    when = ctx.now + (window or 30) * 86400
    model.schedule_deletion(ctx, secret.arn, when)
    return {"ARN": secret.arn, "Name": secret.name, "DeletionDate": when}


def _name_of(secret_id: str) -> str:
    return (
        secret_id.split(":", 6)[6]
        if secret_id.startswith("arn:") and secret_id.count(":") >= 6
        else secret_id
    )


def _missing_arn(ctx: Context, secret_id: str) -> str:
    """The ARN a forced delete of a missing secret answers with: the one given, else
    one made up as CreateSecret would have made it."""
    return secret_id if secret_id.startswith("arn:") else _new_arn(ctx, secret_id)


@secretsmanager.operation("RestoreSecret", write=True)
def restore_secret(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    secret = rows.require(ctx, p["SecretId"], allow_deleted=True)
    model.schedule_deletion(ctx, secret.arn, None)
    return {"ARN": secret.arn, "Name": secret.name}


@secretsmanager.operation("TagResource", write=True)
def tag_resource(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    secret = rows.require(ctx, p["SecretId"])
    _check_tags(p["Tags"])
    merged = {t["Key"]: t["Value"] for t in secret.doc.get("Tags") or []}
    merged.update({t["Key"]: t["Value"] for t in p["Tags"]})
    tags = [{"Key": k, "Value": v} for k, v in merged.items()]
    _check_tags(tags)
    touch(ctx, secret, Tags=tags)
    return {}


@secretsmanager.operation("UntagResource", write=True)
def untag_resource(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    secret = rows.require(ctx, p["SecretId"])
    tags = [t for t in secret.doc.get("Tags") or [] if t["Key"] not in p["TagKeys"]]
    touch(ctx, secret, Tags=tags)
    return {}


@secretsmanager.operation("GetResourcePolicy")
def get_resource_policy(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    # ecsd keeps no resource policies: every secret answers as one without a policy.
    secret = rows.require(ctx, p["SecretId"])
    return {"ARN": secret.arn, "Name": secret.name}
