"""Scalable targets: an ECS service's desired count registered with its bounds, its
suspended state and its tags.

A target is named by (namespace, resource id, dimension), `Key` here. Only ECS services
are hosted (namespace `ecs`, dimension `ecs:service:DesiredCount`, resource id
`service/<cluster>/<service>`); the service must exist when the target is registered,
as on AWS. Deregistering a target deletes its policies (and their alarms) and its
scheduled actions.
"""

from __future__ import annotations

import secrets
from typing import Any, NamedTuple

from sqlalchemy import Insert, Table, delete, insert, select, update

from ...aws.errors import AwsError
from ...core import partitions
from ...core.unit import Unit
from ...store.schema.autoscaling import aas_targets
from ..ecs import arns as ecs_arns
from ..ecs import services as ecs_services
from ..keyset import Keyset

NAMESPACE = "ecs"
DIMENSION = "ecs:service:DesiredCount"
PRIVATE = ("_Tags",)
SUSPENDED_KEYS = (
    "DynamicScalingInSuspended",
    "DynamicScalingOutSuspended",
    "ScheduledScalingSuspended",
)


class Key(NamedTuple):
    namespace: str
    resource_id: str
    dimension: str

    def rows_of(self, table: Table, region: str) -> list[Any]:
        """The conditions that pick this target's rows in `table` (targets, policies,
        scheduled actions and activities are all keyed the same way)."""
        c = table.c
        return [
            c.region == region,
            c.namespace == self.namespace,
            c.resource_id == self.resource_id,
            c.dimension == self.dimension,
        ]

    def insert_into(self, table: Table, region: str, **values: Any) -> Insert:
        """An insert of a row of this target into `table`, with `values` besides."""
        return insert(table).values(
            region=region,
            namespace=self.namespace,
            resource_id=self.resource_id,
            dimension=self.dimension,
            **values,
        )

    def describe(self) -> str:
        return (
            f"service namespace: {self.namespace}, resource ID: {self.resource_id}, "
            f"scalable dimension: {self.dimension}"
        )


def key_of(p: dict[str, Any]) -> Key:
    return Key(p["ServiceNamespace"], p["ResourceId"], p["ScalableDimension"])


def check_key(key: Key) -> None:
    """Refuse what ecsd does not host (texts are ecsd's own unless noted)."""
    if key.namespace != NAMESPACE:
        raise AwsError(
            "ValidationException",
            f"Service namespace {key.namespace} is not supported by ecsd; only ecs is.",
        )
    if key.dimension != DIMENSION:
        raise AwsError(
            "ValidationException",
            f"Unsupported scalable dimension {key.dimension} for service namespace ecs.",
        )
    service_parts(key.resource_id)


def service_parts(resource_id: str) -> tuple[str, str]:
    """(cluster, service) of `service/<cluster>/<service>`."""
    parts = resource_id.split("/")
    if len(parts) != 3 or parts[0] != "service" or not parts[1] or not parts[2]:
        raise AwsError("ValidationException", f"Unsupported resource ID: {resource_id}")
    return parts[1], parts[2]


def service_arn(unit: Unit, resource_id: str) -> str:
    cluster, service = service_parts(resource_id)
    return ecs_arns.service_arn(ecs_arns.cluster_arn(unit, cluster), service)


def public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in PRIVATE}


def _row(unit: Unit, key: Key) -> Any:
    return unit.conn.execute(
        select(aas_targets).where(*key.rows_of(aas_targets, unit.region))
    ).first()


def get(unit: Unit, key: Key) -> dict[str, Any] | None:
    row = _row(unit, key)
    return dict(row.doc) if row is not None else None


def load(unit: Unit, key: Key) -> dict[str, Any]:
    """The target, or AWS's ObjectNotFoundException for one never registered."""
    doc = get(unit, key)
    if doc is None:
        raise AwsError(
            "ObjectNotFoundException", f"No scalable target registered for {key.describe()}"
        )
    return doc


