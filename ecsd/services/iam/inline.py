"""Inline role policies: Put/Get/Delete/ListRolePolicies. Documents are kept as written
and answered URL-encoded, as IAM answers them."""

from __future__ import annotations

from typing import Any

from ...aws.provider import Context
from ...model.iam import documents, roles, service_linked
from .api import iam
from .paging import page


@iam.operation("PutRolePolicy", write=True)
def put_role_policy(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = roles.get(ctx, p["RoleName"])
    service_linked.check_modifiable(row.doc)
    documents.check(p["PolicyDocument"])
    roles.put_policy(ctx, row, p["PolicyName"], p["PolicyDocument"])
    return {}


@iam.operation("GetRolePolicy")
def get_role_policy(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = roles.get(ctx, p["RoleName"])
    text = roles.get_policy(ctx, row, p["PolicyName"])
    return {
        "RoleName": row.doc["RoleName"],
        "PolicyName": p["PolicyName"],
        "PolicyDocument": roles.encoded(text),
    }


@iam.operation("DeleteRolePolicy", write=True)
def delete_role_policy(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = roles.get(ctx, p["RoleName"])
    service_linked.check_modifiable(row.doc)
    roles.delete_policy(ctx, row, p["PolicyName"])
    return {}


@iam.operation("ListRolePolicies")
def list_role_policies(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    q, cols = roles.policy_listing(roles.get(ctx, p["RoleName"]))
    rows, out = page(ctx.conn, q, cols, p)
    return {"PolicyNames": [r.name for r in rows], **out}
