"""Instance profiles: Create/Get/Delete/List, Add/RemoveRoleFromInstanceProfile,
ListInstanceProfilesForRole (Terraform calls it before deleting any role)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...core import partitions
from ...model.iam import roles
from ...store.schema.iam import iam_instance_profiles as t
from .api import iam
from .paging import page
from .roles import view as role_view


def _row(ctx: Context, name: str) -> Any:
    row = ctx.conn.execute(
        select(t).where(t.c.partition == roles.partition_of(ctx), t.c.name == name.lower())
    ).first()
    if row is None:
        raise AwsError("NoSuchEntity", f"Instance Profile {name} cannot be found.")
    return row


def _view(ctx: Context, row: Any) -> dict[str, Any]:
    members = [role_view(roles.get(ctx, key).doc, listed=True) for key in row.roles]
    return {**row.doc, "Roles": members}


def _set_roles(ctx: Context, row: Any, members: list[str]) -> None:
    ctx.conn.execute(
        update(t).where(t.c.partition == row.partition, t.c.name == row.name).values(roles=members)
    )


@iam.operation("CreateInstanceProfile", write=True)
def create_instance_profile(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    name, path, part = p["InstanceProfileName"], p.get("Path") or "/", roles.partition_of(ctx)
    if ctx.conn.execute(
        select(t.c.name).where(t.c.partition == part, t.c.name == name.lower())
    ).first():
        raise AwsError("EntityAlreadyExists", f"Instance Profile {name} already exists.")
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
        doc["Tags"] = p["Tags"]
    ctx.conn.execute(insert(t).values(partition=part, name=name.lower(), doc=doc, roles=[]))
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
    ctx.conn.execute(delete(t).where(t.c.partition == row.partition, t.c.name == row.name))
    return {}


@iam.operation("ListInstanceProfiles")
def list_instance_profiles(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    q = select(t).where(t.c.partition == roles.partition_of(ctx))
    prefix = p.get("PathPrefix") or "/"
    rows, out = page(ctx.conn, q, [t.c.name], p)
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
    rows = ctx.conn.execute(
        select(t).where(t.c.partition == roles.partition_of(ctx)).order_by(t.c.name)
    )
    return [r for r in rows if role_key in r.roles]


@iam.operation("ListInstanceProfilesForRole")
def list_instance_profiles_for_role(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    role = roles.get(ctx, p["RoleName"])
    return {
        "InstanceProfiles": [_view(ctx, r) for r in profiles_with(ctx, role.name)],
        "IsTruncated": False,
    }
