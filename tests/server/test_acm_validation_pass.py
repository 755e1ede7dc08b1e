"""ACM issues a requested certificate when its validation records are written to a hosted
zone here — not only when someone describes it: the store holds ISSUED with no ACM call
in between, in another region than the Route 53 call's too; and the pass a start runs
issues what a record written while the controller was down left pending."""

from __future__ import annotations

import sqlite3
import time

import pytest
from conftest import client_for
from test_acm_certificates import put_validation


def _status(server, arn: str) -> str:
    """The certificate's status as stored (read beside the server; no ACM call)."""
    with sqlite3.connect(f"file:{server.settings.database}?mode=ro", uri=True) as db:
        row = db.execute("SELECT status FROM acm_certificates WHERE arn = ?", (arn,)).fetchone()
    return str(row[0])


def _wait_status(server, arn: str, want: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while _status(server, arn) != want:
        assert time.monotonic() < deadline, f"{arn} stayed {_status(server, arn)}"
        time.sleep(0.05)


def _validate(r53, zone_id: str, options: list[dict]) -> None:
    for option in options:
        put_validation(r53, zone_id, option)


@pytest.fixture
def server(in_process, tmp_path):
    return in_process(docker_host=f"unix://{tmp_path}/no-engine.sock")


def _requested(server, region: str) -> tuple[str, list[dict]]:
    acm = client_for(server, "acm", region)
    arn = acm.request_certificate(DomainName="app.example.com", ValidationMethod="DNS")[
        "CertificateArn"
    ]
    options = acm.describe_certificate(CertificateArn=arn)["Certificate"]["DomainValidationOptions"]
    return arn, options


def test_writing_the_record_issues_the_certificate_without_a_read(server) -> None:
    r53 = client_for(server, "route53", "us-east-1")
    zone = r53.create_hosted_zone(Name="example.com", CallerReference="z")["HostedZone"]["Id"]
    arn, options = _requested(server, "eu-west-1")
    assert _status(server, arn) == "PENDING_VALIDATION"
    _validate(r53, zone, options)
    _wait_status(server, arn, "ISSUED")
    assert server.daemon.acm_validation.issued == 1
    cert = client_for(server, "acm", "eu-west-1").describe_certificate(CertificateArn=arn)
    assert cert["Certificate"]["DomainValidationOptions"][0]["ValidationStatus"] == "SUCCESS"


def test_the_pass_at_start_issues_what_was_left_pending(server) -> None:
    r53 = client_for(server, "route53", "us-east-1")
    zone = r53.create_hosted_zone(Name="example.com", CallerReference="z")["HostedZone"]["Id"]
    arn, options = _requested(server, "us-east-1")
    server._run(server.daemon.acm_validation.stop())  # as if ecsd died after the write
    _validate(r53, zone, options)
    time.sleep(0.3)
    assert _status(server, arn) == "PENDING_VALIDATION"
    server._run(server.daemon.acm_validation.start())
    _wait_status(server, arn, "ISSUED")
