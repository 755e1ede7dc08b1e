"""Writing a secret's versions: a new sealed value, its staging labels, and dropping
deprecated ones. The staging-label rules are the handlers'; these only write rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from ...core.unit import Unit
from ...store import sealing
from ...store.schema.secretsmanager import secret_versions as versions
from ..keyset import Keyset
from . import rows


def add(
    unit: Unit, arn: str, version_id: str, stages: list[str], data: bytes, *, binary: bool
) -> Row[Any]:
    """A new version holding `data`, sealed to this version of this secret."""
    unit.conn.execute(
        insert(versions).values(
            arn=arn,
            version_id=version_id,
            stages=stages,
            created=unit.now,
            binary=int(binary),
            value=sealing.seal(unit.settings.data_dir, data, rows.seal_context(arn, version_id)),
        )
    )
    return get(unit, arn, version_id)


def get(unit: Unit, arn: str, version_id: str) -> Row[Any]:
    return unit.conn.execute(
        select(versions).where(versions.c.arn == arn, versions.c.version_id == version_id)
    ).one()


def set_stages(unit: Unit, arn: str, version_id: str, stages: list[str]) -> None:
    unit.conn.execute(
        update(versions)
        .where(versions.c.arn == arn, versions.c.version_id == version_id)
        .values(stages=stages)
    )


def drop(unit: Unit, arn: str, version_id: str) -> None:
    unit.conn.execute(
        delete(versions).where(versions.c.arn == arn, versions.c.version_id == version_id)
    )


def listing(arn: str) -> Keyset:
    """The secret's versions, oldest first: for ListSecretVersionIds to page."""
    q = select(versions).where(versions.c.arn == arn)
    return Keyset(q, [versions.c.created, versions.c.version_id])
