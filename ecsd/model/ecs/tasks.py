"""Tasks: the rows RunTask and the scheduler create, and their state changes.

A task is written whole: its API document (`doc`, as DescribeTasks shows it) and what the
task controller needs to run it (`runtime`: the container definitions with overrides
applied, so the controller never needs the task definition again). Every insert and
update records a `TaskChanged` naming the task and, for a service's task, its service,
so that only the workers it concerns wake.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from sqlalchemy import or_, select

from ...aws.errors import AwsError
from ...core.bus import TaskChanged
from ...core.unit import Unit
from ...store.schema.ecs_tasks import tasks
from ..keyset import Keyset
from . import arns, services, tags

ACTIVE_STATES = ("PROVISIONING", "PENDING", "ACTIVATING")


def task_arn(unit: Unit, cluster_arn: str, task_id: str) -> str:
    return unit.arn("ecs", f"task/{arns.cluster_name(cluster_arn)}/{task_id}")


def resolve(unit: Unit, cluster_arn: str, ref: str) -> str:
    """The ARN for a task id or ARN, in the cluster given; an identifier that cannot be a
    task's is refused in ECS's words (as when `None` or an empty string is passed)."""
    task_id = ref
    if ref.startswith("arn:"):
        parts = arns.parse(ref)
        # task/<cluster>/<id>, or the old task/<id>.
        if parts is None or parts[2] != "task" or parts[3].count("/") > 1:
            raise AwsError(
                "InvalidParameterException", "Invalid identifier: Unexpected number of separators"
            )
        task_id = parts[3].rsplit("/", 1)[-1]
    elif "/" in ref or ":" in ref:
        raise AwsError(
            "InvalidParameterException", "Invalid identifier: Unexpected number of separators"
        )
    if len(task_id) not in (32, 36):
        raise AwsError("InvalidParameterException", "taskId length should be one of [32,36]")
    return ref if ref.startswith("arn:") else task_arn(unit, cluster_arn, ref)


def apply_overrides(
    definitions: list[dict[str, Any]], overrides: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    by_name = {o["name"]: o for o in overrides if o.get("name")}
    unknown = set(by_name) - {d["name"] for d in definitions}
    if unknown:
        raise AwsError(
            "InvalidParameterException",
            f"Override for container named {sorted(unknown)[0]} is not a "
            "container in the TaskDefinition.",
        )
    out = []
    for d in definitions:
        d = copy.deepcopy(d)
        o = by_name.get(d["name"], {})
        for key in ("command", "cpu", "memory", "memoryReservation", "resourceRequirements"):
            if o.get(key) is not None:
                d[key] = o[key]
        if o.get("environment"):
            env = {e["name"]: e.get("value", "") for e in d.get("environment", [])}
            env.update({e["name"]: e.get("value", "") for e in o["environment"]})
            d["environment"] = [{"name": k, "value": v} for k, v in env.items()]
        if o.get("environmentFiles"):
            d["environmentFiles"] = d.get("environmentFiles", []) + o["environmentFiles"]
        out.append(d)
    return out


def new_task(
    unit: Unit,
    *,
    cluster_arn: str,
    taskdef: dict[str, Any],
    p: dict[str, Any],
    group: str,
    started_by: str | None,
    network: dict[str, Any] | None,
    launch_type: str,
    task_tags: list[dict[str, str]],
    capacity_provider: str | None = None,
) -> dict[str, Any]:
    """Insert one PROVISIONING task and return its document (shared with services)."""
    task_id = uuid.uuid4().hex
    arn = task_arn(unit, cluster_arn, task_id)
    overrides = p.get("overrides") or {}
    definitions = apply_overrides(
        taskdef["containerDefinitions"], overrides.get("containerOverrides") or []
    )
    containers = []
    for d in definitions:
        c: dict[str, Any] = {
            "containerArn": unit.arn(
                "ecs", f"container/{arns.cluster_name(cluster_arn)}/{task_id}/{uuid.uuid4()}"
            ),
            "taskArn": arn,
            "name": d["name"],
            "image": d["image"],
            "lastStatus": "PENDING",
            "networkBindings": [],
            "networkInterfaces": [],
            "healthStatus": "UNKNOWN",
            "cpu": str(d.get("cpu", 0)),
        }
        if d.get("memory") is not None:
            c["memory"] = str(d["memory"])
        if d.get("memoryReservation") is not None:
            c["memoryReservation"] = str(d["memoryReservation"])
        containers.append(c)
    # ECS shows an override entry for every container, with what was overridden.
    given = {o["name"]: o for o in overrides.get("containerOverrides") or [] if o.get("name")}
    shown_overrides: dict[str, Any] = {
        "containerOverrides": [
            {**given.get(d["name"], {}), "name": d["name"]} for d in taskdef["containerDefinitions"]
        ],
        "inferenceAcceleratorOverrides": [],
    }
    for key in ("cpu", "memory", "taskRoleArn", "executionRoleArn", "ephemeralStorage"):
        if overrides.get(key) is not None:
            shown_overrides[key] = overrides[key]
    attachments = []
    if taskdef.get("networkMode") == "awsvpc":
        vpc = (network or {}).get("awsvpcConfiguration", {})
        attachments.append(
            {
                "id": str(uuid.uuid4()),
                "type": "ElasticNetworkInterface",
                "status": "PRECREATED",
                "details": [{"name": "subnetId", "value": vpc.get("subnets", [""])[0]}],
            }
        )
    doc: dict[str, Any] = {
        "taskArn": arn,
        "clusterArn": cluster_arn,
        "taskDefinitionArn": taskdef["taskDefinitionArn"],
        "overrides": shown_overrides,
        "lastStatus": "PROVISIONING",
        "desiredStatus": "RUNNING",
        "cpu": overrides.get("cpu") or taskdef.get("cpu"),
        "memory": overrides.get("memory") or taskdef.get("memory"),
        "containers": containers,
        "version": 1,
        "connectivity": None,
        "createdAt": unit.now,
        "group": group,
        "launchType": launch_type,
        "platformVersion": "1.4.0",
        "platformFamily": "Linux",
        "availabilityZone": f"{unit.region}a",
        "attachments": attachments,
        "healthStatus": "UNKNOWN",
        "enableExecuteCommand": bool(p.get("enableExecuteCommand")),
        "ephemeralStorage": {"sizeInGiB": 20},
        "fargateEphemeralStorage": {"sizeInGiB": 20},
    }
    if capacity_provider:
        doc["capacityProviderName"] = capacity_provider
    if started_by:
        doc["startedBy"] = started_by
    runtime = {
        "containers": definitions,
        "networkMode": taskdef.get("networkMode"),
        "family": taskdef["family"],
        "revision": taskdef["revision"],
        "volumes": taskdef.get("volumes", []),
        "executionRoleArn": overrides.get("executionRoleArn") or taskdef.get("executionRoleArn"),
        "taskRoleArn": overrides.get("taskRoleArn") or taskdef.get("taskRoleArn"),
        # The ENI's security groups (EC2's DescribeNetworkInterfaces shows them).
        "securityGroups": list(
            ((network or {}).get("awsvpcConfiguration") or {}).get("securityGroups") or []
        ),
    }
    unit.conn.execute(
        tasks.insert().values(
            arn=arn,
            region=unit.region,
            cluster_arn=cluster_arn,
            family=taskdef["family"],
            started_by=started_by,
            group=group,
            desired_status="RUNNING",
            last_status="PROVISIONING",
            created_at=unit.now,
            doc=doc,
            runtime=runtime,
        )
    )
    if task_tags:
        tags.put(unit, arn, task_tags)
    changed(unit, doc)
    return doc


def load(unit: Unit, cluster_arn: str, ref: str) -> dict[str, Any]:
    arn = resolve(unit, cluster_arn, ref)
    row = unit.conn.execute(select(tasks.c.doc).where(tasks.c.arn == arn)).first()
    if row is None:
        raise AwsError("InvalidParameterException", "The referenced task was not found.")
    return dict(row.doc)


def save(unit: Unit, doc: dict[str, Any], *, runtime: dict[str, Any] | None = None) -> None:
    """Write a changed task document back, bumping its version as ECS does."""
    doc["version"] = doc.get("version", 0) + 1
    values: dict[str, Any] = {
        "desired_status": doc["desiredStatus"],
        "last_status": doc["lastStatus"],
        "stopped_at": doc.get("stoppedAt"),
        "doc": doc,
    }
    if runtime is not None:
        values["runtime"] = runtime
    unit.conn.execute(tasks.update().where(tasks.c.arn == doc["taskArn"]).values(**values))
    changed(unit, doc)


def changed(unit: Unit, doc: dict[str, Any]) -> None:
    """Record that the task changed (its service, if any, is named so its worker wakes)."""
    service = arns.service_of_task(doc["clusterArn"], doc["group"])
    unit.record(TaskChanged(doc["taskArn"], service))


def request_stop(
    unit: Unit, doc: dict[str, Any], *, stop_code: str, reason: str, persist: bool = True
) -> bool:
    """Set desiredStatus STOPPED with the why; False if it was already on its way down
    (the first reason given is the one ECS keeps)."""
    if doc["desiredStatus"] == "STOPPED":
        return False
    doc.update(
        desiredStatus="STOPPED", stopCode=stop_code, stoppedReason=reason, stoppingAt=unit.now
    )
    if persist:
        save(unit, doc)
    return True


def find(unit: Unit, cluster_arn: str, arn: str) -> dict[str, Any] | None:
    """The task of this ARN in this cluster, or None."""
    row = unit.conn.execute(
        select(tasks.c.doc).where(tasks.c.arn == arn, tasks.c.cluster_arn == cluster_arn)
    ).first()
    return None if row is None else dict(row.doc)


def listing(
    unit: Unit,
    cluster_arn: str,
    *,
    desired_status: str,
    family: str | None = None,
    started_by: str | None = None,
    service_name: str | None = None,
) -> Keyset:
    """The ARNs of the cluster's tasks with this desired status (and family, startedBy,
    service), by ARN: a keyset, for the caller to page."""
    q = select(tasks.c.arn).where(
        tasks.c.cluster_arn == cluster_arn, tasks.c.desired_status == desired_status
    )
    if family:
        q = q.where(tasks.c.family == family)
    if started_by:
        q = q.where(tasks.c.started_by == started_by)
    if service_name:
        q = q.where(tasks.c.group == services.group(service_name))
    return Keyset(q.order_by(tasks.c.arn), [tasks.c.arn])


def of_service(
    unit: Unit, service: dict[str, Any], *, stopped_since: float
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(doc, runtime) of the service's tasks not yet STOPPED, and of those that stopped
    at or after `stopped_since`; tasks of an older service of the same name (created
    before this one) are not its own."""
    rows = unit.conn.execute(
        select(tasks.c.doc, tasks.c.runtime).where(
            tasks.c.cluster_arn == service["clusterArn"],
            tasks.c.group == services.group(service["serviceName"]),
            tasks.c.created_at >= service["createdAt"],
            or_(tasks.c.last_status != "STOPPED", tasks.c.stopped_at >= stopped_since),
        )
    )
    return [(dict(r.doc), dict(r.runtime)) for r in rows]


