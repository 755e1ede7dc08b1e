"""VPCs in the store: create (with the default security group and whatever the
lifecycle hooks add), read, filter, attributes, delete (refused while anything
depends on the VPC)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from ...aws.errors import AwsError
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
MAX_BLOCKS = 5  # IPv4 blocks per VPC (EC2's default quota)

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


def blocks(row: Row[Any]) -> list[str]:
    """The VPC's associated IPv4 blocks (its primary first)."""
    return [
        a["CidrBlock"]
        for a in row.doc["CidrBlockAssociationSet"]
        if a["CidrBlockState"]["State"] == "associated"
    ]


def associate_cidr(unit: Unit, row: Row[Any], cidr: str) -> dict[str, Any]:
    """AssociateVpcCidrBlock: a secondary IPv4 block, /16–/28, overlapping none of the
    VPC's blocks, at most MAX_BLOCKS in all (EC2's default quota)."""
    net = cidrs.network(cidr)
    if not cidrs.in_bounds(net):
        raise vpc_range(cidr)
    have = blocks(row)
    if len(have) >= MAX_BLOCKS:
        raise AwsError(
            "CidrLimitExceeded",
            f"This network '{row.id}' has met its maximum number of allowed CIDRs: {MAX_BLOCKS}",
        )
    if any(cidrs.overlaps(b, str(net)) for b in have):
        # ecsd's own text: EC2 refuses a block that overlaps one of the VPC's.
        raise AwsError(
            "InvalidVpc.Range", f"The CIDR '{cidr}' overlaps a CIDR block of the VPC {row.id}."
        )
    association = {
        "AssociationId": ids.new(ids.VPC_CIDR_ASSOCIATION),
        "CidrBlock": str(net),
        "CidrBlockState": {"State": "associated"},
    }
    doc = {**row.doc, "CidrBlockAssociationSet": [*row.doc["CidrBlockAssociationSet"], association]}
    _save(unit, row.id, doc)
    return association


def disassociate_cidr(unit: Unit, association_id: str) -> tuple[str, dict[str, Any]]:
    """DisassociateVpcCidrBlock: a secondary block no subnet uses; (VPC id, the block)."""
    for row in all_rows(unit):
        for i, a in enumerate(row.doc["CidrBlockAssociationSet"]):
            if a["AssociationId"] != association_id:
                continue
            if i == 0:
                # ecsd's own text: the primary block stays with its VPC.
                raise AwsError(
                    "OperationNotPermitted",
                    f"The vpc CIDR block with association ID {association_id} may not be "
                    "disassociated. It is the primary IPv4 CIDR block of the VPC",
                )
            used = unit.conn.execute(
                select(ec2_subnets.c.cidr).where(
                    ec2_subnets.c.region == unit.region, ec2_subnets.c.vpc == row.id
                )
            ).scalars()
            if any(cidrs.overlaps(c, a["CidrBlock"]) for c in used):
                raise dependency(ids.VPC, row.id)
            rest = [x for x in row.doc["CidrBlockAssociationSet"] if x is not a]
            _save(unit, row.id, {**row.doc, "CidrBlockAssociationSet": rest})
            return row.id, {**a, "CidrBlockState": {"State": "disassociated"}}
    # ecsd's own text for an association id no VPC has.
    raise AwsError(
        "InvalidVpcCidrBlockAssociationID.NotFound",
        f"The vpc CIDR block association ID '{association_id}' does not exist",
    )


def _save(unit: Unit, vpc_id: str, doc: dict[str, Any]) -> None:
    unit.conn.execute(
        update(ec2_vpcs)
        .where(ec2_vpcs.c.region == unit.region, ec2_vpcs.c.id == vpc_id)
        .values(doc=doc)
    )


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
