"""Subnets in the store: a CIDR inside its VPC's, overlapping no other subnet of the
VPC, in one of the region's zones; their launch attributes; delete refused while a
task's network interface (or anything a lifecycle blocker names) uses the subnet."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from ...core.unit import Unit
from ...store.schema.ec2 import ec2_subnets
from . import cidrs, ids, interfaces, tags, vpc_lifecycle, vpcs
from .errors import dependency, invalid_value, not_found, subnet_conflict, subnet_range
from .zones import zones

# AWS keeps five addresses of every subnet (network, router, DNS, future, broadcast).
RESERVED = 5

FIELDS: dict[str, Any] = {
    "subnet-id": lambda d: d["SubnetId"],
    "vpc-id": lambda d: d["VpcId"],
    "cidr": lambda d: d["CidrBlock"],
    "cidr-block": lambda d: d["CidrBlock"],
    "cidrBlock": lambda d: d["CidrBlock"],
    "availability-zone": lambda d: d["AvailabilityZone"],
    "availabilityZone": lambda d: d["AvailabilityZone"],
    "availability-zone-id": lambda d: d["AvailabilityZoneId"],
    "available-ip-address-count": lambda d: d["AvailableIpAddressCount"],
    "default-for-az": lambda d: d["DefaultForAz"],
    "defaultForAz": lambda d: d["DefaultForAz"],
    "map-public-ip-on-launch": lambda d: d["MapPublicIpOnLaunch"],
    "owner-id": lambda d: d["OwnerId"],
    "state": lambda d: d["State"],
    "subnet-arn": lambda d: d["SubnetArn"],
    "ipv6-native": lambda d: d["Ipv6Native"],
}


def _exists(unit: Unit, subnet_id: str) -> bool:
    return find(unit, subnet_id) is not None


tags.taggable(ids.SUBNET, "subnet", _exists)


def find(unit: Unit, subnet_id: str) -> Row[Any] | None:
    return unit.conn.execute(
        select(ec2_subnets).where(
            ec2_subnets.c.region == unit.region, ec2_subnets.c.id == subnet_id
        )
    ).first()


def get(unit: Unit, subnet_id: str) -> Row[Any]:
    row = find(unit, subnet_id)
    if row is None:
        raise not_found(ids.SUBNET, subnet_id)
    return row


def all_rows(unit: Unit) -> list[Row[Any]]:
    return list(
        unit.conn.execute(
            select(ec2_subnets)
            .where(ec2_subnets.c.region == unit.region)
            .order_by(ec2_subnets.c.id)
        )
    )


def of_vpc(unit: Unit, vpc_id: str) -> list[Row[Any]]:
    return list(
        unit.conn.execute(
            select(ec2_subnets).where(
                ec2_subnets.c.region == unit.region, ec2_subnets.c.vpc == vpc_id
            )
        )
    )


def zone_for(unit: Unit, name: str | None, zone_id: str | None) -> dict[str, Any]:
    """The zone a subnet goes in: the one named (by name or id), else the first."""
    known = zones(unit.region)
    if name is None and zone_id is None:
        return known[0]
    for z in known:
        if z["ZoneName"] == name or z["ZoneId"] == zone_id:
            if name is not None and zone_id is not None and z["ZoneId"] != zone_id:
                break
            return z
    listing = ", ".join(z["ZoneName"] for z in known)
    if name is not None:
        raise invalid_value(
            f"Value ({name}) for parameter availabilityZone is invalid. Subnets can "
            f"currently only be created in the following availability zones: {listing}."
        )
    raise invalid_value(
        f"Value ({zone_id}) for parameter availabilityZoneId is invalid. Subnets can "
        f"currently only be created in the following availability zones: "
        f"{', '.join(z['ZoneId'] for z in known)}."
    )


def create(
    unit: Unit,
    vpc_id: str,
    cidr: str,
    *,
    zone: dict[str, Any],
    tag_list: list[dict[str, str]] | None = None,
    subnet_id: str | None = None,
    default_for_az: bool = False,
) -> dict[str, Any]:
    """A new subnet (its doc, tags not included), checked against its VPC and siblings."""
    vpc = vpcs.get(unit, vpc_id)
    net = cidrs.network(cidr)
    inside = any(net.subnet_of(cidrs.network(b)) for b in vpcs.blocks(vpc))
    if not cidrs.in_bounds(net) or not inside:
        raise subnet_range(cidr)
    for other in of_vpc(unit, vpc_id):
        if cidrs.overlaps(other.cidr, str(net)):
            raise subnet_conflict(cidr)
    subnet_id = subnet_id or ids.new(ids.SUBNET)
    doc: dict[str, Any] = {
        "SubnetId": subnet_id,
        "SubnetArn": unit.arn("ec2", f"subnet/{subnet_id}"),
        "VpcId": vpc_id,
        "CidrBlock": str(net),
        "AvailabilityZone": zone["ZoneName"],
        "AvailabilityZoneId": zone["ZoneId"],
        "AvailableIpAddressCount": net.num_addresses - RESERVED,
        "DefaultForAz": default_for_az,
        "MapPublicIpOnLaunch": default_for_az,
        "MapCustomerOwnedIpOnLaunch": False,
        "State": "available",
        "OwnerId": unit.account,
        "AssignIpv6AddressOnCreation": False,
        "Ipv6CidrBlockAssociationSet": [],
        "EnableDns64": False,
        "Ipv6Native": False,
        "EnableLniAtDeviceIndex": 0,
        "PrivateDnsNameOptionsOnLaunch": {
            "HostnameType": "ip-name",
            "EnableResourceNameDnsARecord": False,
            "EnableResourceNameDnsAAAARecord": False,
        },
    }
    unit.conn.execute(
        insert(ec2_subnets).values(
            region=unit.region, id=subnet_id, vpc=vpc_id, cidr=str(net), doc=doc
        )
    )
    if tag_list:
        tags.put(unit, subnet_id, tag_list)
    vpc_lifecycle.subnet_created(unit, doc)
    return doc


def save(unit: Unit, row: Row[Any], doc: dict[str, Any]) -> None:
    unit.conn.execute(
        update(ec2_subnets)
        .where(ec2_subnets.c.region == unit.region, ec2_subnets.c.id == row.id)
        .values(doc=doc)
    )


def remove(unit: Unit, subnet_id: str) -> None:
    """DeleteSubnet: refused (DependencyViolation) while a task's network interface is
    in it or a lifecycle blocker says so."""
    get(unit, subnet_id)
    if interfaces.subnet_in_use(unit, subnet_id) or vpc_lifecycle.subnet_blocked(unit, subnet_id):
        raise dependency(ids.SUBNET, subnet_id)
    vpc_lifecycle.subnet_deleted(unit, subnet_id)
    tags.drop(unit, subnet_id)
    unit.conn.execute(
        delete(ec2_subnets).where(
            ec2_subnets.c.region == unit.region, ec2_subnets.c.id == subnet_id
        )
    )
