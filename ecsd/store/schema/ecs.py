"""ECS tables: clusters, task definitions, tags, account settings."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, Integer, String, Table

from .base import metadata

clusters = Table(
    "clusters",
    metadata,
    Column("arn", String, primary_key=True),
    Column("region", String, nullable=False),
    Column("name", String, nullable=False),
    Column("status", String, nullable=False),
    Column("doc", JSON, nullable=False),
)
Index("clusters_by_name", clusters.c.region, clusters.c.name)
# ListClusters: ACTIVE clusters of a region in ARN order, straight from the index.
Index("clusters_by_status", clusters.c.region, clusters.c.status, clusters.c.arn)

task_definitions = Table(
    "task_definitions",
    metadata,
    Column("arn", String, primary_key=True),
    Column("region", String, nullable=False),
    Column("family", String, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("status", String, nullable=False),
    Column("doc", JSON, nullable=False),
)
Index(
    "task_definitions_by_family",
    task_definitions.c.region,
    task_definitions.c.family,
    task_definitions.c.revision,
    unique=True,
)
# ListTaskDefinitions (status, then one family or all, by family and revision) and the
# latest ACTIVE revision of a family: both are seeks on this index.
Index(
    "task_definitions_by_status",
    task_definitions.c.region,
    task_definitions.c.status,
    task_definitions.c.family,
    task_definitions.c.revision,
)

# One row per family ever registered. `last_revision` is the last revision ever given to
# it: revisions are never reused, even after every revision has been deleted. `status`
# is ACTIVE while the family has an ACTIVE revision, else INACTIVE, so that
# ListTaskDefinitionFamilies reads a page of either straight from an index.
task_definition_families = Table(
    "task_definition_families",
    metadata,
    Column("region", String, primary_key=True),
    Column("family", String, primary_key=True),
    Column("last_revision", Integer, nullable=False),
    Column("status", String, nullable=False),
)
Index(
    "task_definition_families_by_status",
    task_definition_families.c.region,
    task_definition_families.c.status,
    task_definition_families.c.family,
)

tags = Table(
    "tags",
    metadata,
    Column("arn", String, primary_key=True),
    Column("key", String, primary_key=True),
    Column("value", String, nullable=False),
)

# One row per explicitly set setting; `principal` is an IAM ARN, or the account root ARN
# for the account default.
account_settings = Table(
    "account_settings",
    metadata,
    Column("region", String, primary_key=True),
    Column("principal", String, primary_key=True),
    Column("name", String, primary_key=True),
    Column("value", String, nullable=False),
)
