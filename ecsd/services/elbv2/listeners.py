"""CreateListener, DescribeListeners, ModifyListener, DeleteListener (HTTP, and
HTTPS with ACM certificates here, served by the data plane with SNI)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.acm import certificates as acm_certificates
from ...model.elbv2 import actions, defaults, listeners, tags
from ...model.elbv2.defaults import invalid
from . import common, paging, ssl_policies
from .api import elbv2

MAX_LISTENERS = 50  # per load balancer, AWS's quota


def _shape(p: dict[str, Any], current: dict[str, Any] | None = None) -> dict[str, Any]:
    """The listener's doc (less ARNs and actions) from the request over `current`."""
    cur = current or {}
    protocol = p.get("Protocol") or cur.get("Protocol")
    port = p.get("Port") or cur.get("Port")
    if protocol is None:
        raise invalid("A listener protocol must be specified")  # ecsd's own wording
    if port is None:
        raise invalid("A listener port must be specified")  # ecsd's own wording
    if protocol not in ("HTTP", "HTTPS"):
        raise invalid(f"Listener protocol '{protocol}' must be one of 'HTTPS, HTTP'")
    doc: dict[str, Any] = {"Port": port, "Protocol": protocol}
    if protocol == "HTTPS":
        certificates = p.get("Certificates") or cur.get("Certificates")
        if not certificates:
            # ecsd's own wording.
            raise AwsError(
                "CertificateNotFound", "A certificate must be specified for HTTPS listeners"
            )
        for c in certificates:
            if not c.get("CertificateArn"):
                raise AwsError("CertificateNotFound", "A certificate ARN must be specified")
        policy = p.get("SslPolicy") or cur.get("SslPolicy") or ssl_policies.DEFAULT
        if policy not in ssl_policies.POLICIES:
            raise AwsError("SSLPolicyNotFound", f"SSL policy '{policy}' not found")
        doc["Certificates"] = [{"CertificateArn": c["CertificateArn"]} for c in certificates]
        doc["SslPolicy"] = policy
    elif p.get("Certificates") or p.get("SslPolicy"):
        # ecsd's own wording: certificates and policies belong to HTTPS listeners.
        raise invalid("Certificates and an SSL policy can only be specified for HTTPS listeners")
    return doc


def check_certificates(ctx: Context, arns: list[str]) -> None:
    """Every certificate an HTTPS listener names must be an ACM certificate here."""
    for arn in arns:
        if not acm_certificates.exists(ctx, arn):
            raise AwsError("CertificateNotFound", f"Certificate '{arn}' not found")


def _ordered(doc: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "ListenerArn",
        "LoadBalancerArn",
        "Port",
        "Protocol",
        "Certificates",
        "SslPolicy",
        "DefaultActions",
    )
    return {k: doc[k] for k in keys if k in doc}


@elbv2.operation("CreateListener", write=True)
def create_listener(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    lb = common.load_balancer(ctx, p["LoadBalancerArn"])
    doc = _shape(p)
    check_certificates(ctx, [c["CertificateArn"] for c in doc.get("Certificates", [])])
    default_actions, groups = actions.check(ctx, lb.arn, p["DefaultActions"])
    doc = {"LoadBalancerArn": lb.arn, **doc, "DefaultActions": default_actions}
    given_tags = common.check_tags(p.get("Tags"))
    existing = listeners.on_port(ctx, lb.arn, doc["Port"])
    if existing is not None:
        # CreateListener is idempotent: the same settings answer the existing listener.
        if _ordered({**doc, "ListenerArn": existing.arn}) == _ordered(existing.doc):
            return {"Listeners": [_ordered(existing.doc)]}
        raise AwsError(
            "DuplicateListener",
            f"A listener already exists on this port for this load balancer '{lb.arn}'",
        )
    if listeners.count(ctx, lb.arn) >= MAX_LISTENERS:
        raise AwsError(
            "TooManyListeners",
            "The quota for the number of listeners per load balancer has been reached",
        )  # ecsd's own wording
    arn = listeners.create(
        ctx, lb.arn, doc, defaults.defaults(defaults.LISTENER_ATTRIBUTES), groups
    )
    if given_tags:
        tags.put(ctx, arn, given_tags)
    row = listeners.get_row(ctx, arn)
    assert row is not None
    return {"Listeners": [_ordered(row.doc)]}


@elbv2.operation("DescribeListeners")
def describe_listeners(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    lb_arn, arns_given = p.get("LoadBalancerArn"), p.get("ListenerArns")
    if lb_arn and arns_given:
        raise invalid("Listener ARNs and a load balancer ARN cannot be specified at the same time")
    if arns_given:
        return {
            "Listeners": [_ordered(common.listener(ctx, a).doc) for a in dict.fromkeys(arns_given)]
        }
    if not lb_arn:
        raise invalid("You must specify either listener ARNs or a load balancer ARN")
    common.load_balancer(ctx, lb_arn)
    rows, marker = paging.page(ctx, listeners.listing(ctx, lb_arn), p)
    return paging.answer("Listeners", [_ordered(r.doc) for r in rows], marker)


def _modify(ctx: Context, row: Row[Any], p: dict[str, Any]) -> dict[str, Any]:
    doc = {"ListenerArn": row.arn, "LoadBalancerArn": row.lb_arn, **_shape(p, row.doc)}
    check_certificates(ctx, [c["CertificateArn"] for c in doc.get("Certificates", [])])
    if p.get("DefaultActions"):
        doc["DefaultActions"], groups = actions.check(ctx, row.lb_arn, p["DefaultActions"])
    else:
        doc["DefaultActions"] = row.doc["DefaultActions"]
        groups = actions.forwarded_groups(doc["DefaultActions"])
    if doc["Port"] != row.port:
        other = listeners.on_port(ctx, row.lb_arn, doc["Port"])
        if other is not None:
            raise AwsError(
                "DuplicateListener",
                f"A listener already exists on this port for this load balancer '{row.lb_arn}'",
            )
    stored = _ordered(doc)
    if doc["Protocol"] == "HTTPS" and row.doc.get("ExtraCertificates"):
        stored["ExtraCertificates"] = row.doc["ExtraCertificates"]  # certificates.py's
    listeners.save(ctx, row, stored, groups)
    return _ordered(doc)


@elbv2.operation("ModifyListener", write=True)
def modify_listener(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = common.listener(ctx, p["ListenerArn"])
    return {"Listeners": [_modify(ctx, row, p)]}


@elbv2.operation("DeleteListener", write=True)
def delete_listener(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = common.listener(ctx, p["ListenerArn"])
    listeners.delete_listener(ctx, row.arn)
    return {}
