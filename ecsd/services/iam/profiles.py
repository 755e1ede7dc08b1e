"""Instance profiles: Create/Get/Delete/List, Add/RemoveRoleFromInstanceProfile,
ListInstanceProfilesForRole (Terraform calls it before deleting any role)."""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...core import partitions
from ...model.iam import profiles as store
from ...model.iam import roles, tags
from .api import iam
from .paging import page
from .roles import view as role_view


def _row(ctx: Context, name: str) -> Any:
    return store.get(ctx, name)


def _view(ctx: Context, row: Any) -> dict[str, Any]:
    members = [role_view(roles.get(ctx, key).doc, listed=True) for key in row.roles]
    return {**row.doc, "Roles": members}


def _set_roles(ctx: Context, row: Any, members: list[str]) -> None:
    store.set_roles(ctx, row, members)


@iam.operation("CreateInstanceProfile", write=True)
def create_instance_profile(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    name, path = p["InstanceProfileName"], p.get("Path") or "/"
    doc: dict[str, Any] = {
        "Path": path,
        "InstanceProfileName": name,
        "InstanceProfileId": roles.new_id("AIPA"),
        "Arn": partitions.global_arn(
            "iam", ctx.region, ctx.account, f"instance-profile{path}{name}"
        ),
        "CreateDate": ctx.now,
    }
    if p.get("Tags"):
        doc["Tags"] = tags.merged([], p["Tags"], "InstanceProfile")
    store.create(ctx, name, doc)
    return {"InstanceProfile": {**doc, "Roles": []}}


@iam.operation("GetInstanceProfile")
def get_instance_profile(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return {"InstanceProfile": _view(ctx, _row(ctx, p["InstanceProfileName"]))}


@iam.operation("DeleteInstanceProfile", write=True)
def delete_instance_profile(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = _row(ctx, p["InstanceProfileName"])
    if row.roles:
        raise AwsError(
            "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first."
        )
    store.remove(ctx, row)
    return {}


@iam.operation("ListInstanceProfiles")
def list_instance_profiles(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    q, cols = store.listing(ctx)
    prefix = p.get("PathPrefix") or "/"
    rows, out = page(ctx.conn, q, cols, p)
    found = [_view(ctx, r) for r in rows if r.doc["Path"].startswith(prefix)]
    return {"InstanceProfiles": found, **out}


@iam.operation("AddRoleToInstanceProfile", write=True)
def add_role_to_instance_profile(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = _row(ctx, p["InstanceProfileName"])
    role = roles.get(ctx, p["RoleName"])
    if row.roles:
        raise AwsError(
            "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1"
        )
    _set_roles(ctx, row, [role.name])
    return {}


@iam.operation("RemoveRoleFromInstanceProfile", write=True)
def remove_role_from_instance_profile(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = _row(ctx, p["InstanceProfileName"])
    role = roles.get(ctx, p["RoleName"])
    if role.name not in row.roles:
        # ecsd's own text
        raise AwsError(
            "NoSuchEntity",
            f"Role {p['RoleName']} is not in instance profile {p['InstanceProfileName']}.",
        )
    _set_roles(ctx, row, [k for k in row.roles if k != role.name])
    return {}


def profiles_with(ctx: Context, role_key: str) -> list[Any]:
    return store.with_role(ctx, role_key)


@iam.operation("ListInstanceProfilesForRole")
def list_instance_profiles_for_role(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    role = roles.get(ctx, p["RoleName"])
    return {
        "InstanceProfiles": [_view(ctx, r) for r in profiles_with(ctx, role.name)],
        "IsTruncated": False,
    }
