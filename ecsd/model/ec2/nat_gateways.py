"""NAT gateways in the store: CreateNatGateway (public, holding an Elastic IP, or
private), DescribeNatGateways, DeleteNatGateway; a subnet with a live NAT gateway
cannot be deleted.

No address is translated. A gateway is `available` as soon as it is made (EC2 takes
about a minute; CreateNatGateway still answers `pending`, as EC2 does, so a client's
waiter sees the states it expects, and its first describe ends the wait). A deleted
gateway shows as `deleted` (EC2 skips through `deleting` in the same way here) and is
forgotten an hour after its deletion, as EC2 forgets it; its address is free at once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from ...core.unit import Unit
from ...store.schema.ec2_routing import ec2_nat_gateways
from . import (
    addresses,
    ids,
    interfaces,
    owned_interfaces,
    route_tables,
    subnets,
    tags,
    vpc_lifecycle,
)
from .errors import invalid_value, missing, not_found

LIVE = ("pending", "available")
CONNECTIVITY = ("public", "private")
# How long EC2 keeps showing a deleted gateway.
FORGET_AFTER = 3600.0

FIELDS: dict[str, Any] = {
    "nat-gateway-id": lambda d: d["NatGatewayId"],
    "state": lambda d: d["State"],
    "subnet-id": lambda d: d["SubnetId"],
    "vpc-id": lambda d: d["VpcId"],
}


def _live(unit: Unit, nat_id: str) -> bool:
    return (
        unit.conn.execute(
            select(ec2_nat_gateways.c.id).where(
                ec2_nat_gateways.c.region == unit.region,
                ec2_nat_gateways.c.id == nat_id,
                ec2_nat_gateways.c.state.in_(LIVE),
            )
        ).first()
        is not None
    )


tags.taggable(ids.NAT_GATEWAY, "natgateway", _live)


def all_rows(unit: Unit) -> list[Row[Any]]:
    _forget(unit)
    return list(
        unit.conn.execute(select(ec2_nat_gateways).where(ec2_nat_gateways.c.region == unit.region))
    )


def _forget(unit: Unit) -> None:
    for r in unit.conn.execute(
        select(ec2_nat_gateways).where(
            ec2_nat_gateways.c.region == unit.region, ec2_nat_gateways.c.state == "deleted"
        )
    ).all():
        if r.doc.get("DeleteTime", unit.now) + FORGET_AFTER < unit.now:
            tags.drop(unit, r.id)
            unit.conn.execute(
                delete(ec2_nat_gateways).where(
                    ec2_nat_gateways.c.region == unit.region, ec2_nat_gateways.c.id == r.id
                )
            )


def view(unit: Unit, rows: list[Row[Any]]) -> list[dict[str, Any]]:
    tag_maps = tags.of(unit, [r.id for r in rows])
    out = []
    for r in rows:
        doc = {**r.doc, "State": r.state}
        if tag_maps.get(r.id):
            doc["Tags"] = tags.listed(tag_maps[r.id])
        out.append(doc)
    return out


def create(
    unit: Unit,
    subnet_id: str,
    *,
    allocation_id: str | None,
    connectivity: str = "public",
    private_ip: str | None = None,
    tag_list: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """A new NAT gateway (its doc as CreateNatGateway answers it, State `pending`)."""
    _forget(unit)
    if connectivity not in CONNECTIVITY:
        raise invalid_value(
            f"Value ({connectivity}) for parameter connectivityType is invalid. "
            "Valid values are: public, private"
        )  # ecsd's own text
    subnet = subnets.get(unit, subnet_id)
    if connectivity == "public" and not allocation_id:
        raise missing("AllocationId")
    if connectivity == "private" and allocation_id:
        # ecsd's own text: a private gateway holds no Elastic IP.
        raise invalid_value("A private NAT gateway cannot have an Elastic IP address.")
    nat_id = ids.new(ids.NAT_GATEWAY)
    interface_id = owned_interfaces.new_id()
    ip = owned_interfaces.free_ip(unit, subnet, private_ip)
    address: dict[str, Any] = {
        "NetworkInterfaceId": interface_id,
        "PrivateIp": ip,
        "IsPrimary": True,
        "Status": "succeeded",
    }
    if allocation_id:
        eip = addresses.get(unit, allocation_id)
        address["AllocationId"] = eip.id
        address["PublicIp"] = eip.public_ip
        address["AssociationId"] = addresses.hold(unit, eip.id, nat_id, interface_id, ip)
    doc = {
        "CreateTime": unit.now,
        "NatGatewayId": nat_id,
        "NatGatewayAddresses": [address],
        "SubnetId": subnet.id,
        "VpcId": subnet.vpc,
        "ConnectivityType": connectivity,
    }
    unit.conn.execute(
        insert(ec2_nat_gateways).values(
            region=unit.region,
            id=nat_id,
            vpc=subnet.vpc,
            subnet=subnet.id,
            state="available",
            doc=doc,
        )
    )
    if tag_list:
        tags.put(unit, nat_id, tag_list)
    return {**doc, "State": "pending"}


def remove(unit: Unit, nat_id: str) -> None:
    """DeleteNatGateway: the gateway shows `deleted`, its address is free, routes to it
    become blackholes."""
    row = unit.conn.execute(
        select(ec2_nat_gateways).where(
            ec2_nat_gateways.c.region == unit.region,
            ec2_nat_gateways.c.id == nat_id,
            ec2_nat_gateways.c.state.in_(LIVE),
        )
    ).first()
    if row is None:
        raise not_found(ids.NAT_GATEWAY, nat_id)
    for a in row.doc["NatGatewayAddresses"]:
        if a.get("AllocationId"):
            addresses.let_go(unit, a["AllocationId"])
    route_tables.drop_routes_to(unit, row.id, blackhole=True)
    unit.conn.execute(
        update(ec2_nat_gateways)
        .where(ec2_nat_gateways.c.region == unit.region, ec2_nat_gateways.c.id == row.id)
        .values(state="deleted", doc={**row.doc, "DeleteTime": unit.now})
    )


@interfaces.source
def _interfaces(unit: Unit) -> list[dict[str, Any]]:
    """Each live gateway's ENI (what its Elastic IP is associated with)."""
    out = []
    for r in unit.conn.execute(
        select(ec2_nat_gateways).where(
            ec2_nat_gateways.c.region == unit.region, ec2_nat_gateways.c.state.in_(LIVE)
        )
    ):
        address = r.doc["NatGatewayAddresses"][0]
        association = (
            {
                "AllocationId": address["AllocationId"],
                "AssociationId": address["AssociationId"],
                "IpOwnerId": "amazon",
                "PublicIp": address["PublicIp"],
            }
            if address.get("AllocationId")
            else None
        )
        out.append(
            owned_interfaces.doc(
                unit,
                address["NetworkInterfaceId"],
                subnets.get(unit, r.subnet).doc,
                address["PrivateIp"],
                kind="nat_gateway",
                description=f"Interface for NAT Gateway {r.id}",
                groups=[],
                association=association,
            )
        )
    return out


@vpc_lifecycle.subnet_blocker
def _gateway_in_subnet(unit: Unit, subnet_id: str) -> bool:
    return (
        unit.conn.execute(
            select(ec2_nat_gateways.c.id).where(
                ec2_nat_gateways.c.region == unit.region,
                ec2_nat_gateways.c.subnet == subnet_id,
                ec2_nat_gateways.c.state.in_(LIVE),
            )
        ).first()
        is not None
    )


@vpc_lifecycle.on_vpc_deleted
def _forget_deleted(unit: Unit, vpc_id: str) -> None:
    # Deleted gateways of a deleted VPC go with it (their subnets are gone already).
    cond = [ec2_nat_gateways.c.region == unit.region, ec2_nat_gateways.c.vpc == vpc_id]
    for r in unit.conn.execute(select(ec2_nat_gateways.c.id).where(*cond)).all():
        tags.drop(unit, r.id)
    unit.conn.execute(delete(ec2_nat_gateways).where(*cond))
