"""RotateSecret and CancelRotateSecret, as far as they go without a rotation function.

On AWS, RotateSecret stores the rotation schedule and then has a Lambda function (or the
managing service) create the new value: createSecret puts a version labelled AWSPENDING,
setSecret/testSecret try it, finishSecret moves AWSCURRENT onto it. ecsd runs no Lambda,
so here rotating immediately creates the AWSPENDING version with the *current* value
(nothing can make a new one) and then does finishSecret's move: AWSCURRENT goes to the
new version, AWSPREVIOUS to the old. What is left out: invoking RotationLambdaARN (it is
stored and shown, never called), a new value, and the scheduled rotations themselves
(NextRotationDate is shown; nothing rotates when it comes).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.secretsmanager import rows, versions
from ...model.secretsmanager import secrets as model
from ...model.secretsmanager.rows import CURRENT, PENDING, PREVIOUS
from .api import secretsmanager
from .versions import token_in_use

DAY = 86400.0
_RATE = re.compile(r"^rate\((\d+) (hours?|days?)\)$")
_CRON = re.compile(r"^cron\((\S+ ){5}\S+\)$")
_DURATION = re.compile(r"^(\d+)h$")


def _rules(given: dict[str, Any]) -> dict[str, Any]:
    """RotationRules checked as Secrets Manager checks them (texts ecsd's own where
    AWS's are not documented)."""
    days, schedule, duration = (
        given.get("AutomaticallyAfterDays"),
        given.get("ScheduleExpression"),
        given.get("Duration"),
    )
    if days is not None and schedule is not None:
        raise AwsError(
            "InvalidParameterException",
            "You can't specify both AutomaticallyAfterDays and ScheduleExpression.",
        )
    if days is not None and not 1 <= days <= 1000:
        raise AwsError(
            "InvalidParameterException",
            "RotationRules.AutomaticallyAfterDays must be within 1-1000.",
        )
    if schedule is not None:
        rate = _RATE.match(schedule)
        if rate is None and not _CRON.match(schedule):
            raise AwsError(
                "InvalidParameterException",
                f"The schedule expression {schedule} is not valid: use rate(N days), "
                "rate(N hours) or cron(...).",
            )
        if rate is not None and rate.group(2).startswith("hour") and int(rate.group(1)) < 4:
            raise AwsError(
                "InvalidParameterException",
                "The rotation interval must be at least four hours.",
            )
    if duration is not None:
        hours = _DURATION.match(duration)
        if hours is None or not 1 <= int(hours.group(1)) <= 24:
            raise AwsError(
                "InvalidParameterException",
                f"The rotation window duration {duration} is not valid: use 1h to 24h.",
            )
    return {k: v for k, v in given.items() if v is not None}


def _interval(rules: dict[str, Any]) -> float | None:
    """Seconds between rotations, when the rules say so simply (a cron has no fixed
    interval: ecsd then shows no NextRotationDate)."""
    if "AutomaticallyAfterDays" in rules:
        return float(rules["AutomaticallyAfterDays"]) * DAY
    rate = _RATE.match(rules.get("ScheduleExpression") or "")
    if rate is None:
        return None
    unit = 3600.0 if rate.group(2).startswith("hour") else DAY
    return int(rate.group(1)) * unit


@secretsmanager.operation("RotateSecret", write=True)
def rotate_secret(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    secret = rows.require(ctx, p["SecretId"])
    existing = rows.all_versions(ctx.conn, secret.arn)
    pending = next((v for v in existing if PENDING in v.stages), None)
    if pending is not None and CURRENT not in pending.stages:
        raise AwsError(
            "InvalidRequestException",
            "A previous rotation isn't complete. That rotation will be reattempted.",
        )
    rules = _rules(p.get("RotationRules") or secret.doc.get("RotationRules") or {})
    changes: dict[str, Any] = {"RotationEnabled": True}
    if rules:
        changes["RotationRules"] = rules
    if p.get("RotationLambdaARN"):
        changes["RotationLambdaARN"] = p["RotationLambdaARN"]
    out: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name}
    current = next((v for v in existing if CURRENT in v.stages), None)
    if p.get("RotateImmediately", True) and current is not None:
        token = p.get("ClientRequestToken") or str(uuid.uuid4())
        if any(v.version_id == token for v in existing):
            raise token_in_use(secret, token)
        data = rows.plaintext(ctx.settings.data_dir, secret.arn, current)
        # createSecret: the new version, AWSPENDING (taken from any other version)...
        for v in existing:
            if PENDING in v.stages:
                versions.set_stages(
                    ctx, secret.arn, v.version_id, [s for s in v.stages if s != PENDING]
                )
        versions.add(ctx, secret.arn, token, [PENDING], data, binary=bool(current.binary))
        # ...finishSecret: AWSCURRENT moves to it, AWSPREVIOUS to the version it left.
        for v in rows.all_versions(ctx.conn, secret.arn):
            if v.version_id == token:
                labels = [CURRENT]
            elif v.version_id == current.version_id:
                labels = [s for s in v.stages if s not in (CURRENT, PENDING)] + [PREVIOUS]
            else:
                labels = [s for s in v.stages if s != PREVIOUS]
            if labels != list(v.stages):
                versions.set_stages(ctx, secret.arn, v.version_id, labels)
        changes["LastRotatedDate"] = ctx.now
        out["VersionId"] = token
    interval = _interval(rules)
    if interval is not None:
        since = changes.get("LastRotatedDate") or secret.doc.get("LastRotatedDate") or ctx.now
        changes["NextRotationDate"] = since + interval
    model.touch(ctx, model.by_arn(ctx, secret.arn), **changes)
    return out


@secretsmanager.operation("CancelRotateSecret", write=True)
def cancel_rotate_secret(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    secret = rows.require(ctx, p["SecretId"])
    out: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name}
    pending = next(
        (v for v in rows.all_versions(ctx.conn, secret.arn) if PENDING in v.stages), None
    )
    if pending is not None and CURRENT not in pending.stages:
        # A rotation in progress: its version stays (labelled AWSPENDING) for the
        # caller to clean up, as AWS leaves it.
        out["VersionId"] = pending.version_id
    doc = {k: v for k, v in secret.doc.items() if k != "NextRotationDate"}
    doc["RotationEnabled"] = False
    model.replace_doc(ctx, secret, doc)
    return out
