"""Application Auto Scaling tables: scalable targets, scaling policies, scheduled actions
and scaling activities.

Every row is keyed by region plus the target's identity (namespace, resource id,
dimension) so that Describe* filters are index lookups, and carries the resource as the
API answers it in `doc` (private bookkeeping such as a policy's last scaling times rides
in the document under names starting with `_`, never shown). Scheduled actions keep
their next run time as a column: the scaling controller asks for the due ones.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, Index, Integer, String, Table

from .base import metadata

aas_targets = Table(
    "aas_targets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("region", String, nullable=False),
    Column("namespace", String, nullable=False),
    Column("resource_id", String, nullable=False),
    Column("dimension", String, nullable=False),
    Column("arn", String, nullable=False),
    Column("doc", JSON, nullable=False),
)
Index(
    "aas_targets_by_identity",
    aas_targets.c.region,
    aas_targets.c.namespace,
    aas_targets.c.resource_id,
    aas_targets.c.dimension,
    unique=True,
)
Index("aas_targets_by_arn", aas_targets.c.arn, unique=True)

aas_policies = Table(
    "aas_policies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("region", String, nullable=False),
    Column("namespace", String, nullable=False),
    Column("resource_id", String, nullable=False),
    Column("dimension", String, nullable=False),
    Column("name", String, nullable=False),
    Column("arn", String, nullable=False),
    Column("doc", JSON, nullable=False),
)
Index(
    "aas_policies_by_name",
    aas_policies.c.region,
    aas_policies.c.namespace,
    aas_policies.c.resource_id,
    aas_policies.c.dimension,
    aas_policies.c.name,
    unique=True,
)
Index("aas_policies_by_arn", aas_policies.c.arn, unique=True)

aas_scheduled = Table(
    "aas_scheduled",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("region", String, nullable=False),
    Column("namespace", String, nullable=False),
    Column("resource_id", String, nullable=False),
    Column("dimension", String, nullable=False),
    Column("name", String, nullable=False),
    Column("next_run", Float),  # epoch seconds of the next run; NULL: never again
    Column("doc", JSON, nullable=False),
)
Index(
    "aas_scheduled_by_name",
    aas_scheduled.c.region,
    aas_scheduled.c.namespace,
    aas_scheduled.c.resource_id,
    aas_scheduled.c.dimension,
    aas_scheduled.c.name,
    unique=True,
)
Index("aas_scheduled_by_next_run", aas_scheduled.c.next_run)

aas_activities = Table(
    "aas_activities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("region", String, nullable=False),
    Column("namespace", String, nullable=False),
    Column("resource_id", String, nullable=False),
    Column("dimension", String, nullable=False),
    Column("start_time", Float, nullable=False),
    Column("doc", JSON, nullable=False),
)
Index(
    "aas_activities_by_target",
    aas_activities.c.region,
    aas_activities.c.namespace,
    aas_activities.c.resource_id,
    aas_activities.c.start_time,
)
