"""TLS for HTTPS listeners: one `ssl.SSLContext` per certificate, and an SNI callback
that picks, at each handshake, the certificate of the socket's listeners whose names
match the server name the client asked for (the default certificate otherwise) — as an
ALB chooses among its listener's certificates.

The certificates are read from the current routing table at handshake time, so a
certificate added to a listener is served without reopening its socket.
"""

from __future__ import annotations

import os
import ssl
import tempfile
from collections.abc import Callable, Sequence
from functools import lru_cache

from cryptography import x509

from .table import Listener

Pair = tuple[bytes, bytes]


def pairs_of(listeners: Sequence[Listener]) -> list[Pair]:
    """Every certificate the socket's HTTPS listeners serve, defaults first."""
    out: list[Pair] = []
    for listener in listeners:
        if listener.protocol == "HTTPS" and listener.certificates:
            out.append(listener.certificates[0])
    for listener in listeners:
        if listener.protocol == "HTTPS":
            out.extend(p for p in listener.certificates[1:] if p not in out)
    return out


@lru_cache(maxsize=256)
def _context(chain: bytes, key: bytes) -> ssl.SSLContext:
    return _build(chain, key)


def _build(chain: bytes, key: bytes) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    # ELBSecurityPolicy-2016-08 (the default) and the TLS-1-2 policies: TLS 1.2 and up;
    # the older policies' TLS 1.0 is not offered here (ecsd's choice: OpenSSL refuses it).
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_alpn_protocols(["http/1.1"])
    # load_cert_chain reads files only: a private directory, removed at once.
    with tempfile.TemporaryDirectory(prefix="ecsd-tls-") as folder:
        cert_path = os.path.join(folder, "chain.pem")
        key_path = os.path.join(folder, "key.pem")
        with open(cert_path, "wb") as f:
            f.write(chain)
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(key)
        ctx.load_cert_chain(cert_path, key_path)
    return ctx


@lru_cache(maxsize=256)
def _names(chain: bytes) -> tuple[str, ...]:
    cert = x509.load_pem_x509_certificate(chain)
    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = [str(n).lower() for n in sans.get_values_for_type(x509.DNSName)]
    except x509.ExtensionNotFound:
        names = []
    cn = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return tuple(names or [str(a.value).lower() for a in cn])


def matches(pattern: str, name: str) -> bool:
    """A certificate name against the SNI name: exact, or a `*.` wildcard for one label."""
    if pattern == name:
        return True
    if pattern.startswith("*."):
        head, _, rest = name.partition(".")
        return bool(head) and rest == pattern[2:]
    return False


def choose(pairs: Sequence[Pair], server_name: str | None) -> Pair:
    if server_name:
        wanted = server_name.lower().rstrip(".")
        for pair in pairs:
            if any(matches(n, wanted) for n in _names(pair[0])):
                return pair
    return pairs[0]


def server_context(current: Callable[[], Sequence[Listener]]) -> ssl.SSLContext:
    """The context a TLS socket opens with; `current()` gives the socket's listeners as
    the routing table has them now. Raises OSError when no certificate is issued yet."""
    pairs = pairs_of(current())
    if not pairs:
        raise OSError("no issued certificate for this HTTPS listener")

    def on_sni(sock: ssl.SSLObject, server_name: str | None, _ctx: ssl.SSLContext) -> None:
        now = pairs_of(current()) or pairs
        sock.context = _context(*choose(now, server_name))

    # The socket's own context (the cached ones are shared and carry no callback): the
    # callback moves each handshake to the chosen certificate's context.
    base = _build(*pairs[0])
    base.sni_callback = on_sni
    return base
