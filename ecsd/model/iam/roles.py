"""Roles and their inline policies in the store.

Rows are keyed by partition (IAM is global). Names compare case-insensitively, as IAM's
do, so the key is the lowered name and the doc keeps the name as created.
"""

from __future__ import annotations

import secrets
import string
from typing import Any
from urllib.parse import quote

from sqlalchemy import Row, delete, insert, select, update

from ...aws.errors import AwsError
from ...core import partitions
from ...core.unit import Unit
from ...store.schema.iam import iam_role_policies, iam_roles

_ID_CHARS = string.ascii_uppercase + string.digits


def partition_of(unit: Unit) -> str:
    return partitions.partition(unit.region)


def new_id(prefix: str) -> str:
    """An IAM unique id: a 4-letter kind prefix (AROA for roles) and 17 characters."""
    return prefix + "".join(secrets.choice(_ID_CHARS) for _ in range(17))


def encoded(text: str) -> str:
    """A policy document as IAM answers it: URL-encoded (clients decode it)."""
    return quote(text, safe="")


def new_doc(
    unit: Unit,
    name: str,
    path: str,
    trust: str,
    *,
    max_session: int = 3600,
    description: str | None = None,
) -> dict[str, Any]:
    """A new role as GetRole shows it (the trust policy as written; no tags yet)."""
    doc: dict[str, Any] = {
        "Path": path,
        "RoleName": name,
        "RoleId": new_id("AROA"),
        "Arn": partitions.global_arn("iam", unit.region, unit.account, f"role{path}{name}"),
        "CreateDate": unit.now,
        "AssumeRolePolicyDocument": trust,
        "MaxSessionDuration": max_session,
        "RoleLastUsed": {},
        "Tags": [],
    }
    if description is not None:
        doc["Description"] = description
    return doc


def not_found(name: str) -> AwsError:
    return AwsError("NoSuchEntity", f"The role with name {name} cannot be found.")


def get(unit: Unit, name: str) -> Row[Any]:
    row = unit.conn.execute(
        select(iam_roles).where(
            iam_roles.c.partition == partition_of(unit), iam_roles.c.name == name.lower()
        )
    ).first()
    if row is None:
        raise not_found(name)
    return row


def create(unit: Unit, doc: dict[str, Any]) -> None:
    name = doc["RoleName"]
    key = (partition_of(unit), name.lower())
    exists = unit.conn.execute(
        select(iam_roles.c.name).where(iam_roles.c.partition == key[0], iam_roles.c.name == key[1])
    ).first()
    if exists is not None:
        raise AwsError("EntityAlreadyExists", f"Role with name {name} already exists.")
    unit.conn.execute(
        insert(iam_roles).values(partition=key[0], name=key[1], path=doc["Path"], doc=doc)
    )


def save(unit: Unit, row: Row[Any], doc: dict[str, Any]) -> None:
    unit.conn.execute(
        update(iam_roles)
        .where(iam_roles.c.partition == row.partition, iam_roles.c.name == row.name)
        .values(doc=doc)
    )


def remove(unit: Unit, row: Row[Any]) -> None:
    unit.conn.execute(
        delete(iam_roles).where(
            iam_roles.c.partition == row.partition, iam_roles.c.name == row.name
        )
    )


def listing(unit: Unit, prefix: str) -> Any:
    """The query ListRoles pages through (by lowered name), and its key columns."""
    q = select(iam_roles).where(iam_roles.c.partition == partition_of(unit))
    if prefix and prefix != "/":
        q = q.where(iam_roles.c.path.startswith(prefix, autoescape=True))
    return q, [iam_roles.c.name]


# Inline policies ---------------------------------------------------------------------


def _policies(row: Row[Any]) -> Any:
    return (
        iam_role_policies.c.partition == row.partition,
        iam_role_policies.c.role == row.name,
    )


def put_policy(unit: Unit, row: Row[Any], name: str, document: str) -> None:
    cond = _policies(row)
    unit.conn.execute(delete(iam_role_policies).where(*cond, iam_role_policies.c.name == name))
    unit.conn.execute(
        insert(iam_role_policies).values(
            partition=row.partition, role=row.name, name=name, document=document
        )
    )


def get_policy(unit: Unit, row: Row[Any], name: str) -> str:
    found = unit.conn.execute(
        select(iam_role_policies.c.document).where(
            *_policies(row), iam_role_policies.c.name == name
        )
    ).first()
    if found is None:
        raise AwsError(
            "NoSuchEntity",
            f"The role policy with name {name} cannot be found.",
        )
    return str(found.document)


def delete_policy(unit: Unit, row: Row[Any], name: str) -> None:
    get_policy(unit, row, name)
    unit.conn.execute(
        delete(iam_role_policies).where(*_policies(row), iam_role_policies.c.name == name)
    )


def policy_listing(row: Row[Any]) -> Any:
    q = select(iam_role_policies).where(*_policies(row))
    return q, [iam_role_policies.c.name]


def policy_count(unit: Unit, row: Row[Any]) -> int:
    return len(unit.conn.execute(select(iam_role_policies.c.name).where(*_policies(row))).all())
