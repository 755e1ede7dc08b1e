"""REST-XML against botocore's own serializer and parser: what a client sends is read
back as the parameters it was given, and what ecsd answers parses as the result."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

import botocore.session
import pytest
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from ecsd.aws.errors import AwsError, SerializationError
from ecsd.aws.protocols import restxml

MODEL = botocore.session.get_session().get_service_model("route53")
ROUTER = restxml.Router(MODEL)
NS = restxml.namespace(MODEL)


def _send(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    op = MODEL.operation_model(operation)
    request = create_serializer("rest-xml").serialize_to_request(params, op)
    query = urlencode(request["query_string"], doseq=True)
    matched = ROUTER.match(request["method"], request["url_path"])
    assert matched is not None, request["url_path"]
    name, labels = matched
    assert name == operation
    return restxml.decode(op, labels, query, request["headers"], request["body"])


def _answer(operation: str, result: dict[str, Any]) -> dict[str, Any]:
    op = MODEL.operation_model(operation)
    status, headers, body = restxml.encode(op, result, NS)
    parsed = create_parser("rest-xml").parse(
        {"status_code": status, "headers": headers, "body": body}, op.output_shape
    )
    parsed.pop("ResponseMetadata", None)
    return dict(parsed)


def test_namespace_is_route53s() -> None:
    assert NS == "https://route53.amazonaws.com/doc/2013-04-01/"


def test_create_hosted_zone_body_round_trips() -> None:
    params = {
        "Name": "example.com.",
        "CallerReference": "ref-1",
        "HostedZoneConfig": {"Comment": "a <zone> & more", "PrivateZone": False},
    }
    assert _send("CreateHostedZone", params) == params


def test_change_batch_with_lists_and_alias_round_trips() -> None:
    params = {
        "HostedZoneId": "Z123",
        "ChangeBatch": {
            "Comment": "c",
            "Changes": [
                {
                    "Action": "UPSERT",
                    "ResourceRecordSet": {
                        "Name": "www.example.com.",
                        "Type": "TXT",
                        "TTL": 300,
                        "ResourceRecords": [{"Value": '"a"'}, {"Value": '"b"'}],
                    },
                },
                {
                    "Action": "CREATE",
                    "ResourceRecordSet": {
                        "Name": "app.example.com.",
                        "Type": "A",
                        "AliasTarget": {
                            "HostedZoneId": "Z35SXDOTRQ7X7K",
                            "DNSName": "lb-1.elb.localhost.",
                            "EvaluateTargetHealth": True,
                        },
                    },
                },
            ],
        },
    }
    assert _send("ChangeResourceRecordSets", params) == params


def test_uri_labels_and_querystring_round_trip() -> None:
    params = {
        "HostedZoneId": "Z123",
        "StartRecordName": "a b.example.com.",
        "StartRecordType": "CNAME",
        "MaxItems": "2",
    }
    assert _send("ListResourceRecordSets", params) == params
    assert _send("GetHostedZone", {"Id": "Z9"}) == {"Id": "Z9"}
    tags = {
        "ResourceType": "hostedzone",
        "ResourceId": "Z9",
        "AddTags": [{"Key": "k", "Value": "v"}],
        "RemoveTagKeys": ["old"],
    }
    assert _send("ChangeTagsForResource", tags) == tags


def test_the_more_specific_route_wins_and_unknown_paths_do_not_match() -> None:
    assert ROUTER.match("GET", "/2013-04-01/hostedzone/Z1/rrset")[0] == "ListResourceRecordSets"  # type: ignore[index]
    assert ROUTER.match("GET", "/2013-04-01/hostedzone/Z1")[0] == "GetHostedZone"  # type: ignore[index]
    assert ROUTER.match("GET", "/2013-04-01/hostedzone")[0] == "ListHostedZones"  # type: ignore[index]
    assert ROUTER.match("PUT", "/2013-04-01/hostedzone") is None
    assert ROUTER.match("GET", "/2013-04-01/nothing/here") is None
    assert "/2013-04-01" in ROUTER.prefixes


def test_answer_with_header_and_status_parses_back() -> None:
    result = {
        "HostedZone": {
            "Id": "/hostedzone/Z1",
            "Name": "example.com.",
            "CallerReference": "r",
            "Config": {"PrivateZone": False},
            "ResourceRecordSetCount": 2,
        },
        "ChangeInfo": {
            "Id": "/change/C1",
            "Status": "INSYNC",
            "SubmittedAt": dt.datetime(2026, 11, 28, 14, 0, tzinfo=dt.UTC),
        },
        "DelegationSet": {"NameServers": ["ns-1.ecsd.localhost", "ns-2.ecsd.localhost"]},
        "Location": "https://route53.amazonaws.com/2013-04-01/hostedzone/Z1",
    }
    op = MODEL.operation_model("CreateHostedZone")
    status, headers, body = restxml.encode(op, result, NS)
    assert status == 201
    assert headers["Location"] == result["Location"]
    assert body.startswith(b"<?xml") and b'<CreateHostedZoneResponse xmlns="' + NS.encode() in body
    assert _answer("CreateHostedZone", result) == result


def test_paged_record_sets_answer_parses_back() -> None:
    result = {
        "ResourceRecordSets": [
            {
                "Name": "example.com.",
                "Type": "NS",
                "TTL": 172800,
                "ResourceRecords": [{"Value": "ns-1.ecsd.localhost."}],
            },
        ],
        "IsTruncated": True,
        "NextRecordName": "www.example.com.",
        "NextRecordType": "A",
        "MaxItems": "1",
    }
    assert _answer("ListResourceRecordSets", result) == result


def test_error_shape_parses_as_the_client_expects() -> None:
    status, body = restxml.encode_error(
        AwsError("NoSuchHostedZone", "No hosted zone found with ID: Z1", status=404), "rid", NS
    )
    parsed = create_parser("rest-xml").parse(
        {"status_code": status, "headers": {}, "body": body},
        MODEL.operation_model("GetHostedZone").output_shape,
    )
    assert status == 404
    assert parsed["Error"]["Code"] == "NoSuchHostedZone"
    assert parsed["Error"]["Message"] == "No hosted zone found with ID: Z1"
    assert parsed["Error"]["Type"] == "Sender"


@pytest.mark.parametrize(
    "body",
    [
        b"<not xml",
        b'<!DOCTYPE x [<!ENTITY a "aaaa">]><CreateHostedZoneRequest/>',
        b"<CreateHostedZoneRequest><HostedZoneConfig><PrivateZone>maybe</PrivateZone>"
        b"</HostedZoneConfig></CreateHostedZoneRequest>",
    ],
)
def test_bad_bodies_are_serialization_errors(body: bytes) -> None:
    op = MODEL.operation_model("CreateHostedZone")
    with pytest.raises(SerializationError):
        restxml.decode(op, {}, "", {}, body)
