"""STS: GetCallerIdentity (`aws sts get-caller-identity`, Terraform's provider start-up)
and AssumeRole. Query protocol, XML answers.

A request signed with keys ecsd handed out for a role (a task's role credentials,
AssumeRole's) is answered as that role's session, `assumed-role/<role>/<session>`; any
other key is the account's root. Policies are stored, not enforced: AssumeRole checks
that the role exists, not its trust policy.
"""

from __future__ import annotations

import secrets
from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context, Provider
from ...model.iam import roles, sessions

sts = Provider("sts", validation_error="ValidationError")


def _caller(ctx: Context) -> tuple[str, str]:
    """(Arn, UserId) of whoever signed the request."""
    found = sessions.find(ctx, ctx.caller)
    if found is not None:
        return found.arn, found.user_id
    return ctx.principal, ctx.account


@sts.operation("GetCallerIdentity")
def get_caller_identity(ctx: Context, _params: dict[str, Any]) -> dict[str, Any]:
    arn, user_id = _caller(ctx)
    return {"UserId": user_id, "Account": ctx.account, "Arn": arn}


@sts.operation("AssumeRole", write=True)
def assume_role(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    role_arn = p["RoleArn"]
    try:
        doc = roles.get(ctx, role_arn.rsplit("/", 1)[-1]).doc
    except AwsError:
        doc = None
    if doc is None or doc["Arn"] != role_arn:
        # AWS's answer for a role that does not exist (it does not tell the two apart).
        raise AwsError(
            "AccessDenied",
            f"User: {_caller(ctx)[0]} is not authorized to perform: sts:AssumeRole on "
            f"resource: {role_arn}",
            status=403,
        )
    duration = p.get("DurationSeconds") or 3600
    if duration > int(doc.get("MaxSessionDuration") or 3600):
        raise AwsError(
            "ValidationError",
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        )
    akid = sessions.new_access_key()
    secret = secrets.token_urlsafe(30)[:40]
    expiration = ctx.now + duration
    made = sessions.record(ctx, akid, role_arn, p["RoleSessionName"], expiration, secret)
    return {
        "Credentials": {
            "AccessKeyId": akid,
            "SecretAccessKey": secret,
            "SessionToken": secrets.token_urlsafe(96),
            "Expiration": expiration,
        },
        "AssumedRoleUser": {"AssumedRoleId": made.user_id, "Arn": made.arn},
        "PackedPolicySize": 0,
    }
