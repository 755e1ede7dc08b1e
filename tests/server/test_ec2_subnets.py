"""Subnets end to end (boto3 and the aws CLI against a real `ecsd serve`): CIDRs inside
their VPC and clear of their siblings, zones, the available address count, filters,
attributes, delete, and the region's default VPC with its default subnets."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import REGION, aws_error


@pytest.fixture
def ec2(client):
    return client("ec2")


def _vpc(ec2, cidr):
    return ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]


def test_create_describe_and_defaults(ec2):
    vpc_id = _vpc(ec2, "10.20.0.0/16")
    sub = ec2.create_subnet(
        VpcId=vpc_id,
        CidrBlock="10.20.1.0/24",
        AvailabilityZone=f"{REGION}b",
        TagSpecifications=[{"ResourceType": "subnet", "Tags": [{"Key": "tier", "Value": "app"}]}],
    )["Subnet"]
    assert sub["SubnetId"].startswith("subnet-")
    assert sub["AvailabilityZone"] == f"{REGION}b"
    assert sub["AvailableIpAddressCount"] == 256 - 5
    assert sub["MapPublicIpOnLaunch"] is False and sub["DefaultForAz"] is False
    assert sub["State"] == "available"
    assert sub["Tags"] == [{"Key": "tier", "Value": "app"}]
    first = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.20.2.0/28")["Subnet"]
    assert first["AvailabilityZone"] == f"{REGION}a"  # no zone given: the first
    assert first["AvailableIpAddressCount"] == 16 - 5

    got = ec2.describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "tag:tier", "Values": ["app"]}]
    )["Subnets"]
    assert got == [sub]
    by_zone = ec2.describe_subnets(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "availability-zone", "Values": [f"{REGION}a"]},
        ]
    )["Subnets"]
    assert [s["SubnetId"] for s in by_zone] == [first["SubnetId"]]


def test_range_and_conflict_are_refused_and_nothing_is_made(ec2):
    vpc_id = _vpc(ec2, "10.21.0.0/16")
    ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.21.0.0/24")
    cases = [
        ("10.22.0.0/24", ("InvalidSubnet.Range", "The CIDR '10.22.0.0/24' is invalid.")),
        ("10.21.0.0/29", ("InvalidSubnet.Range", "The CIDR '10.21.0.0/29' is invalid.")),
        (
            "10.21.0.128/25",
            ("InvalidSubnet.Conflict", "The CIDR '10.21.0.128/25' conflicts with another subnet"),
        ),
        (
            "10.21.0.0/16",
            ("InvalidSubnet.Conflict", "The CIDR '10.21.0.0/16' conflicts with another subnet"),
        ),
    ]
    for cidr, expected in cases:
        with pytest.raises(ClientError) as err:
            ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr)
        assert aws_error(err) == expected
    with pytest.raises(ClientError) as err:
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.21.9.0/24", AvailabilityZone="mars-1a")
    assert aws_error(err)[0] == "InvalidParameterValue"
    with pytest.raises(ClientError) as err:
        ec2.create_subnet(VpcId="vpc-0000000000000beef", CidrBlock="10.21.9.0/24")
    assert aws_error(err) == (
        "InvalidVpcID.NotFound",
        "The vpc ID 'vpc-0000000000000beef' does not exist",
    )
    left = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    assert [s["CidrBlock"] for s in left] == ["10.21.0.0/24"]


def test_attributes_then_delete(ec2):
    vpc_id = _vpc(ec2, "10.23.0.0/16")
    sub_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.23.0.0/24")["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=sub_id, MapPublicIpOnLaunch={"Value": True})
    ec2.modify_subnet_attribute(
        SubnetId=sub_id, EnableResourceNameDnsARecordOnLaunch={"Value": True}
    )
    ec2.modify_subnet_attribute(SubnetId=sub_id, PrivateDnsHostnameTypeOnLaunch="resource-name")
    sub = ec2.describe_subnets(SubnetIds=[sub_id])["Subnets"][0]
    assert sub["MapPublicIpOnLaunch"] is True
    assert sub["PrivateDnsNameOptionsOnLaunch"] == {
        "HostnameType": "resource-name",
        "EnableResourceNameDnsARecord": True,
        "EnableResourceNameDnsAAAARecord": False,
    }
    with pytest.raises(ClientError) as err:
        ec2.delete_vpc(VpcId=vpc_id)
    assert aws_error(err)[0] == "DependencyViolation"
    ec2.delete_subnet(SubnetId=sub_id)
    with pytest.raises(ClientError) as err:
        ec2.describe_subnets(SubnetIds=[sub_id])
    assert aws_error(err) == (
        "InvalidSubnetID.NotFound",
        f"The subnet ID '{sub_id}' does not exist",
    )
    ec2.delete_vpc(VpcId=vpc_id)


def test_each_region_has_a_default_vpc_with_a_subnet_per_zone(client):
    ec2 = client("ec2", "ap-south-1")
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    assert len(vpcs) == 1
    default = vpcs[0]
    assert default["CidrBlock"] == "172.31.0.0/16" and default["IsDefault"] is True
    hostnames = ec2.describe_vpc_attribute(VpcId=default["VpcId"], Attribute="enableDnsHostnames")
    assert hostnames["EnableDnsHostnames"]["Value"] is True
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])[
        "Subnets"
    ]
    assert sorted((s["AvailabilityZone"], s["CidrBlock"]) for s in subnets) == [
        ("ap-south-1a", "172.31.0.0/20"),
        ("ap-south-1b", "172.31.16.0/20"),
        ("ap-south-1c", "172.31.32.0/20"),
    ]
    assert all(s["MapPublicIpOnLaunch"] and s["VpcId"] == default["VpcId"] for s in subnets)
    attrs = ec2.describe_account_attributes(AttributeNames=["default-vpc"])["AccountAttributes"]
    assert attrs[0]["AttributeValues"] == [{"AttributeValue": default["VpcId"]}]
    # Touching the region again makes nothing more, and another region has its own.
    again = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    assert again == vpcs
    other = client("ec2", "ap-south-2").describe_vpcs()["Vpcs"]
    assert [v["VpcId"] for v in other if v["IsDefault"]] != [default["VpcId"]]


def test_default_vpc_survives_restart_and_stays_deleted(ecsd_factory):
    from conftest import client_for

    server = ecsd_factory()
    ec2 = client_for(server, "ec2")
    default = ec2.describe_vpcs()["Vpcs"]
    assert [v["IsDefault"] for v in default] == [True]
    server.kill9()
    again = ecsd_factory(data_dir=server.data_dir)
    ec2 = client_for(again, "ec2")
    assert ec2.describe_vpcs()["Vpcs"] == default
    for s in ec2.describe_subnets()["Subnets"]:
        ec2.delete_subnet(SubnetId=s["SubnetId"])
    # As in AWS, the default VPC's internet gateway goes first (else DependencyViolation).
    for igw in ec2.describe_internet_gateways()["InternetGateways"]:
        ec2.detach_internet_gateway(
            InternetGatewayId=igw["InternetGatewayId"], VpcId=default[0]["VpcId"]
        )
        ec2.delete_internet_gateway(InternetGatewayId=igw["InternetGatewayId"])
    ec2.delete_vpc(VpcId=default[0]["VpcId"])
    assert ec2.describe_vpcs()["Vpcs"] == []  # as in AWS: not made again
    attrs = ec2.describe_account_attributes(AttributeNames=["default-vpc"])["AccountAttributes"]
    assert attrs[0]["AttributeValues"] == [{"AttributeValue": "none"}]


def test_aws_cli_subnet(aws):
    vpc = aws.json("ec2", "create-vpc", "--cidr-block", "10.24.0.0/16", "--region", REGION)
    vpc_id = vpc["Vpc"]["VpcId"]
    sub = aws.json(
        "ec2",
        "create-subnet",
        "--vpc-id",
        vpc_id,
        "--cidr-block",
        "10.24.3.0/24",
        "--region",
        REGION,
    )["Subnet"]
    listed = aws.json(
        "ec2", "describe-subnets", "--filters", f"Name=vpc-id,Values={vpc_id}", "--region", REGION
    )["Subnets"]
    assert [s["SubnetId"] for s in listed] == [sub["SubnetId"]]
    bad = aws.run(
        "ec2",
        "create-subnet",
        "--vpc-id",
        vpc_id,
        "--cidr-block",
        "10.24.3.0/25",
        "--region",
        REGION,
        check=False,
    )
    assert "InvalidSubnet.Conflict" in bad.stderr
