"""Task definitions: found by family, `family:revision` or ARN (by RunTask, services and
the scheduler too), and stored revision by revision.

Revisions are never reused: `task_definition_families` remembers the last revision each
family ever had, even when every revision has been deleted.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from ...aws.errors import AwsError
from ...core import numbers
from ...core.unit import Unit
from ...store.schema.ecs import task_definition_families as families
from ...store.schema.ecs import task_definitions as defs
from ..keyset import Keyset
from . import arns

_ARN = re.compile(r"^arn:aws[\w-]*:ecs:([\w-]+):(\d{12}):task-definition/(.+)$")
NOT_FOUND = "Unable to describe task definition."


def not_found(message: str = NOT_FOUND) -> AwsError:
    return AwsError("ClientException", message)


def parse(unit: Unit, ref: str) -> tuple[str, str | None] | None:
    """(family, revision text or None) of `family`, `family:revision` or an ARN of this
    region and account; None when `ref` is none of these."""
    m = _ARN.match(ref)
    if m is not None:
        if (m.group(1), m.group(2)) != (unit.region, unit.account):
            return None
        ref = m.group(3)
    elif ref.startswith("arn:"):
        return None
    family, colon, revision = ref.partition(":")
    if not arns.NAME.match(family):
        return None
    return family, revision if colon else None


def load(unit: Unit, ref: str) -> dict[str, Any]:
    """The stored definition for `family` (its latest ACTIVE revision), `family:revision`
    or an ARN — the forms every ECS API accepts. Any status for an explicit revision."""
    parsed = parse(unit, ref)
    if parsed is None or (parsed[1] is not None and numbers.decimal(parsed[1]) is None):
        raise not_found()
    family, revision = parsed
    q = select(defs.c.doc).where(defs.c.region == unit.region, defs.c.family == family)
    if revision is None:
        q = q.where(defs.c.status == "ACTIVE").order_by(defs.c.revision.desc()).limit(1)
    else:
        q = q.where(defs.c.revision == int(revision))
    row = unit.conn.execute(q).first()
    if row is None:
        raise not_found()
    return dict(row.doc)


def exists(unit: Unit, arn: str) -> bool:
    return unit.conn.execute(select(defs.c.arn).where(defs.c.arn == arn)).first() is not None


def next_revision(unit: Unit, family: str) -> int:
    """Claim the family's next revision (creating the family, or making it ACTIVE)."""
    last = unit.conn.execute(
        select(families.c.last_revision).where(
            families.c.region == unit.region, families.c.family == family
        )
    ).scalar()
    revision = int(last or 0) + 1
    if last is None:
        unit.conn.execute(
            families.insert().values(
                region=unit.region, family=family, last_revision=revision, status="ACTIVE"
            )
        )
    else:
        unit.conn.execute(
            families.update()
            .where(families.c.region == unit.region, families.c.family == family)
            .values(last_revision=revision, status="ACTIVE")
        )
    return revision


def insert(unit: Unit, doc: dict[str, Any]) -> None:
    unit.conn.execute(
        defs.insert().values(
            arn=doc["taskDefinitionArn"],
            region=unit.region,
            family=doc["family"],
            revision=doc["revision"],
            status=doc["status"],
            doc=doc,
        )
    )


def save(unit: Unit, doc: dict[str, Any]) -> None:
    """Write a revision's changed document (its status), and keep its family's
    ACTIVE/INACTIVE mark in step with its revisions."""
    unit.conn.execute(
        defs.update()
        .where(defs.c.arn == doc["taskDefinitionArn"])
        .values(status=doc["status"], doc=doc)
    )
    family = doc["family"]
    active = (
        unit.conn.execute(
            select(defs.c.revision)
            .where(defs.c.region == unit.region, defs.c.status == "ACTIVE", defs.c.family == family)
            .limit(1)
        ).first()
        is not None
    )
    unit.conn.execute(
        families.update()
        .where(families.c.region == unit.region, families.c.family == family)
        .values(status="ACTIVE" if active else "INACTIVE")
    )


def listing(unit: Unit, *, status: str, family: str | None = None) -> Keyset:
    """(family, revision) of the region's revisions with this status (of one family, if
    given; then the key is the revision alone, which keeps the seek exact). Only indexed
    columns: the page is read from the index alone, the caller rebuilds the ARN."""
    q = select(defs.c.family, defs.c.revision).where(
        defs.c.region == unit.region, defs.c.status == status
    )
    if family:
        return Keyset(q.where(defs.c.family == family), [defs.c.revision])
    return Keyset(q, [defs.c.family, defs.c.revision])


def family_listing(unit: Unit, *, status: str, prefix: str | None = None) -> Keyset:
    """The region's families with this status ("ALL": any), starting with `prefix`."""
    q = select(families.c.family).where(families.c.region == unit.region)
    if status != "ALL":
        q = q.where(families.c.status == status)
    if prefix:
        # A range on the indexed column rather than LIKE, so the index serves it.
        q = q.where(families.c.family >= prefix, families.c.family < prefix + "\U0010ffff")
    return Keyset(q, [families.c.family])
