"""Clusters as the rest of ECS finds them: by name or ARN, ACTIVE unless asked."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ...aws.errors import AwsError
from ...core.unit import Unit
from ...store.schema.ecs import clusters
from . import arns


def not_found() -> AwsError:
    return AwsError("ClusterNotFoundException", "Cluster not found.")


def load(unit: Unit, ref: str | None, *, active: bool = True) -> dict[str, Any]:
    """The stored cluster for a name or ARN. With `active`, an INACTIVE (deleted) cluster
    counts as missing, as it does for every ECS call that works in a cluster."""
    arn = arns.cluster_arn(unit, ref)
    row = unit.conn.execute(select(clusters.c.doc).where(clusters.c.arn == arn)).first()
    if row is None or (active and row.doc["status"] != "ACTIVE"):
        raise not_found()
    return dict(row.doc)
