"""Registered targets and their health: what RegisterTargets, DeregisterTargets and
DescribeTargetHealth use, and what the load-balancing controller calls (the same
functions, so a service task is registered exactly as `aws elbv2 register-targets` would).

A target row stores what the health checks last reported (initial, healthy, unhealthy,
with ELBv2's reason and description) and, once deregistered, until when it drains.
The states a read shows beyond that are derived, as ELBv2 derives them: `draining` while
`drain_until` is set, `unavailable` when the group's health checks are disabled, `unused`
when no load balancer uses the group or the target is not registered.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from sqlalchemy import Row, and_, delete, insert, select, update

from ...aws.errors import AwsError
from ...core.bus import LoadBalancingChanged
from ...core.unit import Unit
from ...lb.table import HealthReport
from ...store.schema.elbv2 import elbv2_targets as targets
from . import target_groups

MAX_TARGETS = 1000  # per target group, AWS's quota

# ELBv2's reason codes and descriptions (DescribeTargetHealth's TargetHealth).
REGISTRATION = ("Elb.RegistrationInProgress", "Target registration is in progress")
INITIAL_CHECKS = ("Elb.InitialHealthChecking", "Initial health checks in progress")
NOT_REGISTERED = ("Target.NotRegistered", "Target is not registered to the target group")
NOT_IN_USE = (
    "Target.NotInUse",
    "Target group is not configured to receive traffic from the load balancer",
)
DEREGISTERING = ("Target.DeregistrationInProgress", "Target deregistration is in progress")
CHECKS_DISABLED = ("Target.HealthCheckDisabled", "Health checks are disabled")

_INSTANCE = re.compile(r"^i-[0-9a-f]{8}([0-9a-f]{9})?$")

Health = tuple[str, str | None, str | None]


def check(group: dict[str, Any], entries: list[tuple[str, int | None, str | None]]) -> None:
    """Refuse targets the group cannot hold, before any is written: an id that is not an
    IP address (ip) or an instance ID (instance) is a ValidationError, as AWS answers
    ("Instance ID '10.19.173.98' is not valid"); an IP address no VPC could hold
    (public, multicast, unspecified) is InvalidTarget."""
    kind = group["TargetType"]
    unusable: list[str] = []
    for target_id, _port, _zone in entries:
        if kind == "instance":
            if not _INSTANCE.match(target_id):
                raise AwsError("ValidationError", f"Instance ID '{target_id}' is not valid")
            continue
        try:
            ip = ipaddress.ip_address(target_id)
        except ValueError:
            # ecsd's own wording, after AWS's text for instance IDs.
            raise AwsError("ValidationError", f"IP address '{target_id}' is not valid") from None
        wanted = 6 if group.get("IpAddressType") == "ipv6" else 4
        if ip.version != wanted:
            # ecsd's own wording: a target group holds addresses of its IP address type.
            raise AwsError(
                "ValidationError",
                f"The IP address '{target_id}' is not an IPv{wanted} address, as the target "
                f"group's IP address type requires",
            )
        # Loopback is served although no VPC holds it: a backend on this machine is what
        # ecsd's users (and its tests) put behind a load balancer by hand.
        if ip.is_global or ip.is_multicast or ip.is_unspecified:
            unusable.append(target_id)
    if unusable:
        # ecsd's own wording: AWS registers only addresses of the VPC's private ranges.
        raise AwsError(
            "InvalidTarget",
            "The following targets are not in a private IP address range: "
            + ", ".join(f"'{t}'" for t in unusable),
        )


def _port(group: dict[str, Any], port: int | None) -> int:
    return int(port if port is not None else group["Port"])


def _row(unit: Unit, tg_arn: str, target_id: str, port: int) -> Row[Any] | None:
    return unit.conn.execute(
        select(targets).where(
            targets.c.tg_arn == tg_arn, targets.c.target_id == target_id, targets.c.port == port
        )
    ).first()


def rows(unit: Unit, tg_arn: str) -> list[Row[Any]]:
    return list(
        unit.conn.execute(
            select(targets)
            .where(targets.c.tg_arn == tg_arn)
            .order_by(targets.c.registered_at, targets.c.target_id, targets.c.port)
        )
    )


def register(unit: Unit, tg_arn: str, entries: list[tuple[str, int | None, str | None]]) -> None:
    """Register targets (id, port or None for the group's port, availability zone or
    None). A registered target is left as it is; a draining one is registered again."""
    group = target_groups.get_row(unit, tg_arn)
    if group is None:
        raise AwsError("TargetGroupNotFound", "One or more target groups not found")
    check(group.doc, entries)
    existing = len(rows(unit, tg_arn))
    for target_id, port, zone in entries:
        p = _port(group.doc, port)
        row = _row(unit, tg_arn, target_id, p)
        if row is not None and row.drain_until is None:
            continue
        if row is not None:
            unit.conn.execute(
                _where(update(targets), tg_arn, target_id, p).values(
                    drain_until=None,
                    state="initial",
                    reason=REGISTRATION[0],
                    description=REGISTRATION[1],
                    registered_at=unit.now,
                )
            )
        else:
            existing += 1
            if existing > MAX_TARGETS:
                raise AwsError(
                    "TooManyTargets",
                    f"You have reached the limit of {MAX_TARGETS} targets per target group",
                )
            unit.conn.execute(
                insert(targets).values(
                    tg_arn=tg_arn,
                    target_id=target_id,
                    port=p,
                    availability_zone=zone,
                    state="initial",
                    reason=REGISTRATION[0],
                    description=REGISTRATION[1],
                    registered_at=unit.now,
                    drain_until=None,
                )
            )
        unit.record(LoadBalancingChanged())


def _where(stmt: Any, tg_arn: str, target_id: str, port: int) -> Any:
    return stmt.where(
        and_(targets.c.tg_arn == tg_arn, targets.c.target_id == target_id, targets.c.port == port)
    )


def deregister(unit: Unit, tg_arn: str, entries: list[tuple[str, int | None]]) -> None:
    """Deregister targets: each drains for the group's deregistration delay (removed at
    once with a delay of 0, or when no load balancer uses the group). Targets not
    registered are passed over, as AWS does."""
    group = target_groups.get_row(unit, tg_arn)
    if group is None:
        raise AwsError("TargetGroupNotFound", "One or more target groups not found")
    delay = int(group.attributes["deregistration_delay.timeout_seconds"])
    immediate = delay == 0 or not target_groups.in_use(unit, tg_arn)
    for target_id, port in entries:
        p = _port(group.doc, port)
        row = _row(unit, tg_arn, target_id, p)
        if row is None or row.drain_until is not None:
            continue
        if immediate:
            unit.conn.execute(_where(delete(targets), tg_arn, target_id, p))
        else:
            unit.conn.execute(
                _where(update(targets), tg_arn, target_id, p).values(drain_until=unit.now + delay)
            )
        unit.record(LoadBalancingChanged())


def remove_drained(unit: Unit, now: float) -> list[tuple[str, str, int]]:
    """Remove the targets whose deregistration delay has passed by `now`; (target group
    ARN, id, port) of each removed."""
    gone = [
        (r.tg_arn, r.target_id, r.port)
        for r in unit.conn.execute(
            select(targets.c.tg_arn, targets.c.target_id, targets.c.port).where(
                targets.c.drain_until.is_not(None), targets.c.drain_until <= now
            )
        )
    ]
    for tg_arn, target_id, port in gone:
        unit.conn.execute(_where(delete(targets), tg_arn, target_id, port))
    if gone:
        unit.record(LoadBalancingChanged())
    return gone


def drained(unit: Unit, tg_arn: str, target_id: str, port: int) -> None:
    """The data plane says a draining target has no request in flight: remove it now."""
    row = _row(unit, tg_arn, target_id, port)
    if row is not None and row.drain_until is not None:
        unit.conn.execute(_where(delete(targets), tg_arn, target_id, port))
        unit.record(LoadBalancingChanged())


def record_health(unit: Unit, report: HealthReport) -> None:
    """Store a health change the data plane reported (ignored for a target that is no
    longer registered, or is draining: its state is the deregistration's)."""
    if report.state not in ("initial", "healthy", "unhealthy"):
        return
    t = report.target
    row = _row(unit, report.target_group_arn, t.id, t.port_id)
    if row is None or row.drain_until is not None:
        return
    if (row.state, row.reason, row.description) == (
        report.state,
        report.reason,
        report.description,
    ):
        return
    unit.conn.execute(
        _where(update(targets), report.target_group_arn, t.id, t.port_id).values(
            state=report.state, reason=report.reason, description=report.description
        )
    )
    unit.record(LoadBalancingChanged())


def health_of(unit: Unit, group: Row[Any], row: Row[Any] | None, in_use: bool) -> Health:
    """The TargetHealth a read shows for a target row (None: not registered)."""
    if row is None:
        return ("unused", *NOT_REGISTERED)
    if row.drain_until is not None:
        return ("draining", *DEREGISTERING)
    if not group.doc.get("HealthCheckEnabled", True):
        return ("unavailable", *CHECKS_DISABLED)
    if not in_use:
        return ("unused", *NOT_IN_USE)
    return (row.state, row.reason, row.description)


def health(unit: Unit, tg_arn: str, target_id: str, port: int) -> Health:
    """(state, reason, description) of one target as DescribeTargetHealth shows it."""
    group = target_groups.get_row(unit, tg_arn)
    if group is None:
        return ("unused", *NOT_REGISTERED)
    row = _row(unit, tg_arn, target_id, port)
    return health_of(unit, group, row, target_groups.in_use(unit, tg_arn))


def find(unit: Unit, tg_arn: str, target_id: str, port: int) -> Row[Any] | None:
    return _row(unit, tg_arn, target_id, port)
