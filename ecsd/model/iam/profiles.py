"""Instance profile rows (keyed by partition and lowered name; `roles` holds the lowered
names of the roles in the profile)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update

from ...aws.errors import AwsError
from ...core.unit import Unit
from ...store.schema.iam import iam_instance_profiles as t
from .roles import partition_of


def get(unit: Unit, name: str) -> Any:
    row = unit.conn.execute(
        select(t).where(t.c.partition == partition_of(unit), t.c.name == name.lower())
    ).first()
    if row is None:
        raise AwsError("NoSuchEntity", f"Instance Profile {name} cannot be found.")
    return row


def create(unit: Unit, name: str, doc: dict[str, Any]) -> None:
    part = partition_of(unit)
    if unit.conn.execute(
        select(t.c.name).where(t.c.partition == part, t.c.name == name.lower())
    ).first():
        raise AwsError("EntityAlreadyExists", f"Instance Profile {name} already exists.")
    unit.conn.execute(insert(t).values(partition=part, name=name.lower(), doc=doc, roles=[]))


def save(unit: Unit, row: Any, doc: dict[str, Any]) -> None:
    unit.conn.execute(
        update(t).where(t.c.partition == row.partition, t.c.name == row.name).values(doc=doc)
    )


def set_roles(unit: Unit, row: Any, members: list[str]) -> None:
    unit.conn.execute(
        update(t).where(t.c.partition == row.partition, t.c.name == row.name).values(roles=members)
    )


def remove(unit: Unit, row: Any) -> None:
    unit.conn.execute(delete(t).where(t.c.partition == row.partition, t.c.name == row.name))


def listing(unit: Unit) -> Any:
    return select(t).where(t.c.partition == partition_of(unit)), [t.c.name]


def with_role(unit: Unit, role_key: str) -> list[Any]:
    rows = unit.conn.execute(
        select(t).where(t.c.partition == partition_of(unit)).order_by(t.c.name)
    )
    return [r for r in rows if role_key in r.roles]
