"""Account settings: ListAccountSettings, PutAccountSetting, PutAccountSettingDefault,
DeleteAccountSetting.

A setting resolves principal → account default → ECS's own default. The account default
is stored as the root principal's setting, which is how ECS reports it.
"""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.ecs import account_settings as model
from .. import pagination
from .api import ecs

_ON_OFF = ("enabled", "disabled")
# ECS's defaults for a new account, and the values each setting accepts.
DEFAULTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "serviceLongArnFormat": ("enabled", _ON_OFF),
    "taskLongArnFormat": ("enabled", _ON_OFF),
    "containerInstanceLongArnFormat": ("enabled", _ON_OFF),
    "awsvpcTrunking": ("disabled", _ON_OFF),
    "containerInsights": ("disabled", ("enabled", "disabled", "enhanced")),
    "dualStackIPv6": ("disabled", _ON_OFF),
    "fargateFIPSMode": ("disabled", _ON_OFF),
    "tagResourceAuthorization": ("on", ("on", "off")),
    "fargateTaskRetirementWaitPeriod": ("7", ("0", "7", "14")),
    "guardDutyActivate": ("off", ("on", "off")),
    "defaultLogDriverMode": ("non-blocking", ("blocking", "non-blocking")),
}


def _check(name: str, value: str) -> None:
    if name not in DEFAULTS:
        raise AwsError("InvalidParameterException", f"Unknown account setting name: {name}")
    allowed = DEFAULTS[name][1]
    if value not in allowed:
        raise AwsError("InvalidParameterException", f"{name} must be one of: {', '.join(allowed)}.")


@ecs.operation("PutAccountSetting", write=True)
def put_account_setting(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    _check(p["name"], p["value"])
    principal = p.get("principalArn") or ctx.principal
    model.store(ctx, principal, p["name"], p["value"])
    return {
        "setting": {
            "name": p["name"],
            "value": p["value"],
            "principalArn": principal,
            "type": "user",
        }
    }


@ecs.operation("PutAccountSettingDefault", write=True)
def put_account_setting_default(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    _check(p["name"], p["value"])
    model.store(ctx, ctx.principal, p["name"], p["value"])
    return {
        "setting": {
            "name": p["name"],
            "value": p["value"],
            "principalArn": ctx.principal,
            "type": "user",
        }
    }


@ecs.operation("DeleteAccountSetting", write=True)
def delete_account_setting(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    principal = p.get("principalArn") or ctx.principal
    current = model.explicit(ctx, principal)
    if p["name"] not in current:
        raise AwsError(
            "InvalidParameterException",
            f"The account setting {p['name']} is not set for {principal}.",
        )
    model.remove(ctx, principal, p["name"])
    return {
        "setting": {
            "name": p["name"],
            "value": current[p["name"]],
            "principalArn": principal,
            "type": "user",
        }
    }


@ecs.operation("ListAccountSettings")
def list_account_settings(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    principal = p.get("principalArn") or ctx.principal
    account = {name: default for name, (default, _) in DEFAULTS.items()}
    account.update(model.explicit(ctx, ctx.principal))
    if principal == ctx.principal:
        # The root's settings are the account's: ECS reports them, defaults included.
        settings = [(name, value, ctx.principal) for name, value in account.items()]
    else:
        own = model.explicit(ctx, principal)
        settings = [(n, v, principal) for n, v in own.items()]
        if p.get("effectiveSettings"):
            settings += [(n, v, ctx.principal) for n, v in account.items() if n not in own]
    if p.get("name"):
        settings = [s for s in settings if s[0] == p["name"]]
    if p.get("value"):
        settings = [s for s in settings if s[1] == p["value"]]
    settings.sort()
    size = pagination.page_size(p, default=10, maximum=10)
    (start,) = pagination.decode_token(p.get("nextToken"), [int]) or [0]
    if not 0 <= start <= len(settings):
        raise pagination.INVALID_TOKEN
    page = settings[start : start + size]
    out: dict[str, Any] = {
        "settings": [
            {"name": n, "value": v, "principalArn": pr, "type": "user"} for n, v, pr in page
        ]
    }
    if start + size < len(settings):
        out["nextToken"] = pagination.encode_token([start + size])
    return out
