"""The routing half's model in fake time: what the lifecycle hooks add to a VPC (the
default VPC's ids the same in every store), refused route changes leaving the table as
it was, and a deleted NAT gateway shown for an hour, then forgotten."""

from __future__ import annotations

from typing import Any

import pytest

from ecsd.aws.errors import AwsError
from ecsd.config import Settings
from ecsd.model.ec2 import (
    addresses,
    defaults,
    gateways,
    nat_gateways,
    network_acls,
    route_tables,
    subnets,
    vpcs,
)
from ecsd.model.ec2.zones import zones
from ecsd.store import Store


def _default_records(world: Any) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    world.run(defaults.ensure)
    vpc_id = world.run(defaults.vpc_id)
    tables = world.run(lambda u: route_tables.view(u, route_tables.all_rows(u)))
    acls = world.run(lambda u: network_acls.view(u, network_acls.all_rows(u)))
    return vpc_id, tables, acls


def test_the_default_vpc_has_the_same_routing_records_in_every_store(
    world: Any, tmp_path_factory: Any
) -> None:
    vpc_id, tables, acls = _default_records(world)
    [main] = [t for t in tables if t["VpcId"] == vpc_id]
    igw = world.run(lambda u: gateways.view(u, gateways.all_rows(u)))
    assert [g["Attachments"] for g in igw] == [[{"State": "available", "VpcId": vpc_id}]]
    assert [r.get("GatewayId") for r in main["Routes"]] == ["local", igw[0]["InternetGatewayId"]]
    [acl] = acls
    assert len(acl["Associations"]) == 3  # one default subnet per zone

    other_dir = tmp_path_factory.mktemp("other")
    store = Store(other_dir / "ecsd.db")
    try:
        again = _default_records(type(world)(store, Settings(data_dir=other_dir)))
    finally:
        store.close()
    assert again == (vpc_id, tables, acls)


def test_refused_route_changes_leave_the_table_as_it_was(world: Any) -> None:
    vpc_id = world.run(lambda u: vpcs.create(u, "10.0.0.0/16"))["VpcId"]
    rtb_id = world.run(lambda u: route_tables.create(u, vpc_id))["RouteTableId"]
    before = world.run(lambda u: route_tables.get(u, rtb_id).doc)
    refusals = [
        ({"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "igw-0123456789abcdef0"}, False),
        ({"DestinationCidrBlock": "10.0.0.0/16", "VpcPeeringConnectionId": "pcx-1"}, True),
        ({"DestinationCidrBlock": "not-a-cidr", "NatGatewayId": "nat-0123456789abcdef0"}, False),
        ({"DestinationCidrBlock": "0.0.0.0/0"}, False),
    ]
    for route, replace in refusals:
        with pytest.raises(AwsError):
            world.run(lambda u: route_tables.add_route(u, rtb_id, route, replace=replace))  # noqa: B023
    with pytest.raises(AwsError) as err:
        world.run(
            lambda u: route_tables.delete_route(u, rtb_id, {"DestinationCidrBlock": "10.0.0.0/16"})
        )
    assert err.value.code == "InvalidParameterValue"
    assert world.run(lambda u: route_tables.get(u, rtb_id).doc) == before


def test_a_deleted_nat_gateway_is_shown_for_an_hour(world: Any) -> None:
    vpc_id = world.run(lambda u: vpcs.create(u, "10.0.0.0/16"))["VpcId"]
    subnet_id = world.run(
        lambda u: subnets.create(u, vpc_id, "10.0.1.0/24", zone=zones(u.region)[0])
    )["SubnetId"]
    eip = world.run(lambda u: addresses.allocate(u))["AllocationId"]
    nat_id = world.run(lambda u: nat_gateways.create(u, subnet_id, allocation_id=eip))[
        "NatGatewayId"
    ]
    world.run(lambda u: nat_gateways.remove(u, nat_id))
    world.advance(3599)
    states = world.run(lambda u: [r.state for r in nat_gateways.all_rows(u)])
    assert states == ["deleted"]
    world.advance(2)
    assert world.run(nat_gateways.all_rows) == []
    # Its address was free from the delete on: it can go.
    world.run(lambda u: addresses.release(u, eip))


def test_a_deleted_subnet_takes_its_association_along(world: Any) -> None:
    vpc_id = world.run(lambda u: vpcs.create(u, "10.0.0.0/16"))["VpcId"]
    subnet_id = world.run(
        lambda u: subnets.create(u, vpc_id, "10.0.1.0/24", zone=zones(u.region)[0])
    )["SubnetId"]
    rtb_id = world.run(lambda u: route_tables.create(u, vpc_id))["RouteTableId"]
    world.run(lambda u: route_tables.associate(u, rtb_id, subnet_id=subnet_id, gateway_id=None))
    with pytest.raises(AwsError):  # still associated
        world.run(lambda u: route_tables.remove(u, rtb_id))
    world.run(lambda u: subnets.remove(u, subnet_id))
    world.run(lambda u: route_tables.remove(u, rtb_id))
    world.run(lambda u: vpcs.remove(u, vpc_id))
    assert world.run(route_tables.all_rows) == []
