"""Parameters: PutParameter, GetParameter, GetParameters, DeleteParameter(s).

A parameter is one row plus one row per version (store/schema/ssm.py). Values are sealed
at rest whatever their type; a SecureString is shown decrypted only when asked to, and
otherwise as an opaque base64 ciphertext, as Parameter Store shows its KMS blob.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.ssm import names, rows
from ...model.ssm import parameters as model
from . import references
from .api import ssm

MAX_VERSIONS = 100
MAX_TAGS = 50
STANDARD_LIMIT, ADVANCED_LIMIT = 4096, 8192
DATA_TYPES = ("text", "aws:ec2:image", "aws:ssm:integration")
DEFAULT_KEY = "alias/aws/ssm"


def view(ctx: Context, found: rows.Found, *, decrypt: bool) -> dict[str, Any]:
    """A `Parameter` as GetParameter(s) and GetParametersByPath answer it."""
    if found.type == "SecureString" and not decrypt:
        value = base64.b64encode(found.sealed).decode()
    else:
        value = found.plaintext(ctx.settings.data_dir)
    out = {
        "Name": found.name,
        "Type": found.type,
        "Value": value,
        "Version": found.version,
        "LastModifiedDate": found.doc["LastModifiedDate"],
        "ARN": found.arn,
        "DataType": found.doc.get("DataType", "text"),
    }
    if found.selector:
        out["Selector"] = found.selector
    return out


def _lookup(ctx: Context, ref: str) -> rows.Found:
    parsed = names.reference(ref, region=ctx.region, account=ctx.account)
    found = rows.lookup(ctx.conn, parsed) if parsed is not None else None
    if found is None:
        raise rows.not_found(ref)
    return found


def _tier(requested: str | None, existing: Any, value: str) -> str:
    old = existing.doc["Tier"] if existing is not None else None
    tier = requested or old or "Standard"
    if tier == "Intelligent-Tiering":
        tier = "Advanced" if len(value) > STANDARD_LIMIT or old == "Advanced" else "Standard"
    if old == "Advanced" and tier == "Standard":
        raise AwsError(
            "ValidationException",
            "This parameter uses the advanced-parameter tier. You can't downgrade "
            "a parameter from the advanced-parameter tier to the standard-parameter "
            "tier. If necessary, you can delete the advanced parameter and recreate "
            "it as a standard parameter.",
        )
    limit = STANDARD_LIMIT if tier == "Standard" else ADVANCED_LIMIT
    if len(value) > limit:
        raise AwsError(
            "ValidationException",
            f"{tier} tier parameters support a maximum parameter value of {limit} "
            "characters. To create a larger parameter value, upgrade the parameter "
            "to use the advanced-parameter tier. For more information, see "
            "https://docs.aws.amazon.com/systems-manager/latest/userguide/"
            "parameter-store-advanced-parameters.html",
        )
    return tier


def _check_pattern(pattern: str, value: str) -> None:
    try:
        ok = re.fullmatch(pattern, value) is not None
    except re.error:
        raise AwsError(
            "ValidationException",
            f"Parameter allowed pattern: {pattern} is not a valid regular expression.",
        ) from None
    if not ok:
        # The value itself is never echoed: it may be a secret.
        raise AwsError(
            "ParameterPatternMismatchException",
            f"Parameter value, cannot be validated against allowedPattern: {pattern}",
        )


def check_tags(tags: list[dict[str, str]]) -> None:
    if len(tags) > MAX_TAGS:
        raise AwsError("TooManyTagsError", f"The Tag limit of {MAX_TAGS} has been exceeded.")


def _drop_oldest(ctx: Context, name: str, newest: int) -> None:
    """Parameter Store keeps 100 versions; the 101st pushes out the oldest, unless a
    label holds it."""
    oldest = model.oldest_version(ctx, name)
    if oldest is None or newest - oldest.version < MAX_VERSIONS:
        return
    if oldest.labels:
        raise AwsError(
            "ParameterMaxVersionLimitExceeded",
            f"You attempted to create a new version of {name} by calling the "
            f"PutParameter API with the overwrite flag. Version {oldest.version}, "
            "the oldest version, can't be deleted because it has a label "
            "associated with it. Move the label to another version of the "
            "parameter, and try again.",
        )
    model.drop_version(ctx, name, oldest.version)


@ssm.operation("PutParameter", write=True)
def put_parameter(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    name, value = p["Name"], p["Value"]
    names.check_new(name)
    if value == "":
        raise AwsError(
            "ValidationException",
            "1 validation error detected: Value at 'value' failed to satisfy "
            "constraint: Member must have length greater than or equal to 1",
        )
    if p.get("Tags") and p.get("Overwrite"):
        raise AwsError(
            "ValidationException",
            "Invalid request: tags and overwrite can't be used together. To create "
            "a parameter with tags, please remove overwrite flag. To update tags "
            "for an existing parameter, please use AddTagsToResource or "
            "RemoveTagsFromResource.",
        )
    existing = rows.current(ctx.conn, ctx.region, name)
    if existing is not None and not p.get("Overwrite"):
        raise AwsError(
            "ParameterAlreadyExists",
            "The parameter already exists. To overwrite this value, set the "
            "overwrite option in the request to true.",
        )
    if existing is not None:
        name = existing.name  # `/foo` overwrites `foo` (names.spellings), keeping its name
    old: dict[str, Any] = dict(existing.doc) if existing is not None else {}
    kind = p.get("Type") or old.get("Type")
    if kind is None:
        raise AwsError(
            "ValidationException", "A parameter type is required when you create a parameter."
        )
    data_type = p.get("DataType") or old.get("DataType") or "text"
    if data_type not in DATA_TYPES:
        raise AwsError(
            "ValidationException",
            f"The following data type is not supported: {data_type} (Data type "
            "names are all lowercase.)",
        )
    pattern = (
        p.get("AllowedPattern")
        if p.get("AllowedPattern") is not None
        else old.get("AllowedPattern")
    )
    if pattern:
        _check_pattern(pattern, value)
    tier = _tier(p.get("Tier"), existing, value)
    check_tags(p.get("Tags") or [])
    version = existing.version + 1 if existing is not None else 1
    doc: dict[str, Any] = {
        "Name": name,
        "Type": kind,
        "LastModifiedDate": ctx.now,
        "LastModifiedUser": ctx.principal,
        "Version": version,
        "Tier": tier,
        "Policies": [],
        "DataType": data_type,
    }
    if kind == "SecureString":
        doc["KeyId"] = p.get("KeyId") or old.get("KeyId") or DEFAULT_KEY
    description = (
        p.get("Description") if p.get("Description") is not None else old.get("Description")
    )
    if description:
        doc["Description"] = description
    if pattern:
        doc["AllowedPattern"] = pattern
    sealed = model.seal(ctx, name, version, value)
    current = {**doc, "ARN": names.arn(ctx.region, ctx.account, name)}
    if existing is None:
        model.create(
            ctx,
            name,
            kind=kind,
            version=version,
            sealed=sealed,
            tags=p.get("Tags") or [],
            doc=current,
        )
    else:
        model.replace(ctx, name, kind=kind, version=version, sealed=sealed, doc=current)
        _drop_oldest(ctx, name, version)
    model.add_version(ctx, name, version, sealed, doc)
    return {"Version": version, "Tier": tier}


@ssm.operation("GetParameter")
def get_parameter(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    if references.is_reference(p["Name"]):
        decrypt = bool(p.get("WithDecryption"))
        return {"Parameter": references.parameter(ctx, p["Name"], decrypt=decrypt)}
    found = _lookup(ctx, p["Name"])
    return {"Parameter": view(ctx, found, decrypt=bool(p.get("WithDecryption")))}


@ssm.operation("GetParameters")
def get_parameters(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    found: list[dict[str, Any]] = []
    invalid: list[str] = []
    decrypt = bool(p.get("WithDecryption"))
    asked = list(dict.fromkeys(p["Names"]))  # asked twice, answered once
    if not decrypt and any(references.is_reference(ref) for ref in asked):
        raise AwsError("ValidationException", references.NEEDS_DECRYPTION)
    for ref in asked:
        try:
            if references.is_reference(ref):
                found.append(references.parameter(ctx, ref, decrypt=decrypt))
                continue
            one = _lookup(ctx, ref)
        except AwsError as exc:
            if exc.code not in ("ParameterNotFound", "ParameterVersionNotFound"):
                raise
            invalid.append(ref)
            continue
        found.append(view(ctx, one, decrypt=decrypt))
    return {"Parameters": found, "InvalidParameters": invalid}


def _delete(ctx: Context, ref: str) -> bool:
    parsed = names.reference(ref, region=ctx.region, account=ctx.account)
    if parsed is None or parsed.selector:
        return False
    found = rows.lookup(ctx.conn, parsed)
    if found is None:
        return False
    model.delete_parameter(ctx, found.region, found.name)
    return True


@ssm.operation("DeleteParameter", write=True)
def delete_parameter(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    if not _delete(ctx, p["Name"]):
        raise rows.not_found(p["Name"], named=True)
    return {}


@ssm.operation("DeleteParameters", write=True)
def delete_parameters(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    deleted: list[str] = []
    invalid: list[str] = []
    for name in dict.fromkeys(p["Names"]):
        (deleted if _delete(ctx, name) else invalid).append(name)
    return {"DeletedParameters": deleted, "InvalidParameters": invalid}
