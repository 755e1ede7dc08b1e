"""Scaling activities: what DescribeScalingActivities answers, one row per change a
policy, a scheduled action or a new bound made to a target, kept six weeks as on AWS."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select

from ...core.unit import Unit
from ...store.schema.autoscaling import aas_activities
from ..keyset import Keyset
from .targets import Key

RETENTION = 42 * 24 * 3600.0  # AWS: "scaling activities from the last six weeks"


def desired_count(unit: Unit, key: Key, count: int, cause: str) -> dict[str, Any]:
    """A change of an ECS service's desired count, in AWS's words."""
    return record(
        unit,
        key,
        f"Setting desired count to {count}.",
        cause,
        f"Successfully set desired count to {count}. Change successfully fulfilled by ecs.",
    )


def record(
    unit: Unit, key: Key, description: str, cause: str, message: str, code: str = "Successful"
) -> dict[str, Any]:
    doc = {
        "ActivityId": str(uuid.uuid4()),
        "ServiceNamespace": key.namespace,
        "ResourceId": key.resource_id,
        "ScalableDimension": key.dimension,
        "Description": description,
        "Cause": cause,
        "StartTime": unit.now,
        "EndTime": unit.now,
        "StatusCode": code,
        "StatusMessage": message,
    }
    unit.conn.execute(
        key.insert_into(
            aas_activities,
            unit.region,
            start_time=unit.now,
            doc=doc,
        )
    )
    return doc


def listing(unit: Unit, namespace: str, resource_id: str | None, dimension: str | None) -> Keyset:
    """Newest first (the caller pages descending by start time and id)."""
    c = aas_activities.c
    q = select(c.start_time, c.id, c.doc).where(
        c.region == unit.region, c.namespace == namespace, c.start_time >= unit.now - RETENTION
    )
    if resource_id:
        q = q.where(c.resource_id == resource_id)
    if dimension:
        q = q.where(c.dimension == dimension)
    return Keyset(q, [c.start_time, c.id])


def sweep(unit: Unit) -> int:
    gone = unit.conn.execute(
        delete(aas_activities).where(aas_activities.c.start_time < unit.now - RETENTION)
    ).rowcount
    return int(gone or 0)


def forget(unit: Unit, key: Key) -> None:
    unit.conn.execute(delete(aas_activities).where(*key.rows_of(aas_activities, unit.region)))
