"""SigV4 verification for `--auth`: is this request signed with a configured access key?

ecsd does not compute signatures of its own: it rebuilds the request as botocore's signer
sees one (the signed headers only, the path and query as sent, the body) and asks
botocore's `SigV4Auth` for the signature with the request's own date, region and service
(see DESIGN.md, "What not to write by hand"). The answer is compared in constant time.

Failures carry a kind; `error_for` turns one into the error AWS answers with, in the JSON
services' codes or the Query services' (STS) codes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from .errors import AwsError

ALGORITHM = "AWS4-HMAC-SHA256"
# AWS refuses a signature more than 15 minutes away from its clock, either way.
MAX_SKEW = dt.timedelta(minutes=15)
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
_FIELD = re.compile(r"\s*(Credential|SignedHeaders|Signature)\s*=\s*([^,\s]*)\s*")

MISSING = "missing"
MALFORMED = "malformed"
UNKNOWN_KEY = "unknown-key"
BAD_SIGNATURE = "bad-signature"
EXPIRED = "expired"

_BAD_SIGNATURE_TEXT = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service "
    "documentation for details."
)
_UNKNOWN_KEY_TEXT = "The security token included in the request is invalid."

# kind -> (JSON services' code, status), (Query services' code, status)
_CODES: dict[str, tuple[tuple[str, int], tuple[str, int]]] = {
    MISSING: (("MissingAuthenticationTokenException", 400), ("MissingAuthenticationToken", 403)),
    MALFORMED: (("IncompleteSignatureException", 400), ("IncompleteSignature", 400)),
    UNKNOWN_KEY: (("UnrecognizedClientException", 400), ("InvalidClientTokenId", 403)),
    BAD_SIGNATURE: (("InvalidSignatureException", 400), ("SignatureDoesNotMatch", 403)),
    EXPIRED: (("InvalidSignatureException", 400), ("SignatureDoesNotMatch", 403)),
}


class AuthFailure(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class Signed:
    """Who signed a verified request, and for which region and service."""

    access_key: str
    region: str
    service: str


def parse_keys(specs: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """`ID:SECRET` entries (flags, environment, or lines of a key file) as pairs.

    Raises ValueError naming the bad entry by its position, never showing a secret.
    """
    pairs = []
    for n, spec in enumerate(specs, 1):
        key, sep, secret = spec.strip().partition(":")
        if not sep or not key or not secret:
            raise ValueError(f"access key #{n} is not ID:SECRET")
        pairs.append((key, secret))
    return tuple(pairs)


def verify(
    method: str,
    raw_path: str,
    headers: Mapping[str, str],
    body: bytes,
    keys: Mapping[str, str],
    now: dt.datetime,
) -> Signed:
    """Check the request's `Authorization` header; raise AuthFailure if it is not good.

    `headers` must offer `getall` for repeated headers (aiohttp's CIMultiDict) or be a
    plain mapping; `raw_path` is the path and query exactly as received.
    """
    header = headers.get("Authorization")
    if not header:
        raise AuthFailure(MISSING, "Missing Authentication Token")
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        # ecsd's own text: ecsd verifies only SigV4 in the Authorization header.
        raise AuthFailure(MALFORMED, f"Unsupported signing algorithm '{algorithm[:40]}'.")
    fields = {}
    for part in rest.split(","):
        match = _FIELD.fullmatch(part)
        if match:
            fields[match.group(1)] = match.group(2)
    for name in ("Credential", "SignedHeaders", "Signature"):
        if name not in fields:
            raise AuthFailure(MALFORMED, f"Authorization header requires '{name}' parameter.")
    scope = fields["Credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        raise AuthFailure(
            MALFORMED,
            "Credential should be scoped to a valid region, not the one given.",
        )
    access_key, day, region, service, _ = scope
    amz_date = headers.get("X-Amz-Date", "")
    try:
        signed_at = dt.datetime.strptime(amz_date, _AMZ_DATE).replace(tzinfo=dt.UTC)
    except ValueError:
        raise AuthFailure(
            MALFORMED,
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        ) from None
    secret = keys.get(access_key)
    if secret is None:
        raise AuthFailure(UNKNOWN_KEY, _UNKNOWN_KEY_TEXT)
    _check_skew(signed_at, now)
    if day != amz_date[:8]:
        raise AuthFailure(BAD_SIGNATURE, _BAD_SIGNATURE_TEXT)
    request = _as_botocore_sees_it(method, raw_path, headers, body, fields["SignedHeaders"])
    declared = headers.get("X-Amz-Content-SHA256")
    if declared is not None and declared != hashlib.sha256(body).hexdigest():
        # botocore signs the declared hash in place of the body: it must be the body's.
        raise AuthFailure(BAD_SIGNATURE, _BAD_SIGNATURE_TEXT)
    request.context["timestamp"] = amz_date
    signer = SigV4Auth(Credentials(access_key, secret), service, region)
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected, fields["Signature"]):
        raise AuthFailure(BAD_SIGNATURE, _BAD_SIGNATURE_TEXT)
    return Signed(access_key, region, service)


def _check_skew(signed_at: dt.datetime, now: dt.datetime) -> None:
    def stamp(t: dt.datetime) -> str:
        return t.strftime(_AMZ_DATE)

    if signed_at < now - MAX_SKEW:
        raise AuthFailure(
            EXPIRED,
            f"Signature expired: {stamp(signed_at)} is now earlier than "
            f"{stamp(now - MAX_SKEW)} ({stamp(now)} - 15 min.)",
        )
    if signed_at > now + MAX_SKEW:
        raise AuthFailure(
            EXPIRED,
            f"Signature not yet current: {stamp(signed_at)} is still later than "
            f"{stamp(now + MAX_SKEW)} ({stamp(now)} + 15 min.)",
        )


def _as_botocore_sees_it(
    method: str, raw_path: str, headers: Mapping[str, str], body: bytes, signed: str
) -> AWSRequest:
    """The request with only its signed headers, as the client's signer saw it.

    The URL is http: botocore hashes the body for plain-HTTP URLs, as the client did.
    """
    request = AWSRequest(method=method, url=f"http://ecsd{raw_path}", data=body)
    getall = getattr(headers, "getall", None)
    for name in signed.split(";"):
        values = getall(name, []) if getall else [v for v in [headers.get(name)] if v]
        if not values:
            raise AuthFailure(BAD_SIGNATURE, _BAD_SIGNATURE_TEXT)
        for value in values:
            request.headers[name] = value
    return request


def error_for(failure: AuthFailure, *, query: bool) -> AwsError:
    """The AWS error for a failed verification: Query services (STS) have their own codes
    and answer 403 where the JSON services answer 400."""
    code, status = _CODES[failure.kind][1 if query else 0]
    message = failure.message
    if failure.kind == MISSING and query:
        message = "Request is missing Authentication Token"  # STS's wording
    return AwsError(code, message, status=status)
