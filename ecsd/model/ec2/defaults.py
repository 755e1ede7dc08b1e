"""Each region's default VPC, as AWS makes one for every account: 172.31.0.0/16 with
DNS hostnames on, its default security group, and one default /20 subnet per zone
(default-for-az, public IPs on launch) — plus whatever the lifecycle hooks add (the
routing half's main route table, default network ACL, internet gateway).

It is made the first time a region's EC2 records are touched (`ensure`, which every
EC2 records handler calls first, in its write), once: the region is then marked, so a
default VPC the user deletes stays deleted, as in AWS. Its ids derive from the account
and region, so it is the same VPC in every run and after a restart.
"""

from __future__ import annotations

from sqlalchemy import insert, select

from ...core.unit import Unit
from ...store.schema.ec2 import ec2_regions, ec2_vpcs
from . import ids, subnets, vpcs
from .zones import zones

CIDR = "172.31.0.0/16"


def ensure(unit: Unit) -> None:
    """Make the region's default VPC unless it was made before."""
    marked = unit.conn.execute(
        select(ec2_regions.c.region).where(ec2_regions.c.region == unit.region)
    ).first()
    if marked is not None:
        return
    vpc_id = ids.derived(ids.VPC, unit.account, unit.region)
    unit.conn.execute(insert(ec2_regions).values(region=unit.region, default_vpc=vpc_id))
    vpcs.create(unit, CIDR, vpc_id=vpc_id, is_default=True)
    for i, zone in enumerate(zones(unit.region)):
        subnets.create(
            unit,
            vpc_id,
            f"172.31.{16 * i}.0/20",
            zone=zone,
            subnet_id=ids.derived(ids.SUBNET, unit.account, unit.region, zone["ZoneName"]),
            default_for_az=True,
        )


def vpc_id(unit: Unit) -> str | None:
    """The region's default VPC's id, None when it has none (not made yet, or deleted)."""
    return unit.conn.execute(
        select(ec2_vpcs.c.id).where(ec2_vpcs.c.region == unit.region, ec2_vpcs.c.is_default)
    ).scalar()
