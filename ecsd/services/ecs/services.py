"""Services: CreateService, UpdateService, DeleteService, DescribeServices, ListServices.

Like RunTask, these only write desired state: the service with its deployments[]. The
service scheduler (controllers/services.py) starts and stops tasks to match, and writes
every deployment's rolloutState and the service's events. runningCount and pendingCount
are counted from the tasks table whenever a service is described, so they are right at
every moment and can never drift from the tasks DescribeTasks shows.
"""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import func, select

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...store.schema.ecs_services import services
from ...store.schema.ecs_tasks import tasks as task_rows
from .. import pagination
from . import arns, clusters, tags, task_definitions
from . import tasks as task_api
from .api import ecs

TOPIC = "services"  # what a service write changes, to wake the service scheduler
PENDING_STATES = ("PROVISIONING", "PENDING", "ACTIVATING")
DEFAULT_DEPLOYMENT_CONFIGURATION: dict[str, Any] = {
    "deploymentCircuitBreaker": {"enable": False, "rollback": False},
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
}


def group(name: str) -> str:
    """The task group of a service's tasks, as ECS names it."""
    return f"service:{name}"


def new_deployment_id() -> str:
    return "ecs-svc/" + "".join(random.choices("0123456789", k=19))


def _resolve(cluster_arn: str, ref: str) -> str:
    if ref.startswith("arn:"):
        parts = arns.parse(ref)
        if parts is None or parts[2] != "service":
            raise AwsError("InvalidParameterException", f"Invalid service identifier: {ref}")
        # Both the old (service/<name>) and the new (service/<cluster>/<name>) forms.
        return arns.service_arn(cluster_arn, parts[3].rsplit("/", 1)[-1])
    return arns.service_arn(cluster_arn, ref)


