"""ecsd's local certificate authority: the issuer of every ACM certificate requested here.

Created once in the data dir (`ca/root.pem`, `ca/root.key`, the key 0600), so a user can
trust `GET /_ecsd/ca.pem` once and every HTTPS listener ecsd serves verifies against it.
Certificates are issued directly by the root (no intermediate: one file to trust).
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import secrets
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ROOT_NAME = "ecsd local certificate authority"
# ACM's public certificates live 395 days (13 months).
VALIDITY = datetime.timedelta(days=395)


def _paths(data_dir: Path) -> tuple[Path, Path]:
    folder = data_dir / "ca"
    return folder / "root.pem", folder / "root.key"


def root_pem(data_dir: Path) -> bytes:
    """The root certificate (PEM), created with its key on first use."""
    cert_path, _ = _paths(data_dir)
    if not cert_path.exists():
        _create(data_dir)
    return cert_path.read_bytes()


def _create(data_dir: Path) -> None:
    cert_path, key_path = _paths(data_dir)
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ecsd"),
            x509.NameAttribute(NameOID.COMMON_NAME, ROOT_NAME),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    # The key first, created 0600 (never world-readable, not even for an instant); the
    # certificate last, since its existence is what says the CA is complete.
    tmp = key_path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    tmp.replace(key_path)
    cert_tmp = cert_path.with_suffix(".tmp")
    cert_tmp.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    cert_tmp.replace(cert_path)


def _root(data_dir: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    cert = x509.load_pem_x509_certificate(root_pem(data_dir))
    _, key_path = _paths(data_dir)
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return cert, key


def issue(
    data_dir: Path, domains: list[str], now: float, key_algorithm: str = "RSA_2048"
) -> tuple[bytes, bytes, x509.Certificate]:
    """(certificate PEM, private key PEM, certificate) for `domains` (the first is the
    subject's CN, all are SANs), signed by the root."""
    root, root_key = _root(data_dir)
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    if key_algorithm.startswith("EC_"):
        key = ec.generate_private_key(ec.SECP384R1() if "384" in key_algorithm else ec.SECP256R1())
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start = datetime.datetime.fromtimestamp(now, datetime.UTC)
    sans: list[x509.GeneralName] = []
    for d in domains:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(d)))
        except ValueError:
            sans.append(x509.DNSName(d))
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domains[0])]))
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(int.from_bytes(secrets.token_bytes(16), "big") >> 1)
        .not_valid_before(start - datetime.timedelta(minutes=5))
        .not_valid_after(start + VALIDITY)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem, cert
