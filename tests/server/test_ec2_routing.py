"""Route tables, routes, associations and the default network ACL end to end (boto3 and
the aws CLI against a real `ecsd serve`): each VPC's main route table and default ACL,
routes to gateways with EC2's refusals (changing nothing), one route table per subnet,
the main association moved, DependencyViolation while something depends on a table or
a VPC, and the routing records (gateways, addresses, NAT gateways too) surviving
kill -9."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import REGION, aws_error, client_for


@pytest.fixture
def ec2(client):
    return client("ec2")


def _vpc(ec2, cidr="10.0.0.0/16"):
    return ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]


def _subnet(ec2, vpc_id, cidr):
    return ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr)["Subnet"]["SubnetId"]


def _main(ec2, vpc_id):
    return ec2.describe_route_tables(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "association.main", "Values": ["true"]},
        ]
    )["RouteTables"]


def _routes(ec2, rtb_id):
    return ec2.describe_route_tables(RouteTableIds=[rtb_id])["RouteTables"][0]["Routes"]


def test_a_vpc_comes_with_a_main_route_table_and_a_default_acl(ec2):
    vpc_id = _vpc(ec2, "10.20.0.0/16")
    subnet_id = _subnet(ec2, vpc_id, "10.20.1.0/24")
    [main] = _main(ec2, vpc_id)
    assert main["RouteTableId"].startswith("rtb-")
    assert main["Routes"] == [
        {
            "DestinationCidrBlock": "10.20.0.0/16",
            "GatewayId": "local",
            "Origin": "CreateRouteTable",
            "State": "active",
        }
    ]
    [assoc] = main["Associations"]
    assert assoc["Main"] is True and assoc["RouteTableAssociationId"].startswith("rtbassoc-")
    assert assoc["AssociationState"] == {"State": "associated"}

    [acl] = ec2.describe_network_acls(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "default", "Values": ["true"]}]
    )["NetworkAcls"]
    assert acl["IsDefault"] is True and acl["NetworkAclId"].startswith("acl-")
    rules = {(e["Egress"], e["RuleNumber"], e["RuleAction"]) for e in acl["Entries"]}
    assert rules == {
        (False, 100, "allow"),
        (False, 32767, "deny"),
        (True, 100, "allow"),
        (True, 32767, "deny"),
    }
    assert [a["SubnetId"] for a in acl["Associations"]] == [subnet_id]
    by_subnet = ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}]
    )["NetworkAcls"]
    assert [a["NetworkAclId"] for a in by_subnet] == [acl["NetworkAclId"]]

    ec2.delete_subnet(SubnetId=subnet_id)
    ec2.delete_vpc(VpcId=vpc_id)
    with pytest.raises(ClientError) as err:
        ec2.describe_route_tables(RouteTableIds=[main["RouteTableId"]])
    assert aws_error(err)[0] == "InvalidRouteTableID.NotFound"
    assert (
        ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NetworkAcls"]
        == []
    )


def test_the_default_vpc_routes_to_its_internet_gateway(ec2):
    [vpc] = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    [igw] = ec2.describe_internet_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [vpc["VpcId"]]}]
    )["InternetGateways"]
    assert igw["Attachments"] == [{"State": "available", "VpcId": vpc["VpcId"]}]
    [main] = _main(ec2, vpc["VpcId"])
    assert {
        "DestinationCidrBlock": "0.0.0.0/0",
        "GatewayId": igw["InternetGatewayId"],
        "Origin": "CreateRoute",
        "State": "active",
    } in main["Routes"]


def test_routes_to_a_gateway_and_ec2s_refusals(ec2):
    vpc_id = _vpc(ec2, "10.21.0.0/16")
    other_vpc = _vpc(ec2, "10.22.0.0/16")
    rtb = ec2.create_route_table(
        VpcId=vpc_id,
        TagSpecifications=[
            {"ResourceType": "route-table", "Tags": [{"Key": "Name", "Value": "pub"}]}
        ],
    )["RouteTable"]
    rtb_id = rtb["RouteTableId"]
    assert rtb["Tags"] == [{"Key": "Name", "Value": "pub"}]
    assert rtb["Associations"] == [] and len(rtb["Routes"]) == 1
    igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]

    # A gateway attached to no VPC / to another VPC is refused; nothing changes.
    with pytest.raises(ClientError) as err:
        ec2.create_route(RouteTableId=rtb_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw_id)
    assert aws_error(err)[0] == "InvalidParameterValue"
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=other_vpc)
    with pytest.raises(ClientError) as err:
        ec2.create_route(RouteTableId=rtb_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw_id)
    assert aws_error(err) == (
        "InvalidParameterValue",
        f"route table {rtb_id} and network gateway {igw_id} belong to different networks",
    )
    with pytest.raises(ClientError) as err:
        ec2.create_route(
            RouteTableId=rtb_id, DestinationCidrBlock="0.0.0.0/0", GatewayId="igw-0123456789abcdef0"
        )
    assert aws_error(err)[0] == "InvalidInternetGatewayID.NotFound"
    assert len(_routes(ec2, rtb_id)) == 1

    ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=other_vpc)
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    ec2.create_route(RouteTableId=rtb_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw_id)
    with pytest.raises(ClientError) as err:
        ec2.create_route(RouteTableId=rtb_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw_id)
    assert aws_error(err) == (
        "RouteAlreadyExists",
        "The route identified by 0.0.0.0/0 already exists.",
    )
    with pytest.raises(ClientError) as err:
        ec2.delete_route(RouteTableId=rtb_id, DestinationCidrBlock="10.21.0.0/16")
    assert aws_error(err) == (
        "InvalidParameterValue",
        f"cannot remove local route 10.21.0.0/16 in route table {rtb_id}",
    )
    with pytest.raises(ClientError) as err:
        ec2.replace_route(
            RouteTableId=rtb_id, DestinationCidrBlock="192.0.2.0/24", GatewayId=igw_id
        )
    assert aws_error(err) == (
        "InvalidRoute.NotFound",
        f"no route with destination-cidr-block 192.0.2.0/24 in route table {rtb_id}",
    )
    routes = _routes(ec2, rtb_id)
    assert routes[1] == {
        "DestinationCidrBlock": "0.0.0.0/0",
        "GatewayId": igw_id,
        "Origin": "CreateRoute",
        "State": "active",
    }
    found = ec2.describe_route_tables(Filters=[{"Name": "route.gateway-id", "Values": [igw_id]}])[
        "RouteTables"
    ]
    assert [t["RouteTableId"] for t in found] == [rtb_id]

    # While the gateway is attached, neither it nor the VPC can go.
    with pytest.raises(ClientError) as err:
        ec2.delete_internet_gateway(InternetGatewayId=igw_id)
    assert aws_error(err)[0] == "DependencyViolation"
    with pytest.raises(ClientError) as err:
        ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=other_vpc)
    assert aws_error(err) == (
        "Resource.AlreadyAssociated",
        f"resource {igw_id} is already attached to network {vpc_id}",
    )
    with pytest.raises(ClientError) as err:
        ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=other_vpc)
    assert aws_error(err)[0] == "Gateway.NotAttached"

    ec2.delete_route(RouteTableId=rtb_id, DestinationCidrBlock="0.0.0.0/0")
    assert len(_routes(ec2, rtb_id)) == 1
    ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    ec2.delete_internet_gateway(InternetGatewayId=igw_id)
    # The user's route table keeps the VPC from going until it is deleted.
    with pytest.raises(ClientError) as err:
        ec2.delete_vpc(VpcId=vpc_id)
    assert aws_error(err)[0] == "DependencyViolation"
    ec2.delete_route_table(RouteTableId=rtb_id)
    ec2.delete_vpc(VpcId=vpc_id)
    ec2.delete_vpc(VpcId=other_vpc)


def test_one_route_table_per_subnet_and_the_main_association(ec2):
    vpc_id = _vpc(ec2, "10.23.0.0/16")
    subnet_id = _subnet(ec2, vpc_id, "10.23.1.0/24")
    first = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    second = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    made = ec2.associate_route_table(RouteTableId=first, SubnetId=subnet_id)
    assoc_id = made["AssociationId"]
    assert assoc_id.startswith("rtbassoc-")
    assert made["AssociationState"] == {"State": "associated"}
    with pytest.raises(ClientError) as err:
        ec2.associate_route_table(RouteTableId=second, SubnetId=subnet_id)
    assert aws_error(err)[0] == "Resource.AlreadyAssociated"
    with pytest.raises(ClientError) as err:
        ec2.delete_route_table(RouteTableId=first)
    assert aws_error(err) == (
        "DependencyViolation",
        f"The routeTable '{first}' has dependencies and cannot be deleted.",
    )
    found = ec2.describe_route_tables(
        Filters=[{"Name": "association.route-table-association-id", "Values": [assoc_id]}]
    )["RouteTables"]
    assert [t["RouteTableId"] for t in found] == [first]
    assert found[0]["Associations"] == [
        {
            "Main": False,
            "RouteTableAssociationId": assoc_id,
            "RouteTableId": first,
            "SubnetId": subnet_id,
            "AssociationState": {"State": "associated"},
        }
    ]
    # Moving the subnet gives a new association id.
    moved = ec2.replace_route_table_association(AssociationId=assoc_id, RouteTableId=second)
    by_subnet = ec2.describe_route_tables(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}]
    )["RouteTables"]
    assert [t["RouteTableId"] for t in by_subnet] == [second]
    ec2.disassociate_route_table(AssociationId=moved["NewAssociationId"])
    with pytest.raises(ClientError) as err:
        ec2.disassociate_route_table(AssociationId=moved["NewAssociationId"])
    assert aws_error(err)[0] == "InvalidAssociationID.NotFound"

    # The main association moves (as aws_main_route_table_association does) but never goes.
    [main] = _main(ec2, vpc_id)
    main_assoc = main["Associations"][0]["RouteTableAssociationId"]
    with pytest.raises(ClientError) as err:
        ec2.disassociate_route_table(AssociationId=main_assoc)
    assert aws_error(err)[0] == "InvalidParameterValue"
    new_main = ec2.replace_route_table_association(AssociationId=main_assoc, RouteTableId=first)
    assert [t["RouteTableId"] for t in _main(ec2, vpc_id)] == [first]
    ec2.replace_route_table_association(
        AssociationId=new_main["NewAssociationId"], RouteTableId=main["RouteTableId"]
    )
    ec2.delete_route_table(RouteTableId=first)
    ec2.delete_route_table(RouteTableId=second)
    ec2.delete_subnet(SubnetId=subnet_id)
    ec2.delete_vpc(VpcId=vpc_id)


def test_aws_cli_routes_and_associations(aws):
    def j(*args):
        return aws.json("ec2", *args, "--region", REGION)

    vpc_id = j("create-vpc", "--cidr-block", "10.24.0.0/16")["Vpc"]["VpcId"]
    subnet_id = j("create-subnet", "--vpc-id", vpc_id, "--cidr-block", "10.24.0.0/24")["Subnet"][
        "SubnetId"
    ]
    igw_id = j("create-internet-gateway")["InternetGateway"]["InternetGatewayId"]
    aws.run(
        "ec2",
        "attach-internet-gateway",
        "--internet-gateway-id",
        igw_id,
        "--vpc-id",
        vpc_id,
        "--region",
        REGION,
    )
    rtb_id = j("create-route-table", "--vpc-id", vpc_id)["RouteTable"]["RouteTableId"]
    assert j(
        "create-route",
        "--route-table-id",
        rtb_id,
        "--destination-cidr-block",
        "0.0.0.0/0",
        "--gateway-id",
        igw_id,
    ) == {"Return": True}
    assoc = j("associate-route-table", "--route-table-id", rtb_id, "--subnet-id", subnet_id)
    [table] = j("describe-route-tables", "--route-table-ids", rtb_id)["RouteTables"]
    assert table["Associations"][0]["SubnetId"] == subnet_id
    assert table["Routes"][1]["GatewayId"] == igw_id
    aws.run(
        "ec2",
        "disassociate-route-table",
        "--association-id",
        assoc["AssociationId"],
        "--region",
        REGION,
    )
    aws.run("ec2", "delete-route-table", "--route-table-id", rtb_id, "--region", REGION)
    gone = aws.run(
        "ec2", "describe-route-tables", "--route-table-ids", rtb_id, "--region", REGION, check=False
    )
    assert "InvalidRouteTableID.NotFound" in gone.stderr


def test_routing_records_survive_kill9(ecsd_factory):
    server = ecsd_factory()
    ec2 = client_for(server, "ec2")
    vpc_id = _vpc(ec2, "10.25.0.0/16")
    subnet_id = _subnet(ec2, vpc_id, "10.25.1.0/24")
    rtb_id = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=rtb_id, SubnetId=subnet_id)
    igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat_id = ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=eip)["NatGateway"][
        "NatGatewayId"
    ]
    ec2.create_route(RouteTableId=rtb_id, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat_id)
    in_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]

    def everything(c):
        return (
            c.describe_route_tables(Filters=in_vpc)["RouteTables"],
            c.describe_network_acls(Filters=in_vpc)["NetworkAcls"],
            c.describe_internet_gateways(InternetGatewayIds=[igw_id])["InternetGateways"],
            c.describe_addresses(AllocationIds=[eip])["Addresses"],
            c.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"],
        )

    before = everything(ec2)
    server.kill9()
    again = client_for(ecsd_factory(data_dir=server.data_dir), "ec2")
    assert everything(again) == before
