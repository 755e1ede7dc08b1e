"""Listener records, each with its default rule.

Every listener has a default rule (priority "default", no conditions) whose actions are
the listener's DefaultActions: writing one writes the other, so DescribeRules and
DescribeListeners always agree.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from ...core.bus import LoadBalancingChanged
from ...core.unit import Unit
from ...model.keyset import Keyset
from ...store.schema.elbv2 import elbv2_listeners as listeners
from ...store.schema.elbv2 import elbv2_rules as rules_table
from . import arns, rules, tags, target_groups


def get_row(unit: Unit, arn: str) -> Row[Any] | None:
    return unit.conn.execute(select(listeners).where(listeners.c.arn == arn)).first()


def on_port(unit: Unit, lb_arn: str, port: int) -> Row[Any] | None:
    return unit.conn.execute(
        select(listeners).where(listeners.c.lb_arn == lb_arn, listeners.c.port == port)
    ).first()


def of(unit: Unit, lb_arn: str) -> list[Row[Any]]:
    return list(
        unit.conn.execute(
            select(listeners).where(listeners.c.lb_arn == lb_arn).order_by(listeners.c.port)
        )
    )


def listing(unit: Unit, lb_arn: str) -> Keyset:
    return Keyset(select(listeners).where(listeners.c.lb_arn == lb_arn), [listeners.c.port])


def every(unit: Unit) -> list[Row[Any]]:
    return list(unit.conn.execute(select(listeners).order_by(listeners.c.lb_arn, listeners.c.port)))


def create(
    unit: Unit, lb_arn: str, doc: dict[str, Any], attributes: dict[str, str], groups: set[str]
) -> str:
    """Store a new listener (doc without its ARN) and its default rule; its ARN."""
    arn = arns.listener(lb_arn)
    doc = {"ListenerArn": arn, **doc}
    unit.conn.execute(
        insert(listeners).values(
            arn=arn,
            region=unit.region,
            lb_arn=lb_arn,
            port=doc["Port"],
            doc=doc,
            attributes=attributes,
        )
    )
    rules.create_default(unit, arn, doc["DefaultActions"])
    target_groups.set_uses(unit, arn, lb_arn, groups)
    unit.record(LoadBalancingChanged())
    return arn


def save(unit: Unit, row: Row[Any], doc: dict[str, Any], groups: set[str]) -> None:
    """The listener's new doc, its default rule's actions and what it forwards to."""
    unit.conn.execute(
        update(listeners).where(listeners.c.arn == row.arn).values(port=doc["Port"], doc=doc)
    )
    rules.set_default_actions(unit, row.arn, doc["DefaultActions"])
    target_groups.set_uses(unit, row.arn, row.lb_arn, groups)
    unit.record(LoadBalancingChanged())


def set_attributes(unit: Unit, arn: str, attributes: dict[str, str]) -> None:
    unit.conn.execute(update(listeners).where(listeners.c.arn == arn).values(attributes=attributes))
    unit.record(LoadBalancingChanged())


def delete_listener(unit: Unit, arn: str) -> None:
    """The listener, its rules (and what they forward to) and their tags."""
    for r in unit.conn.execute(
        select(rules_table.c.arn).where(rules_table.c.listener_arn == arn)
    ).all():
        target_groups.drop_uses(unit, r.arn)
        tags.drop(unit, r.arn)
    unit.conn.execute(delete(rules_table).where(rules_table.c.listener_arn == arn))
    target_groups.drop_uses(unit, arn)
    tags.drop(unit, arn)
    unit.conn.execute(delete(listeners).where(listeners.c.arn == arn))
    unit.record(LoadBalancingChanged())


def count(unit: Unit, lb_arn: str) -> int:
    return len(of(unit, lb_arn))


def certificate_users(unit: Unit, certificate_arn: str) -> list[str]:
    """The load balancers whose listeners serve `certificate_arn` (default or SNI
    certificate): ACM's InUseBy, and what keeps it from being deleted."""
    rows = unit.conn.execute(
        select(listeners.c.lb_arn, listeners.c.doc).where(listeners.c.region == unit.region)
    ).all()
    users = {r.lb_arn for r in rows if certificate_arn in served_certificates(r.doc)}
    return sorted(users)


def served_certificates(doc: dict[str, Any]) -> list[str]:
    """A listener's certificate ARNs: the default first, then the SNI ones
    (AddListenerCertificates keeps those as plain ARNs under `ExtraCertificates`)."""
    default = [c["CertificateArn"] for c in doc.get("Certificates") or []]
    return default + [a for a in doc.get("ExtraCertificates") or [] if a not in default]
