"""Roles: Create/Get/List/Update/Delete and the trust policy (tags: tags.py).

The trust policy is kept as written and answered URL-encoded, as IAM does; Terraform
decodes it and compares it with what it sent.
"""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.iam import documents, policies, roles, service_linked, tags
from .api import iam
from .paging import page

_LISTED = ("Path", "RoleName", "RoleId", "Arn", "CreateDate", "Description", "MaxSessionDuration")


def view(doc: dict[str, Any], *, listed: bool = False) -> dict[str, Any]:
    out = {k: v for k, v in doc.items() if not listed or k in _LISTED}
    out["AssumeRolePolicyDocument"] = roles.encoded(doc["AssumeRolePolicyDocument"])
    if not out.get("Tags"):
        out.pop("Tags", None)
    return out


@iam.operation("CreateRole", write=True)
def create_role(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    name, path = p["RoleName"], p.get("Path") or "/"
    documents.check(p["AssumeRolePolicyDocument"])
    doc = roles.new_doc(
        ctx,
        name,
        path,
        p["AssumeRolePolicyDocument"],
        max_session=p.get("MaxSessionDuration") or 3600,
        description=p.get("Description"),
    )
    if p.get("PermissionsBoundary"):
        doc["PermissionsBoundary"] = {
            "PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": p["PermissionsBoundary"],
        }
    doc["Tags"] = tags.merged([], p.get("Tags") or [], "Role")
    roles.create(ctx, doc)
    return {"Role": view(doc)}


@iam.operation("GetRole")
def get_role(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return {"Role": view(roles.get(ctx, p["RoleName"]).doc)}


@iam.operation("ListRoles")
def list_roles(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    q, cols = roles.listing(ctx, p.get("PathPrefix") or "/")
    rows, out = page(ctx.conn, q, cols, p)
    return {"Roles": [view(r.doc, listed=True) for r in rows], **out}


@iam.operation("UpdateRole", write=True)
def update_role(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = roles.get(ctx, p["RoleName"])
    doc = dict(row.doc)
    if p.get("Description") is not None:
        doc["Description"] = p["Description"]
    if p.get("MaxSessionDuration") is not None:
        doc["MaxSessionDuration"] = p["MaxSessionDuration"]
    roles.save(ctx, row, doc)
    return {}


@iam.operation("UpdateRoleDescription", write=True)
def update_role_description(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = roles.get(ctx, p["RoleName"])
    doc = {**row.doc, "Description": p["Description"]}
    roles.save(ctx, row, doc)
    return {"Role": view(doc)}


@iam.operation("UpdateAssumeRolePolicy", write=True)
def update_assume_role_policy(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = roles.get(ctx, p["RoleName"])
    service_linked.check_modifiable(row.doc)
    documents.check(p["PolicyDocument"])
    roles.save(ctx, row, {**row.doc, "AssumeRolePolicyDocument": p["PolicyDocument"]})
    return {}


@iam.operation("DeleteRole", write=True)
def delete_role(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = roles.get(ctx, p["RoleName"])
    service_linked.check_modifiable(row.doc)
    if roles.policy_count(ctx, row):
        raise AwsError("DeleteConflict", "Cannot delete entity, must delete policies first.")
    if policies.attached_to(ctx, row.name):
        raise AwsError("DeleteConflict", "Cannot delete entity, must detach all policies first.")
    from .profiles import profiles_with  # profiles.py imports this module's view

    if profiles_with(ctx, row.name):
        raise AwsError(
            "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first."
        )
    roles.remove(ctx, row)
    return {}
