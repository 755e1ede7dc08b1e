"""Route 53 hosted zones over REST-XML, through boto3 and the aws CLI, against a real
`ecsd serve`."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error


@pytest.fixture
def r53(client):
    return client("route53", "us-east-1")


def test_create_zone_makes_ns_and_soa_and_is_idempotent_by_caller_reference(r53):
    out = r53.create_hosted_zone(Name="Example.com", CallerReference="ref-1")
    zone = out["HostedZone"]
    assert zone["Id"].startswith("/hostedzone/Z") and zone["Name"] == "example.com."
    assert zone["ResourceRecordSetCount"] == 2 and zone["Config"]["PrivateZone"] is False
    assert out["ChangeInfo"]["Status"] == "INSYNC"
    assert len(out["DelegationSet"]["NameServers"]) == 4
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 201
    sets = r53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]
    assert [(s["Name"], s["Type"]) for s in sets] == [
        ("example.com.", "NS"),
        ("example.com.", "SOA"),
    ]
    with pytest.raises(ClientError) as err:
        r53.create_hosted_zone(Name="example.com", CallerReference="ref-1")
    assert aws_error(err)[0] == "HostedZoneAlreadyExists"
    for bad in ("a..example.com", "."):
        with pytest.raises(ClientError) as err:
            r53.create_hosted_zone(Name=bad, CallerReference=f"bad-{bad}")
        assert aws_error(err)[0] == "InvalidDomainName"
    got = r53.get_hosted_zone(Id=zone["Id"])
    assert got["HostedZone"] == zone and got["DelegationSet"] == out["DelegationSet"]
    assert r53.get_hosted_zone_count()["HostedZoneCount"] == 1


def test_unknown_zone_is_an_aws_shaped_404(r53):
    with pytest.raises(ClientError) as err:
        r53.get_hosted_zone(Id="ZNOPE")
    assert aws_error(err) == ("NoSuchHostedZone", "No hosted zone found with ID: ZNOPE")
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_list_zones_by_name_in_reversed_label_order_and_paging(r53):
    for i, name in enumerate(["b.example.org", "a.example.com", "example.com"]):
        r53.create_hosted_zone(Name=name, CallerReference=f"r{i}")
    by_name = r53.list_hosted_zones_by_name()["HostedZones"]
    assert [z["Name"] for z in by_name] == ["example.com.", "a.example.com.", "b.example.org."]
    first = r53.list_hosted_zones(MaxItems="2")
    assert first["IsTruncated"] is True and len(first["HostedZones"]) == 2
    rest = r53.list_hosted_zones(Marker=first["NextMarker"], MaxItems="2")
    assert rest["IsTruncated"] is False
    names = [z["Name"] for z in first["HostedZones"] + rest["HostedZones"]]
    assert sorted(names) == sorted(z["Name"] for z in by_name)
    paged = r53.get_paginator("list_hosted_zones").paginate(PaginationConfig={"PageSize": 1})
    assert len([z for page in paged for z in page["HostedZones"]]) == 3
    start = r53.list_hosted_zones_by_name(DNSName="a.example.com")
    assert [z["Name"] for z in start["HostedZones"]] == ["a.example.com.", "b.example.org."]


def test_delete_zone_refused_while_it_holds_records_then_deleted(r53):
    zone = r53.create_hosted_zone(Name="example.net", CallerReference="x")["HostedZone"]
    change = {
        "Action": "CREATE",
        "ResourceRecordSet": {
            "Name": "www.example.net",
            "Type": "A",
            "TTL": 60,
            "ResourceRecords": [{"Value": "10.0.0.1"}],
        },
    }
    r53.change_resource_record_sets(HostedZoneId=zone["Id"], ChangeBatch={"Changes": [change]})
    with pytest.raises(ClientError) as err:
        r53.delete_hosted_zone(Id=zone["Id"])
    assert aws_error(err)[0] == "HostedZoneNotEmpty"
    change["Action"] = "DELETE"
    r53.change_resource_record_sets(HostedZoneId=zone["Id"], ChangeBatch={"Changes": [change]})
    assert r53.delete_hosted_zone(Id=zone["Id"])["ChangeInfo"]["Status"] == "INSYNC"
    assert r53.list_hosted_zones()["HostedZones"] == []


def test_zone_tags(r53):
    zone_id = r53.create_hosted_zone(Name="t.example", CallerReference="t")["HostedZone"]["Id"]
    bare = zone_id.split("/")[-1]
    r53.change_tags_for_resource(
        ResourceType="hostedzone",
        ResourceId=bare,
        AddTags=[{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "a"}],
    )
    r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=bare, RemoveTagKeys=["team"])
    tags = r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=bare)
    assert tags["ResourceTagSet"]["Tags"] == [{"Key": "env", "Value": "dev"}]


def test_cli_creates_and_lists_zones(aws):
    out = aws.json(
        "route53", "create-hosted-zone", "--name", "cli.example", "--caller-reference", "c1"
    )
    assert out["HostedZone"]["Name"] == "cli.example."
    listed = aws.json("route53", "list-hosted-zones")
    assert [z["Id"] for z in listed["HostedZones"]] == [out["HostedZone"]["Id"]]
    change = aws.json("route53", "get-change", "--id", out["ChangeInfo"]["Id"])
    assert change["ChangeInfo"]["Status"] == "INSYNC"


def raw(ecsd, method, path, body=b""):
    req = urllib.request.Request(f"{ecsd.url}{path}", data=body or None, method=method)
    req.add_header(
        "Authorization",
        "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/route53/aws4_request, "
        "SignedHeaders=host, Signature=00",
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_rest_xml_errors_are_in_route53s_error_shape_and_change_nothing(ecsd, r53):
    status, body = raw(ecsd, "POST", "/2013-04-01/hostedzone", b"<CreateHostedZoneRequest><Name>")
    assert status == 400 and "<ErrorResponse" in body and "<Type>Sender</Type>" in body
    status, body = raw(ecsd, "GET", "/2013-04-01/no-such-thing")
    assert status == 404 and "<Code>InvalidAction</Code>" in body
    missing = (
        b'<CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">'
        b"<Name>x.example</Name></CreateHostedZoneRequest>"
    )
    status, body = raw(ecsd, "POST", "/2013-04-01/hostedzone", missing)
    assert status == 400 and "<Code>InvalidInput</Code>" in body and "callerReference" in body
    assert r53.list_hosted_zones()["HostedZones"] == []
