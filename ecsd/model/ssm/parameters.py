"""Writing parameters: a parameter is one row plus one row per version, and its value is
sealed before it reaches either. The handlers decide (tiers, patterns, the 100-version
rule); these functions only write what they decided."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from ...core.unit import Unit
from ...store import sealing
from ...store.schema.ssm import ssm_parameter_versions as versions
from ...store.schema.ssm import ssm_parameters as params
from . import names, rows


def seal(unit: Unit, name: str, version: int, value: str) -> bytes:
    """`value` sealed to this version of this parameter in the unit's region."""
    return sealing.seal(
        unit.settings.data_dir, value.encode(), rows.seal_context(unit.region, name, version)
    )


def create(
    unit: Unit,
    name: str,
    *,
    kind: str,
    version: int,
    sealed: bytes,
    tags: list[dict[str, str]],
    doc: dict[str, Any],
) -> None:
    unit.conn.execute(
        insert(params).values(
            region=unit.region,
            name=name,
            parent=names.parent(name),
            type=kind,
            version=version,
            modified=unit.now,
            value=sealed,
            tags=tags,
            doc=doc,
        )
    )


def replace(
    unit: Unit, name: str, *, kind: str, version: int, sealed: bytes, doc: dict[str, Any]
) -> None:
    """The parameter's current row now shows version `version`."""
    unit.conn.execute(
        update(params)
        .where(params.c.region == unit.region, params.c.name == name)
        .values(type=kind, version=version, modified=unit.now, value=sealed, doc=doc)
    )


def add_version(unit: Unit, name: str, version: int, sealed: bytes, doc: dict[str, Any]) -> None:
    unit.conn.execute(
        insert(versions).values(
            region=unit.region, name=name, version=version, value=sealed, labels=[], doc=doc
        )
    )


def oldest_version(unit: Unit, name: str) -> Row[Any] | None:
    return unit.conn.execute(
        select(versions)
        .where(versions.c.region == unit.region, versions.c.name == name)
        .order_by(versions.c.version)
        .limit(1)
    ).first()


def drop_version(unit: Unit, name: str, version: int) -> None:
    unit.conn.execute(
        delete(versions).where(
            versions.c.region == unit.region,
            versions.c.name == name,
            versions.c.version == version,
        )
    )


def delete_parameter(unit: Unit, region: str, name: str) -> None:
    """The parameter and all its versions."""
    for table in (versions, params):
        unit.conn.execute(delete(table).where(table.c.region == region, table.c.name == name))


def set_tags(unit: Unit, row: Row[Any], tags: list[dict[str, str]]) -> None:
    unit.conn.execute(
        update(params)
        .where(params.c.region == row.region, params.c.name == row.name)
        .values(tags=tags)
    )
