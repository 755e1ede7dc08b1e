"""Account settings as stored: each principal's explicit settings in a region. Which
settings exist, their defaults and how they resolve are the handlers' business."""

from __future__ import annotations

from sqlalchemy import delete, select

from ...core.unit import Unit
from ...store.schema.ecs import account_settings


def explicit(unit: Unit, principal: str) -> dict[str, str]:
    """Name → value of the settings `principal` has set in the unit's region."""
    rows = unit.conn.execute(
        select(account_settings.c.name, account_settings.c.value).where(
            account_settings.c.region == unit.region, account_settings.c.principal == principal
        )
    )
    return {r.name: r.value for r in rows}


def remove(unit: Unit, principal: str, name: str) -> None:
    unit.conn.execute(
        delete(account_settings).where(
            account_settings.c.region == unit.region,
            account_settings.c.principal == principal,
            account_settings.c.name == name,
        )
    )


def store(unit: Unit, principal: str, name: str, value: str) -> None:
    """Set `name` to `value` for `principal`, replacing what it had."""
    remove(unit, principal, name)
    unit.conn.execute(
        account_settings.insert().values(
            region=unit.region, principal=principal, name=name, value=value
        )
    )
