"""Elastic IPs in the store: AllocateAddress, DescribeAddresses, ReleaseAddress, and
the association a NAT gateway makes with its address.

The public addresses come from the documentation ranges of RFC 5737 (203.0.113.0/24,
then 198.51.100.0/24): they look like public IPs, route nowhere and can never be
mistaken for a real allocation. Nothing answers on them.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from ...core.unit import Unit
from ...store.schema.ec2_routing import ec2_addresses
from . import ids, tags
from .errors import invalid_value, not_found
from .routing_errors import (
    address_associated,
    address_in_use,
    address_not_found,
    addresses_exhausted,
    association_not_found,
)

# RFC 5737's documentation blocks, in the order ecsd hands their addresses out.
POOLS = ("203.0.113.0/24", "198.51.100.0/24")

FIELDS: dict[str, Any] = {
    "allocation-id": lambda d: d["AllocationId"],
    "association-id": lambda d: d.get("AssociationId"),
    "domain": lambda d: d["Domain"],
    "network-border-group": lambda d: d["NetworkBorderGroup"],
    "network-interface-id": lambda d: d.get("NetworkInterfaceId"),
    "network-interface-owner-id": lambda d: d.get("NetworkInterfaceOwnerId"),
    "private-ip-address": lambda d: d.get("PrivateIpAddress"),
    "public-ip": lambda d: d["PublicIp"],
}


def find(unit: Unit, allocation_id: str) -> Row[Any] | None:
    return unit.conn.execute(
        select(ec2_addresses).where(
            ec2_addresses.c.region == unit.region, ec2_addresses.c.id == allocation_id
        )
    ).first()


def get(unit: Unit, allocation_id: str) -> Row[Any]:
    row = find(unit, allocation_id)
    if row is None:
        raise not_found(ids.ELASTIC_IP, allocation_id)
    return row


tags.taggable(ids.ELASTIC_IP, "elastic-ip", lambda u, i: find(u, i) is not None)


def all_rows(unit: Unit) -> list[Row[Any]]:
    return list(
        unit.conn.execute(select(ec2_addresses).where(ec2_addresses.c.region == unit.region))
    )


def by_public_ip(unit: Unit, public_ip: str) -> Row[Any]:
    row = unit.conn.execute(
        select(ec2_addresses).where(
            ec2_addresses.c.region == unit.region, ec2_addresses.c.public_ip == public_ip
        )
    ).first()
    if row is None:
        raise address_not_found(public_ip)
    return row


def view(unit: Unit, rows: list[Row[Any]]) -> list[dict[str, Any]]:
    tag_maps = tags.of(unit, [r.id for r in rows])
    out = []
    for r in rows:
        doc = dict(r.doc)
        if tag_maps.get(r.id):
            doc["Tags"] = tags.listed(tag_maps[r.id])
        out.append(doc)
    return out


def _free_ip(unit: Unit) -> str:
    taken = {
        r.public_ip
        for r in unit.conn.execute(
            select(ec2_addresses.c.public_ip).where(ec2_addresses.c.region == unit.region)
        )
    }
    for pool in POOLS:
        for host in ipaddress.ip_network(pool).hosts():
            if str(host) not in taken:
                return str(host)
    raise addresses_exhausted()


def allocate(
    unit: Unit, *, domain: str = "vpc", tag_list: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    if domain != "vpc":
        # ecsd's own text: EC2-Classic is gone; every address is a VPC one.
        raise invalid_value(f"Value ({domain}) for parameter domain is invalid.")
    allocation_id = ids.new(ids.ELASTIC_IP)
    doc = {
        "AllocationId": allocation_id,
        "PublicIp": _free_ip(unit),
        "Domain": "vpc",
        "PublicIpv4Pool": "amazon",
        "NetworkBorderGroup": unit.region,
    }
    unit.conn.execute(
        insert(ec2_addresses).values(
            region=unit.region,
            id=allocation_id,
            public_ip=doc["PublicIp"],
            holder=None,
            doc=doc,
        )
    )
    if tag_list:
        tags.put(unit, allocation_id, tag_list)
    return doc


def hold(unit: Unit, allocation_id: str, holder: str, interface_id: str, private_ip: str) -> str:
    """Associate the address with `holder` (a NAT gateway) through its interface; the
    association's id."""
    row = get(unit, allocation_id)
    if row.holder is not None:
        raise address_associated(allocation_id)
    association_id = ids.new(ids.ELASTIC_IP_ASSOCIATION)
    doc = {
        **row.doc,
        "AssociationId": association_id,
        "NetworkInterfaceId": interface_id,
        "NetworkInterfaceOwnerId": unit.account,
        "PrivateIpAddress": private_ip,
    }
    _save(unit, row.id, holder, doc)
    return association_id


def let_go(unit: Unit, allocation_id: str) -> None:
    """The holder is gone: the address is free again."""
    row = find(unit, allocation_id)
    if row is None:
        return
    keep = ("AllocationId", "PublicIp", "Domain", "PublicIpv4Pool", "NetworkBorderGroup")
    _save(unit, row.id, None, {k: v for k, v in row.doc.items() if k in keep})


def disassociate(unit: Unit, association_id: str) -> None:
    """DisassociateAddress. ecsd associates addresses only with NAT gateways, which EC2
    does not let go of theirs (the gateway must be deleted); an association that is gone
    (its gateway deleted) is EC2's InvalidAssociationID.NotFound, which clients such as
    Terraform's aws_eip take as done."""
    for row in all_rows(unit):
        if row.doc.get("AssociationId") == association_id:
            raise address_in_use(row.id)
    raise association_not_found(association_id)


def _save(unit: Unit, allocation_id: str, holder: str | None, doc: dict[str, Any]) -> None:
    unit.conn.execute(
        update(ec2_addresses)
        .where(ec2_addresses.c.region == unit.region, ec2_addresses.c.id == allocation_id)
        .values(holder=holder, doc=doc)
    )


def release(unit: Unit, allocation_id: str) -> None:
    """ReleaseAddress: refused while a NAT gateway (or interface) holds the address."""
    row = get(unit, allocation_id)
    if row.holder is not None:
        raise address_in_use(row.id)
    tags.drop(unit, row.id)
    unit.conn.execute(
        delete(ec2_addresses).where(
            ec2_addresses.c.region == unit.region, ec2_addresses.c.id == row.id
        )
    )