def load(ctx: Context, cluster_arn: str, ref: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The service's document and its scheduler state, or ServiceNotFoundException."""
    row = ctx.conn.execute(
        select(services.c.doc, services.c.scheduler).where(
            services.c.arn == _resolve(cluster_arn, ref)
        )
    ).first()
    if row is None:
        raise AwsError("ServiceNotFoundException", "Service not found.")
    return dict(row.doc), dict(row.scheduler)


def save(
    ctx: Context,
    doc: dict[str, Any],
    scheduler: dict[str, Any] | None = None,
    *,
    insert: bool = False,
) -> None:
    values: dict[str, Any] = {"status": doc["status"], "doc": doc}
    if scheduler is not None:
        values["scheduler"] = scheduler
    if insert:
        # An INACTIVE service of the same name is replaced whole: row and tags.
        ctx.conn.execute(services.delete().where(services.c.arn == doc["serviceArn"]))
        tags.clear(ctx, doc["serviceArn"])
        ctx.conn.execute(
            services.insert().values(
                arn=doc["serviceArn"],
                region=ctx.region,
                cluster_arn=doc["clusterArn"],
                name=doc["serviceName"],
                launch_type=doc.get("launchType") or "FARGATE",
                scheduling_strategy=doc["schedulingStrategy"],
                created_at=doc["createdAt"],
                scheduler=scheduler or {},
                **{k: v for k, v in values.items() if k != "scheduler"},
            )
        )
    else:
        ctx.conn.execute(
            services.update().where(services.c.arn == doc["serviceArn"]).values(**values)
        )
    ctx.changed.update({TOPIC, arns.service_topic(doc["serviceArn"])})


def task_counts(ctx: Context, docs: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """{deployment id: {"running": n, "pending": n}} for the tasks of these services (of
    one cluster) that ECS still means to run: RUNNING ones, and ones on their way up.
    Deployment ids are unique, so a task of an older service of the same name is never
    counted for a newer one. One query however many services are described."""
    if not docs:
        return {}
    rows = ctx.conn.execute(
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


def views(
    ctx: Context,
    docs: list[dict[str, Any]],
    include: set[str] = frozenset(),  # type: ignore[assignment]
) -> list[dict[str, Any]]:
    """Services (of one cluster) as DescribeServices shows them, with their counts as
    they are now."""
    counts = task_counts(ctx, docs)
    none = {"running": 0, "pending": 0}
    out = []
    for doc in docs:
        view = dict(doc)
        view["deployments"] = [
            {
                **d,
                "runningCount": counts.get(d["id"], none)["running"],
                "pendingCount": counts.get(d["id"], none)["pending"],
            }
            for d in doc["deployments"]
        ]
        view["runningCount"] = sum(d["runningCount"] for d in view["deployments"])
        view["pendingCount"] = sum(d["pendingCount"] for d in view["deployments"])
        if "TAGS" in include:
            view["tags"] = tags.get(ctx, doc["serviceArn"])
        out.append(view)
    return out


def view(ctx: Context, doc: dict[str, Any]) -> dict[str, Any]:
    return views(ctx, [doc])[0]


# -- validation ----------------------------------------------------------------------------
def _deployment_configuration(
    given: dict[str, Any] | None, current: dict[str, Any] | None = None
) -> dict[str, Any]:
    config = {**(current or DEFAULT_DEPLOYMENT_CONFIGURATION)}
    config["deploymentCircuitBreaker"] = dict(config["deploymentCircuitBreaker"])
    for key, value in (given or {}).items():
        if value is None:
            continue
        if key == "deploymentCircuitBreaker":
            config[key] = {
                "enable": bool(value.get("enable")),
                "rollback": bool(value.get("rollback")),
            }
            if value.get("resetOnHealthyTask") is not None:
                config[key]["resetOnHealthyTask"] = bool(value["resetOnHealthyTask"])
        else:
            config[key] = value
    maximum, minimum = config["maximumPercent"], config["minimumHealthyPercent"]
    if maximum < 100:
        raise AwsError(
            "InvalidParameterException", "Maximum percent must be greater than or equal to 100."
        )
    if not 0 <= minimum <= 100:
        raise AwsError(
            "InvalidParameterException", "Minimum healthy percent must be between 0 and 100."
        )
    return config


def _desired(p: dict[str, Any]) -> int | None:
    desired = p.get("desiredCount")
    if desired is not None and desired < 0:
        raise AwsError("InvalidParameterException", "Desired count must be >= 0.")
    return desired


def _taskdef(ctx: Context, ref: str) -> dict[str, Any]:
    taskdef = task_definitions.load(ctx, ref)
    if taskdef["status"] != "ACTIVE":
        raise AwsError("ClientException", "TaskDefinition is inactive")
    return taskdef


def _grace(p: dict[str, Any]) -> int | None:
    grace = p.get("healthCheckGracePeriodSeconds")
    if grace is not None and not 0 <= grace <= 2147483647:
        raise AwsError(
            "InvalidParameterException",
            "healthCheckGracePeriodSeconds must be between 0 and 2147483647.",
        )
    return grace


def deployment(ctx: Context, service: dict[str, Any], taskdef_arn: str) -> dict[str, Any]:
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
        "createdAt": ctx.now,
        "updatedAt": ctx.now,
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


def roll(
    ctx: Context, doc: dict[str, Any], scheduler: dict[str, Any], taskdef_arn: str
) -> dict[str, Any]:
    """Start a new PRIMARY deployment of `taskdef_arn` (UpdateService, or a circuit-breaker
    rollback): the old primary becomes ACTIVE, and the scheduler starts with a clean slate
    — no backoff and no run of failures carried over from the last deployment."""
    for d in doc["deployments"]:
        if d["status"] == "PRIMARY":
            d.update(status="ACTIVE", updatedAt=ctx.now)
    new = deployment(ctx, doc, taskdef_arn)
    doc["deployments"].insert(0, new)
    doc["taskDefinition"] = taskdef_arn
    for key in ("failures", "retry_at", "steady"):
        scheduler.pop(key, None)
    return new


# -- operations ----------------------------------------------------------------------------
@ecs.operation("CreateService", write=True)
def create_service(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    cluster = clusters.load(ctx, p.get("cluster"))
    name = p["serviceName"]
    if not arns.NAME.match(name):
        raise AwsError(
            "InvalidParameterException",
            "Service name can have up to 255 characters. Valid characters are "
            "letters (uppercase and lowercase), numbers, hyphens, and "
            "underscores.",
        )
    controller = (p.get("deploymentController") or {}).get("type", "ECS")
    if controller != "ECS":
        raise AwsError(
            "InvalidParameterException",
            f"ecsd runs the ECS rolling-update deployment controller only; "
            f"{controller} is not supported.",
        )
    if not p.get("taskDefinition"):
        raise AwsError(
            "InvalidParameterException",
            "TaskDefinition must be specified for the ECS deployment controller.",
        )
    strategy = p.get("schedulingStrategy") or "REPLICA"
    launch = task_api.launch_type(p)
    if strategy == "DAEMON":
        raise AwsError(
            "InvalidParameterException",
            "The daemon scheduling strategy is not supported with the FARGATE launch type.",
        )
    desired = _desired(p)
    taskdef = _taskdef(ctx, p["taskDefinition"])
    network = task_api.check_network(taskdef, p)
    config = _deployment_configuration(p.get("deploymentConfiguration"))
    grace = _grace(p)
    arn = arns.service_arn(cluster["clusterArn"], name)
    existing = ctx.conn.execute(select(services.c.status).where(services.c.arn == arn)).first()
    if existing is not None and existing.status != "INACTIVE":
        raise AwsError("InvalidParameterException", "Creation of service was not idempotent.")
    doc: dict[str, Any] = {
        "serviceArn": arn,
        "serviceName": name,
        "clusterArn": cluster["clusterArn"],
        "loadBalancers": p.get("loadBalancers") or [],
        "serviceRegistries": p.get("serviceRegistries") or [],
        "status": "ACTIVE",
        "desiredCount": desired or 0,
        "platformFamily": "Linux",
        "taskDefinition": taskdef["taskDefinitionArn"],
        "deploymentConfiguration": config,
        "events": [],
        "createdAt": ctx.now,
        "placementConstraints": p.get("placementConstraints") or [],
        "placementStrategy": p.get("placementStrategy") or [],
        "schedulingStrategy": strategy,
        "deploymentController": {"type": "ECS"},
        "createdBy": ctx.principal,
        "enableECSManagedTags": bool(p.get("enableECSManagedTags")),
        "propagateTags": p.get("propagateTags") or "NONE",
        "enableExecuteCommand": bool(p.get("enableExecuteCommand")),
        "availabilityZoneRebalancing": p.get("availabilityZoneRebalancing") or "ENABLED",
    }
    if p.get("capacityProviderStrategy"):
        doc["capacityProviderStrategy"] = p["capacityProviderStrategy"]
    else:
        doc["launchType"] = launch
    doc["platformVersion"] = p.get("platformVersion") or "LATEST"
    if network:
        doc["networkConfiguration"] = network
    if grace is not None or doc["loadBalancers"]:
        doc["healthCheckGracePeriodSeconds"] = grace or 0
    if p.get("role"):
        doc["roleArn"] = p["role"]
    doc["deployments"] = [deployment(ctx, doc, taskdef["taskDefinitionArn"])]
    save(ctx, doc, {}, insert=True)
    tags.put(ctx, arn, p.get("tags") or [])
    return {"service": view(ctx, doc)}


def _named(ctx: Context, p: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The service a request names (in its cluster) and its scheduler state."""
    cluster = clusters.load(ctx, p.get("cluster"))
    return load(ctx, cluster["clusterArn"], p["service"])


@ecs.operation("UpdateService", write=True)
def update_service(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    doc, scheduler = _named(ctx, p)
    if doc["status"] != "ACTIVE":
        raise AwsError("ServiceNotActiveException", "Service was not ACTIVE.")
    desired = _desired(p)
    grace = _grace(p)
    changed = bool(p.get("forceNewDeployment"))
    taskdef_arn = doc["taskDefinition"]
    if p.get("taskDefinition"):
        taskdef = _taskdef(ctx, p["taskDefinition"])
        changed |= taskdef["taskDefinitionArn"] != taskdef_arn
        taskdef_arn = taskdef["taskDefinitionArn"]
    else:
        taskdef = task_definitions.load(ctx, taskdef_arn)
    if p.get("capacityProviderStrategy") is not None:
        task_api.launch_type({"capacityProviderStrategy": p["capacityProviderStrategy"]})
        changed |= p["capacityProviderStrategy"] != doc.get("capacityProviderStrategy")
        doc.pop("launchType", None)
        doc["capacityProviderStrategy"] = p["capacityProviderStrategy"]
    if p.get("networkConfiguration") is not None:
        network = task_api.check_network(taskdef, p)
        changed |= network != doc.get("networkConfiguration")
        doc["networkConfiguration"] = network
    elif p.get("taskDefinition"):
        task_api.check_network(taskdef, {"networkConfiguration": doc.get("networkConfiguration")})
    if p.get("platformVersion") and p["platformVersion"] != doc.get("platformVersion"):
        doc["platformVersion"] = p["platformVersion"]
        changed = True
    if p.get("loadBalancers") is not None and p["loadBalancers"] != doc["loadBalancers"]:
        doc["loadBalancers"] = p["loadBalancers"]
        changed = True
    doc["deploymentConfiguration"] = _deployment_configuration(
        p.get("deploymentConfiguration"), doc["deploymentConfiguration"]
    )
    if desired is not None:
        doc["desiredCount"] = desired
    if grace is not None:
        doc["healthCheckGracePeriodSeconds"] = grace
    for key in ("enableExecuteCommand", "enableECSManagedTags"):
        if p.get(key) is not None:
            doc[key] = bool(p[key])
    if p.get("propagateTags") is not None:
        doc["propagateTags"] = p["propagateTags"]
    if changed:
        roll(ctx, doc, scheduler, taskdef_arn)
    primary = doc["deployments"][0]
    if primary["desiredCount"] != doc["desiredCount"]:
        primary.update(desiredCount=doc["desiredCount"], updatedAt=ctx.now)
        scheduler.pop("steady", None)
    save(ctx, doc, scheduler)
    return {"service": view(ctx, doc)}


@ecs.operation("DeleteService", write=True)
def delete_service(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    doc, scheduler = _named(ctx, p)
    if doc["status"] != "ACTIVE":
        # Deleting what is already going away changes nothing more.
        return {"service": view(ctx, doc)}
    if doc["desiredCount"] > 0 and not p.get("force"):
        raise AwsError(
            "InvalidParameterException", "The service cannot be stopped while it is scaled above 0."
        )
    doc.update(status="DRAINING", desiredCount=0)
    for d in doc["deployments"]:
        d.update(desiredCount=0, updatedAt=ctx.now)
    save(ctx, doc, scheduler)
    return {"service": view(ctx, doc)}


@ecs.operation("DescribeServices")
def describe_services(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    cluster = clusters.load(ctx, p.get("cluster"))
    refs = p["services"]
    if not refs:
        raise AwsError("InvalidParameterException", "Services cannot be empty.")
    if len(refs) > 10:
        raise AwsError("InvalidParameterException", "service names can have at most 10 items.")
    wanted = [_resolve(cluster["clusterArn"], ref) for ref in refs]
    docs = {
        r.arn: r.doc
        for r in ctx.conn.execute(
            select(services.c.arn, services.c.doc).where(services.c.arn.in_(set(wanted)))
        )
    }
    found = views(ctx, [docs[a] for a in wanted if a in docs], set(p.get("include") or []))
    failures = [{"arn": a, "reason": "MISSING"} for a in wanted if a not in docs]
    return {"services": found, "failures": failures}


@ecs.operation("ListServices")
def list_services(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    cluster = clusters.load(ctx, p.get("cluster"))
    q = select(services.c.arn).where(
        services.c.cluster_arn == cluster["clusterArn"], services.c.status == "ACTIVE"
    )
    if p.get("launchType"):
        q = q.where(services.c.launch_type == p["launchType"])
    if p.get("schedulingStrategy"):
        q = q.where(services.c.scheduling_strategy == p["schedulingStrategy"])
    rows, token = pagination.keyset_page(
        ctx.conn,
        q.order_by(services.c.arn),
        services.c.arn,
        lambda r: r.arn,
        p,
        default=10,
        maximum=100,
    )
    return pagination.result("serviceArns", [r.arn for r in rows], token)


@tags.resource_type("service")
def _service_exists(ctx: Context, arn: str) -> bool:
    row = ctx.conn.execute(select(services.c.status).where(services.c.arn == arn)).first()
    return row is not None and row.status != "INACTIVE"
