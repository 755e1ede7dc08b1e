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
from ...model.ecs import arns, task_sets
from ...model.ecs import services as model
from ...model.elbv2 import target_groups
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
        if "taskSets" in doc:
            view["taskSets"] = [
                {
                    **{k: v for k, v in s.items() if not k.startswith("_")},
                    "runningCount": counts.get(s["id"], none)["running"],
                    "pendingCount": counts.get(s["id"], none)["pending"],
                }
                for s in doc["taskSets"]
            ]
        shown = view["deployments"] + view.get("taskSets", [])
        view["runningCount"] = sum(d["runningCount"] for d in shown)
        view["pendingCount"] = sum(d["pendingCount"] for d in shown)
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


def _taskdef(ctx: Context, ref: str, launch: str | None) -> dict[str, Any]:
    taskdef = task_definitions.load(ctx, ref)
    if taskdef["status"] != "ACTIVE":
        raise AwsError("ClientException", "TaskDefinition is inactive")
    fargate.launchable(taskdef, launch or "FARGATE")
    return taskdef


def _grace(p: dict[str, Any]) -> int | None:
    grace = p.get("healthCheckGracePeriodSeconds")
    if grace is not None and not 0 <= grace <= 2147483647:
        raise AwsError(
            "InvalidParameterException",
            "healthCheckGracePeriodSeconds must be between 0 and 2147483647.",
        )
    return grace


def _load_balancers(
    ctx: Context, given: list[dict[str, Any]], taskdef: dict[str, Any]
) -> list[dict[str, Any]]:
    """`loadBalancers` checked as ECS checks them: the target group exists and a load
    balancer uses it, its target type suits the network mode, and the container and its
    port are in the task definition. (At most 5 entries: aws/limits.py.)"""
    containers = {d["name"]: d for d in taskdef.get("containerDefinitions") or []}
    out = []
    for lb in given:
        group_arn = lb.get("targetGroupArn")
        if lb.get("loadBalancerName") and not group_arn:
            # ecsd's own text: Classic Load Balancers are not emulated.
            raise AwsError(
                "InvalidParameterException",
                "ecsd serves Application Load Balancers only: give targetGroupArn, "
                "not loadBalancerName.",
            )
        if not group_arn:
            raise AwsError("InvalidParameterException", "Target group arn can not be blank.")
        group = target_groups.get(ctx, group_arn)
        if group is None:
            # ecsd's own text: AWS answers a missing target group with an IAM-flavoured
            # "Unable to assume role and validate the specified targetGroupArn".
            raise AwsError(
                "InvalidParameterException",
                f"Unable to validate the specified targetGroupArn {group_arn}: "
                "target group not found.",
            )
        if not group.get("LoadBalancerArns"):
            raise AwsError(
                "InvalidParameterException",
                f"The target group with targetGroupArn {group_arn} does not have an "
                "associated load balancer.",
            )
        mode = taskdef.get("networkMode") or "bridge"
        target_type = group.get("TargetType") or "instance"
        if mode == "awsvpc" and target_type != "ip":
            raise AwsError(
                "InvalidParameterException",
                f"The provided target group {group_arn} has target type {target_type}, "
                "which is incompatible with the awsvpc network mode specified in the task "
                "definition.",
            )
        name, port = lb.get("containerName"), lb.get("containerPort")
        if not name:
            raise AwsError("InvalidParameterException", "Container Name can not be blank.")
        container = containers.get(name)
        if container is None:
            raise AwsError(
                "InvalidParameterException",
                f"The container {name} does not exist in the task definition.",
            )
        ports = {int(pm["containerPort"]) for pm in container.get("portMappings") or []}
        if port is None or int(port) not in ports:
            raise AwsError(
                "InvalidParameterException",
                f"The container {name} did not have a container port {port} defined.",
            )
        out.append({"targetGroupArn": group_arn, "containerName": name, "containerPort": int(port)})
    return out


def _controller(p: dict[str, Any]) -> str:
    controller = str((p.get("deploymentController") or {}).get("type") or "ECS")
    if controller not in ("ECS", *task_sets.CONTROLLERS):
        # ecsd's own text (botocore's enum: ECS, CODE_DEPLOY, EXTERNAL).
        raise AwsError(
            "InvalidParameterException",
            f"Deployment controller type {controller} is not valid: use ECS, CODE_DEPLOY "
            "or EXTERNAL.",
        )
    if controller != "EXTERNAL" and not p.get("taskDefinition"):
        # ECS's documented rule: only an EXTERNAL service may be created without one
        # (its task sets name theirs). The words are ecsd's own.
        raise AwsError(
            "InvalidParameterException",
            f"TaskDefinition must be specified for the {controller} deployment controller.",
        )
    return controller


