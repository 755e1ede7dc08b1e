"""Tasks: RunTask, StopTask, DescribeTasks, ListTasks.

These handlers only write desired state: RunTask stores a PROVISIONING task with the
container definitions it will run (overrides applied, so the controller never needs the
task definition again), StopTask sets desiredStatus STOPPED. The task controller
(controllers/tasks.py) makes containers match and writes every later status.
"""

from __future__ import annotations

import copy
import re
import uuid
from typing import Any

from sqlalchemy import select

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...store.schema.ecs_tasks import tasks
from .. import pagination
from . import arns, clusters, tags, task_definitions
from .api import ecs

TOPIC = "tasks"  # what a task write changes, to wake the task controller
_STARTED_BY = re.compile(r"^[A-Za-z0-9_/-]{1,36}$")
ACTIVE_STATES = ("PROVISIONING", "PENDING", "ACTIVATING")


def task_arn(ctx: Context, cluster_arn: str, task_id: str) -> str:
    return ctx.arn("ecs", f"task/{arns.cluster_name(cluster_arn)}/{task_id}")


def _resolve_task(ctx: Context, cluster_arn: str, ref: str) -> str:
    if ref.startswith("arn:"):
        return ref
    return task_arn(ctx, cluster_arn, ref)


def _apply_overrides(
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


def check_network(taskdef: dict[str, Any], p: dict[str, Any]) -> dict[str, Any] | None:
    network = p.get("networkConfiguration")
    if taskdef.get("networkMode") == "awsvpc":
        vpc = (network or {}).get("awsvpcConfiguration")
        if not vpc:
            raise AwsError(
                "InvalidParameterException",
                "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
            )
        if not vpc.get("subnets"):
            raise AwsError("InvalidParameterException", "subnets can not be empty.")
    return network


def launch_type(p: dict[str, Any]) -> str:
    if p.get("launchType") and p.get("capacityProviderStrategy"):
        raise AwsError(
            "InvalidParameterException",
            "Specifying both a launch type and capacity provider strategy is not "
            "supported. Remove one and try again.",
        )
    strategy = p.get("capacityProviderStrategy")
    if strategy:
        for item in strategy:
            if item["capacityProvider"] not in clusters.FARGATE_PROVIDERS:
                raise AwsError(
                    "InvalidParameterException",
                    f"The specified capacity provider {item['capacityProvider']} was not found.",
                )
        return "FARGATE"
    launch = p.get("launchType") or "FARGATE"
    if launch != "FARGATE":
        raise AwsError(
            "InvalidParameterException",
            f"ecsd runs tasks the Fargate way; launch type {launch} is not supported. Use FARGATE.",
        )
    return launch


def new_task(
    ctx: Context,
    *,
    cluster_arn: str,
    taskdef: dict[str, Any],
    p: dict[str, Any],
    group: str,
    started_by: str | None,
    network: dict[str, Any] | None,
    launch_type: str,
    task_tags: list[dict[str, str]],
) -> dict[str, Any]:
    """Insert one PROVISIONING task and return its document (shared with services)."""
    task_id = uuid.uuid4().hex
    arn = task_arn(ctx, cluster_arn, task_id)
    overrides = p.get("overrides") or {}
    definitions = _apply_overrides(
        taskdef["containerDefinitions"], overrides.get("containerOverrides") or []
    )
    containers = []
    for d in definitions:
        c: dict[str, Any] = {
            "containerArn": ctx.arn(
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
        "createdAt": ctx.now,
        "group": group,
        "launchType": launch_type,
        "platformVersion": "1.4.0",
        "platformFamily": "Linux",
        "availabilityZone": f"{ctx.region}a",
        "attachments": attachments,
        "healthStatus": "UNKNOWN",
        "enableExecuteCommand": bool(p.get("enableExecuteCommand")),
        "ephemeralStorage": {"sizeInGiB": 20},
        "fargateEphemeralStorage": {"sizeInGiB": 20},
    }
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
    }
    ctx.conn.execute(
        tasks.insert().values(
            arn=arn,
            region=ctx.region,
            cluster_arn=cluster_arn,
            family=taskdef["family"],
            started_by=started_by,
            group=group,
            desired_status="RUNNING",
            last_status="PROVISIONING",
            created_at=ctx.now,
            doc=doc,
            runtime=runtime,
        )
    )
    if task_tags:
        tags.put(ctx, arn, task_tags)
    _changed(ctx, doc)
    return doc


@ecs.operation("RunTask", write=True)
def run_task(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    cluster = clusters.load(ctx, p.get("cluster"))
    taskdef = task_definitions.load(ctx, p["taskDefinition"])
    if taskdef["status"] != "ACTIVE":
        raise AwsError("ClientException", "TaskDefinition is inactive")
    count = p.get("count") or 1
    if not 1 <= count <= 10:
        raise AwsError("InvalidParameterException", "count must be between 1 and 10, inclusive.")
    started_by = p.get("startedBy")
    if started_by is not None and not _STARTED_BY.match(started_by):
        raise AwsError(
            "InvalidParameterException",
            "startedBy may contain up to 36 letters (uppercase and lowercase), "
            "numbers, hyphens, forward slashes and underscores.",
        )
    launch = launch_type(p)
    network = check_network(taskdef, p)
    task_tags = list(p.get("tags") or [])
    if p.get("propagateTags") == "TASK_DEFINITION":
        given = {t["key"] for t in task_tags}
        task_tags += [
            t for t in tags.get(ctx, taskdef["taskDefinitionArn"]) if t["key"] not in given
        ]
    group = p.get("group") or f"family:{taskdef['family']}"
    made = [
        new_task(
            ctx,
            cluster_arn=cluster["clusterArn"],
            taskdef=taskdef,
            p=p,
            group=group,
            started_by=started_by,
            network=network,
            launch_type=launch,
            task_tags=task_tags,
        )
        for _ in range(count)
    ]
    return {
        "tasks": [_view(ctx, d, {"TAGS"} if task_tags else set()) for d in made],
        "failures": [],
    }


def _view(ctx: Context, doc: dict[str, Any], include: set[str]) -> dict[str, Any]:
    if "TAGS" in include:
        return {**doc, "tags": tags.get(ctx, doc["taskArn"])}
    return doc


def load(ctx: Context, cluster_arn: str, ref: str) -> dict[str, Any]:
    arn = _resolve_task(ctx, cluster_arn, ref)
    row = ctx.conn.execute(select(tasks.c.doc).where(tasks.c.arn == arn)).first()
    if row is None:
        raise AwsError("InvalidParameterException", "The referenced task was not found.")
    return dict(row.doc)


def save(ctx: Context, doc: dict[str, Any], *, runtime: dict[str, Any] | None = None) -> None:
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
    ctx.conn.execute(tasks.update().where(tasks.c.arn == doc["taskArn"]).values(**values))
    _changed(ctx, doc)


def _changed(ctx: Context, doc: dict[str, Any]) -> None:
    ctx.changed.add(TOPIC)
    service = arns.service_of_task(doc["clusterArn"], doc["group"])
    if service:
        ctx.changed.add(arns.service_topic(service))


def request_stop(
    ctx: Context, doc: dict[str, Any], *, stop_code: str, reason: str, persist: bool = True
) -> bool:
    """Set desiredStatus STOPPED with the why; False if it was already on its way down
    (the first reason given is the one ECS keeps)."""
    if doc["desiredStatus"] == "STOPPED":
        return False
    doc.update(
        desiredStatus="STOPPED", stopCode=stop_code, stoppedReason=reason, stoppingAt=ctx.now
    )
    if persist:
        save(ctx, doc)
    return True


@ecs.operation("StopTask", write=True)
def stop_task(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    cluster = clusters.load(ctx, p.get("cluster"))
    doc = load(ctx, cluster["clusterArn"], p["task"])
    request_stop(
        ctx, doc, stop_code="UserInitiated", reason=p.get("reason") or "Task stopped by user"
    )
    return {"task": doc}


@ecs.operation("DescribeTasks")
def describe_tasks(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    cluster = clusters.load(ctx, p.get("cluster"))
    include = set(p.get("include") or [])
    found, failures = [], []
    if not p["tasks"]:
        raise AwsError("InvalidParameterException", "Tasks cannot be empty.")
    if len(p["tasks"]) > 100:
        raise AwsError(
            "InvalidParameterException", "The number of tasks requested cannot exceed 100."
        )
    for ref in p["tasks"]:
        arn = _resolve_task(ctx, cluster["clusterArn"], ref)
        row = ctx.conn.execute(
            select(tasks.c.doc).where(
                tasks.c.arn == arn, tasks.c.cluster_arn == cluster["clusterArn"]
            )
        ).first()
        if row is None:
            failures.append({"arn": arn, "reason": "MISSING"})
        else:
            found.append(_view(ctx, row.doc, include))
    return {"tasks": found, "failures": failures}


@ecs.operation("ListTasks")
def list_tasks(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    cluster = clusters.load(ctx, p.get("cluster"))
    desired = p.get("desiredStatus") or "RUNNING"
    if desired == "PENDING":
        desired = "RUNNING"  # ECS lists tasks ECS intends to run; PENDING ones are among them
    if p.get("launchType") not in (None, "FARGATE"):
        return {"taskArns": []}
    q = select(tasks.c.arn).where(
        tasks.c.cluster_arn == cluster["clusterArn"], tasks.c.desired_status == desired
    )
    if p.get("family"):
        q = q.where(tasks.c.family == p["family"])
    if p.get("startedBy"):
        q = q.where(tasks.c.started_by == p["startedBy"])
    if p.get("serviceName"):
        q = q.where(tasks.c.group == f"service:{p['serviceName']}")
    rows, token = pagination.keyset_page(
        ctx.conn, q.order_by(tasks.c.arn), tasks.c.arn, lambda r: r.arn, p
    )
    return pagination.result("taskArns", [r.arn for r in rows], token)


@tags.resource_type("task")
def _task_exists(ctx: Context, arn: str) -> bool:
    return ctx.conn.execute(select(tasks.c.arn).where(tasks.c.arn == arn)).first() is not None
