"""Task definitions: RegisterTaskDefinition, DescribeTaskDefinition,
ListTaskDefinitions, ListTaskDefinitionFamilies, DeregisterTaskDefinition,
DeleteTaskDefinitions.

Revisions are never reused: `task_definition_families` remembers the last revision each
family ever had, even when every revision has been deleted. A refused registration
raises before anything is written, and its transaction is rolled back anyway, so it uses
up no revision. Every lookup and every list page is an index seek (see the indexes in
store/schema/ecs.py), so neither grows with the number of revisions stored.

Deletion: ECS keeps a deleted revision in DELETE_IN_PROGRESS until no task or service
uses it, then removes it for good. ecsd keeps it in DELETE_IN_PROGRESS — still
describable and listed under that status — because tasks may still name it; the family
and its revision counter stay either way, as in ECS.
"""

from __future__ import annotations

import json
from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...core import numbers
from ...model.ecs import arns
from ...model.ecs import task_definitions as model
from .. import pagination
from . import tags
from .api import ecs
from .task_definition_attributes import compatibilities, in_model_order, requires_attributes
from .task_definition_containers import client_error
from .task_definition_rules import normalise

NOT_FOUND = model.NOT_FOUND
MAX_DELETE = 10
parse = model.parse
load = model.load


def _load_revision(ctx: Context, ref: str) -> dict[str, Any]:
    """Deregister/Delete: a revision must be named."""
    parsed = parse(ctx, ref)
    if parsed is not None:
        revision = parsed[1]
        if revision is None:
            raise client_error("Revision is missing.")
        if numbers.decimal(revision) is None:  # "１２" and 2**64 are not revisions
            raise client_error(f"Invalid revision number. Number: {revision}")
    return load(ctx, ref)


@ecs.operation("RegisterTaskDefinition", write=True)
def register_task_definition(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    _check_size(p)
    td = normalise(p)
    family = td["family"]
    revision = model.next_revision(ctx, family)
    arn = arns.task_definition_arn(ctx, family, revision)
    doc = in_model_order(
        {
            **td,
            "taskDefinitionArn": arn,
            "revision": revision,
            "status": "ACTIVE",
            "requiresAttributes": requires_attributes(td),
            "compatibilities": compatibilities(td),
            "registeredAt": ctx.now,
            "registeredBy": ctx.principal,
        }
    )
    model.insert(ctx, doc)
    out: dict[str, Any] = {"taskDefinition": doc}
    if p.get("tags"):
        tags.put(ctx, arn, p["tags"])
        out["tags"] = tags.get(ctx, arn)
    return out


# ECS's limit on one task definition revision (its service quota "Task definition size").
MAX_TASK_DEFINITION_BYTES = 65536


def _check_size(p: dict[str, Any]) -> None:
    """The definition as registered, tags aside, in compact JSON. AWS's text is from a real
    ClientException; how AWS counts (which JSON form) is not documented, so the length
    reported may differ from AWS's by the formatting."""
    size = len(
        json.dumps(
            {k: v for k, v in p.items() if k != "tags"}, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8", "surrogatepass")
    )
    if size > MAX_TASK_DEFINITION_BYTES:
        raise AwsError(
            "ClientException",
            f"Actual length: '{size}'. Max allowed length is '{MAX_TASK_DEFINITION_BYTES}' bytes.",
        )


@ecs.operation("DescribeTaskDefinition")
def describe_task_definition(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    doc = load(ctx, p["taskDefinition"])
    out: dict[str, Any] = {"taskDefinition": doc}
    if "TAGS" in (p.get("include") or []):
        out["tags"] = tags.get(ctx, doc["taskDefinitionArn"])
    return out


@ecs.operation("ListTaskDefinitions")
def list_task_definitions(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    status = p.get("status") or "ACTIVE"
    descending = p.get("sort") == "DESC"
    # Despite its name ECS matches the whole family with familyPrefix ("The full family
    # name to filter the results with"), unlike ListTaskDefinitionFamilies.
    q, columns = model.listing(ctx, status=status, family=p.get("familyPrefix"))
    rows, token = pagination.keyset_page(ctx.conn, q, columns, p, descending=descending)
    return pagination.result(
        "taskDefinitionArns",
        [arns.task_definition_arn(ctx, r.family, r.revision) for r in rows],
        token,
    )


@ecs.operation("ListTaskDefinitionFamilies")
def list_task_definition_families(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    # ECS lists ACTIVE and INACTIVE families alike unless told otherwise.
    status = p.get("status") or "ALL"
    q, key = model.family_listing(ctx, status=status, prefix=p.get("familyPrefix"))
    rows, token = pagination.keyset_page(ctx.conn, q, key, p)
    return pagination.result("families", [r.family for r in rows], token)


@ecs.operation("DeregisterTaskDefinition", write=True)
def deregister_task_definition(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    doc = _load_revision(ctx, p["taskDefinition"])
    if doc["status"] == "ACTIVE":
        doc["status"] = "INACTIVE"
        doc["deregisteredAt"] = ctx.now
        model.save(ctx, in_model_order(doc))
    return {"taskDefinition": in_model_order(doc)}


@ecs.operation("DeleteTaskDefinitions", write=True)
def delete_task_definitions(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    refs = p["taskDefinitions"]
    if not 1 <= len(refs) <= MAX_DELETE:
        raise AwsError(
            "InvalidParameterException",
            f"You can specify between 1 and {MAX_DELETE} task definitions.",
        )
    deleted, failures = [], []
    for ref in refs:
        try:
            doc = _load_revision(ctx, ref)
        except AwsError as err:
            # AWS's API reference gives the failures[] shape (arn, reason, detail) but not
            # the reasons; these are ECS's answers as reported from AWS (a reference without
            # a revision, or with one that is not a number, is an invalid identifier).
            reason = (
                "The specified task definition does not exist. Specify a valid account, "
                "family, revision and try again."
                if err.message == NOT_FOUND
                else "The specified task definition identifier is invalid. Specify a valid "
                "name or ARN and try again."
            )
            failures.append({"arn": ref, "reason": reason})
            continue
        if doc["status"] == "ACTIVE":
            failures.append(
                {
                    "arn": doc["taskDefinitionArn"],
                    "reason": "The specified task definition is still in ACTIVE "
                    "status. Please deregister the target and try again.",
                }
            )
            continue
        if doc["status"] == "INACTIVE":
            doc["status"] = "DELETE_IN_PROGRESS"
            doc["deleteRequestedAt"] = ctx.now
            doc = in_model_order(doc)
            model.save(ctx, doc)
        deleted.append(doc)
    return {"taskDefinitions": deleted, "failures": failures}


@tags.resource_type("task-definition")
def _exists(ctx: Context, arn: str) -> bool:
    return model.exists(ctx, arn)


__all__ = ["load", "parse"]
