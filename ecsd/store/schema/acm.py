"""ACM certificates: one row per certificate, listed by creation (the keyset order of
ListCertificates). The private key is kept sealed (store/sealing.py), for the HTTPS
listeners that serve the certificate."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, Index, LargeBinary, String, Table, Text

from .base import metadata

acm_certificates = Table(
    "acm_certificates",
    metadata,
    Column("region", String, primary_key=True),
    Column("arn", String, primary_key=True),
    Column("status", String, nullable=False),
    Column("created", Float, nullable=False),
    Column("idempotency", String),  # RequestCertificate's IdempotencyToken, if given
    Column("doc", JSON, nullable=False),  # CertificateDetail as DescribeCertificate answers
    Column("certificate", Text),  # PEM, once issued or imported
    Column("chain", Text),  # PEM of the issuers
    Column("key", LargeBinary),  # sealed PEM private key
    Column("tags", JSON, nullable=False),
)
Index("acm_certificates_by_created", acm_certificates.c.region, acm_certificates.c.created)
