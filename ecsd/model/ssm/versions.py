"""A parameter's versions and their labels, as history and labelling read and write them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select, update

from ...core.unit import Unit
from ...store.schema.ssm import ssm_parameter_versions as versions
from ..keyset import Keyset


def get(unit: Unit, param: Row[Any], number: int) -> Row[Any] | None:
    """Version `number` of the parameter whose current row is `param`."""
    return unit.conn.execute(
        select(versions).where(
            versions.c.region == param.region,
            versions.c.name == param.name,
            versions.c.version == number,
        )
    ).first()


def all_of(unit: Unit, param: Row[Any]) -> list[Row[Any]]:
    """Every version of the parameter (at most 100)."""
    return list(
        unit.conn.execute(
            select(versions).where(versions.c.region == param.region, versions.c.name == param.name)
        )
    )


def set_labels(unit: Unit, row: Row[Any], labels: list[str]) -> None:
    unit.conn.execute(
        update(versions)
        .where(
            versions.c.region == row.region,
            versions.c.name == row.name,
            versions.c.version == row.version,
        )
        .values(labels=labels)
    )


def history(param: Row[Any]) -> Keyset:
    """The parameter's versions, by version number: for GetParameterHistory to page."""
    q = select(versions).where(versions.c.region == param.region, versions.c.name == param.name)
    return Keyset(q, [versions.c.version])
