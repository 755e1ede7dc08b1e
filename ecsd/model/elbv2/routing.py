"""The routing table from the store: what the load-balancing controller hands the data
plane (ecsd/lb/table.py is the contract).

`build_table` reads every load balancer, listener, rule, target group in use and target
of every region (the plane serves them all) in one unit of work, so the table is one
consistent picture of a committed state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from ...core.unit import Unit
from ...lb import table as t
from ...lb.ports import bind_port_for
from ...store.schema.elbv2 import elbv2_rules as rules_table
from ...store.schema.elbv2 import elbv2_targets as targets_table
from ..acm import certificates as acm_certificates
from . import listeners, load_balancers, target_groups

Resolve = Callable[[str, int], tuple[str, int] | None]


def build_table(unit: Unit, resolve: Resolve) -> t.Table:
    """Every listener and target group as the plane serves them. `resolve(target_id,
    port)` says where to dial a registered target (None: dial id:port as is)."""
    # Only groups a listener or rule forwards to: a group no load balancer uses is not
    # health-checked on AWS either (its targets are `unused`).
    groups = tuple(
        _group(unit, row, resolve)
        for row in target_groups.every(unit)
        if target_groups.in_use(unit, row.arn)
    )
    lbs = {row.arn: row for row in load_balancers.every(unit)}
    out: list[t.Listener] = []
    for row in listeners.every(unit):
        lb = lbs.get(row.lb_arn)
        if lb is None:
            continue
        out.append(_listener(unit, row, lb))
    return t.Table(listeners=tuple(out), target_groups=groups)


def _where(resolve: Resolve, target_id: str, port: int) -> tuple[str, int]:
    got = resolve(target_id, port)
    return got if got is not None else (target_id, port)


def _group(unit: Unit, row: Any, resolve: Resolve) -> t.TargetGroup:
    doc, attrs = row.doc, row.attributes
    check_spec = doc.get("HealthCheckPort", "traffic-port")
    live: list[t.Target] = []
    draining: list[t.Target] = []
    for r in unit.conn.execute(
        select(targets_table)
        .where(targets_table.c.tg_arn == row.arn)
        .order_by(targets_table.c.registered_at, targets_table.c.target_id, targets_table.c.port)
    ):
        host, port = _where(resolve, r.target_id, r.port)
        if check_spec == "traffic-port":
            check_port = port
        else:
            check_port = _where(resolve, r.target_id, int(check_spec))[1]
        target = t.Target(
            id=r.target_id,
            port_id=r.port,
            host=host,
            port=port,
            check_port=check_port,
            availability_zone=r.availability_zone,
            known_healthy=r.state == "healthy",
        )
        (draining if r.drain_until is not None else live).append(target)
    algorithm = attrs.get("load_balancing.algorithm.type", "round_robin")
    cookie = attrs.get("stickiness.type", "lb_cookie")
    return t.TargetGroup(
        arn=row.arn,
        name=doc["TargetGroupName"],
        protocol=doc.get("Protocol", "HTTP"),
        target_type=doc.get("TargetType", "ip"),
        health_check=t.HealthCheck(
            enabled=bool(doc.get("HealthCheckEnabled", True)),
            protocol=doc.get("HealthCheckProtocol", "HTTP"),
            path=doc.get("HealthCheckPath", "/"),
            interval_seconds=int(doc.get("HealthCheckIntervalSeconds", 30)),
            timeout_seconds=int(doc.get("HealthCheckTimeoutSeconds", 5)),
            healthy_threshold=int(doc.get("HealthyThresholdCount", 5)),
            unhealthy_threshold=int(doc.get("UnhealthyThresholdCount", 2)),
            matcher=(doc.get("Matcher") or {}).get("HttpCode") or "200",
        ),
        targets=tuple(live),
        draining=tuple(draining),
        deregistration_delay_seconds=int(attrs.get("deregistration_delay.timeout_seconds", 300)),
        slow_start_seconds=int(attrs.get("slow_start.duration_seconds", 0)),
        # weighted_random has no plane of its own yet: it is served round robin.
        algorithm=(
            "least_outstanding_requests"
            if algorithm == "least_outstanding_requests"
            else "round_robin"
        ),
        stickiness=t.Stickiness(
            enabled=attrs.get("stickiness.enabled") == "true",
            type="app_cookie" if cookie == "app_cookie" else "lb_cookie",
            duration_seconds=int(
                attrs.get(
                    "stickiness.app_cookie.duration_seconds"
                    if cookie == "app_cookie"
                    else "stickiness.lb_cookie.duration_seconds",
                    86400,
                )
            ),
            cookie_name=attrs.get("stickiness.app_cookie.cookie_name") or None
            if cookie == "app_cookie"
            else None,
        ),
    )


def _listener(unit: Unit, row: Any, lb: Any) -> t.Listener:
    rows = unit.conn.execute(
        select(rules_table)
        .where(rules_table.c.listener_arn == row.arn)
        .order_by(rules_table.c.priority)
    ).all()
    rules = tuple(
        t.Rule(
            arn=r.arn,
            priority=r.priority,
            conditions=tuple(condition(c) for c in r.doc.get("Conditions", [])),
            action=action(r.doc["Actions"]),
            is_default=bool(r.is_default),
        )
        for r in rows
    )
    attrs = lb.attributes
    xff = attrs.get("routing.http.xff_header_processing.mode", "append")
    return t.Listener(
        arn=row.arn,
        load_balancer_arn=row.lb_arn,
        port=row.port,
        bind_port=bind_port_for(row.port),
        protocol=row.doc.get("Protocol", "HTTP"),
        rules=rules,
        dns_name=lb.doc["DNSName"],
        idle_timeout_seconds=int(attrs.get("idle_timeout.timeout_seconds", 60)),
        xff_mode=xff if xff in ("append", "preserve", "remove") else "append",
        certificates=_key_pairs(unit, row.doc) if row.doc.get("Protocol") == "HTTPS" else (),
        ssl_policy=row.doc.get("SslPolicy", ""),
    )


def _key_pairs(unit: Unit, doc: dict[str, Any]) -> tuple[tuple[bytes, bytes], ...]:
    """The PEMs of the listener's certificates that are issued (a pending one is served
    once ACM issues it and the table is rebuilt)."""
    pairs = (acm_certificates.key_pair(unit, arn) for arn in listeners.served_certificates(doc))
    return tuple(p for p in pairs if p is not None)


def condition(c: dict[str, Any]) -> t.Condition:
    """A stored condition as the plane matches it."""
    field = c["Field"]
    if field == "http-header":
        cfg = c["HttpHeaderConfig"]
        return t.Condition(field, tuple(cfg["Values"]), name=cfg["HttpHeaderName"])
    if field == "query-string":
        pairs = c["QueryStringConfig"]["Values"]
        return t.Condition(field, tuple(f"{p.get('Key', '')}={p['Value']}" for p in pairs))
    key = {
        "host-header": "HostHeaderConfig",
        "path-pattern": "PathPatternConfig",
        "http-request-method": "HttpRequestMethodConfig",
        "source-ip": "SourceIpConfig",
    }[field]
    return t.Condition(field, tuple(c[key]["Values"]))


def action(actions: list[dict[str, Any]]) -> t.Action:
    """The final action of a stored list (the last by Order)."""
    a = sorted(actions, key=lambda x: x.get("Order") or 0)[-1]
    if a["Type"] == "redirect":
        cfg = a["RedirectConfig"]
        return t.Redirect(
            status_code="HTTP_301" if cfg["StatusCode"] == "HTTP_301" else "HTTP_302",
            protocol=cfg.get("Protocol", "#{protocol}"),
            host=cfg.get("Host", "#{host}"),
            port=cfg.get("Port", "#{port}"),
            path=cfg.get("Path", "/#{path}"),
            query=cfg.get("Query", "#{query}"),
        )
    if a["Type"] == "fixed-response":
        cfg = a["FixedResponseConfig"]
        return t.FixedResponse(
            status_code=int(cfg["StatusCode"]),
            content_type=cfg.get("ContentType"),
            body=cfg.get("MessageBody"),
        )
    fwd = a.get("ForwardConfig") or {}
    groups = fwd.get("TargetGroups") or [{"TargetGroupArn": a["TargetGroupArn"], "Weight": 1}]
    sticky = fwd.get("TargetGroupStickinessConfig") or {}
    return t.Forward(
        groups=tuple(t.WeightedGroup(g["TargetGroupArn"], int(g.get("Weight", 1))) for g in groups),
        stickiness_enabled=bool(sticky.get("Enabled", False)),
        stickiness_seconds=int(sticky.get("DurationSeconds") or 3600),
    )
