"""Route 53 tables: hosted zones, their record sets, and the changes that made them.

Route 53 is global: rows carry no region. A record set's `sort` column is its name with
the labels reversed (`com.example.www.`), which is the order Route 53 lists record sets
in, so a ListResourceRecordSets page is an index range.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, String, Table

from .base import metadata

route53_zones = Table(
    "route53_zones",
    metadata,
    Column("account", String, primary_key=True),
    Column("id", String, primary_key=True),  # Z…, without `/hostedzone/`
    Column("name", String, nullable=False),  # with its trailing dot
    Column("caller_reference", String, nullable=False),
    Column("created", Float, nullable=False),
    Column("doc", JSON, nullable=False),  # HostedZone less ResourceRecordSetCount
    Column("delegation", JSON, nullable=False),  # DelegationSet
    Column("tags", JSON, nullable=False),
)

route53_records = Table(
    "route53_records",
    metadata,
    Column("account", String, primary_key=True),
    Column("zone", String, primary_key=True),
    Column("sort", String, primary_key=True),
    Column("type", String, primary_key=True),
    Column("set_identifier", String, primary_key=True),  # "" when none
    Column("doc", JSON, nullable=False),  # the ResourceRecordSet
)

route53_changes = Table(
    "route53_changes",
    metadata,
    Column("account", String, primary_key=True),
    Column("id", String, primary_key=True),
    Column("submitted", Float, nullable=False),
    Column("comment", String),
)
