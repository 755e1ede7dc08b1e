"""VPCs in the store: create (with the default security group and whatever the
lifecycle hooks add), read, filter, attributes, delete (refused while anything
depends on the VPC)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from ...core.unit import Unit
from ...store.schema.ec2 import ec2_security_groups, ec2_subnets, ec2_vpcs
from . import cidrs, ids, security_groups, tags, vpc_lifecycle
from .errors import dependency, invalid_value, not_found, vpc_range

# DescribeVpcAttribute's names, and the value a new VPC has for each (EC2's defaults;
# the default VPC has DNS hostnames on).
ATTRIBUTES = {
    "enableDnsSupport": True,
    "enableDnsHostnames": False,
    "enableNetworkAddressUsageMetrics": False,
}
TENANCIES = ("default", "dedicated")

# DescribeVpcs' filters ecsd answers (EC2's names).
FIELDS: dict[str, Any] = {
    "vpc-id": lambda d: d["VpcId"],
    "cidr": lambda d: d["CidrBlock"],
    "cidr-block": lambda d: d["CidrBlock"],
    "cidrBlock": lambda d: d["CidrBlock"],
    "cidr-block-association.cidr-block": lambda d: [
        a["CidrBlock"] for a in d["CidrBlockAssociationSet"]
    ],
    "cidr-block-association.association-id": lambda d: [
        a["AssociationId"] for a in d["CidrBlockAssociationSet"]
    ],
    "cidr-block-association.state": lambda d: [
        a["CidrBlockState"]["State"] for a in d["CidrBlockAssociationSet"]
    ],
    "dhcp-options-id": lambda d: d["DhcpOptionsId"],
    "is-default": lambda d: d["IsDefault"],
    "isDefault": lambda d: d["IsDefault"],  # the older name Terraform's data sources send
    "owner-id": lambda d: d["OwnerId"],
    "state": lambda d: d["State"],
    "instance-tenancy": lambda d: d["InstanceTenancy"],
}


def _exists(unit: Unit, vpc_id: str) -> bool:
    return find(unit, vpc_id) is not None


tags.taggable(ids.VPC, "vpc", _exists)


def find(unit: Unit, vpc_id: str) -> Row[Any] | None:
    return unit.conn.execute(
        select(ec2_vpcs).where(ec2_vpcs.c.region == unit.region, ec2_vpcs.c.id == vpc_id)
    ).first()


def get(unit: Unit, vpc_id: str) -> Row[Any]:
    row = find(unit, vpc_id)
    if row is None:
        raise not_found(ids.VPC, vpc_id)
    return row


def all_rows(unit: Unit) -> list[Row[Any]]:
    return list(
        unit.conn.execute(
            select(ec2_vpcs).where(ec2_vpcs.c.region == unit.region).order_by(ec2_vpcs.c.id)
        )
    )


def user_vpcs_exist(unit: Unit) -> bool:
    """Whether the region has a VPC the user made (not the default one)."""
    return (
        unit.conn.execute(
            select(ec2_vpcs.c.id).where(
                ec2_vpcs.c.region == unit.region, ec2_vpcs.c.is_default.is_(False)
            )
        ).first()
        is not None
    )


def create(
    unit: Unit,
    cidr: str,
    *,
    tenancy: str = "default",
    tag_list: list[dict[str, str]] | None = None,
    vpc_id: str | None = None,
    is_default: bool = False,
) -> dict[str, Any]:
    """A new VPC (its doc, tags not included): checked, written, with its default
    security group and what the lifecycle hooks add."""
    net = cidrs.network(cidr)
    if not cidrs.in_bounds(net):
        raise vpc_range(cidr)
    if tenancy not in TENANCIES:
        raise invalid_value(
            f"Value ({tenancy}) for parameter instanceTenancy is invalid. "
            f"Valid values are: {', '.join(TENANCIES)}"
        )  # ecsd's own text
    vpc_id = vpc_id or ids.new(ids.VPC)
    doc: dict[str, Any] = {
        "VpcId": vpc_id,
        "OwnerId": unit.account,
        "State": "available",
        "CidrBlock": str(net),
        "DhcpOptionsId": "default",  # ecsd keeps no DHCP option sets
        "InstanceTenancy": tenancy,
        "IsDefault": is_default,
        "CidrBlockAssociationSet": [
            {
                "AssociationId": (
                    ids.derived(ids.VPC_CIDR_ASSOCIATION, vpc_id)
                    if is_default
                    else ids.new(ids.VPC_CIDR_ASSOCIATION)
                ),
                "CidrBlock": str(net),
                "CidrBlockState": {"State": "associated"},
            }
        ],
    }
    attributes = {**ATTRIBUTES, "enableDnsHostnames": is_default}
    unit.conn.execute(
        insert(ec2_vpcs).values(
            region=unit.region, id=vpc_id, is_default=is_default, doc=doc, attributes=attributes
        )
    )
    if tag_list:
        tags.put(unit, vpc_id, tag_list)
    security_groups.create_default(unit, vpc_id)
    vpc_lifecycle.vpc_created(unit, doc)
    return doc


def set_attribute(unit: Unit, row: Row[Any], name: str, value: bool) -> None:
    attributes = {**row.attributes, name: value}
    if attributes["enableDnsHostnames"] and not attributes["enableDnsSupport"]:
        # EC2 refuses DNS hostnames without DNS support (ecsd's own text).
        raise invalid_value("enableDnsHostnames requires enableDnsSupport to be true")
    unit.conn.execute(
        update(ec2_vpcs)
        .where(ec2_vpcs.c.region == unit.region, ec2_vpcs.c.id == row.id)
        .values(attributes=attributes)
    )


def remove(unit: Unit, vpc_id: str) -> None:
    """Delete a VPC: refused (DependencyViolation) while it has subnets, security groups
    other than its default one, or anything a lifecycle blocker names."""
    get(unit, vpc_id)
    has_subnet = unit.conn.execute(
        select(ec2_subnets.c.id).where(
            ec2_subnets.c.region == unit.region, ec2_subnets.c.vpc == vpc_id
        )
    ).first()
    other_group = unit.conn.execute(
        select(ec2_security_groups.c.id).where(
            ec2_security_groups.c.region == unit.region,
            ec2_security_groups.c.vpc == vpc_id,
            ec2_security_groups.c.name != "default",
        )
    ).first()
    if has_subnet or other_group or vpc_lifecycle.vpc_blocked(unit, vpc_id):
        raise dependency(ids.VPC, vpc_id)
    vpc_lifecycle.vpc_deleted(unit, vpc_id)
    security_groups.remove_default(unit, vpc_id)
    tags.drop(unit, vpc_id)
    unit.conn.execute(
        delete(ec2_vpcs).where(ec2_vpcs.c.region == unit.region, ec2_vpcs.c.id == vpc_id)
    )
