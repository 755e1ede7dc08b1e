"""ECS service deployments and service revisions (ListServiceDeployments,
DescribeServiceDeployments, DescribeServiceRevisions).

A service deployment is kept for 90 days, as AWS keeps them; `doc` is the deployment as
DescribeServiceDeployments shows it (its live task counts are added when described), a
revision's `doc` is the service configuration the deployment rolled out.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, Index, String, Table

from .base import metadata

service_deployments = Table(
    "service_deployments",
    metadata,
    Column("arn", String, primary_key=True),
    Column("deployment_id", String, nullable=False),  # the deployments[] entry's id
    Column("service_arn", String, nullable=False),
    Column("status", String, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("doc", JSON, nullable=False),
)
# ListServiceDeployments: a service's deployments, newest first.
Index(
    "service_deployments_by_service",
    service_deployments.c.service_arn,
    service_deployments.c.created_at,
)
Index("service_deployments_by_id", service_deployments.c.deployment_id)

service_revisions = Table(
    "service_revisions",
    metadata,
    Column("arn", String, primary_key=True),
    Column("service_arn", String, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("doc", JSON, nullable=False),
)
Index(
    "service_revisions_by_service", service_revisions.c.service_arn, service_revisions.c.created_at
)
