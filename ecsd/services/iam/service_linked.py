"""Service-linked roles: CreateServiceLinkedRole, DeleteServiceLinkedRole and
GetServiceLinkedRoleDeletionStatus (Terraform's aws_iam_service_linked_role).

The deletion is done at once, so its task always reports SUCCEEDED; the task id carries
the role's path and name, as IAM's does (`task/aws-service-role/<service>/<name>/<id>`).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...core import partitions
from ...model.iam import policies, roles, service_linked
from .api import iam
from .roles import view

_TASK = re.compile(r"^task/aws-service-role/[^/]+/[^/]+/[0-9a-f-]{36}$")


@iam.operation("CreateServiceLinkedRole", write=True)
def create_service_linked_role(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    service = p["AWSServiceName"]
    found, name = service_linked.linked(service, p.get("CustomSuffix"))
    try:
        roles.get(ctx, name)
    except AwsError:
        pass
    else:
        raise AwsError(
            "InvalidInput",
            f"Service role name {name} has been taken in this account, please try a "
            "different suffix.",
        )
    path = f"{service_linked.PATH_PREFIX}{service}/"
    trust = service_linked.trust_policy(service)
    doc = roles.new_doc(ctx, name, path, trust, description=p.get("Description"))
    roles.create(ctx, doc)
    policy = f"arn:{partitions.partition(ctx.region)}:iam::aws:policy"
    policies.attach(ctx, name.lower(), f"{policy}{service_linked.PATH_PREFIX}{found.policy}")
    return {"Role": view(doc)}


@iam.operation("DeleteServiceLinkedRole", write=True)
def delete_service_linked_role(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = roles.get(ctx, p["RoleName"])
    if not service_linked.is_linked(row.doc):
        # ecsd's own text.
        raise AwsError("InvalidInput", f"Role {row.doc['RoleName']} is not a service-linked role.")
    for arn in policies.attached_to(ctx, row.name):
        policies.detach(ctx, row.name, arn)
    roles.remove(ctx, row)
    service = service_linked.service_of(row.doc)
    return {
        "DeletionTaskId": f"task/aws-service-role/{service}/{row.doc['RoleName']}/{uuid.uuid4()}"
    }


@iam.operation("GetServiceLinkedRoleDeletionStatus")
def get_service_linked_role_deletion_status(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    if not _TASK.match(p["DeletionTaskId"]):
        # ecsd's own text.
        raise AwsError("InvalidInput", f"Invalid deletion task id {p['DeletionTaskId']}.")
    return {"Status": "SUCCEEDED"}
