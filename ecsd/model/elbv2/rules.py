"""Listener rules: priorities 1-50000, unique per listener, and the default rule that
sorts last (stored with DEFAULT_PRIORITY, shown as "default")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from ...core.bus import LoadBalancingChanged
from ...core.unit import Unit
from ...model.keyset import Keyset
from ...store.schema.elbv2 import elbv2_listeners as listeners_table
from ...store.schema.elbv2 import elbv2_rules as rules
from . import arns, tags, target_groups

DEFAULT_PRIORITY = 50001  # after every rule a user can make (1-50000)
MAX_RULES = 100  # per load balancer, not counting default rules: AWS's quota


def get_row(unit: Unit, arn: str) -> Row[Any] | None:
    return unit.conn.execute(select(rules).where(rules.c.arn == arn)).first()


def at(unit: Unit, listener_arn: str, priority: int) -> Row[Any] | None:
    return unit.conn.execute(
        select(rules).where(rules.c.listener_arn == listener_arn, rules.c.priority == priority)
    ).first()


def of(unit: Unit, listener_arn: str) -> list[Row[Any]]:
    """The listener's rules by priority, the default rule last."""
    return list(
        unit.conn.execute(
            select(rules).where(rules.c.listener_arn == listener_arn).order_by(rules.c.priority)
        )
    )


def listing(unit: Unit, listener_arn: str) -> Keyset:
    return Keyset(select(rules).where(rules.c.listener_arn == listener_arn), [rules.c.priority])


def count_for_load_balancer(unit: Unit, lb_arn: str) -> int:
    """The load balancer's rules over all its listeners, default rules not counted."""
    mine = select(listeners_table.c.arn).where(listeners_table.c.lb_arn == lb_arn)
    return len(
        unit.conn.execute(
            select(rules.c.arn).where(rules.c.listener_arn.in_(mine), rules.c.is_default.is_(False))
        ).all()
    )


def create_default(unit: Unit, listener_arn: str, actions: list[dict[str, Any]]) -> None:
    arn = arns.rule(listener_arn)
    doc = {
        "RuleArn": arn,
        "Priority": "default",
        "Conditions": [],
        "Actions": actions,
        "IsDefault": True,
    }
    unit.conn.execute(
        insert(rules).values(
            arn=arn, listener_arn=listener_arn, priority=DEFAULT_PRIORITY, is_default=True, doc=doc
        )
    )


def set_default_actions(unit: Unit, listener_arn: str, actions: list[dict[str, Any]]) -> None:
    row = at(unit, listener_arn, DEFAULT_PRIORITY)
    if row is not None:
        doc = {**row.doc, "Actions": actions}
        unit.conn.execute(update(rules).where(rules.c.arn == row.arn).values(doc=doc))


def create(
    unit: Unit,
    listener_arn: str,
    lb_arn: str,
    priority: int,
    conditions: list[dict[str, Any]],
    actions: list[dict[str, Any]],
    groups: set[str],
) -> dict[str, Any]:
    arn = arns.rule(listener_arn)
    doc = {
        "RuleArn": arn,
        "Priority": str(priority),
        "Conditions": conditions,
        "Actions": actions,
        "IsDefault": False,
    }
    unit.conn.execute(
        insert(rules).values(
            arn=arn, listener_arn=listener_arn, priority=priority, is_default=False, doc=doc
        )
    )
    target_groups.set_uses(unit, arn, lb_arn, groups)
    unit.record(LoadBalancingChanged())
    return doc


def save(unit: Unit, row: Row[Any], lb_arn: str, doc: dict[str, Any], groups: set[str]) -> None:
    unit.conn.execute(update(rules).where(rules.c.arn == row.arn).values(doc=doc))
    target_groups.set_uses(unit, row.arn, lb_arn, groups)
    unit.record(LoadBalancingChanged())


def set_priorities(unit: Unit, changes: list[tuple[Row[Any], int]]) -> None:
    """Give rules new priorities at once (two rules may swap): parked out of the way
    first, since a listener's priorities are unique at every step."""
    for i, (row, _p) in enumerate(changes):
        unit.conn.execute(update(rules).where(rules.c.arn == row.arn).values(priority=-1 - i))
    for row, priority in changes:
        doc = {**row.doc, "Priority": str(priority)}
        unit.conn.execute(
            update(rules).where(rules.c.arn == row.arn).values(priority=priority, doc=doc)
        )
    unit.record(LoadBalancingChanged())


def delete_rule(unit: Unit, arn: str) -> None:
    target_groups.drop_uses(unit, arn)
    tags.drop(unit, arn)
    unit.conn.execute(delete(rules).where(rules.c.arn == arn))
    unit.record(LoadBalancingChanged())
