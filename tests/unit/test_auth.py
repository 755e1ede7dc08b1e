"""SigV4 verification against requests signed by botocore itself, and the Host rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from multidict import CIMultiDict

from ecsd.aws import auth
from ecsd.config import Settings
from ecsd.http_guard import host_allowed, origin_allowed, served_hosts

KEYS = {"AKIDEXAMPLE": "s3cret"}
BODY = b'{"clusters":["default"]}'


def signed(
    key: str = "AKIDEXAMPLE",
    secret: str = "s3cret",
    body: bytes = BODY,
    path: str = "/",
) -> tuple[CIMultiDict[str, str], dt.datetime]:
    request = AWSRequest(
        method="POST",
        url=f"http://127.0.0.1:4600{path}",
        data=body,
        headers={
            "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.DescribeClusters",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    SigV4Auth(Credentials(key, secret), "ecs", "us-east-1").add_auth(request)
    headers: CIMultiDict[str, str] = CIMultiDict(request.headers.items())
    headers["Host"] = "127.0.0.1:4600"
    when = dt.datetime.strptime(headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    return headers, when


def check(headers: Any, body: bytes = BODY, now: dt.datetime | None = None, path: str = "/"):
    return auth.verify("POST", path, headers, body, KEYS, now or dt.datetime.now(dt.UTC))


def kind(headers: Any, **kw: Any) -> str:
    with pytest.raises(auth.AuthFailure) as err:
        check(headers, **kw)
    return err.value.kind


def test_a_request_signed_by_botocore_verifies():
    headers, _ = signed()
    who = check(headers)
    assert who == auth.Signed("AKIDEXAMPLE", "us-east-1", "ecs")


def test_a_path_and_query_are_part_of_the_signature():
    headers, _ = signed(path="/some/path?b=2&a=1")
    assert check(headers, path="/some/path?b=2&a=1").service == "ecs"
    assert kind(headers, path="/some/path?b=2&a=3") == auth.BAD_SIGNATURE


def test_wrong_secret_unknown_key_missing_and_tampered_are_refused():
    assert kind(signed(secret="wrong")[0]) == auth.BAD_SIGNATURE
    assert kind(signed(key="AKIDOTHER")[0]) == auth.UNKNOWN_KEY
    assert kind(CIMultiDict({"Host": "127.0.0.1"})) == auth.MISSING
    headers, _ = signed()
    assert kind(headers, body=BODY + b" ") == auth.BAD_SIGNATURE
    tampered = headers.copy()
    tampered["X-Amz-Target"] = "AmazonEC2ContainerServiceV20141113.DeleteCluster"
    assert kind(tampered) == auth.BAD_SIGNATURE


def test_a_declared_payload_hash_must_be_the_bodys():
    headers, _ = signed()
    headers["X-Amz-Content-SHA256"] = "0" * 64
    assert kind(headers) == auth.BAD_SIGNATURE


def test_malformed_authorization_headers_are_refused_as_incomplete():
    headers, _ = signed()
    for value in ("Basic abc", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/x", "AWS4-HMAC-SHA256"):
        bad = headers.copy()
        bad["Authorization"] = value
        assert kind(bad) == auth.MALFORMED, value


def test_a_signature_more_than_15_minutes_away_is_expired_either_way():
    headers, when = signed()
    assert check(headers, now=when + dt.timedelta(minutes=14)).access_key == "AKIDEXAMPLE"
    with pytest.raises(auth.AuthFailure) as err:
        check(headers, now=when + dt.timedelta(minutes=16))
    assert err.value.kind == auth.EXPIRED
    assert err.value.message.startswith(f"Signature expired: {headers['X-Amz-Date']} is now")
    assert err.value.message.endswith(" - 15 min.)")
    with pytest.raises(auth.AuthFailure) as err:
        check(headers, now=when - dt.timedelta(minutes=16))
    assert err.value.message.startswith("Signature not yet current:")


def test_errors_have_the_json_and_query_services_codes():
    bad = auth.AuthFailure(auth.BAD_SIGNATURE, "x")
    assert (auth.error_for(bad, query=False).code, auth.error_for(bad, query=False).status) == (
        "InvalidSignatureException",
        400,
    )
    assert (auth.error_for(bad, query=True).code, auth.error_for(bad, query=True).status) == (
        "SignatureDoesNotMatch",
        403,
    )
    unknown = auth.AuthFailure(auth.UNKNOWN_KEY, "x")
    assert auth.error_for(unknown, query=False).code == "UnrecognizedClientException"
    assert auth.error_for(unknown, query=True).code == "InvalidClientTokenId"


def test_parse_keys():
    assert auth.parse_keys(["a:b", " c:d:e "]) == (("a", "b"), ("c", "d:e"))
    with pytest.raises(ValueError, match="#2") as err:
        auth.parse_keys(["a:b", "nosecret"])
    assert "nosecret" not in str(err.value)


def test_served_hosts_and_ip_literals():
    names = served_hosts(Settings(host="0.0.0.0", allowed_hosts=("ecsd.test",)))
    for ok in (
        "localhost:4600",
        "127.0.0.1:4600",
        "[::1]:4600",
        "ECSD.test",
        "ecsd.test.:80",
        "10.1.2.3",
        "[fe80::1]:1",
        None,
    ):
        assert host_allowed(ok, names), ok
    for bad in ("evil.example:4600", "localhost.evil.example", "127.0.0.1.nip.io:4600", ""):
        assert not host_allowed(bad, names), bad


def test_an_origin_is_allowed_only_when_it_is_ecsd_itself():
    names = served_hosts(Settings(port=4600, allowed_hosts=("ecsd.test",)))
    for ok in (
        "http://127.0.0.1:4600",
        "http://localhost:4600",
        "http://[::1]:4600/",
        "http://ECSD.test:4600",
    ):
        assert origin_allowed(ok, "127.0.0.1:4600", names, 4600), ok
    # The address the request went to is its own origin, whatever the name.
    assert origin_allowed("http://10.0.0.5:4600", "10.0.0.5:4600", names, 4600)
    for bad in (
        "http://attacker.example",
        "http://localhost:8080",
        "http://localhost",
        "https://localhost:4600",
        "http://10.0.0.5:4600",
        "null",
        "",
    ):
        assert not origin_allowed(bad, "127.0.0.1:4600", names, 4600), bad
