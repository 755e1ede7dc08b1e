"""Services: the rows CreateService writes, their deployments, and the transitions both
the API and the scheduler make (a new deployment, a new desired count).

A service is stored as its API document (with deployments[]) and the scheduler's state
(scheduler_state.SchedulerState), side by side, so that one transaction changes both.
Every write records a `ServiceChanged`. runningCount and pendingCount are never stored:
`task_counts` counts them from the tasks table whenever a service is described.
"""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import func, select

from ...aws.errors import AwsError
from ...core.bus import ServiceChanged
from ...core.unit import Unit
from ...store.schema.ecs_services import services
from ...store.schema.ecs_tasks import tasks as task_rows
from ..keyset import Keyset
from . import arns, service_deployments, tags
from .scheduler_state import SchedulerState

PENDING_STATES = ("PROVISIONING", "PENDING", "ACTIVATING")


def group(name: str) -> str:
    """The task group of a service's tasks, as ECS names it."""
    return f"service:{name}"


def new_deployment_id() -> str:
    return "ecs-svc/" + "".join(random.choices("0123456789", k=19))


def resolve(cluster_arn: str, ref: str) -> str:
    if ref.startswith("arn:"):
        parts = arns.parse(ref)
        if parts is None or parts[2] != "service":
            raise AwsError("InvalidParameterException", f"Invalid service identifier: {ref}")
        # Both the old (service/<name>) and the new (service/<cluster>/<name>) forms.
        return arns.service_arn(cluster_arn, parts[3].rsplit("/", 1)[-1])
    return arns.service_arn(cluster_arn, ref)


def load(unit: Unit, cluster_arn: str, ref: str) -> tuple[dict[str, Any], SchedulerState]:
    """The service's document and its scheduler state, or ServiceNotFoundException."""
    found = find(unit, resolve(cluster_arn, ref))
    if found is None:
        raise AwsError("ServiceNotFoundException", "Service not found.")
    return found


def find(unit: Unit, arn: str) -> tuple[dict[str, Any], SchedulerState] | None:
    """The service with this ARN (any status) and its scheduler state, or None."""
    row = unit.conn.execute(
        select(services.c.doc, services.c.scheduler).where(services.c.arn == arn)
    ).first()
    if row is None:
        return None
    return dict(row.doc), SchedulerState.from_json(row.scheduler)


def docs(unit: Unit, arns_: list[str]) -> dict[str, dict[str, Any]]:
    """{ARN: document} of those of these services that exist (any status)."""
    q = select(services.c.arn, services.c.doc).where(services.c.arn.in_(set(arns_)))
    return {r.arn: dict(r.doc) for r in unit.conn.execute(q)}


def listing(
    unit: Unit,
    cluster_arn: str,
    *,
    launch_type: str | None = None,
    scheduling_strategy: str | None = None,
) -> Keyset:
    """The ARNs of the cluster's ACTIVE services, by ARN: a keyset, for the caller to page."""
    q = select(services.c.arn).where(
        services.c.cluster_arn == cluster_arn, services.c.status == "ACTIVE"
    )
    if launch_type:
        q = q.where(services.c.launch_type == launch_type)
    if scheduling_strategy:
        q = q.where(services.c.scheduling_strategy == scheduling_strategy)
    return Keyset(q.order_by(services.c.arn), [services.c.arn])


def status(unit: Unit, arn: str) -> str | None:
    row = unit.conn.execute(select(services.c.status).where(services.c.arn == arn)).first()
    return None if row is None else str(row.status)


def scheduled(unit: Unit) -> list[str]:
    """The ARNs of the services the scheduler keeps (ACTIVE, and DRAINING ones until
    their tasks have stopped), in every region."""
    q = select(services.c.arn).where(services.c.status.in_(("ACTIVE", "DRAINING")))
    return [r.arn for r in unit.conn.execute(q)]


