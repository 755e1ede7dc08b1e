"""EC2's routing records (issue #14, the half after VPCs and subnets): route tables
and their associations, network ACLs, internet gateways, Elastic IPs, NAT gateways and
VPC endpoints.

Like `ec2.py`, rows are keyed by region and the resource's id, with the columns that
lookups, uniqueness and dependency checks need, plus `doc`: the resource as its
Describe call shows it, less its tags (which live in `ec2_tags` for every kind).
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Index, String, Table

from .base import metadata

# A route table's routes live in its doc (`Routes`, in creation order): a table holds a
# few of them and every read wants them all.
ec2_route_tables = Table(
    "ec2_route_tables",
    metadata,
    Column("region", String, primary_key=True),
    Column("id", String, primary_key=True),
    Column("vpc", String, nullable=False),
    Column("doc", JSON, nullable=False),  # RouteTable less Associations and Tags
)
Index("ec2_rtb_by_vpc", ec2_route_tables.c.region, ec2_route_tables.c.vpc)

# One row per association (`rtbassoc-`): a subnet's, a gateway's (edge association) or
# the VPC's main one. The unique indexes make "a subnet has one route table" and "a VPC
# has one main route table" the store's rules (SQLite lets NULLs repeat).
ec2_rtb_associations = Table(
    "ec2_rtb_associations",
    metadata,
    Column("region", String, primary_key=True),
    Column("id", String, primary_key=True),
    Column("route_table", String, nullable=False),
    Column("vpc", String, nullable=False),
    Column("subnet", String, nullable=True),
    Column("gateway", String, nullable=True),
    Column("main_vpc", String, nullable=True),  # the VPC, on its main association only
)
Index("ec2_rtbassoc_by_table", ec2_rtb_associations.c.region, ec2_rtb_associations.c.route_table)
Index(
    "ec2_rtbassoc_subnet",
    ec2_rtb_associations.c.region,
    ec2_rtb_associations.c.subnet,
    unique=True,
)
Index(
    "ec2_rtbassoc_gateway",
    ec2_rtb_associations.c.region,
    ec2_rtb_associations.c.gateway,
    unique=True,
)
Index(
    "ec2_rtbassoc_main",
    ec2_rtb_associations.c.region,
    ec2_rtb_associations.c.main_vpc,
    unique=True,
)

# Network ACLs with their entries in the doc. Subnets are associated with their VPC's
# default ACL unless a row of `ec2_acl_associations` names another one.
ec2_network_acls = Table(
    "ec2_network_acls",
    metadata,
    Column("region", String, primary_key=True),
    Column("id", String, primary_key=True),
    Column("vpc", String, nullable=False),
    Column("is_default", Boolean, nullable=False),
    Column("doc", JSON, nullable=False),  # NetworkAcl less Associations and Tags
)
Index("ec2_acl_by_vpc", ec2_network_acls.c.region, ec2_network_acls.c.vpc)

ec2_internet_gateways = Table(
    "ec2_internet_gateways",
    metadata,
    Column("region", String, primary_key=True),
    Column("id", String, primary_key=True),
    Column("vpc", String, nullable=True),  # the VPC it is attached to
    Column("doc", JSON, nullable=False),  # InternetGateway less Attachments and Tags
)
Index("ec2_igw_by_vpc", ec2_internet_gateways.c.region, ec2_internet_gateways.c.vpc, unique=True)

# Elastic IPs (`eipalloc-`); `holder` is the NAT gateway (or ENI) the address is
# associated with, so "in use" is a column test.
ec2_addresses = Table(
    "ec2_addresses",
    metadata,
    Column("region", String, primary_key=True),
    Column("id", String, primary_key=True),
    Column("public_ip", String, nullable=False),
    Column("holder", String, nullable=True),
    Column("doc", JSON, nullable=False),  # Address less Tags
)
Index("ec2_eip_by_ip", ec2_addresses.c.region, ec2_addresses.c.public_ip, unique=True)

ec2_nat_gateways = Table(
    "ec2_nat_gateways",
    metadata,
    Column("region", String, primary_key=True),
    Column("id", String, primary_key=True),
    Column("vpc", String, nullable=False),
    Column("subnet", String, nullable=False),
    Column("state", String, nullable=False),
    Column("doc", JSON, nullable=False),  # NatGateway less State and Tags
)
Index("ec2_nat_by_subnet", ec2_nat_gateways.c.region, ec2_nat_gateways.c.subnet)

ec2_vpc_endpoints = Table(
    "ec2_vpc_endpoints",
    metadata,
    Column("region", String, primary_key=True),
    Column("id", String, primary_key=True),
    Column("vpc", String, nullable=False),
    Column("doc", JSON, nullable=False),  # VpcEndpoint less Tags
    # An interface endpoint's ENIs: subnet id -> {"eni": id, "ip": private address}.
    Column("interfaces", JSON, nullable=False),
)
Index("ec2_vpce_by_vpc", ec2_vpc_endpoints.c.region, ec2_vpc_endpoints.c.vpc)
