"""ELBv2 load balancers, through boto3 and the aws CLI against a real `ecsd serve`:
create (answered provisioning, described active), names and ARNs, paging, attributes as
Terraform reads them, deletion protection, and refusals that change nothing."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error

ACCOUNT = "000000000000"
SUBNETS = ["subnet-0aaa", "subnet-0bbb"]


@pytest.fixture
def elb(client):
    return client("elbv2")


def make_lb(elb, name="web", **kw):
    return elb.create_load_balancer(Name=name, Subnets=SUBNETS, **kw)["LoadBalancers"][0]


def test_create_answers_provisioning_and_describes_active(elb):
    lb = make_lb(elb, Tags=[{"Key": "team", "Value": "a"}])
    assert lb["State"] == {"Code": "provisioning"}
    assert re.fullmatch(
        rf"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/web/[0-9a-f]{{16}}",
        lb["LoadBalancerArn"],
    )
    assert re.fullmatch(r"web-\d{10}\.us-east-1\.elb\.localhost", lb["DNSName"])
    assert lb["CanonicalHostedZoneId"] == "Z35SXDOTRQ7X7K"
    assert lb["Scheme"] == "internet-facing" and lb["Type"] == "application"
    assert lb["IpAddressType"] == "ipv4"
    assert [(z["ZoneName"], z["SubnetId"]) for z in lb["AvailabilityZones"]] == [
        ("us-east-1a", "subnet-0aaa"),
        ("us-east-1b", "subnet-0bbb"),
    ]
    assert lb["SecurityGroups"] and lb["SecurityGroups"][0].startswith("sg-")
    assert lb["VpcId"].startswith("vpc-")
    got = elb.describe_load_balancers(Names=["web"])["LoadBalancers"]
    assert got[0]["State"] == {"Code": "active"}
    assert got[0]["LoadBalancerArn"] == lb["LoadBalancerArn"]
    # the waiter real clients use returns at once
    elb.get_waiter("load_balancer_available").wait(
        Names=["web"], WaiterConfig={"Delay": 1, "MaxAttempts": 3}
    )
    tags = elb.describe_tags(ResourceArns=[lb["LoadBalancerArn"]])["TagDescriptions"]
    assert tags == [{"ResourceArn": lb["LoadBalancerArn"], "Tags": [{"Key": "team", "Value": "a"}]}]


def test_hosted_zone_follows_the_region(client):
    elb = client("elbv2", "ap-northeast-1")
    lb = make_lb(elb)
    assert lb["CanonicalHostedZoneId"] == "Z14GRHDCWA56QT"
    assert lb["DNSName"].endswith(".ap-northeast-1.elb.localhost")
    assert lb["AvailabilityZones"][0]["ZoneName"] == "ap-northeast-1a"


def test_create_is_idempotent_and_refuses_a_different_duplicate(elb):
    first = make_lb(elb, Scheme="internal")
    assert re.fullmatch(r"internal-web-\d{10}\.us-east-1\.elb\.localhost", first["DNSName"])
    again = make_lb(elb, Scheme="internal")
    assert again["LoadBalancerArn"] == first["LoadBalancerArn"]
    with pytest.raises(ClientError) as err:
        make_lb(elb, Scheme="internet-facing")
    assert aws_error(err) == (
        "DuplicateLoadBalancerName",
        "A load balancer with the same name 'web' exists, but with different settings",
    )
    assert len(elb.describe_load_balancers()["LoadBalancers"]) == 1


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("a" * 33, f"Load balancer name '{'a' * 33}' cannot be longer than '32' characters"),
        ("-web", "Load balancer name '-web' cannot begin or end with '-'"),
        ("internal-web", "Load balancer name 'internal-web' cannot begin with 'internal-'"),
        (
            "web_1",
            "Load balancer name 'web_1' can only contain characters that are alphanumeric "
            "characters or hyphens(-)",
        ),
    ],
)
def test_bad_names_are_refused(elb, name, message):
    with pytest.raises(ClientError) as err:
        make_lb(elb, name=name)
    assert aws_error(err) == ("ValidationError", message)
    assert elb.describe_load_balancers()["LoadBalancers"] == []


def test_subnets_are_required_and_mappings_are_accepted(elb):
    with pytest.raises(ClientError) as err:
        elb.create_load_balancer(Name="one", Subnets=["subnet-1"])
    assert aws_error(err) == (
        "ValidationError",
        "At least two subnets in two different Availability Zones must be specified",
    )
    lb = elb.create_load_balancer(
        Name="mapped",
        SubnetMappings=[{"SubnetId": "subnet-1"}, {"SubnetId": "subnet-2"}],
        SecurityGroups=["sg-123"],
        IpAddressType="dualstack",
    )["LoadBalancers"][0]
    assert [z["SubnetId"] for z in lb["AvailabilityZones"]] == ["subnet-1", "subnet-2"]
    assert lb["SecurityGroups"] == ["sg-123"] and lb["IpAddressType"] == "dualstack"


def test_describe_by_arn_name_and_pages(elb):
    made = [make_lb(elb, name=f"lb-{i:02d}") for i in range(5)]
    seen, marker = [], None
    while True:
        kw = {"PageSize": 2, **({"Marker": marker} if marker else {})}
        page = elb.describe_load_balancers(**kw)
        assert len(page["LoadBalancers"]) <= 2
        seen += [lb["LoadBalancerName"] for lb in page["LoadBalancers"]]
        marker = page.get("NextMarker")
        if not marker:
            break
    assert seen == [f"lb-{i:02d}" for i in range(5)]
    pages = elb.get_paginator("describe_load_balancers").paginate(PaginationConfig={"PageSize": 3})
    assert sum(len(p["LoadBalancers"]) for p in pages) == 5
    got = elb.describe_load_balancers(LoadBalancerArns=[made[3]["LoadBalancerArn"]])
    assert [lb["LoadBalancerName"] for lb in got["LoadBalancers"]] == ["lb-03"]
    with pytest.raises(ClientError) as err:
        elb.describe_load_balancers(Names=["lb-01", "nope"])
    assert aws_error(err) == ("LoadBalancerNotFound", "Load balancers '[nope]' not found")
    missing = made[0]["LoadBalancerArn"][:-16] + "0" * 16
    with pytest.raises(ClientError) as err:
        elb.describe_load_balancers(LoadBalancerArns=[missing])
    assert aws_error(err) == ("LoadBalancerNotFound", "One or more load balancers not found")
    with pytest.raises(ClientError) as err:
        elb.describe_load_balancers(LoadBalancerArns=["arn:aws:nope"])
    assert aws_error(err) == ("ValidationError", "'arn:aws:nope' is not a valid load balancer ARN")
    with pytest.raises(ClientError) as err:
        elb.describe_load_balancers(Marker="forged!")
    assert aws_error(err)[0] == "ValidationError"


TERRAFORM_KEYS = {
    "access_logs.s3.enabled": "false",
    "access_logs.s3.bucket": "",
    "access_logs.s3.prefix": "",
    "connection_logs.s3.enabled": "false",
    "client_keep_alive.seconds": "3600",
    "deletion_protection.enabled": "false",
    "idle_timeout.timeout_seconds": "60",
    "routing.http.desync_mitigation_mode": "defensive",
    "routing.http.drop_invalid_header_fields.enabled": "false",
    "routing.http.preserve_host_header.enabled": "false",
    "routing.http.x_amzn_tls_version_and_cipher_suite.enabled": "false",
    "routing.http.xff_client_port.enabled": "false",
    "routing.http.xff_header_processing.mode": "append",
    "routing.http2.enabled": "true",
    "waf.fail_open.enabled": "false",
    "zonal_shift.config.enabled": "false",
}


def attrs(answer):
    return {a["Key"]: a["Value"] for a in answer["Attributes"]}


def test_attributes_defaults_modify_and_refusals(elb):
    arn = make_lb(elb)["LoadBalancerArn"]
    got = attrs(elb.describe_load_balancer_attributes(LoadBalancerArn=arn))
    assert TERRAFORM_KEYS.items() <= got.items()
    out = elb.modify_load_balancer_attributes(
        LoadBalancerArn=arn,
        Attributes=[
            {"Key": "idle_timeout.timeout_seconds", "Value": "120"},
            {"Key": "routing.http.xff_header_processing.mode", "Value": "preserve"},
        ],
    )
    assert attrs(out)["idle_timeout.timeout_seconds"] == "120"
    for bad, message in [
        (
            {"Key": "idle_timeout.timeout_seconds", "Value": "4001"},
            "Load balancer attribute 'idle_timeout.timeout_seconds' must be an integer from 1 "
            "to 4000, not '4001'",
        ),
        (
            {"Key": "no.such.key", "Value": "1"},
            "Load balancer attribute key 'no.such.key' is not recognized",
        ),
    ]:
        with pytest.raises(ClientError) as err:
            elb.modify_load_balancer_attributes(
                LoadBalancerArn=arn,
                Attributes=[{"Key": "deletion_protection.enabled", "Value": "true"}, bad],
            )
        assert aws_error(err) == ("ValidationError", message)
    after = attrs(elb.describe_load_balancer_attributes(LoadBalancerArn=arn))
    assert after["deletion_protection.enabled"] == "false"  # the refused request kept nothing
    assert after["idle_timeout.timeout_seconds"] == "120"
    assert after["routing.http.xff_header_processing.mode"] == "preserve"


def test_deletion_protection_and_delete(elb, aws):
    arn = make_lb(elb)["LoadBalancerArn"]
    aws.run(
        "elbv2",
        "modify-load-balancer-attributes",
        "--load-balancer-arn",
        arn,
        "--attributes",
        "Key=deletion_protection.enabled,Value=true",
    )
    proc = aws.run("elbv2", "delete-load-balancer", "--load-balancer-arn", arn, check=False)
    assert proc.returncode != 0
    assert (
        f"OperationNotPermitted) when calling the DeleteLoadBalancer operation: Load balancer "
        f"'{arn}' cannot be deleted because deletion protection is enabled" in proc.stderr
    )
    assert (
        aws.json("elbv2", "describe-load-balancers")["LoadBalancers"][0]["LoadBalancerArn"] == arn
    )
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"}]
    )
    aws.run("elbv2", "delete-load-balancer", "--load-balancer-arn", arn)
    assert elb.describe_load_balancers()["LoadBalancers"] == []
    aws.run("elbv2", "delete-load-balancer", "--load-balancer-arn", arn)  # gone: still succeeds
    with pytest.raises(ClientError) as err:
        elb.describe_tags(ResourceArns=[arn])
    assert aws_error(err)[0] == "LoadBalancerNotFound"


def test_cli_create_and_describe(aws):
    out = aws.json(
        "elbv2", "create-load-balancer", "--name", "cli-lb", "--subnets", "subnet-a", "subnet-b"
    )
    lb = out["LoadBalancers"][0]
    assert lb["State"]["Code"] == "provisioning"
    aws.run("elbv2", "wait", "load-balancer-available", "--names", "cli-lb")
    got = aws.json("elbv2", "describe-load-balancers", "--names", "cli-lb")["LoadBalancers"][0]
    assert got["DNSName"] == lb["DNSName"] and got["State"]["Code"] == "active"


def test_setters(elb):
    arn = make_lb(elb)["LoadBalancerArn"]
    assert elb.set_security_groups(LoadBalancerArn=arn, SecurityGroups=["sg-1", "sg-2"])[
        "SecurityGroupIds"
    ] == ["sg-1", "sg-2"]
    out = elb.set_subnets(LoadBalancerArn=arn, Subnets=["subnet-x", "subnet-y", "subnet-z"])
    assert [z["ZoneName"] for z in out["AvailabilityZones"]] == [
        "us-east-1a",
        "us-east-1b",
        "us-east-1c",
    ]
    with pytest.raises(ClientError) as err:
        elb.set_subnets(LoadBalancerArn=arn, Subnets=["subnet-x"])
    assert aws_error(err)[0] == "ValidationError"
    out = elb.set_ip_address_type(LoadBalancerArn=arn, IpAddressType="dualstack")
    assert out["IpAddressType"] == "dualstack"
    got = elb.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"][0]
    assert got["SecurityGroups"] == ["sg-1", "sg-2"] and got["IpAddressType"] == "dualstack"
    assert len(got["AvailabilityZones"]) == 3
