"""ACM against a real `ecsd serve`: DNS validation through Route 53 here (request → put
the CNAME → ISSUED), the certificate chain verifying against `GET /_ecsd/ca.pem`,
import, listing with status filters and paging, tags, deletion."""

from __future__ import annotations

import datetime
import os
import stat
import urllib.request

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@pytest.fixture
def acm(client):
    return client("acm")


@pytest.fixture
def r53(client):
    return client("route53", "us-east-1")


def put_validation(r53, zone_id, option):
    record = option["ResourceRecord"]
    r53.change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "UPSERT",
                    "ResourceRecordSet": {
                        "Name": record["Name"],
                        "Type": record["Type"],
                        "TTL": 60,
                        "ResourceRecords": [{"Value": record["Value"]}],
                    },
                }
            ]
        },
    )


def test_dns_validation_issues_a_certificate_that_verifies_against_the_ca(acm, r53, ecsd):
    zone_id = r53.create_hosted_zone(Name="example.com", CallerReference="z")["HostedZone"]["Id"]
    arn = acm.request_certificate(
        DomainName="app.example.com",
        ValidationMethod="DNS",
        SubjectAlternativeNames=["www.example.com"],
        IdempotencyToken="tok1",
    )["CertificateArn"]
    assert arn.startswith("arn:aws:acm:us-east-1:000000000000:certificate/")
    assert (
        acm.request_certificate(
            DomainName="app.example.com", ValidationMethod="DNS", IdempotencyToken="tok1"
        )["CertificateArn"]
        == arn
    )
    cert = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    assert cert["Status"] == "PENDING_VALIDATION"
    assert cert["SubjectAlternativeNames"] == ["app.example.com", "www.example.com"]
    options = cert["DomainValidationOptions"]
    record = options[0]["ResourceRecord"]
    assert record["Type"] == "CNAME" and record["Name"].endswith(".app.example.com.")
    assert record["Name"].startswith("_") and record["Value"].endswith(".acm-validations.aws.")
    with pytest.raises(ClientError) as err:
        acm.get_certificate(CertificateArn=arn)
    assert aws_error(err)[0] == "RequestInProgressException"
    put_validation(r53, zone_id, options[0])
    assert acm.describe_certificate(CertificateArn=arn)["Certificate"]["Status"] == (
        "PENDING_VALIDATION"
    )  # one name of two validated
    put_validation(r53, zone_id, options[1])
    cert = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    assert cert["Status"] == "ISSUED"
    assert [o["ValidationStatus"] for o in cert["DomainValidationOptions"]] == ["SUCCESS"] * 2
    assert (cert["Issuer"], cert["Subject"]) == ("ecsd", "CN=app.example.com")

    got = acm.get_certificate(CertificateArn=arn)
    leaf = x509.load_pem_x509_certificate(got["Certificate"].encode())
    with urllib.request.urlopen(f"{ecsd.url}/_ecsd/ca.pem") as resp:
        root = x509.load_pem_x509_certificate(resp.read())
    assert (
        got["CertificateChain"].strip()
        == root.public_bytes(serialization.Encoding.PEM).decode().strip()
    )
    leaf.verify_directly_issued_by(root)
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["app.example.com", "www.example.com"]
    key_file = ecsd.data_dir / "ca" / "root.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def self_signed(name):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return (
        cert.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


def test_import_list_filter_page_tag_and_delete(acm):
    cert, key = self_signed("imported.example")
    imported = acm.import_certificate(
        Certificate=cert, PrivateKey=key, Tags=[{"Key": "env", "Value": "dev"}]
    )["CertificateArn"]
    detail = acm.describe_certificate(CertificateArn=imported)["Certificate"]
    assert (detail["Type"], detail["Status"], detail["DomainName"]) == (
        "IMPORTED",
        "ISSUED",
        "imported.example",
    )
    _, other_key = self_signed("x")
    with pytest.raises(ClientError) as err:
        acm.import_certificate(Certificate=cert, PrivateKey=other_key)
    assert aws_error(err)[0] == "ValidationException"
    pending = [
        acm.request_certificate(DomainName=f"p{i}.example.org", ValidationMethod="DNS")[
            "CertificateArn"
        ]
        for i in range(3)
    ]
    issued = acm.list_certificates(CertificateStatuses=["ISSUED"])["CertificateSummaryList"]
    assert [c["CertificateArn"] for c in issued] == [imported]
    first = acm.list_certificates(MaxItems=2)
    assert len(first["CertificateSummaryList"]) == 2 and first["NextToken"]
    everything = [
        c["CertificateArn"]
        for page in acm.get_paginator("list_certificates").paginate(
            PaginationConfig={"PageSize": 2}
        )
        for c in page["CertificateSummaryList"]
    ]
    assert everything == [imported, *pending]
    with pytest.raises(ClientError) as err:
        acm.list_certificates(NextToken="garbage")
    assert aws_error(err)[0] == "InvalidArgsException"
    acm.add_tags_to_certificate(CertificateArn=imported, Tags=[{"Key": "team", "Value": "a"}])
    acm.remove_tags_from_certificate(CertificateArn=imported, Tags=[{"Key": "env"}])
    assert acm.list_tags_for_certificate(CertificateArn=imported)["Tags"] == [
        {"Key": "team", "Value": "a"}
    ]
    acm.delete_certificate(CertificateArn=imported)
    with pytest.raises(ClientError) as err:
        acm.describe_certificate(CertificateArn=imported)
    assert aws_error(err)[0] == "ResourceNotFoundException"


def test_cli_requests_and_describes_a_certificate(aws):
    arn = aws.json(
        "acm",
        "request-certificate",
        "--domain-name",
        "cli.example.com",
        "--validation-method",
        "DNS",
    )["CertificateArn"]
    cert = aws.json("acm", "describe-certificate", "--certificate-arn", arn)["Certificate"]
    assert cert["Status"] == "PENDING_VALIDATION"
    record = cert["DomainValidationOptions"][0]["ResourceRecord"]
    assert record["Name"].endswith(".cli.example.com.") and record["Type"] == "CNAME"
    listed = aws.json("acm", "list-certificates", "--certificate-statuses", "PENDING_VALIDATION")
    assert [c["CertificateArn"] for c in listed["CertificateSummaryList"]] == [arn]
