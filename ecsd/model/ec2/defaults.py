"""Each region's default VPC (172.31.0.0/16, as AWS makes it for every account)."""

from __future__ import annotations

from sqlalchemy import select

from ...core.unit import Unit
from ...store.schema.ec2 import ec2_vpcs


def vpc_id(unit: Unit) -> str | None:
    """The region's default VPC's id, None when it has none."""
    return unit.conn.execute(
        select(ec2_vpcs.c.id).where(ec2_vpcs.c.region == unit.region, ec2_vpcs.c.is_default)
    ).scalar()
