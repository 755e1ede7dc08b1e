"""EC2 networking tables (issue #14): VPCs, subnets, security groups and their rules,
and the one tags table every EC2 resource id shares.

Rows are keyed by region and the resource's id, with the columns that lookups,
uniqueness and dependency checks need (a subnet's VPC and CIDR, a group's VPC and name,
the group a rule references), plus the resource's `doc` as its Describe call shows it
(less its tags, which live in `ec2_tags` for every kind alike). The routing half (route
tables, gateways, ACLs, addresses, endpoints) keeps its tables in `ec2_routing.py`.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Index, Integer, String, Table

from .base import metadata

# One row per region whose default VPC exists: made once, the first time the region's
# EC2 records are touched, so a deleted default VPC is not made again.
ec2_regions = Table(
    "ec2_regions",
    metadata,
    Column("region", String, primary_key=True),
    Column("default_vpc", String, nullable=False),
)

ec2_vpcs = Table(
    "ec2_vpcs",
    metadata,
    Column("region", String, primary_key=True),
    Column("id", String, primary_key=True),
    Column("is_default", Boolean, nullable=False),
    Column("doc", JSON, nullable=False),  # Vpc, as DescribeVpcs shows it (no Tags)
    Column("attributes", JSON, nullable=False),  # enableDnsSupport etc. -> bool
)

ec2_subnets = Table(
    "ec2_subnets",
    metadata,
    Column("region", String, primary_key=True),
    Column("id", String, primary_key=True),
    Column("vpc", String, nullable=False),
    Column("cidr", String, nullable=False),
    Column("doc", JSON, nullable=False),  # Subnet, as DescribeSubnets shows it (no Tags)
)
Index("ec2_subnets_by_vpc", ec2_subnets.c.region, ec2_subnets.c.vpc)

ec2_security_groups = Table(
    "ec2_security_groups",
    metadata,
    Column("region", String, primary_key=True),
    Column("id", String, primary_key=True),
    Column("vpc", String, nullable=False),
    Column("name", String, nullable=False),
    Column("doc", JSON, nullable=False),  # SecurityGroup less its permissions and tags
)
Index(
    "ec2_sg_by_name",
    ec2_security_groups.c.region,
    ec2_security_groups.c.vpc,
    ec2_security_groups.c.name,
    unique=True,
)

# One row per rule (`sgr-` id): one peer (a CIDR, an IPv6 CIDR, a prefix list or a
# group) for one protocol and port range. DescribeSecurityGroups folds them back into
# IpPermissions; `ref_group` makes "is this group referenced" an index lookup.
ec2_sg_rules = Table(
    "ec2_sg_rules",
    metadata,
    Column("region", String, primary_key=True),
    Column("id", String, primary_key=True),
    Column("group_id", String, nullable=False),
    Column("egress", Boolean, nullable=False),
    Column("ref_group", String, nullable=True),
    Column("seq", Integer, nullable=False),  # creation order: permissions list in it
    Column("doc", JSON, nullable=False),  # SecurityGroupRule, as Describe shows it (no Tags)
)
Index("ec2_sg_rules_by_group", ec2_sg_rules.c.region, ec2_sg_rules.c.group_id)
Index("ec2_sg_rules_by_ref", ec2_sg_rules.c.region, ec2_sg_rules.c.ref_group)

ec2_tags = Table(
    "ec2_tags",
    metadata,
    Column("region", String, primary_key=True),
    Column("resource", String, primary_key=True),  # the resource's id (vpc-…, sg-…)
    Column("key", String, primary_key=True),
    Column("value", String, nullable=False),
)
