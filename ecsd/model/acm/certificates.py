"""ACM certificates as records: requested (DNS validation, issued by the local CA once
the validation CNAME exists in a hosted zone here), imported, described, deleted; and
`key_pair`, what an HTTPS listener serves."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import SignatureAlgorithmOID
from sqlalchemy import Row, delete, insert, select, update

from ...aws.errors import AwsError
from ...core.bus import LoadBalancingChanged
from ...core.unit import Unit
from ...store import sealing
from ...store.schema.acm import acm_certificates as certs
from ..route53 import records as route53_records
from . import ca


def _seal_context(arn: str) -> str:
    return f"acm/{arn}"


def not_found(arn: str) -> AwsError:
    return AwsError("ResourceNotFoundException", f"Could not find certificate {arn}.")


def get(ctx: Unit, arn: str) -> Row[Any]:
    row = ctx.conn.execute(
        select(certs).where(certs.c.region == ctx.region, certs.c.arn == arn)
    ).first()
    if row is None:
        raise not_found(arn)
    return row


def exists(unit: Unit, arn: str) -> bool:
    """Whether `arn` names a certificate here: what an HTTPS listener checks."""
    found = unit.conn.execute(
        select(certs.c.arn).where(certs.c.region == unit.region, certs.c.arn == arn)
    ).first()
    return found is not None


def validation_record(arn: str, domain: str) -> dict[str, str]:
    """The CNAME ACM asks for: derived from the certificate and the domain, so the same
    request always asks for the same record (as ACM's do)."""
    digest = hashlib.sha256(f"{arn}|{domain}".encode()).hexdigest()
    bare = domain[2:] if domain.startswith("*.") else domain
    return {
        "Name": f"_{digest[:32]}.{bare}.",
        "Type": "CNAME",
        "Value": f"_{digest[32:]}.acm-validations.aws.",
    }


def request(ctx: Unit, domain: str, sans: list[str], key_algorithm: str, token: str | None) -> str:
    if token:
        same = ctx.conn.execute(
            select(certs.c.arn).where(certs.c.region == ctx.region, certs.c.idempotency == token)
        ).first()
        if same is not None:
            return str(same.arn)
    arn = ctx.arn("acm", f"certificate/{uuid.uuid4()}")
    names = [domain, *[s for s in sans if s != domain]]
    doc = {
        "CertificateArn": arn,
        "DomainName": domain,
        "SubjectAlternativeNames": names,
        "DomainValidationOptions": [
            {
                "DomainName": d,
                "ValidationDomain": d,
                "ValidationStatus": "PENDING_VALIDATION",
                "ResourceRecord": validation_record(arn, d),
                "ValidationMethod": "DNS",
            }
            for d in names
        ],
        "CreatedAt": ctx.now,
        "Status": "PENDING_VALIDATION",
        "KeyAlgorithm": key_algorithm,
        "Type": "AMAZON_ISSUED",
        "InUseBy": [],
        "RenewalEligibility": "INELIGIBLE",
        "Options": {"CertificateTransparencyLoggingPreference": "ENABLED"},
    }
    ctx.conn.execute(
        insert(certs).values(
            region=ctx.region,
            arn=arn,
            status="PENDING_VALIDATION",
            created=ctx.now,
            idempotency=token,
            doc=doc,
            tags={},
        )
    )
    return arn


def refresh(ctx: Unit, row: Row[Any]) -> Row[Any]:
    """Issue a pending certificate whose every validation CNAME exists in a hosted zone
    here (ACM re-checks DNS periodically; ecsd checks when the certificate is read)."""
    if row.status != "PENDING_VALIDATION":
        return row
    options = row.doc["DomainValidationOptions"]
    done = [
        route53_records.cname_exists(ctx, o["ResourceRecord"]["Name"], o["ResourceRecord"]["Value"])
        for o in options
    ]
    if not all(done):
        return row
    cert_pem, key_pem, cert = ca.issue(
        ctx.settings.data_dir, row.doc["SubjectAlternativeNames"], ctx.now, row.doc["KeyAlgorithm"]
    )
    doc = {
        **row.doc,
        **_facts(cert),
        "Status": "ISSUED",
        "IssuedAt": ctx.now,
        "RenewalEligibility": "ELIGIBLE",
        "DomainValidationOptions": [{**o, "ValidationStatus": "SUCCESS"} for o in options],
    }
    _store(ctx, row.arn, doc, cert_pem, ca.root_pem(ctx.settings.data_dir), key_pem)
    # A listener may already name it: the routing table is rebuilt with its PEMs.
    ctx.record(LoadBalancingChanged())
    return get(ctx, row.arn)


# ACM's names for the signature algorithms a certificate may carry.
_SIGNATURES = {
    SignatureAlgorithmOID.ECDSA_WITH_SHA256: "SHA256WITHECDSA",
    SignatureAlgorithmOID.ECDSA_WITH_SHA384: "SHA384WITHECDSA",
    SignatureAlgorithmOID.RSA_WITH_SHA256: "SHA256WITHRSA",
    SignatureAlgorithmOID.RSA_WITH_SHA384: "SHA384WITHRSA",
    SignatureAlgorithmOID.RSA_WITH_SHA512: "SHA512WITHRSA",
}


def _facts(cert: x509.Certificate) -> dict[str, Any]:
    orgs = cert.issuer.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)
    serial = cert.serial_number.to_bytes(20, "big").lstrip(b"\0").hex()
    return {
        "Serial": ":".join(serial[i : i + 2] for i in range(0, len(serial), 2)),
        "Subject": cert.subject.rfc4514_string(),
        # ACM names the issuer's organisation ("Amazon"); ecsd's CA is "ecsd".
        "Issuer": str(orgs[0].value) if orgs else cert.issuer.rfc4514_string(),
        "NotBefore": cert.not_valid_before_utc.timestamp(),
        "NotAfter": cert.not_valid_after_utc.timestamp(),
        "SignatureAlgorithm": _SIGNATURES.get(cert.signature_algorithm_oid, "UNKNOWN"),
    }


