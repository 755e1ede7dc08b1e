"""Writing secrets: the secret rows the handlers create, change, schedule for deletion and
delete, and the query ListSecrets pages. The handlers decide (names, tags, recovery
windows); these functions only read and write the rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, insert, or_, select, update

from ...core.unit import Unit
from ...store.schema.secretsmanager import secret_versions as versions
from ...store.schema.secretsmanager import secrets
from ..keyset import Keyset


def arn_taken(unit: Unit, arn: str) -> bool:
    return unit.conn.execute(select(secrets.c.arn).where(secrets.c.arn == arn)).first() is not None


def named(unit: Unit, name: str) -> Row[Any] | None:
    """The secret of this name in the unit's region, scheduled for deletion or not."""
    return unit.conn.execute(
        select(secrets).where(secrets.c.region == unit.region, secrets.c.name == name)
    ).first()


def by_arn(unit: Unit, arn: str) -> Row[Any]:
    return unit.conn.execute(select(secrets).where(secrets.c.arn == arn)).one()


def create(unit: Unit, arn: str, name: str, doc: dict[str, Any]) -> None:
    unit.conn.execute(
        insert(secrets).values(
            arn=arn, region=unit.region, name=name, created=unit.now, changed=unit.now, doc=doc
        )
    )


def delete_for_good(unit: Unit, arn: str) -> None:
    """The secret and all its versions."""
    unit.conn.execute(delete(versions).where(versions.c.arn == arn))
    unit.conn.execute(delete(secrets).where(secrets.c.arn == arn))


def schedule_deletion(unit: Unit, arn: str, when: float | None) -> None:
    """Delete the secret at `when` (None: restore it)."""
    unit.conn.execute(update(secrets).where(secrets.c.arn == arn).values(deleted_date=when))


def touch(unit: Unit, secret: Row[Any], **changes: Any) -> None:
    """Apply `changes` to the secret's document and mark it changed now."""
    doc = {**secret.doc, **changes, "LastChangedDate": unit.now}
    unit.conn.execute(
        update(secrets).where(secrets.c.arn == secret.arn).values(doc=doc, changed=unit.now)
    )


def replace_doc(unit: Unit, secret: Row[Any], doc: dict[str, Any]) -> None:
    """Replace the secret's document (for a change that removes keys) and mark it
    changed now."""
    doc = {**doc, "LastChangedDate": unit.now}
    unit.conn.execute(
        update(secrets).where(secrets.c.arn == secret.arn).values(doc=doc, changed=unit.now)
    )


def listing(unit: Unit, *, sort_by: str, include_planned_deletion: bool) -> Keyset:
    """The region's secrets (with those scheduled for deletion whose date has not passed,
    if asked), keyed by `sort_by` (name, last-changed-date or created-date)."""
    s = secrets.c
    columns = {"name": [s.name], "last-changed-date": [s.changed, s.arn]}.get(
        sort_by, [s.created, s.arn]
    )
    q = select(secrets).where(s.region == unit.region)
    if include_planned_deletion:
        q = q.where(or_(s.deleted_date.is_(None), s.deleted_date > unit.now))
    else:
        q = q.where(s.deleted_date.is_(None))
    return Keyset(q, list(columns))
