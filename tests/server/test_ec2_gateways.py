"""Elastic IPs and NAT gateways end to end (boto3 and the aws CLI against a real
`ecsd serve`): addresses from the documentation ranges, a NAT gateway holding one
(pending, then available at once), what it blocks (releasing its address, deleting its
subnet), routes to it, its deletion freeing the address, and EC2's refusals changing
nothing."""

from __future__ import annotations

import ipaddress

import pytest
from botocore.exceptions import ClientError
from conftest import REGION, aws_error


@pytest.fixture
def ec2(client):
    return client("ec2")


def _network(ec2, cidr):
    vpc_id = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    net = ipaddress.ip_network(cidr)
    first = list(net.subnets(new_prefix=24))[0]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock=str(first))["Subnet"]["SubnetId"]
    return vpc_id, subnet_id


def test_addresses_are_allocated_described_and_released(ec2):
    made = ec2.allocate_address(
        Domain="vpc",
        TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": [{"Key": "Name", "Value": "a"}]}],
    )
    assert made["AllocationId"].startswith("eipalloc-") and made["Domain"] == "vpc"
    assert ipaddress.ip_address(made["PublicIp"]) in ipaddress.ip_network("203.0.113.0/24")
    other = ec2.allocate_address(Domain="vpc")
    assert other["PublicIp"] != made["PublicIp"]

    [got] = ec2.describe_addresses(AllocationIds=[made["AllocationId"]])["Addresses"]
    assert got["PublicIp"] == made["PublicIp"] and got["Tags"] == [{"Key": "Name", "Value": "a"}]
    assert "AssociationId" not in got
    by_ip = ec2.describe_addresses(PublicIps=[other["PublicIp"]])["Addresses"]
    assert [a["AllocationId"] for a in by_ip] == [other["AllocationId"]]
    by_tag = ec2.describe_addresses(Filters=[{"Name": "tag:Name", "Values": ["a"]}])["Addresses"]
    assert made["AllocationId"] in [a["AllocationId"] for a in by_tag]
    attr = ec2.describe_addresses_attribute(
        AllocationIds=[made["AllocationId"]], Attribute="domain-name"
    )["Addresses"]
    assert attr == [{"AllocationId": made["AllocationId"], "PublicIp": made["PublicIp"]}]

    with pytest.raises(ClientError) as err:
        ec2.describe_addresses(AllocationIds=["eipalloc-0123456789abcdef0"])
    assert aws_error(err) == (
        "InvalidAllocationID.NotFound",
        "The allocation ID 'eipalloc-0123456789abcdef0' does not exist",
    )
    with pytest.raises(ClientError) as err:
        ec2.describe_addresses(PublicIps=["192.0.2.1"])
    assert aws_error(err) == ("InvalidAddress.NotFound", "Address '192.0.2.1' not found.")

    ec2.release_address(AllocationId=made["AllocationId"])
    ec2.release_address(PublicIp=other["PublicIp"])
    with pytest.raises(ClientError) as err:
        ec2.release_address(AllocationId=made["AllocationId"])
    assert aws_error(err)[0] == "InvalidAllocationID.NotFound"


