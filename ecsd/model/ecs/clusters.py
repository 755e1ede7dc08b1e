"""Clusters: the rows, found by name or ARN (ACTIVE unless asked), and what they hold.

A cluster row keeps the cluster as DescribeClusters shows it; counts of tasks and
services are derived when asked, never stored, so they cannot drift.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ...aws.errors import AwsError
from ...core.unit import Unit
from ...store.schema.ecs import clusters
from ...store.schema.ecs_services import services
from ...store.schema.ecs_tasks import tasks
from ..keyset import Keyset
from . import arns


def not_found() -> AwsError:
    return AwsError("ClusterNotFoundException", "Cluster not found.")


def load(unit: Unit, ref: str | None, *, active: bool = True) -> dict[str, Any]:
    """The stored cluster for a name or ARN. With `active`, an INACTIVE (deleted) cluster
    counts as missing, as it does for every ECS call that works in a cluster."""
    doc = find(unit, arns.cluster_arn(unit, ref))
    if doc is None or (active and doc["status"] != "ACTIVE"):
        raise not_found()
    return doc


def find(unit: Unit, arn: str) -> dict[str, Any] | None:
    """The stored cluster of this ARN, whatever its status, or None."""
    row = unit.conn.execute(select(clusters.c.doc).where(clusters.c.arn == arn)).first()
    return None if row is None else dict(row.doc)


def exists(unit: Unit, arn: str) -> bool:
    """Whether an ACTIVE cluster has this ARN."""
    doc = find(unit, arn)
    return doc is not None and doc["status"] == "ACTIVE"


def save(unit: Unit, doc: dict[str, Any], *, insert: bool = False) -> None:
    values = {"status": doc["status"], "doc": doc}
    if insert:
        unit.conn.execute(
            clusters.insert().values(
                arn=doc["clusterArn"], region=unit.region, name=doc["clusterName"], **values
            )
        )
    else:
        unit.conn.execute(
            clusters.update().where(clusters.c.arn == doc["clusterArn"]).values(**values)
        )


def listing(unit: Unit) -> Keyset:
    """The ACTIVE clusters of the unit's region, by ARN (a keyset, for the caller to page)."""
    q = (
        select(clusters.c.arn)
        .where(clusters.c.region == unit.region, clusters.c.status == "ACTIVE")
        .order_by(clusters.c.arn)
    )
    return Keyset(q, [clusters.c.arn])


def counts(unit: Unit, arn: str) -> dict[str, int]:
    """Tasks and services in the cluster, by state, counted from their own tables."""
    out = {
        "running": 0,
        "pending": 0,
        "active_tasks": 0,
        "active_services": 0,
        "draining_services": 0,
    }
    rows = unit.conn.execute(
        select(tasks.c.last_status, func.count())
        .where(tasks.c.cluster_arn == arn, tasks.c.last_status != "STOPPED")
        .group_by(tasks.c.last_status)
    )
    for status, n in rows:
        out["active_tasks"] += n
        if status == "RUNNING":
            out["running"] += n
        elif status in ("PROVISIONING", "PENDING", "ACTIVATING"):
            out["pending"] += n
    for status, n in unit.conn.execute(
        select(services.c.status, func.count())
        .where(services.c.cluster_arn == arn, services.c.status != "INACTIVE")
        .group_by(services.c.status)
    ):
        out["active_services" if status == "ACTIVE" else "draining_services"] += n
    return out
