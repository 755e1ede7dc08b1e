"""STS, for the one call every tool makes first: GetCallerIdentity (`aws sts
get-caller-identity`, Terraform's provider start-up). Query protocol, XML answers."""

from __future__ import annotations

from typing import Any

from ...aws.provider import Context, Provider

sts = Provider("sts")


@sts.operation("GetCallerIdentity")
def get_caller_identity(ctx: Context, _params: dict[str, Any]) -> dict[str, Any]:
    return {"UserId": ctx.account, "Account": ctx.account, "Arn": ctx.principal}
