"""Route 53 record sets: change batches (CREATE / UPSERT / DELETE, all or nothing),
their refusals in Route 53's words, alias targets, and ListResourceRecordSets order and
paging — boto3 against a real `ecsd serve`."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error


@pytest.fixture
def r53(client):
    return client("route53", "us-east-1")


@pytest.fixture
def zone(r53):
    return r53.create_hosted_zone(Name="example.com", CallerReference="z")["HostedZone"]["Id"]


def rr(name, rtype, *values, ttl=300):
    return {
        "Name": name,
        "Type": rtype,
        "TTL": ttl,
        "ResourceRecords": [{"Value": v} for v in values],
    }


def change(r53, zone, *changes):
    return r53.change_resource_record_sets(
        HostedZoneId=zone,
        ChangeBatch={"Changes": [{"Action": a, "ResourceRecordSet": s} for a, s in changes]},
    )


def sets(r53, zone):
    return r53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]


def test_create_upsert_delete_and_the_listing_order(r53, zone):
    info = change(
        r53,
        zone,
        ("CREATE", rr("www.example.com", "A", "10.0.0.1")),
        ("CREATE", rr("api.example.com.", "CNAME", "www.example.com")),
        ("CREATE", rr("example.com", "MX", "10 mail.example.com")),
        ("CREATE", rr("_x.example.com", "TXT", '"hello"')),
        ("CREATE", rr("www.example.com", "AAAA", "::1")),
    )["ChangeInfo"]
    assert info["Status"] == "INSYNC"
    assert r53.get_change(Id=info["Id"])["ChangeInfo"]["Status"] == "INSYNC"
    assert [(s["Name"], s["Type"]) for s in sets(r53, zone)] == [
        ("example.com.", "MX"),
        ("example.com.", "NS"),
        ("example.com.", "SOA"),
        ("_x.example.com.", "TXT"),
        ("api.example.com.", "CNAME"),
        ("www.example.com.", "A"),
        ("www.example.com.", "AAAA"),
    ]
    change(r53, zone, ("UPSERT", rr("www.example.com", "A", "10.0.0.2", ttl=60)))
    a = [s for s in sets(r53, zone) if s["Type"] == "A"][0]
    assert a["TTL"] == 60 and a["ResourceRecords"] == [{"Value": "10.0.0.2"}]
    change(r53, zone, ("DELETE", rr("www.example.com", "A", "10.0.0.2", ttl=60)))
    assert "A" not in [s["Type"] for s in sets(r53, zone)]


def test_refused_batch_names_every_reason_and_changes_nothing(r53, zone):
    change(r53, zone, ("CREATE", rr("x.example.com", "A", "10.0.0.1")))
    before = sets(r53, zone)
    with pytest.raises(ClientError) as err:
        change(
            r53,
            zone,
            ("CREATE", rr("new.example.com", "A", "10.0.0.9")),
            ("CREATE", rr("x.example.com", "A", "10.0.0.1")),
            ("DELETE", rr("gone.example.com", "A", "10.0.0.1")),
        )
    assert aws_error(err) == (
        "InvalidChangeBatch",
        "[Tried to create resource record set [name='x.example.com.', type='A'] but it already"
        " exists], [Tried to delete resource record set [name='gone.example.com.', type='A']"
        " but it was not found]",
    )
    assert sets(r53, zone) == before
    with pytest.raises(ClientError) as err:
        change(r53, zone, ("CREATE", rr("www.other.org", "A", "10.0.0.1")))
    assert aws_error(err)[1] == (
        "[RRSet with DNS name www.other.org. is not permitted in zone example.com.]"
    )
    with pytest.raises(ClientError) as err:
        change(r53, zone, ("DELETE", rr("x.example.com", "A", "10.9.9.9")))
    assert "do not match the current values" in aws_error(err)[1]


def test_alias_a_record_to_a_load_balancer(r53, zone):
    alias = {
        "Name": "app.example.com",
        "Type": "A",
        "AliasTarget": {
            "HostedZoneId": "Z35SXDOTRQ7X7K",
            "DNSName": "my-alb-123.us-east-1.elb.amazonaws.com",
            "EvaluateTargetHealth": True,
        },
    }
    change(r53, zone, ("CREATE", alias))
    got = [s for s in sets(r53, zone) if s["Name"] == "app.example.com."][0]
    assert got["AliasTarget"] == {
        "HostedZoneId": "Z35SXDOTRQ7X7K",
        "DNSName": "my-alb-123.us-east-1.elb.amazonaws.com.",
        "EvaluateTargetHealth": True,
    }
    assert "TTL" not in got


def test_list_record_sets_pages_by_next_record_name_and_type(r53, zone):
    change(r53, zone, *[("CREATE", rr(f"h{i}.example.com", "A", f"10.0.0.{i}")) for i in range(5)])
    first = r53.list_resource_record_sets(HostedZoneId=zone, MaxItems="3")
    assert first["IsTruncated"] is True and first["MaxItems"] == "3"
    assert (first["NextRecordName"], first["NextRecordType"]) == ("h1.example.com.", "A")
    paged = r53.get_paginator("list_resource_record_sets").paginate(
        HostedZoneId=zone, PaginationConfig={"PageSize": 2}
    )
    names = [s["Name"] for page in paged for s in page["ResourceRecordSets"]]
    assert names == ["example.com."] * 2 + [f"h{i}.example.com." for i in range(5)]
