"""ECS services: the service as DescribeServices shows it, and the scheduler's memory.

`doc` is the service with its deployments[] and events[] (runningCount and pendingCount
are counted from the tasks table when described, never stored). `scheduler` is what only
the service scheduler reads: which stopped tasks it has already accounted for, its
start-failure backoff, when it last said the service was steady.

A service's ARN is the same for every service ever created under that name in that
cluster: creating it again after it became INACTIVE replaces the row.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, Index, String, Table

from .base import metadata

services = Table(
    "services",
    metadata,
    Column("arn", String, primary_key=True),
    Column("region", String, nullable=False),
    Column("cluster_arn", String, nullable=False),
    Column("name", String, nullable=False),
    Column("status", String, nullable=False),
    Column("launch_type", String, nullable=False),
    Column("scheduling_strategy", String, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("doc", JSON, nullable=False),
    Column("scheduler", JSON, nullable=False, default=dict),
)
# ListServices (ACTIVE services of a cluster, in ARN order) and the supervisor's scan of
# services that still need a scheduler (ACTIVE and DRAINING) are seeks on this index.
Index("services_by_cluster", services.c.cluster_arn, services.c.status, services.c.arn)
Index("services_by_status", services.c.status)
