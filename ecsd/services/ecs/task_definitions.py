"""Task definitions: RegisterTaskDefinition, DescribeTaskDefinition,
ListTaskDefinitions, ListTaskDefinitionFamilies, DeregisterTaskDefinition,
DeleteTaskDefinitions.

Revisions are never reused: `task_definition_families` remembers the last revision each
family ever had, even when every revision has been deleted. A refused registration rolls
back with its transaction, so it uses up no revision.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import exists, select, tuple_

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...store.schema.ecs import task_definition_families as families
from ...store.schema.ecs import task_definitions as defs
from .. import pagination
from . import arns, tags
from .api import ecs
from .task_definition_rules import client_error, compatibilities, normalise, requires_attributes

_REF = re.compile(r"^(?:arn:aws[\w-]*:ecs:[\w-]+:\d{12}:task-definition/)?"
                  r"([A-Za-z0-9_-]{1,255})(?::(\d+))?$")


def _parse(ref: str) -> tuple[str, int | None]:
    m = _REF.match(ref)
    if m is None:
        raise client_error("Unable to describe task definition.")
    return m.group(1), int(m.group(2)) if m.group(2) else None


def load(ctx: Context, ref: str) -> dict[str, Any]:
    """The stored definition for `family` (its latest ACTIVE revision), `family:rev` or
    an ARN — the forms every ECS API accepts."""
    family, revision = _parse(ref)
    q = select(defs.c.doc).where(defs.c.region == ctx.region, defs.c.family == family)
    if revision is None:
        q = q.where(defs.c.status == "ACTIVE").order_by(defs.c.revision.desc()).limit(1)
    else:
        q = q.where(defs.c.revision == revision)
    row = ctx.conn.execute(q).first()
    if row is None:
        raise client_error("Unable to describe task definition.")
    return dict(row.doc)


def _save(ctx: Context, doc: dict[str, Any]) -> None:
    ctx.conn.execute(defs.update().where(defs.c.arn == doc["taskDefinitionArn"])
                     .values(status=doc["status"], doc=doc))


@ecs.operation("RegisterTaskDefinition", write=True)
def register_task_definition(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    td = normalise(p)
    family = td["family"]
    last = ctx.conn.execute(select(families.c.last_revision).where(
        families.c.region == ctx.region, families.c.family == family)).scalar()
    revision = (last or 0) + 1
    if last is None:
        ctx.conn.execute(families.insert().values(region=ctx.region, family=family,
                                                  last_revision=revision))
    else:
        ctx.conn.execute(families.update().where(
            families.c.region == ctx.region, families.c.family == family)
            .values(last_revision=revision))
    arn = arns.task_definition_arn(ctx, family, revision)
    doc = {"taskDefinitionArn": arn, **td, "revision": revision, "status": "ACTIVE",
           "requiresAttributes": requires_attributes(td),
           "compatibilities": compatibilities(td),
           "registeredAt": ctx.now, "registeredBy": ctx.principal}
    ctx.conn.execute(defs.insert().values(arn=arn, region=ctx.region, family=family,
                                          revision=revision, status="ACTIVE", doc=doc))
    if p.get("tags"):
        tags.put(ctx, arn, p["tags"])
    return {"taskDefinition": doc, "tags": tags.get(ctx, arn)}


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
    # Only indexed columns: the page is read from the index alone, the ARN rebuilt.
    q = select(defs.c.family, defs.c.revision).where(
        defs.c.region == ctx.region, defs.c.status == status)
    if p.get("familyPrefix"):
        prefix = p["familyPrefix"]
        # A range on the indexed column rather than LIKE, so the index serves it.
        q = q.where(defs.c.family >= prefix, defs.c.family < prefix + "\U0010ffff")
    order = (defs.c.family.desc(), defs.c.revision.desc()) if descending else (
        defs.c.family, defs.c.revision)
    rows, token = pagination.keyset_page(
        ctx.conn, q.order_by(*order), tuple_(defs.c.family, defs.c.revision),
        lambda r: [r.family, r.revision], p, descending=descending)
    out: dict[str, Any] = {"taskDefinitionArns": [
        arns.task_definition_arn(ctx, r.family, r.revision) for r in rows]}
    if token:
        out["nextToken"] = token
    return out


@ecs.operation("ListTaskDefinitionFamilies")
def list_task_definition_families(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    status = p.get("status") or "ACTIVE"
    active = exists().where(defs.c.region == ctx.region, defs.c.family == families.c.family,
                            defs.c.status == "ACTIVE")
    q = select(families.c.family).where(families.c.region == ctx.region)
    if status == "ACTIVE":
        q = q.where(active)
    elif status == "INACTIVE":
        q = q.where(~active)
    if p.get("familyPrefix"):
        prefix = p["familyPrefix"]
        q = q.where(families.c.family >= prefix, families.c.family < prefix + "\U0010ffff")
    rows, token = pagination.keyset_page(ctx.conn, q.order_by(families.c.family),
                                         families.c.family, lambda r: r.family, p)
    out: dict[str, Any] = {"families": [r[0] for r in rows]}
    if token:
        out["nextToken"] = token
    return out


@ecs.operation("DeregisterTaskDefinition", write=True)
def deregister_task_definition(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    _family, revision = _parse(p["taskDefinition"])
    if revision is None:
        raise client_error("Invalid revision number. Number: " + p["taskDefinition"])
    doc = load(ctx, p["taskDefinition"])
    if doc["status"] == "ACTIVE":
        doc["status"] = "INACTIVE"
        doc["deregisteredAt"] = ctx.now
        _save(ctx, doc)
    return {"taskDefinition": doc}


@ecs.operation("DeleteTaskDefinitions", write=True)
def delete_task_definitions(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    if not 1 <= len(p["taskDefinitions"]) <= 10:
        raise AwsError("InvalidParameterException",
                       "You can specify between 1 and 10 task definitions.")
    deleted, failures = [], []
    for ref in p["taskDefinitions"]:
        _family, revision = _parse(ref)
        try:
            if revision is None:
                raise client_error("Invalid revision number.")
            doc = load(ctx, ref)
        except AwsError:
            failures.append({"arn": ref, "reason": "TASK_DEFINITION_NOT_FOUND"})
            continue
        if doc["status"] == "ACTIVE":
            failures.append({"arn": doc["taskDefinitionArn"],
                             "reason": "The specified task definition is still in ACTIVE "
                                       "status. Please deregister the target and try again."})
            continue
        # DELETE_IN_PROGRESS until nothing uses it; ecsd keeps it describable in that
        # state (tasks and services may still name it), as ECS does while it waits.
        doc["status"] = "DELETE_IN_PROGRESS"
        doc.setdefault("deleteRequestedAt", ctx.now)
        _save(ctx, doc)
        deleted.append(doc)
    return {"taskDefinitions": deleted, "failures": failures}


@tags.resource_type("task-definition")
def _exists(ctx: Context, arn: str) -> bool:
    return ctx.conn.execute(select(defs.c.arn).where(defs.c.arn == arn)).first() is not None


__all__ = ["load"]
