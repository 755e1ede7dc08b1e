"""Versions and labels: GetParameterHistory, LabelParameterVersion, UnlabelParameterVersion.

A label names one version of a parameter at a time (labelling another version moves it)
and is what the `name:label` selector reads.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from sqlalchemy import Row

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.ssm import names, rows, versions
from .. import pagination
from .api import ssm

MAX_LABELS = 10
_LABEL = re.compile(r"^(?![0-9])(?!(?i:aws|ssm))[A-Za-z0-9_.\-]{1,100}$")
BAD_TOKEN = AwsError("InvalidNextToken", "The specified token isn't valid.")


def _parameter(ctx: Context, name: str) -> Row[Any]:
    parsed = names.reference(name, region=ctx.region, account=ctx.account)
    if parsed is not None and not parsed.selector:
        for candidate in parsed.candidates:
            row = rows.current(ctx.conn, parsed.region, candidate)
            if row is not None:
                return row
    raise rows.not_found(name, named=True)


def _version(ctx: Context, param: Row[Any], number: int) -> Row[Any]:
    row = versions.get(ctx, param, number)
    if row is None:
        raise AwsError(
            "ParameterVersionNotFound",
            f"Systems Manager could not find version {number} of {param.name}. "
            "Verify the version and try again.",
        )
    return row


@ssm.operation("GetParameterHistory")
def get_parameter_history(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    param = _parameter(ctx, p["Name"])
    q, key = versions.history(param)
    after = pagination.decode_token(p.get("NextToken"), pagination.kinds_of(key), error=BAD_TOKEN)
    page, next_key = pagination.scan(ctx.conn, q, key, after, p.get("MaxResults") or 50)
    decrypt = bool(p.get("WithDecryption"))
    history = []
    for v in page:
        found = rows.Found(
            v.region, v.name, v.version, v.doc["Type"], v.value, v.doc, param.doc["ARN"], ""
        )
        value = (
            found.plaintext(ctx.settings.data_dir)
            if found.type != "SecureString" or decrypt
            else base64.b64encode(found.sealed).decode()
        )
        history.append({**v.doc, "Value": value, "Labels": list(v.labels)})
    out: dict[str, Any] = {"Parameters": history}
    if next_key is not None:
        out["NextToken"] = pagination.encode_token(next_key)
    return out


@ssm.operation("LabelParameterVersion", write=True)
def label_parameter_version(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    param = _parameter(ctx, p["Name"])
    number = p.get("ParameterVersion") or param.version
    target = _version(ctx, param, number)
    good = [label for label in dict.fromkeys(p["Labels"]) if _LABEL.match(label)]
    invalid = [label for label in dict.fromkeys(p["Labels"]) if label not in good]
    labels = list(target.labels) + [label for label in good if label not in target.labels]
    if len(labels) > MAX_LABELS:
        raise AwsError(
            "ParameterVersionLabelLimitExceeded",
            "A parameter version can have maximum 10 labels. Move one or more "
            "labels to another version and try again.",
        )
    if good:
        for other in versions.all_of(ctx, param):
            if other.version != number and any(label in other.labels for label in good):
                versions.set_labels(ctx, other, [x for x in other.labels if x not in good])
        versions.set_labels(ctx, target, labels)
    return {"InvalidLabels": invalid, "ParameterVersion": number}


@ssm.operation("UnlabelParameterVersion", write=True)
def unlabel_parameter_version(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    param = _parameter(ctx, p["Name"])
    target = _version(ctx, param, p["ParameterVersion"])
    asked = list(dict.fromkeys(p["Labels"]))
    removed = [label for label in asked if label in target.labels]
    if removed:
        versions.set_labels(ctx, target, [x for x in target.labels if x not in removed])
    return {
        "RemovedLabels": removed,
        "InvalidLabels": [label for label in asked if label not in removed],
    }
