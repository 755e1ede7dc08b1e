"""An HTTPS listener's certificates: DescribeListenerCertificates,
AddListenerCertificates, RemoveListenerCertificates.

The listener's doc holds its default certificate (what DescribeListeners shows); the
others (for SNI) are kept beside it under `ExtraCertificates`, which DescribeListeners
never shows. ecsd stores certificate ARNs only: serving TLS is a later issue.
"""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.elbv2 import actions, listeners
from ...model.elbv2.defaults import invalid
from . import common, paging
from .api import elbv2
from .listeners import check_certificates

EXTRA = "ExtraCertificates"


def _https(ctx: Context, arn: str) -> Any:
    row = common.listener(ctx, arn)
    if row.doc.get("Protocol") != "HTTPS":
        # ecsd's own wording: certificates belong to HTTPS listeners.
        raise invalid(f"Listener '{arn}' is not an HTTPS listener")
    return row


def _arns(p: dict[str, Any]) -> list[str]:
    out = []
    for c in p["Certificates"]:
        if not c.get("CertificateArn"):
            raise AwsError("CertificateNotFound", "A certificate ARN must be specified")
        out.append(c["CertificateArn"])
    return list(dict.fromkeys(out))


def _save(ctx: Context, row: Any, extra: list[str]) -> None:
    doc = {**row.doc, EXTRA: extra}
    listeners.save(ctx, row, doc, actions.forwarded_groups(doc["DefaultActions"]))


@elbv2.operation("DescribeListenerCertificates")
def describe_listener_certificates(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = common.listener(ctx, p["ListenerArn"])
    default = [{**c, "IsDefault": True} for c in row.doc.get("Certificates", [])[:1]]
    extra = [{"CertificateArn": a, "IsDefault": False} for a in row.doc.get(EXTRA, [])]
    items, marker = paging.slice_list(default + extra, p)
    return paging.answer("Certificates", items, marker)


@elbv2.operation("AddListenerCertificates", write=True)
def add_listener_certificates(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = _https(ctx, p["ListenerArn"])
    default = {c["CertificateArn"] for c in row.doc.get("Certificates", [])}
    extra = list(row.doc.get(EXTRA, []))
    added = [a for a in _arns(p) if a not in default]
    check_certificates(ctx, added)
    for a in added:
        if a not in extra:
            extra.append(a)
    if len(extra) + 1 > 25:  # certificates per ALB listener, AWS's quota (default included)
        raise AwsError(
            "TooManyCertificates",
            "The quota for the number of certificates per listener has been reached",
        )  # ecsd's own wording
    _save(ctx, row, extra)
    return {"Certificates": [{"CertificateArn": a, "IsDefault": False} for a in added]}


@elbv2.operation("RemoveListenerCertificates", write=True)
def remove_listener_certificates(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = _https(ctx, p["ListenerArn"])
    default = {c["CertificateArn"] for c in row.doc.get("Certificates", [])}
    gone = set(_arns(p))
    if gone & default:
        # ecsd's own wording: the default certificate changes with ModifyListener.
        raise AwsError(
            "OperationNotPermitted",
            "The default certificate cannot be removed; use ModifyListener to replace it",
        )
    _save(ctx, row, [a for a in row.doc.get(EXTRA, []) if a not in gone])
    return {}
