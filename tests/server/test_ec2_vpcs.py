"""VPCs end to end (boto3 and the aws CLI against a real `ecsd serve`): create with
tags, read back (ids, filters, paging), DNS attributes, the default security group
each VPC gets, DependencyViolation while something depends on it, tags, refusals
that change nothing, and a VPC surviving kill -9."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import REGION, aws_error, client_for


@pytest.fixture
def ec2(client):
    return client("ec2")


def _vpc(ec2, cidr="10.0.0.0/16", **tags):
    spec = [{"ResourceType": "vpc", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]
    return ec2.create_vpc(CidrBlock=cidr, TagSpecifications=spec if tags else [])["Vpc"]


def test_create_then_describe_by_id_and_filters(ec2):
    vpc = _vpc(ec2, Name="main", team="blue")
    assert vpc["VpcId"].startswith("vpc-") and len(vpc["VpcId"]) == 21
    assert vpc["CidrBlock"] == "10.0.0.0/16"
    assert vpc["State"] == "available"
    assert vpc["IsDefault"] is False
    assert vpc["InstanceTenancy"] == "default"
    assert vpc["CidrBlockAssociationSet"][0]["CidrBlock"] == "10.0.0.0/16"
    assert {t["Key"]: t["Value"] for t in vpc["Tags"]} == {"Name": "main", "team": "blue"}

    got = ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"]
    assert got == [vpc]
    by_tag = ec2.describe_vpcs(Filters=[{"Name": "tag:team", "Values": ["bl*"]}])["Vpcs"]
    assert vpc["VpcId"] in [v["VpcId"] for v in by_tag]
    none = ec2.describe_vpcs(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc["VpcId"]]},
            {"Name": "tag:team", "Values": ["re?"]},
        ]
    )["Vpcs"]
    assert none == []
    by_key = ec2.describe_vpcs(
        Filters=[
            {"Name": "tag-key", "Values": ["team"]},
            {"Name": "cidr-block", "Values": ["10.0.*"]},
            {"Name": "vpc-id", "Values": [vpc["VpcId"]]},
        ]
    )["Vpcs"]
    assert [v["VpcId"] for v in by_key] == [vpc["VpcId"]]


def test_unknown_vpc_and_unknown_filter_are_ec2_errors(ec2):
    with pytest.raises(ClientError) as err:
        ec2.describe_vpcs(VpcIds=["vpc-0123456789abcdef0"])
    assert aws_error(err) == (
        "InvalidVpcID.NotFound",
        "The vpc ID 'vpc-0123456789abcdef0' does not exist",
    )
    with pytest.raises(ClientError) as err:
        ec2.describe_vpcs(Filters=[{"Name": "colour", "Values": ["red"]}])
    assert aws_error(err) == ("InvalidParameterValue", "The filter 'colour' is invalid")


def test_bad_cidrs_are_refused_and_nothing_is_made(ec2):
    before = len(ec2.describe_vpcs()["Vpcs"])
    cases = {
        "10.0.0.0/8": ("InvalidVpc.Range", "The CIDR '10.0.0.0/8' is invalid."),
        "10.0.0.0/29": ("InvalidVpc.Range", "The CIDR '10.0.0.0/29' is invalid."),
        "10.0.0.1/16": (
            "InvalidParameterValue",
            "Value (10.0.0.1/16) for parameter cidrBlock is invalid. "
            "This is not a valid CIDR block.",
        ),
        "banana": (
            "InvalidParameterValue",
            "Value (banana) for parameter cidrBlock is invalid. This is not a valid CIDR block.",
        ),
    }
    for cidr, expected in cases.items():
        with pytest.raises(ClientError) as err:
            ec2.create_vpc(CidrBlock=cidr)
        assert aws_error(err) == expected
    assert len(ec2.describe_vpcs()["Vpcs"]) == before


def test_dns_attributes_default_and_modify(ec2):
    vpc_id = _vpc(ec2, "10.1.0.0/16")["VpcId"]

    def attr(name):
        out = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=name)
        return out[name[0].upper() + name[1:]]["Value"]

    assert attr("enableDnsSupport") is True
    assert attr("enableDnsHostnames") is False
    assert attr("enableNetworkAddressUsageMetrics") is False
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    assert attr("enableDnsHostnames") is True
    # Hostnames need DNS support: refused, and nothing changes.
    with pytest.raises(ClientError):
        ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": False})
    assert attr("enableDnsSupport") is True


def test_each_vpc_has_its_default_security_group(ec2):
    vpc_id = _vpc(ec2, "10.2.0.0/16")["VpcId"]
    groups = ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "group-name", "Values": ["default"]},
        ]
    )["SecurityGroups"]
    assert len(groups) == 1
    sg = groups[0]
    assert sg["Description"] == "default VPC security group"
    assert sg["IpPermissions"] == [
        {
            "IpProtocol": "-1",
            "IpRanges": [],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
            "UserIdGroupPairs": [{"GroupId": sg["GroupId"], "UserId": sg["OwnerId"]}],
        }
    ]
    assert sg["IpPermissionsEgress"] == [
        {
            "IpProtocol": "-1",
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
            "UserIdGroupPairs": [],
        }
    ]
    with pytest.raises(ClientError) as err:
        ec2.delete_security_group(GroupId=sg["GroupId"])
    assert aws_error(err)[0] == "CannotDelete"


def test_delete_refused_while_a_group_depends_then_done(ec2):
    vpc_id = _vpc(ec2, "10.3.0.0/16")["VpcId"]
    sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc_id)["GroupId"]
    with pytest.raises(ClientError) as err:
        ec2.delete_vpc(VpcId=vpc_id)
    assert aws_error(err) == (
        "DependencyViolation",
        f"The vpc '{vpc_id}' has dependencies and cannot be deleted.",
    )
    assert ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
    ec2.delete_security_group(GroupId=sg)
    ec2.delete_vpc(VpcId=vpc_id)
    with pytest.raises(ClientError) as err:
        ec2.describe_vpcs(VpcIds=[vpc_id])
    assert aws_error(err)[0] == "InvalidVpcID.NotFound"
    # Its default group went with it.
    left = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    assert left["SecurityGroups"] == []


def test_tags_create_describe_delete(ec2):
    vpc_id = _vpc(ec2, "10.4.0.0/16")["VpcId"]
    ec2.create_tags(
        Resources=[vpc_id], Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
    )
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["Tags"]
    assert tags == [
        {"ResourceId": vpc_id, "ResourceType": "vpc", "Key": "a", "Value": "1"},
        {"ResourceId": vpc_id, "ResourceType": "vpc", "Key": "b", "Value": "2"},
    ]
    ec2.delete_tags(Resources=[vpc_id], Tags=[{"Key": "a", "Value": "other"}, {"Key": "b"}])
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["Tags"]
    assert [t["Key"] for t in tags] == ["a"]  # a's value did not match: kept
    with pytest.raises(ClientError) as err:
        ec2.create_tags(Resources=["vpc-0000000000000dead"], Tags=[{"Key": "k", "Value": "v"}])
    assert aws_error(err)[0] == "InvalidVpcID.NotFound"
    with pytest.raises(ClientError) as err:
        ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "aws:x", "Value": "v"}])
    assert aws_error(err)[0] == "InvalidParameterValue"
    with pytest.raises(ClientError) as err:
        ec2.create_vpc(
            CidrBlock="10.5.0.0/16",
            TagSpecifications=[{"ResourceType": "subnet", "Tags": [{"Key": "k", "Value": "v"}]}],
        )
    assert aws_error(err)[0] == "InvalidParameterValue"


def test_paging_walks_every_vpc_once(client):
    ec2 = client("ec2", "eu-west-3")
    made = {_vpc(ec2, f"10.{i}.0.0/16")["VpcId"] for i in range(7)}
    seen, token = [], None
    while True:
        kwargs = {"MaxResults": 5, **({"NextToken": token} if token else {})}
        out = ec2.describe_vpcs(**kwargs)
        seen += [v["VpcId"] for v in out["Vpcs"]]
        token = out.get("NextToken")
        if not token:
            break
    assert made <= set(seen) and len(seen) == len(set(seen))
    with pytest.raises(ClientError) as err:
        ec2.describe_vpcs(NextToken="garbage!")
    assert aws_error(err)[0] == "InvalidPaginationToken"


def test_aws_cli_creates_and_deletes_a_vpc(aws):
    vpc = aws.json("ec2", "create-vpc", "--cidr-block", "10.9.0.0/16", "--region", REGION)["Vpc"]
    got = aws.json("ec2", "describe-vpcs", "--vpc-ids", vpc["VpcId"], "--region", REGION)
    assert got["Vpcs"][0]["CidrBlock"] == "10.9.0.0/16"
    aws.run("ec2", "delete-vpc", "--vpc-id", vpc["VpcId"], "--region", REGION)
    gone = aws.run(
        "ec2", "describe-vpcs", "--vpc-ids", vpc["VpcId"], "--region", REGION, check=False
    )
    assert "InvalidVpcID.NotFound" in gone.stderr


def test_a_vpc_survives_kill9(ecsd_factory):
    server = ecsd_factory()
    ec2 = client_for(server, "ec2")
    vpc = _vpc(ec2, "10.7.0.0/16", Name="durable")
    ec2.modify_vpc_attribute(VpcId=vpc["VpcId"], EnableDnsHostnames={"Value": True})
    server.kill9()
    again = ecsd_factory(data_dir=server.data_dir)
    ec2 = client_for(again, "ec2")
    assert ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"] == [vpc]
    hostnames = ec2.describe_vpc_attribute(VpcId=vpc["VpcId"], Attribute="enableDnsHostnames")
    assert hostnames["EnableDnsHostnames"]["Value"] is True


def test_secondary_cidr_blocks(ec2):
    vpc_id = _vpc(ec2, "10.8.0.0/16")["VpcId"]
    out = ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.9.0.0/16")
    assoc = out["CidrBlockAssociation"]
    assert (out["VpcId"], assoc["CidrBlock"]) == (vpc_id, "10.9.0.0/16")
    vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
    assert [a["CidrBlock"] for a in vpc["CidrBlockAssociationSet"]] == [
        "10.8.0.0/16",
        "10.9.0.0/16",
    ]
    # A subnet may live in the secondary block; while it does, the block stays.
    sub = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    with pytest.raises(ClientError) as err:
        ec2.disassociate_vpc_cidr_block(AssociationId=assoc["AssociationId"])
    assert aws_error(err)[0] == "DependencyViolation"
    with pytest.raises(ClientError) as err:
        ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.8.128.0/17")
    assert aws_error(err)[0] == "InvalidVpc.Range"
    primary = vpc["CidrBlockAssociationSet"][0]["AssociationId"]
    with pytest.raises(ClientError) as err:
        ec2.disassociate_vpc_cidr_block(AssociationId=primary)
    assert aws_error(err)[0] == "OperationNotPermitted"
    ec2.delete_subnet(SubnetId=sub)
    gone = ec2.disassociate_vpc_cidr_block(AssociationId=assoc["AssociationId"])
    assert gone["CidrBlockAssociation"]["CidrBlockState"]["State"] == "disassociated"
    vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
    assert [a["CidrBlock"] for a in vpc["CidrBlockAssociationSet"]] == ["10.8.0.0/16"]
