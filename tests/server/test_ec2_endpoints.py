"""VPC endpoints end to end (boto3 against a real `ecsd serve`): a gateway endpoint's
prefix-list routes in its route tables (added, moved by ModifyVpcEndpoint, gone with
it), an interface endpoint in subnets with the VPC's default group, the catalogue
(DescribePrefixLists, DescribeVpcEndpointServices), what endpoints block, and EC2's
refusals changing nothing."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from conftest import REGION, aws_error


@pytest.fixture
def ec2(client):
    return client("ec2")


S3 = f"com.amazonaws.{REGION}.s3"


def _prefix_routes(ec2, rtb_id):
    routes = ec2.describe_route_tables(RouteTableIds=[rtb_id])["RouteTables"][0]["Routes"]
    return [r for r in routes if r.get("DestinationPrefixListId")]


def test_a_gateway_endpoint_routes_to_the_services_prefix_list(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    first = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    second = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    [pl] = ec2.describe_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": [S3]}])[
        "PrefixLists"
    ]
    assert pl["PrefixListId"].startswith("pl-") and pl["Cidrs"]

    made = ec2.create_vpc_endpoint(
        VpcId=vpc_id, ServiceName=S3, VpcEndpointType="Gateway", RouteTableIds=[first]
    )["VpcEndpoint"]
    vpce = made["VpcEndpointId"]
    assert vpce.startswith("vpce-") and made["State"] == "available"
    assert made["RouteTableIds"] == [first]
    assert json.loads(made["PolicyDocument"])["Statement"][0]["Effect"] == "Allow"
    assert _prefix_routes(ec2, first) == [
        {
            "DestinationPrefixListId": pl["PrefixListId"],
            "GatewayId": vpce,
            "Origin": "CreateRoute",
            "State": "active",
        }
    ]

    policy = json.dumps(
        {"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}]}
    )
    ec2.modify_vpc_endpoint(
        VpcEndpointId=vpce,
        AddRouteTableIds=[second],
        RemoveRouteTableIds=[first],
        PolicyDocument=policy,
    )
    [got] = ec2.describe_vpc_endpoints(VpcEndpointIds=[vpce])["VpcEndpoints"]
    assert got["RouteTableIds"] == [second] and got["PolicyDocument"] == policy
    assert _prefix_routes(ec2, first) == [] and len(_prefix_routes(ec2, second)) == 1
    by_filter = ec2.describe_vpc_endpoints(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "service-name", "Values": [S3]}]
    )["VpcEndpoints"]
    assert [e["VpcEndpointId"] for e in by_filter] == [vpce]

    with pytest.raises(ClientError) as err:
        ec2.delete_vpc(VpcId=vpc_id)
    assert aws_error(err)[0] == "DependencyViolation"
    ec2.delete_route_table(RouteTableId=first)
    assert ec2.delete_vpc_endpoints(VpcEndpointIds=[vpce, "vpce-0123456789abcdef0"])[
        "Unsuccessful"
    ] == [
        {
            "ResourceId": "vpce-0123456789abcdef0",
            "Error": {
                "Code": "InvalidVpcEndpointId.NotFound",
                "Message": "The Vpc Endpoint Id 'vpce-0123456789abcdef0' does not exist",
            },
        }
    ]
    assert _prefix_routes(ec2, second) == []
    ec2.delete_route_table(RouteTableId=second)
    ec2.delete_vpc(VpcId=vpc_id)


def test_an_interface_endpoint_lives_in_subnets(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.41.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.41.1.0/24")["Subnet"]["SubnetId"]
    name = f"com.amazonaws.{REGION}.ecr.dkr"
    made = ec2.create_vpc_endpoint(
        VpcId=vpc_id, ServiceName=name, VpcEndpointType="Interface", SubnetIds=[subnet_id]
    )["VpcEndpoint"]
    default = ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "group-name", "Values": ["default"]},
        ]
    )["SecurityGroups"][0]["GroupId"]
    assert made["Groups"] == [{"GroupId": default, "GroupName": "default"}]
    assert made["SubnetIds"] == [subnet_id] and len(made["NetworkInterfaceIds"]) == 1
    assert made["PrivateDnsEnabled"] is True and made["DnsEntries"][0]["DnsName"]
    # Its interface is an ENI of the subnet, with the endpoint's group (what Terraform
    # reads as the endpoint's subnet configuration); the group cannot go while it is used.
    [eni] = ec2.describe_network_interfaces(NetworkInterfaceIds=made["NetworkInterfaceIds"])[
        "NetworkInterfaces"
    ]
    assert eni["SubnetId"] == subnet_id and eni["InterfaceType"] == "vpc_endpoint"
    assert eni["PrivateIpAddress"].startswith("10.41.1.")
    assert eni["Groups"] == made["Groups"]
    group = ec2.create_security_group(GroupName="vpce", Description="d", VpcId=vpc_id)["GroupId"]
    ec2.modify_vpc_endpoint(VpcEndpointId=made["VpcEndpointId"], AddSecurityGroupIds=[group])
    with pytest.raises(ClientError) as err:
        ec2.delete_security_group(GroupId=group)
    assert aws_error(err)[0] == "DependencyViolation"
    with pytest.raises(ClientError) as err:
        ec2.delete_subnet(SubnetId=subnet_id)
    assert aws_error(err)[0] == "DependencyViolation"
    ec2.delete_vpc_endpoints(VpcEndpointIds=[made["VpcEndpointId"]])
    ec2.delete_security_group(GroupId=group)
    ec2.delete_subnet(SubnetId=subnet_id)
    ec2.delete_vpc(VpcId=vpc_id)


def test_endpoint_refusals_change_nothing(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    with pytest.raises(ClientError) as err:
        ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName="com.amazonaws.nowhere.s3")
    assert aws_error(err) == (
        "InvalidServiceName",
        "The Vpc Endpoint Service 'com.amazonaws.nowhere.s3' does not exist",
    )
    with pytest.raises(ClientError) as err:
        ec2.create_vpc_endpoint(
            VpcId=vpc_id, ServiceName=S3, RouteTableIds=["rtb-0123456789abcdef0"]
        )
    assert aws_error(err)[0] == "InvalidRouteTableID.NotFound"
    with pytest.raises(ClientError) as err:
        ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=S3, PolicyDocument="{not json")
    assert aws_error(err)[0] == "MalformedPolicy"
    found = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    assert found["VpcEndpoints"] == []
    services = ec2.describe_vpc_endpoint_services(ServiceNames=[S3])
    assert services["ServiceNames"] == [S3]
    assert [t["ServiceType"] for t in services["ServiceDetails"][0]["ServiceType"]] == [
        "Gateway",
        "Interface",
    ]
    ec2.delete_vpc(VpcId=vpc_id)