def _store(
    ctx: Unit, arn: str, doc: dict[str, Any], cert_pem: bytes, chain: bytes, key_pem: bytes
) -> None:
    ctx.conn.execute(
        update(certs)
        .where(certs.c.region == ctx.region, certs.c.arn == arn)
        .values(
            status=doc["Status"],
            doc=doc,
            certificate=cert_pem.decode(),
            chain=chain.decode(),
            key=sealing.seal(ctx.settings.data_dir, key_pem, _seal_context(arn)),
        )
    )


def import_certificate(
    ctx: Unit, arn: str | None, cert_pem: bytes, key_pem: bytes, chain: bytes
) -> str:
    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
    except ValueError:
        raise AwsError("ValidationException", "Could not validate the certificate.") from None
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError):
        raise AwsError("ValidationException", "Could not validate the private key.") from None
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(
        serialization.Encoding.PEM, public
    ) != cert.public_key().public_bytes(serialization.Encoding.PEM, public):
        # ecsd's own text.
        raise AwsError("ValidationException", "The private key does not match the certificate.")
    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = [str(n) for n in sans.get_values_for_type(x509.DNSName)]
    except x509.ExtensionNotFound:
        names = []
    cn = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    domain = str(cn[0].value) if cn else (names[0] if names else "")
    doc_arn = arn or ctx.arn("acm", f"certificate/{uuid.uuid4()}")
    doc = {
        "CertificateArn": doc_arn,
        "DomainName": domain,
        "SubjectAlternativeNames": names or [domain],
        "CreatedAt": ctx.now,
        "ImportedAt": ctx.now,
        "Status": "ISSUED" if cert.not_valid_after_utc.timestamp() > ctx.now else "EXPIRED",
        "KeyAlgorithm": "EC_prime256v1" if "EllipticCurve" in type(key).__name__ else "RSA_2048",
        "Type": "IMPORTED",
        "InUseBy": [],
        "RenewalEligibility": "INELIGIBLE",
        **_facts(cert),
    }
    if arn is None:
        ctx.conn.execute(
            insert(certs).values(
                region=ctx.region,
                arn=doc_arn,
                status=doc["Status"],
                created=ctx.now,
                doc=doc,
                tags={},
            )
        )
    else:
        old = get(ctx, arn)
        if old.doc["Type"] != "IMPORTED":
            raise AwsError(
                "ValidationException", f"Certificate {arn} was not imported."
            )  # ecsd's own text
        doc["CreatedAt"] = old.doc["CreatedAt"]
    _store(ctx, doc_arn, doc, cert_pem, chain, key_pem)
    ctx.record(LoadBalancingChanged())  # a re-import changes what listeners serve
    return doc_arn


def listing(ctx: Unit) -> list[Row[Any]]:
    rows = ctx.conn.execute(
        select(certs).where(certs.c.region == ctx.region).order_by(certs.c.created, certs.c.arn)
    ).all()
    return [refresh(ctx, r) for r in rows]


def pending_regions(unit: Unit) -> list[str]:
    """The regions holding a certificate that waits for its validation records."""
    rows = unit.conn.execute(
        select(certs.c.region).where(certs.c.status == "PENDING_VALIDATION").distinct()
    )
    return sorted(r.region for r in rows)


def issue_validated(unit: Unit) -> int:
    """Issue every pending certificate of the unit's region whose validation records all
    exist now (ACM's periodic DNS check); how many were issued."""
    rows = unit.conn.execute(
        select(certs).where(certs.c.region == unit.region, certs.c.status == "PENDING_VALIDATION")
    ).all()
    return sum(refresh(unit, r).status == "ISSUED" for r in rows)


def remove(ctx: Unit, arn: str) -> None:
    ctx.conn.execute(delete(certs).where(certs.c.region == ctx.region, certs.c.arn == arn))


def set_tags(ctx: Unit, arn: str, tags: dict[str, str]) -> None:
    ctx.conn.execute(
        update(certs).where(certs.c.region == ctx.region, certs.c.arn == arn).values(tags=tags)
    )


def key_pair(unit: Unit, arn: str) -> tuple[bytes, bytes] | None:
    """(certificate + chain PEM, private key PEM) of an issued certificate, None if
    there is no such certificate or it is not issued: what an HTTPS listener serves.
    Looked up by ARN alone (it names its region): the routing table is built for every
    region at once."""
    row = unit.conn.execute(select(certs).where(certs.c.arn == arn)).first()
    if row is None or row.key is None or row.certificate is None:
        return None
    key = sealing.unseal(unit.settings.data_dir, row.key, _seal_context(arn))
    return (row.certificate + (row.chain or "")).encode(), key