def exists(unit: Unit, arn: str) -> bool:
    return unit.conn.execute(select(tasks.c.arn).where(tasks.c.arn == arn)).first() is not None


def purge_stopped(unit: Unit, before: float) -> int:
    """Forget tasks that have been STOPPED since before `before` (epoch seconds), with
    their tags, as ECS forgets stopped tasks after a while; how many were purged."""
    old = [
        r.arn
        for r in unit.conn.execute(
            select(tasks.c.arn).where(tasks.c.last_status == "STOPPED", tasks.c.stopped_at < before)
        )
    ]
    if old:
        tags.clear(unit, *old)
        unit.conn.execute(tasks.delete().where(tasks.c.arn.in_(old)))
    return len(old)


def running_in_services(unit: Unit) -> list[dict[str, Any]]:
    """Every RUNNING task of a service, in every region, as the metrics collector needs it:
    {arn, region, clusterName, serviceName, cpu (units), memory (MiB), containers (engine
    ids)}; cpu or memory is None where the task has no reservation to measure against."""
    rows = unit.conn.execute(
        select(tasks.c.arn, tasks.c.region, tasks.c.group, tasks.c.doc).where(
            tasks.c.last_status == "RUNNING", tasks.c.group.startswith(services.group(""))
        )
    )
    out = []
    for r in rows:
        containers = r.doc.get("containers") or []
        out.append(
            {
                "arn": r.arn,
                "region": r.region,
                "clusterName": arns.cluster_name(r.doc["clusterArn"]),
                "serviceName": r.group[len(services.group("")) :],
                "cpu": _units(r.doc.get("cpu")),
                "memory": _units(r.doc.get("memory")),
                "containers": [c["runtimeId"] for c in containers if c.get("runtimeId")],
            }
        )
    return out


def _units(text: Any) -> float | None:
    """A task-level size (CPU units or MiB, a string as ECS keeps it) as a number."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None
