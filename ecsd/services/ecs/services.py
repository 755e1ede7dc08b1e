"""Services: CreateService, UpdateService, DeleteService, DescribeServices, ListServices.

Like RunTask, these only validate and write desired state through model/ecs/services.py:
the service with its deployments[]. The
service scheduler (controllers/services.py) starts and stops tasks to match, and writes
every deployment's rolloutState and the service's events. runningCount and pendingCount
are counted from the tasks table whenever a service is described, so they are right at
every moment and can never drift from the tasks DescribeTasks shows.
"""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.ecs import arns
from ...model.ecs import services as model
from .. import pagination
from . import clusters, fargate, tags, task_definitions
from . import tasks as task_api
from .api import ecs

DEFAULT_DEPLOYMENT_CONFIGURATION: dict[str, Any] = {
    "deploymentCircuitBreaker": {"enable": False, "rollback": False},
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
}


def views(
    ctx: Context,
    docs: list[dict[str, Any]],
    include: set[str] = frozenset(),  # type: ignore[assignment]
) -> list[dict[str, Any]]:
    """Services (of one cluster) as DescribeServices shows them, with their counts as
    they are now."""
    counts = model.task_counts(ctx, docs)
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


# ECS's default quota of tasks per service ("Tasks per service", adjustable on AWS). Past it
# AWS answers "Desired count exceeds limit."; here it also bounds the work one request can
# ask of the scheduler.
MAX_DESIRED_COUNT = 5000


def _desired(p: dict[str, Any]) -> int | None:
    desired = p.get("desiredCount")
    if desired is not None and desired < 0:
        raise AwsError("InvalidParameterException", "Desired count must be >= 0.")
    if desired is not None and desired > MAX_DESIRED_COUNT:
        raise AwsError("InvalidParameterException", "Desired count exceeds limit.")
    return desired


def _taskdef(ctx: Context, ref: str) -> dict[str, Any]:
    taskdef = task_definitions.load(ctx, ref)
    if taskdef["status"] != "ACTIVE":
        raise AwsError("ClientException", "TaskDefinition is inactive")
    fargate.launchable(taskdef, "FARGATE")  # every ecsd service runs the Fargate way
    return taskdef


def _grace(p: dict[str, Any]) -> int | None:
    grace = p.get("healthCheckGracePeriodSeconds")
    if grace is not None and not 0 <= grace <= 2147483647:
        raise AwsError(
            "InvalidParameterException",
            "healthCheckGracePeriodSeconds must be between 0 and 2147483647.",
        )
    return grace


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
    if model.exists(ctx, arn):
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
    doc["healthCheckGracePeriodSeconds"] = grace or 0  # 0, not absent, as ECS shows it
    if p.get("role"):
        doc["roleArn"] = p["role"]
    doc["deployments"] = [model.deployment(ctx, doc, taskdef["taskDefinitionArn"])]
    model.save(ctx, doc, model.SchedulerState(), insert=True)
    tags.put(ctx, arn, p.get("tags") or [])
    return {"service": view(ctx, doc)}


def _named(ctx: Context, p: dict[str, Any]) -> tuple[dict[str, Any], model.SchedulerState]:
    """The service a request names (in its cluster) and its scheduler state."""
    cluster = clusters.load(ctx, p.get("cluster"))
    return model.load(ctx, cluster["clusterArn"], p["service"])


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
        model.new_deployment(ctx, doc, scheduler, taskdef_arn)
    model.rescale(ctx, doc, scheduler)
    model.save(ctx, doc, scheduler)
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
    model.save(ctx, doc, scheduler)
    return {"service": view(ctx, doc)}


@ecs.operation("DescribeServices")
def describe_services(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    cluster = clusters.load(ctx, p.get("cluster"))
    refs = p["services"]
    if not refs:
        raise AwsError("InvalidParameterException", "Services cannot be empty.")
    if len(refs) > 10:
        raise AwsError("InvalidParameterException", "service names can have at most 10 items.")
    wanted = [model.resolve(cluster["clusterArn"], ref) for ref in refs]
    docs = model.docs(ctx, wanted)
    found = views(ctx, [docs[a] for a in wanted if a in docs], set(p.get("include") or []))
    failures = [{"arn": a, "reason": "MISSING"} for a in wanted if a not in docs]
    return {"services": found, "failures": failures}


@ecs.operation("ListServices")
def list_services(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    cluster = clusters.load(ctx, p.get("cluster"))
    q, key = model.listing(
        ctx,
        cluster["clusterArn"],
        launch_type=p.get("launchType"),
        scheduling_strategy=p.get("schedulingStrategy"),
    )
    rows, token = pagination.keyset_page(ctx.conn, q, key, p, default=10)
    return pagination.result("serviceArns", [r.arn for r in rows], token)


@tags.resource_type("service")
def _service_exists(ctx: Context, arn: str) -> bool:
    return model.exists(ctx, arn)
