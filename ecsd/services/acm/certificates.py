"""ACM's API: RequestCertificate, ImportCertificate, DescribeCertificate,
ListCertificates, GetCertificate, DeleteCertificate and the certificate's tags.

Describe and List run as writes: reading a pending certificate is when ecsd checks its
validation records and issues it (ACM checks DNS on its own schedule)."""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.acm import certificates
from ...model.elbv2 import listeners
from ..pagination import decode_token, encode_token
from .api import acm

INVALID_TOKEN = AwsError("InvalidArgsException", "Invalid nextToken.")


def _detail(ctx: Context, row: Any) -> dict[str, Any]:
    return {**row.doc, "InUseBy": listeners.certificate_users(ctx, row.arn)}


@acm.operation("RequestCertificate", write=True)
def request_certificate(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    if p.get("ValidationMethod", "EMAIL") != "DNS":
        # ecsd's own text: no mail is sent from here.
        raise AwsError("InvalidParameterException", "ecsd validates certificates by DNS only.")
    if p.get("CertificateAuthorityArn"):
        raise AwsError("InvalidParameterException", "ecsd issues public certificates only.")
    domain = p["DomainName"].rstrip(".").lower()
    sans = [s.rstrip(".").lower() for s in p.get("SubjectAlternativeNames") or []]
    arn = certificates.request(
        ctx, domain, sans, p.get("KeyAlgorithm", "RSA_2048"), p.get("IdempotencyToken")
    )
    if p.get("Tags"):
        certificates.set_tags(ctx, arn, {t["Key"]: t.get("Value", "") for t in p["Tags"]})
    return {"CertificateArn": arn}


@acm.operation("ImportCertificate", write=True)
def import_certificate(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    arn = certificates.import_certificate(
        ctx,
        p.get("CertificateArn"),
        p["Certificate"],
        p["PrivateKey"],
        p.get("CertificateChain") or b"",
    )
    if p.get("Tags"):
        certificates.set_tags(ctx, arn, {t["Key"]: t.get("Value", "") for t in p["Tags"]})
    return {"CertificateArn": arn}


@acm.operation("DescribeCertificate", write=True)
def describe_certificate(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = certificates.refresh(ctx, certificates.get(ctx, p["CertificateArn"]))
    return {"Certificate": _detail(ctx, row)}


@acm.operation("GetCertificate", write=True)
def get_certificate(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = certificates.refresh(ctx, certificates.get(ctx, p["CertificateArn"]))
    if row.certificate is None:
        raise AwsError(
            "RequestInProgressException",
            f"Certificate '{row.arn}' with status {row.status} is not yet issued.",  # ecsd's own
        )
    out = {"Certificate": row.certificate}
    if row.chain:
        out["CertificateChain"] = row.chain
    return out


@acm.operation("ListCertificates", write=True)
def list_certificates(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    statuses = set(p.get("CertificateStatuses") or [])
    rows = [r for r in certificates.listing(ctx) if not statuses or r.status in statuses]
    size = p.get("MaxItems") or 1000
    start = 0
    key = decode_token(p.get("NextToken"), [float, str], error=INVALID_TOKEN)
    if key is not None:
        start = next((i for i, r in enumerate(rows) if (r.created, r.arn) > tuple(key)), len(rows))
    page = rows[start : start + size]
    out: dict[str, Any] = {
        "CertificateSummaryList": [
            {
                "CertificateArn": r.arn,
                "DomainName": r.doc["DomainName"],
                "SubjectAlternativeNameSummaries": r.doc["SubjectAlternativeNames"],
                "HasAdditionalSubjectAlternativeNames": False,
                "Status": r.status,
                "Type": r.doc["Type"],
                "KeyAlgorithm": r.doc["KeyAlgorithm"],
                "InUse": bool(listeners.certificate_users(ctx, r.arn)),
                "CreatedAt": r.doc["CreatedAt"],
                **{
                    k: r.doc[k]
                    for k in ("NotBefore", "NotAfter", "IssuedAt", "ImportedAt")
                    if k in r.doc
                },
            }
            for r in page
        ]
    }
    if start + size < len(rows):
        last = page[-1]
        out["NextToken"] = encode_token([last.created, last.arn])
    return out


@acm.operation("DeleteCertificate", write=True)
def delete_certificate(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = certificates.get(ctx, p["CertificateArn"])
    users = listeners.certificate_users(ctx, row.arn)
    if users:
        raise AwsError(
            "ResourceInUseException", f"Certificate {row.arn} in account {ctx.account} is in use."
        )
    certificates.remove(ctx, row.arn)
    return {}


@acm.operation("AddTagsToCertificate", write=True)
def add_tags_to_certificate(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = certificates.get(ctx, p["CertificateArn"])
    tags = {**row.tags, **{t["Key"]: t.get("Value", "") for t in p["Tags"]}}
    if len(tags) > 50:
        raise AwsError("TooManyTagsException", "the TagSet contains too many tags")
    certificates.set_tags(ctx, row.arn, tags)
    return {}


@acm.operation("RemoveTagsFromCertificate", write=True)
def remove_tags_from_certificate(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = certificates.get(ctx, p["CertificateArn"])
    tags = dict(row.tags)
    for t in p["Tags"]:
        if t.get("Value") is None or tags.get(t["Key"]) == t.get("Value"):
            tags.pop(t["Key"], None)
    certificates.set_tags(ctx, row.arn, tags)
    return {}


@acm.operation("ListTagsForCertificate")
def list_tags_for_certificate(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = certificates.get(ctx, p["CertificateArn"])
    return {"Tags": [{"Key": k, "Value": v} for k, v in row.tags.items()]}
