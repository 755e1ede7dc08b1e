"""Managed policies: Create/Get/List/Delete, versions (at most 5), attaching to roles,
ListEntitiesForPolicy. Documents are kept as written and answered URL-encoded."""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...core import partitions
from ...model.iam import documents, policies, roles, service_linked, tags
from .api import iam
from .paging import page


def _view(ctx: Context, record: dict[str, Any]) -> dict[str, Any]:
    return {
        **record["doc"],
        "AttachmentCount": policies.attachment_count(ctx, record["doc"]["Arn"]),
    }


def _version_view(v: dict[str, Any]) -> dict[str, Any]:
    return {**v, "Document": roles.encoded(v["Document"])}


@iam.operation("CreatePolicy", write=True)
def create_policy(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    name, path = p["PolicyName"], p.get("Path") or "/"
    documents.check(p["PolicyDocument"])
    doc: dict[str, Any] = {
        "PolicyName": name,
        "PolicyId": roles.new_id("ANPA"),
        "Arn": partitions.global_arn("iam", ctx.region, ctx.account, f"policy{path}{name}"),
        "Path": path,
        "DefaultVersionId": "v1",
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True,
        "CreateDate": ctx.now,
        "UpdateDate": ctx.now,
    }
    if p.get("Description") is not None:
        doc["Description"] = p["Description"]
    if p.get("Tags"):
        doc["Tags"] = tags.merged([], p["Tags"], "Policy")
    version = {
        "VersionId": "v1",
        "Document": p["PolicyDocument"],
        "IsDefaultVersion": True,
        "CreateDate": ctx.now,
    }
    policies.create(ctx, doc, [version])
    return {"Policy": {**doc, "AttachmentCount": 0}}


@iam.operation("GetPolicy")
def get_policy(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return {"Policy": _view(ctx, policies.get(ctx, p["PolicyArn"]))}


@iam.operation("GetPolicyVersion")
def get_policy_version(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    record = policies.get(ctx, p["PolicyArn"])
    return {"PolicyVersion": _version_view(policies.find_version(record, p["VersionId"]))}


@iam.operation("ListPolicies")
def list_policies(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    scope, prefix = p.get("Scope") or "All", p.get("PathPrefix") or "/"
    only_attached = bool(p.get("OnlyAttached"))
    found: list[dict[str, Any]] = []
    if scope in ("All", "AWS"):
        for record in policies.aws_policies(roles.partition_of(ctx)).values():
            if record["doc"]["Path"].startswith(prefix):
                found.append(_view(ctx, record))
    rows: list[Any] = []
    out: dict[str, Any] = {"IsTruncated": False}
    if scope in ("All", "Local"):
        q, cols = policies.listing(ctx, prefix)
        rows, out = page(ctx.conn, q, cols, p)
    for r in rows:
        found.append(_view(ctx, {"doc": r.doc}))
    if only_attached:
        found = [f for f in found if f["AttachmentCount"]]
    # AWS's handful of policies are answered on every page's first call only.
    if p.get("Marker"):
        found = [f for f in found if not f["Arn"].split(":")[4] == "aws"]
    for f in found:
        f.pop("Tags", None)
    return {"Policies": found, **out}


@iam.operation("DeletePolicy", write=True)
def delete_policy(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    arn = p["PolicyArn"]
    policies.own(ctx, arn)
    if policies.attachment_count(ctx, arn):
        raise AwsError("DeleteConflict", "Cannot delete a policy attached to entities.")
    policies.remove(ctx, arn)
    return {}


@iam.operation("CreatePolicyVersion", write=True)
def create_policy_version(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    record = policies.own(ctx, p["PolicyArn"])
    documents.check(p["PolicyDocument"])
    versions = record["versions"]
    if len(versions) >= policies.MAX_VERSIONS:
        raise AwsError(
            "LimitExceeded",
            f"A managed policy can have up to {policies.MAX_VERSIONS} versions. Before you "
            "create a new version, you must delete an existing version.",
        )
    number = max(int(v["VersionId"][1:]) for v in versions) + 1
    default = bool(p.get("SetAsDefault"))
    version = {
        "VersionId": f"v{number}",
        "Document": p["PolicyDocument"],
        "IsDefaultVersion": default,
        "CreateDate": ctx.now,
    }
    if default:
        versions = [{**v, "IsDefaultVersion": False} for v in versions]
        record["doc"]["DefaultVersionId"] = version["VersionId"]
    record["doc"]["UpdateDate"] = ctx.now
    policies.save(ctx, record["doc"], [*versions, version])
    return {"PolicyVersion": {k: v for k, v in version.items() if k != "Document"}}


@iam.operation("ListPolicyVersions")
def list_policy_versions(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    record = policies.get(ctx, p["PolicyArn"])
    listed = [{k: v for k, v in x.items() if k != "Document"} for x in record["versions"]]
    return {"Versions": listed[::-1], "IsTruncated": False}


@iam.operation("DeletePolicyVersion", write=True)
def delete_policy_version(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    record = policies.own(ctx, p["PolicyArn"])
    version = policies.find_version(record, p["VersionId"])
    if version["IsDefaultVersion"]:
        raise AwsError("DeleteConflict", "Cannot delete the default version of a policy.")
    rest = [v for v in record["versions"] if v["VersionId"] != p["VersionId"]]
    policies.save(ctx, record["doc"], rest)
    return {}


@iam.operation("SetDefaultPolicyVersion", write=True)
def set_default_policy_version(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    record = policies.own(ctx, p["PolicyArn"])
    policies.find_version(record, p["VersionId"])
    versions = [
        {**v, "IsDefaultVersion": v["VersionId"] == p["VersionId"]} for v in record["versions"]
    ]
    policies.save(ctx, {**record["doc"], "DefaultVersionId": p["VersionId"]}, versions)
    return {}


@iam.operation("AttachRolePolicy", write=True)
def attach_role_policy(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = roles.get(ctx, p["RoleName"])
    service_linked.check_modifiable(row.doc)
    if not policies.get(ctx, p["PolicyArn"])["doc"]["IsAttachable"]:
        # ecsd's own text, after the model's description of PolicyNotAttachable.
        raise AwsError(
            "PolicyNotAttachable",
            "Service role policies can only be attached to the service-linked role for "
            "that service.",
        )
    policies.attach(ctx, row.name, p["PolicyArn"])
    return {}


@iam.operation("DetachRolePolicy", write=True)
def detach_role_policy(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = roles.get(ctx, p["RoleName"])
    service_linked.check_modifiable(row.doc)
    if not policies.detach(ctx, row.name, p["PolicyArn"]):
        raise AwsError("NoSuchEntity", f"Policy {p['PolicyArn']} was not found.")
    return {}


@iam.operation("ListAttachedRolePolicies")
def list_attached_role_policies(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = roles.get(ctx, p["RoleName"])
    out = []
    for arn in policies.attached_to(ctx, row.name):
        record = policies.get(ctx, arn)
        if record["doc"]["Path"].startswith(p.get("PathPrefix") or "/"):
            out.append({"PolicyName": record["doc"]["PolicyName"], "PolicyArn": arn})
    return {"AttachedPolicies": out, "IsTruncated": False}


@iam.operation("ListEntitiesForPolicy")
def list_entities_for_policy(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    policies.get(ctx, p["PolicyArn"])
    found = []
    for key in policies.roles_of(ctx, p["PolicyArn"]):
        doc = roles.get(ctx, key).doc
        found.append({"RoleName": doc["RoleName"], "RoleId": doc["RoleId"]})
    return {"PolicyGroups": [], "PolicyUsers": [], "PolicyRoles": found, "IsTruncated": False}