def register(
    unit: Unit,
    key: Key,
    minimum: int | None,
    maximum: int | None,
    suspended: dict[str, Any] | None,
    role_arn: str | None,
    tags: dict[str, str] | None,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Register a target or update an existing one's given members: (new document, the
    old one or None)."""
    check_key(key)
    if not ecs_services.exists(unit, service_arn(unit, key.resource_id)):
        # AWS's text (as users report it).
        raise AwsError("ValidationException", f"ECS service doesn't exist: {key.resource_id}")
    old = get(unit, key)
    if old is None:
        if minimum is None or maximum is None:
            # ecsd's own text.
            raise AwsError(
                "ValidationException",
                "MinCapacity and MaxCapacity are required to register a new scalable target.",
            )
        doc: dict[str, Any] = {
            "ServiceNamespace": key.namespace,
            "ResourceId": key.resource_id,
            "ScalableDimension": key.dimension,
            "MinCapacity": minimum,
            "MaxCapacity": maximum,
            "RoleARN": role_arn or default_role(unit),
            "CreationTime": unit.now,
            "SuspendedState": {k: False for k in SUSPENDED_KEYS},
            "ScalableTargetARN": unit.arn(
                "application-autoscaling", f"scalable-target/0e{secrets.token_hex(16)}"
            ),
            "_Tags": dict(tags or {}),
        }
    else:
        doc = dict(old)
        if minimum is not None:
            doc["MinCapacity"] = minimum
        if maximum is not None:
            doc["MaxCapacity"] = maximum
        if tags:
            doc["_Tags"] = {**doc.get("_Tags", {}), **tags}
    if suspended:
        doc["SuspendedState"] = {
            k: bool(suspended.get(k, doc["SuspendedState"].get(k, False))) for k in SUSPENDED_KEYS
        }
    if doc["MinCapacity"] > doc["MaxCapacity"]:
        # ecsd's wording (AWS's is not documented).
        raise AwsError(
            "ValidationException", "Minimum capacity cannot be greater than maximum capacity"
        )
    if old is None:
        unit.conn.execute(
            key.insert_into(
                aas_targets,
                unit.region,
                arn=doc["ScalableTargetARN"],
                doc=doc,
            )
        )
    else:
        save(unit, doc)
    return doc, old


def default_role(unit: Unit) -> str:
    """The service-linked role AWS fills in when RegisterScalableTarget names none."""
    return partitions.global_arn(
        "iam",
        unit.region,
        unit.account,
        "role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
    )


def save(unit: Unit, doc: dict[str, Any]) -> None:
    unit.conn.execute(
        update(aas_targets).where(aas_targets.c.arn == doc["ScalableTargetARN"]).values(doc=doc)
    )


def remove(unit: Unit, key: Key) -> None:
    unit.conn.execute(delete(aas_targets).where(*key.rows_of(aas_targets, unit.region)))


def listing(
    unit: Unit, namespace: str, resource_ids: list[str] | None, dimension: str | None
) -> Keyset:
    t = aas_targets.c
    q = select(aas_targets.c.id, aas_targets.c.doc).where(
        t.region == unit.region, t.namespace == namespace
    )
    if resource_ids:
        q = q.where(t.resource_id.in_(resource_ids))
    if dimension:
        q = q.where(t.dimension == dimension)
    return Keyset(q, [t.id])


def named_listing(
    unit: Unit, table: Table, namespace: str, p: dict[str, Any], names: str
) -> Keyset:
    """The rows of `table` (policies, scheduled actions: named per target) that a
    Describe* call asks for: its namespace, and ResourceId, ScalableDimension and the
    names in `p[names]` where given; paged by id."""
    c = table.c
    q = select(c.id, c.doc).where(c.region == unit.region, c.namespace == namespace)
    if p.get("ResourceId"):
        q = q.where(c.resource_id == p["ResourceId"])
    if p.get("ScalableDimension"):
        q = q.where(c.dimension == p["ScalableDimension"])
    if p.get(names):
        q = q.where(c.name.in_(p[names]))
    return Keyset(q, [c.id])


def by_arn(unit: Unit, arn: str) -> dict[str, Any] | None:
    row = unit.conn.execute(select(aas_targets.c.doc).where(aas_targets.c.arn == arn)).first()
    return dict(row.doc) if row is not None else None


def all_targets(unit: Unit) -> list[dict[str, Any]]:
    rows = unit.conn.execute(select(aas_targets.c.doc).where(aas_targets.c.region == unit.region))
    return [dict(r.doc) for r in rows]