def _check_controller(controller: str, p: dict[str, Any], config: dict[str, Any]) -> None:
    """What a blue/green service refuses at creation (AWS's documented rules; the words
    are ecsd's own where AWS's are not documented)."""
    if controller == "ECS":
        return
    if config["deploymentCircuitBreaker"].get("enable"):
        raise AwsError(
            "InvalidParameterException",
            "The deployment circuit breaker is only supported for services using the ECS "
            "deployment controller.",
        )
    if controller == "CODE_DEPLOY" and len(p.get("loadBalancers") or []) > 1:
        raise AwsError(
            "InvalidParameterException",
            "A service using the CODE_DEPLOY deployment controller can use only one target "
            "group; CodeDeploy's deployment group names the second one.",
        )


# UpdateService on a blue/green service: what ECS documents it may change (the rest is a
# new CodeDeploy deployment, or a new task set).
_BLUE_GREEN_REFUSED = (
    "taskDefinition",
    "networkConfiguration",
    "platformVersion",
    "loadBalancers",
    "capacityProviderStrategy",
    "forceNewDeployment",
)


def _update_blue_green(
    ctx: Context,
    p: dict[str, Any],
    doc: dict[str, Any],
    scheduler: model.SchedulerState,
    desired: int | None,
    grace: int | None,
) -> dict[str, Any]:
    controller = task_sets.controller(doc)
    for key in _BLUE_GREEN_REFUSED:
        if not p.get(key):
            continue
        if key == "taskDefinition" and controller == "CODE_DEPLOY":
            raise AwsError(
                "InvalidParameterException",
                "Unable to update task definition on services with a CODE_DEPLOY deployment "
                "controller. Use AWS CodeDeploy to trigger a new deployment.",
            )
        # ecsd's own text, after the documented rule.
        raise AwsError(
            "InvalidParameterException",
            f"Unable to update {key} on services with a {controller} deployment controller. "
            "Create a new task set instead.",
        )
    config = _deployment_configuration(
        p.get("deploymentConfiguration"), doc["deploymentConfiguration"]
    )
    if controller == "EXTERNAL" and p.get("deploymentConfiguration"):
        raise AwsError(
            "InvalidParameterException",
            "Unable to update deploymentConfiguration on services with a EXTERNAL deployment "
            "controller. Create a new task set instead.",
        )
    _check_controller(controller, {}, config)
    doc["deploymentConfiguration"] = config
    _update_settings(doc, p, desired, grace)
    task_sets.rescale(ctx, doc)
    model.save(ctx, doc, scheduler)
    return {"service": view(ctx, doc)}


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
    controller = _controller(p)
    strategy = p.get("schedulingStrategy") or "REPLICA"
    launch, providers = task_api.placement(p, cluster)
    if strategy == "DAEMON":
        raise AwsError(
            "InvalidParameterException",
            "The daemon scheduling strategy is not supported with the FARGATE launch type.",
        )
    desired = _desired(p)
    taskdef = _taskdef(ctx, p["taskDefinition"], launch) if p.get("taskDefinition") else None
    network = task_api.check_network(ctx, taskdef, p) if taskdef else p.get("networkConfiguration")
    config = _deployment_configuration(p.get("deploymentConfiguration"))
    _check_controller(controller, p, config)
    grace = _grace(p)
    balancers = _load_balancers(ctx, p.get("loadBalancers") or [], taskdef) if taskdef else []
    arn = arns.service_arn(cluster["clusterArn"], name)
    if model.exists(ctx, arn):
        raise AwsError("InvalidParameterException", "Creation of service was not idempotent.")
    doc: dict[str, Any] = {
        "serviceArn": arn,
        "serviceName": name,
        "clusterArn": cluster["clusterArn"],
        "loadBalancers": balancers,
        "serviceRegistries": p.get("serviceRegistries") or [],
        "status": "ACTIVE",
        "desiredCount": desired or 0,
        "platformFamily": "Linux",
        "deploymentConfiguration": config,
        "events": [],
        "createdAt": ctx.now,
        "placementConstraints": p.get("placementConstraints") or [],
        "placementStrategy": p.get("placementStrategy") or [],
        "schedulingStrategy": strategy,
        "deploymentController": {"type": controller},
        "createdBy": ctx.principal,
        "enableECSManagedTags": bool(p.get("enableECSManagedTags")),
        "propagateTags": p.get("propagateTags") or "NONE",
        "enableExecuteCommand": bool(p.get("enableExecuteCommand")),
        "availabilityZoneRebalancing": p.get("availabilityZoneRebalancing") or "ENABLED",
    }
    # A service without either takes the cluster's default strategy (shown as its own, as
    # ECS does), or else the EC2 launch type, whose tasks find no container instance.
    if providers:
        doc["capacityProviderStrategy"] = providers
    else:
        doc["launchType"] = launch
    doc["platformVersion"] = p.get("platformVersion") or "LATEST"
    if network:
        doc["networkConfiguration"] = network
    doc["healthCheckGracePeriodSeconds"] = grace or 0  # 0, not absent, as ECS shows it
    if p.get("role"):
        doc["roleArn"] = p["role"]
    if taskdef is not None:
        doc["taskDefinition"] = taskdef["taskDefinitionArn"]
    if controller == "ECS" and taskdef is not None:
        doc["deployments"] = [model.deployment(ctx, doc, taskdef["taskDefinitionArn"])]
    else:
        # A blue/green service runs task sets, not deployments (model/ecs/task_sets.py):
        # CODE_DEPLOY's first one is made here, an EXTERNAL service's by CreateTaskSet.
        doc["deployments"] = []
        doc["taskSets"] = []
        if controller == "CODE_DEPLOY" and taskdef is not None:
            first = task_sets.new(
                ctx,
                doc,
                taskdef_arn=taskdef["taskDefinitionArn"],
                launch_type=launch or "FARGATE",
                network=network,
                load_balancers=balancers,
                scale=task_sets.check_scale(None),
                platform_version=p.get("platformVersion"),
            )
            doc["taskSets"].append(first)
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
    if task_sets.uses_task_sets(doc):
        return _update_blue_green(ctx, p, doc, scheduler, desired, grace)
    changed = bool(p.get("forceNewDeployment"))
    taskdef_arn = doc["taskDefinition"]
    if p.get("taskDefinition"):
        taskdef = _taskdef(ctx, p["taskDefinition"], doc.get("launchType"))
        changed |= taskdef["taskDefinitionArn"] != taskdef_arn
        taskdef_arn = taskdef["taskDefinitionArn"]
    else:
        taskdef = task_definitions.load(ctx, taskdef_arn)
    if p.get("capacityProviderStrategy") is not None:
        task_api.check_strategy(
            p["capacityProviderStrategy"], clusters.load(ctx, doc["clusterArn"])
        )
        changed |= p["capacityProviderStrategy"] != doc.get("capacityProviderStrategy")
        doc.pop("launchType", None)
        doc["capacityProviderStrategy"] = p["capacityProviderStrategy"]
    if p.get("networkConfiguration") is not None:
        network = task_api.check_network(ctx, taskdef, p)
        changed |= network != doc.get("networkConfiguration")
        doc["networkConfiguration"] = network
    elif p.get("taskDefinition"):
        task_api.check_network(
            ctx, taskdef, {"networkConfiguration": doc.get("networkConfiguration")}
        )
    if p.get("platformVersion") and p["platformVersion"] != doc.get("platformVersion"):
        doc["platformVersion"] = p["platformVersion"]
        changed = True
    if p.get("loadBalancers") is not None:
        balancers = _load_balancers(ctx, p["loadBalancers"], taskdef)
        if balancers != doc["loadBalancers"]:
            doc["loadBalancers"] = balancers
            changed = True
    elif p.get("taskDefinition") and doc["loadBalancers"]:
        _load_balancers(ctx, doc["loadBalancers"], taskdef)  # the new revision must fit them
    doc["deploymentConfiguration"] = _deployment_configuration(
        p.get("deploymentConfiguration"), doc["deploymentConfiguration"]
    )
    _update_settings(doc, p, desired, grace)
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
    task_sets.rescale(ctx, doc)
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


# For the task-set API (task_sets.py), which checks a task set's task definition and load
# balancers exactly as a service's.
check_taskdef = _taskdef
check_load_balancers = _load_balancers


def _update_settings(doc: dict[str, Any], p: dict[str, Any], desired: Any, grace: Any) -> None:
    """The settings UpdateService changes in place whatever the deployment controller:
    the desired count, the grace period, ECS Exec, managed tags and tag propagation."""
    if desired is not None:
        doc["desiredCount"] = desired
    if grace is not None:
        doc["healthCheckGracePeriodSeconds"] = grace
    for key in ("enableExecuteCommand", "enableECSManagedTags"):
        if p.get(key) is not None:
            doc[key] = bool(p[key])
    if p.get("propagateTags") is not None:
        doc["propagateTags"] = p["propagateTags"]
