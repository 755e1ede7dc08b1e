"""Target group records, and which listeners and rules use them.

`get` is the named read other services use (ECS's CreateService validates its
`loadBalancers` with it): the target group as DescribeTargetGroups shows it, with the
LoadBalancerArns of the listeners and rules that forward to it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from ...core.bus import LoadBalancingChanged
from ...core.unit import Unit
from ...model.keyset import Keyset
from ...store.schema.elbv2 import elbv2_target_groups as tgs
from ...store.schema.elbv2 import elbv2_targets as targets
from ...store.schema.elbv2 import elbv2_tg_uses as uses
from . import tags


def get(unit: Unit, arn: str) -> dict[str, Any] | None:
    """The target group as DescribeTargetGroups shows it, or None."""
    row = get_row(unit, arn)
    return describe(unit, row) if row is not None else None


def describe(unit: Unit, row: Row[Any]) -> dict[str, Any]:
    doc = dict(row.doc)
    doc["LoadBalancerArns"] = load_balancer_arns(unit, row.arn)
    return doc


def get_row(unit: Unit, arn: str) -> Row[Any] | None:
    return unit.conn.execute(select(tgs).where(tgs.c.arn == arn)).first()


def by_name(unit: Unit, name: str) -> Row[Any] | None:
    return unit.conn.execute(
        select(tgs).where(tgs.c.region == unit.region, tgs.c.name == name)
    ).first()


def count(unit: Unit) -> int:
    return len(unit.conn.execute(select(tgs.c.arn).where(tgs.c.region == unit.region)).all())


def listing(unit: Unit) -> Keyset:
    """The region's target groups, by name."""
    return Keyset(select(tgs).where(tgs.c.region == unit.region), [tgs.c.name])


def every(unit: Unit) -> list[Row[Any]]:
    return list(unit.conn.execute(select(tgs).order_by(tgs.c.arn)))


def create(unit: Unit, doc: dict[str, Any], attributes: dict[str, str]) -> None:
    unit.conn.execute(
        insert(tgs).values(
            arn=doc["TargetGroupArn"],
            region=unit.region,
            name=doc["TargetGroupName"],
            doc=doc,
            attributes=attributes,
        )
    )
    unit.record(LoadBalancingChanged())


def set_doc(unit: Unit, arn: str, doc: dict[str, Any]) -> None:
    unit.conn.execute(update(tgs).where(tgs.c.arn == arn).values(doc=doc))
    unit.record(LoadBalancingChanged())


def set_attributes(unit: Unit, arn: str, attributes: dict[str, str]) -> None:
    unit.conn.execute(update(tgs).where(tgs.c.arn == arn).values(attributes=attributes))
    unit.record(LoadBalancingChanged())


def delete_group(unit: Unit, arn: str) -> None:
    """The target group, its targets and its tags (the caller checked it is not in use)."""
    unit.conn.execute(delete(targets).where(targets.c.tg_arn == arn))
    unit.conn.execute(delete(tgs).where(tgs.c.arn == arn))
    tags.drop(unit, arn)
    unit.record(LoadBalancingChanged())


# -- which listeners and rules forward to a target group --------------------------------------


def load_balancer_arns(unit: Unit, arn: str) -> list[str]:
    rows = unit.conn.execute(select(uses.c.lb_arn).where(uses.c.tg_arn == arn).distinct())
    return sorted(r.lb_arn for r in rows)


def of_load_balancer(unit: Unit, lb_arn: str) -> list[Row[Any]]:
    """The target groups a load balancer's listeners and rules forward to, by name."""
    used = select(uses.c.tg_arn).where(uses.c.lb_arn == lb_arn).distinct()
    return list(unit.conn.execute(select(tgs).where(tgs.c.arn.in_(used)).order_by(tgs.c.name)))


def in_use(unit: Unit, arn: str) -> bool:
    return (
        unit.conn.execute(select(uses.c.user_arn).where(uses.c.tg_arn == arn)).first() is not None
    )


def set_uses(unit: Unit, user_arn: str, lb_arn: str, tg_arns: set[str]) -> None:
    """`user_arn` (a listener's default actions, or a rule) now forwards to `tg_arns`."""
    drop_uses(unit, user_arn)
    for tg in sorted(tg_arns):
        unit.conn.execute(insert(uses).values(tg_arn=tg, user_arn=user_arn, lb_arn=lb_arn))


def drop_uses(unit: Unit, user_arn: str) -> None:
    unit.conn.execute(delete(uses).where(uses.c.user_arn == user_arn))


def other_load_balancers(unit: Unit, arn: str, lb_arn: str) -> list[str]:
    """Load balancers other than `lb_arn` that already use the target group (an ALB
    target group serves one load balancer)."""
    return [a for a in load_balancer_arns(unit, arn) if a != lb_arn]