def save(
    unit: Unit,
    doc: dict[str, Any],
    scheduler: SchedulerState | None = None,
    *,
    insert: bool = False,
) -> None:
    values: dict[str, Any] = {"status": doc["status"], "doc": doc}
    if scheduler is not None:
        values["scheduler"] = scheduler.to_json()
    if insert:
        # An INACTIVE service of the same name is replaced whole: row and tags.
        unit.conn.execute(services.delete().where(services.c.arn == doc["serviceArn"]))
        tags.clear(unit, doc["serviceArn"])
        unit.conn.execute(
            services.insert().values(
                arn=doc["serviceArn"],
                region=unit.region,
                cluster_arn=doc["clusterArn"],
                name=doc["serviceName"],
                launch_type=doc.get("launchType") or "FARGATE",
                scheduling_strategy=doc["schedulingStrategy"],
                created_at=doc["createdAt"],
                **{"scheduler": SchedulerState().to_json(), **values},
            )
        )
    else:
        unit.conn.execute(
            services.update().where(services.c.arn == doc["serviceArn"]).values(**values)
        )
    # The service deployments' history follows deployments[] (service_deployments.py).
    service_deployments.record(unit, doc, scheduler)
    unit.record(ServiceChanged(doc["serviceArn"]))


def task_counts(unit: Unit, docs: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """{deployment id: {"running": n, "pending": n}} for the tasks of these services (of
    one cluster) that ECS still means to run: RUNNING ones, and ones on their way up.
    Deployment ids are unique, so a task of an older service of the same name is never
    counted for a newer one. One query however many services are described."""
    if not docs:
        return {}
    rows = unit.conn.execute(
        select(task_rows.c.started_by, task_rows.c.last_status, func.count())
        .where(
            task_rows.c.cluster_arn == docs[0]["clusterArn"],
            task_rows.c.group.in_({group(d["serviceName"]) for d in docs}),
            task_rows.c.last_status != "STOPPED",
            task_rows.c.desired_status == "RUNNING",
        )
        .group_by(task_rows.c.started_by, task_rows.c.last_status)
    )
    out: dict[str, dict[str, int]] = {}
    for started_by, status, n in rows:
        counts = out.setdefault(started_by or "", {"running": 0, "pending": 0})
        if status == "RUNNING":
            counts["running"] += n
        elif status in PENDING_STATES:
            counts["pending"] += n
    return out


def deployment(unit: Unit, service: dict[str, Any], taskdef_arn: str) -> dict[str, Any]:
    """A new PRIMARY deployment of `taskdef_arn` with the service's current settings."""
    dep_id = new_deployment_id()
    out: dict[str, Any] = {
        "id": dep_id,
        "status": "PRIMARY",
        "taskDefinition": taskdef_arn,
        "desiredCount": service["desiredCount"],
        "pendingCount": 0,
        "runningCount": 0,
        "failedTasks": 0,
        "createdAt": unit.now,
        "updatedAt": unit.now,
        # LATEST resolves to the current Fargate platform, as a deployment shows it.
        "platformVersion": (
            "1.4.0"
            if service.get("platformVersion", "LATEST") == "LATEST"
            else service["platformVersion"]
        ),
        "platformFamily": "Linux",
        "rolloutState": "IN_PROGRESS",
        "rolloutStateReason": f"ECS deployment {dep_id} in progress.",
    }
    if service.get("capacityProviderStrategy"):
        out["capacityProviderStrategy"] = service["capacityProviderStrategy"]
    else:
        out["launchType"] = service.get("launchType", "FARGATE")
    if service.get("networkConfiguration"):
        out["networkConfiguration"] = service["networkConfiguration"]
    return out


def new_deployment(
    unit: Unit, doc: dict[str, Any], scheduler: SchedulerState, taskdef_arn: str
) -> dict[str, Any]:
    """Start a new PRIMARY deployment of `taskdef_arn` (UpdateService, or a circuit-breaker
    rollback): the old primary becomes ACTIVE, and the scheduler starts with a clean slate
    — no backoff and no run of failures carried over from the last deployment."""
    for d in doc["deployments"]:
        if d["status"] == "PRIMARY":
            d.update(status="ACTIVE", updatedAt=unit.now)
    new = deployment(unit, doc, taskdef_arn)
    doc["deployments"].insert(0, new)
    doc["taskDefinition"] = taskdef_arn
    scheduler.new_deployment()
    return new


def rescale(unit: Unit, doc: dict[str, Any], scheduler: SchedulerState) -> None:
    """The primary deployment follows the service's desiredCount; a new count means the
    service is not steady until the scheduler says so again."""
    primary = doc["deployments"][0]
    if primary["desiredCount"] != doc["desiredCount"]:
        primary.update(desiredCount=doc["desiredCount"], updatedAt=unit.now)
        scheduler.rescaled()


def exists(unit: Unit, arn: str) -> bool:
    """Whether a service of this ARN exists (an INACTIVE one is gone)."""
    return status(unit, arn) not in (None, "INACTIVE")