def test_a_nat_gateway_holds_its_address_and_its_subnet(ec2):
    vpc_id, subnet_id = _network(ec2, "10.30.0.0/16")
    eip = ec2.allocate_address(Domain="vpc")
    made = ec2.create_nat_gateway(
        SubnetId=subnet_id,
        AllocationId=eip["AllocationId"],
        TagSpecifications=[{"ResourceType": "natgateway", "Tags": [{"Key": "Name", "Value": "n"}]}],
    )["NatGateway"]
    nat_id = made["NatGatewayId"]
    assert nat_id.startswith("nat-") and made["State"] == "pending"
    assert made["VpcId"] == vpc_id and made["ConnectivityType"] == "public"
    [address] = made["NatGatewayAddresses"]
    assert address["AllocationId"] == eip["AllocationId"]
    assert address["PublicIp"] == eip["PublicIp"]
    assert ipaddress.ip_address(address["PrivateIp"]) in ipaddress.ip_network("10.30.0.0/24")

    # The first describe after the create finds it available (what waiters wait for).
    [got] = ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"]
    assert got["State"] == "available" and got["Tags"] == [{"Key": "Name", "Value": "n"}]
    ec2.get_waiter("nat_gateway_available").wait(
        NatGatewayIds=[nat_id], WaiterConfig={"Delay": 1, "MaxAttempts": 2}
    )
    by_filter = ec2.describe_nat_gateways(
        Filter=[
            {"Name": "subnet-id", "Values": [subnet_id]},
            {"Name": "state", "Values": ["available"]},
        ]
    )["NatGateways"]
    assert [n["NatGatewayId"] for n in by_filter] == [nat_id]
    [held] = ec2.describe_addresses(AllocationIds=[eip["AllocationId"]])["Addresses"]
    assert held["AssociationId"] == address["AssociationId"]
    assert held["NetworkInterfaceId"] == address["NetworkInterfaceId"]
    assert held["PrivateIpAddress"] == address["PrivateIp"]
    [eni] = ec2.describe_network_interfaces(NetworkInterfaceIds=[address["NetworkInterfaceId"]])[
        "NetworkInterfaces"
    ]
    assert eni["InterfaceType"] == "nat_gateway" and eni["SubnetId"] == subnet_id
    assert eni["PrivateIpAddress"] == address["PrivateIp"]
    assert eni["Association"]["PublicIp"] == eip["PublicIp"]

    # What the gateway blocks, refused with nothing changed.
    with pytest.raises(ClientError) as err:
        ec2.release_address(AllocationId=eip["AllocationId"])
    assert aws_error(err)[0] == "InvalidIPAddress.InUse"
    with pytest.raises(ClientError) as err:
        ec2.disassociate_address(AssociationId=address["AssociationId"])
    assert aws_error(err)[0] == "InvalidIPAddress.InUse"
    with pytest.raises(ClientError) as err:
        ec2.delete_subnet(SubnetId=subnet_id)
    assert aws_error(err)[0] == "DependencyViolation"
    with pytest.raises(ClientError) as err:
        ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=eip["AllocationId"])
    assert aws_error(err) == (
        "Resource.AlreadyAssociated",
        f"Elastic IP address [{eip['AllocationId']}] is already associated",
    )
    assert (
        len(
            ec2.describe_nat_gateways(Filter=[{"Name": "vpc-id", "Values": [vpc_id]}])[
                "NatGateways"
            ]
        )
        == 1
    )

    # A private route table routes to it; deleting it leaves a blackhole route.
    rtb_id = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb_id, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat_id)
    route = ec2.describe_route_tables(RouteTableIds=[rtb_id])["RouteTables"][0]["Routes"][1]
    assert route == {
        "DestinationCidrBlock": "0.0.0.0/0",
        "NatGatewayId": nat_id,
        "Origin": "CreateRoute",
        "State": "active",
    }
    assert ec2.delete_nat_gateway(NatGatewayId=nat_id)["NatGatewayId"] == nat_id
    [gone] = ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"]
    assert gone["State"] == "deleted" and "DeleteTime" in gone
    ec2.get_waiter("nat_gateway_deleted").wait(
        NatGatewayIds=[nat_id], WaiterConfig={"Delay": 1, "MaxAttempts": 2}
    )
    route = ec2.describe_route_tables(RouteTableIds=[rtb_id])["RouteTables"][0]["Routes"][1]
    assert route["State"] == "blackhole"
    with pytest.raises(ClientError) as err:
        ec2.delete_nat_gateway(NatGatewayId=nat_id)
    assert aws_error(err) == ("NatGatewayNotFound", f"The Nat Gateway {nat_id} was not found")
    [free] = ec2.describe_addresses(AllocationIds=[eip["AllocationId"]])["Addresses"]
    # Its association went with the gateway (Terraform's aws_eip destroy asks anyway).
    with pytest.raises(ClientError) as err:
        ec2.disassociate_address(AssociationId=address["AssociationId"])
    assert aws_error(err) == (
        "InvalidAssociationID.NotFound",
        f"The association ID '{address['AssociationId']}' does not exist",
    )
    assert "AssociationId" not in free
    ec2.release_address(AllocationId=eip["AllocationId"])
    ec2.delete_route_table(RouteTableId=rtb_id)
    ec2.delete_subnet(SubnetId=subnet_id)
    ec2.delete_vpc(VpcId=vpc_id)


