"""Application Auto Scaling tables: scalable targets, scaling policies, scheduled actions
and scaling activities.

Every row is keyed by region plus the target's identity (namespace, resource id,
dimension) so that Describe* filters are index lookups, and carries the resource as the
API answers it in `doc` (private bookkeeping such as a policy's last scaling times rides
in the document under names starting with `_`, never shown). Scheduled actions keep
their next run time as a column: the scaling controller asks for the due ones.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, Float, Index, Integer, String, Table

from .base import metadata


def _per_target(name: str, *columns: Column[Any]) -> Table:
    """A table whose rows belong to one scalable target: its identity columns, then
    `columns`, then the document."""
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True),
        Column("region", String, nullable=False),
        Column("namespace", String, nullable=False),
        Column("resource_id", String, nullable=False),
        Column("dimension", String, nullable=False),
        *columns,
        Column("doc", JSON, nullable=False),
    )


def _target_of(table: Table) -> tuple[Column[Any], ...]:
    """The columns naming a row's target (the leading columns of its indexes)."""
    c = table.c
    return (c.region, c.namespace, c.resource_id, c.dimension)


aas_targets = _per_target("aas_targets", Column("arn", String, nullable=False))
Index("aas_targets_by_identity", *_target_of(aas_targets), unique=True)
Index("aas_targets_by_arn", aas_targets.c.arn, unique=True)

aas_policies = _per_target(
    "aas_policies",
    Column("name", String, nullable=False),
    Column("arn", String, nullable=False),
)
Index("aas_policies_by_name", *_target_of(aas_policies), aas_policies.c.name, unique=True)
Index("aas_policies_by_arn", aas_policies.c.arn, unique=True)

aas_scheduled = _per_target(
    "aas_scheduled",
    Column("name", String, nullable=False),
    Column("next_run", Float),  # epoch seconds of the next run; NULL: never again
)
Index("aas_scheduled_by_name", *_target_of(aas_scheduled), aas_scheduled.c.name, unique=True)
Index("aas_scheduled_by_next_run", aas_scheduled.c.next_run)

aas_activities = _per_target("aas_activities", Column("start_time", Float, nullable=False))
Index(
    "aas_activities_by_target",
    *_target_of(aas_activities)[:3],
    aas_activities.c.start_time,
)