def test_nat_gateway_refusals_change_nothing(ec2):
    vpc_id, subnet_id = _network(ec2, "10.31.0.0/16")
    before = ec2.describe_nat_gateways(Filter=[{"Name": "vpc-id", "Values": [vpc_id]}])[
        "NatGateways"
    ]
    eips = ec2.describe_addresses()["Addresses"]
    with pytest.raises(ClientError) as err:
        ec2.create_nat_gateway(SubnetId=subnet_id)
    assert aws_error(err)[0] == "MissingParameter"
    with pytest.raises(ClientError) as err:
        ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId="eipalloc-0123456789abcdef0")
    assert aws_error(err)[0] == "InvalidAllocationID.NotFound"
    with pytest.raises(ClientError) as err:
        ec2.create_nat_gateway(SubnetId="subnet-0123456789abcdef0", ConnectivityType="private")
    assert aws_error(err)[0] == "InvalidSubnetID.NotFound"
    with pytest.raises(ClientError) as err:
        ec2.describe_nat_gateways(Filter=[{"Name": "colour", "Values": ["x"]}])
    assert aws_error(err) == ("InvalidParameterValue", "The filter 'colour' is invalid")
    after = ec2.describe_nat_gateways(Filter=[{"Name": "vpc-id", "Values": [vpc_id]}])
    assert after["NatGateways"] == before
    assert ec2.describe_addresses()["Addresses"] == eips

    private = ec2.create_nat_gateway(SubnetId=subnet_id, ConnectivityType="private")["NatGateway"]
    assert "AllocationId" not in private["NatGatewayAddresses"][0]
    ec2.delete_nat_gateway(NatGatewayId=private["NatGatewayId"])
    ec2.delete_subnet(SubnetId=subnet_id)
    ec2.delete_vpc(VpcId=vpc_id)


def test_aws_cli_nat_gateway_round_trip(aws):
    def j(*args):
        return aws.json("ec2", *args, "--region", REGION)

    vpc_id = j("create-vpc", "--cidr-block", "10.32.0.0/16")["Vpc"]["VpcId"]
    subnet_id = j("create-subnet", "--vpc-id", vpc_id, "--cidr-block", "10.32.0.0/24")["Subnet"][
        "SubnetId"
    ]
    alloc = j("allocate-address", "--domain", "vpc")["AllocationId"]
    nat_id = j("create-nat-gateway", "--subnet-id", subnet_id, "--allocation-id", alloc)[
        "NatGateway"
    ]["NatGatewayId"]
    aws.run("ec2", "wait", "nat-gateway-available", "--nat-gateway-ids", nat_id, "--region", REGION)
    aws.run("ec2", "delete-nat-gateway", "--nat-gateway-id", nat_id, "--region", REGION)
    aws.run("ec2", "wait", "nat-gateway-deleted", "--nat-gateway-ids", nat_id, "--region", REGION)
    aws.run("ec2", "release-address", "--allocation-id", alloc, "--region", REGION)
    aws.run("ec2", "delete-subnet", "--subnet-id", subnet_id, "--region", REGION)
    aws.run("ec2", "delete-vpc", "--vpc-id", vpc_id, "--region", REGION)
