"""The task-set API: CreateTaskSet, DescribeTaskSets, UpdateTaskSet,
UpdateServicePrimaryTaskSet, DeleteTaskSet (issue #14, item 4).

These are what a blue/green tool (CodeDeploy, or any EXTERNAL controller) calls to move a
service from one task set to another: create green, scale it up, make it primary, delete
blue. Like UpdateService they only validate and write the service's `taskSets[]`
(model/ecs/task_sets.py); the service scheduler starts and stops the tasks. A refused
request changes nothing: every check runs before the first write.
"""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.ecs import arns
from ...model.ecs import services as service_model
from ...model.ecs import task_sets as model
from . import clusters, tags
from . import services as service_api
from . import tasks as task_api
from .api import ecs


def views(
    ctx: Context,
    service: dict[str, Any],
    sets: list[dict[str, Any]],
    include: set[str] = frozenset(),  # type: ignore[assignment]
) -> list[dict[str, Any]]:
    """Task sets as the API shows them, with their task counts as they are now."""
    counts = service_model.task_counts(ctx, [service])
    none = {"running": 0, "pending": 0}
    out = []
    for s in sets:
        view = {k: v for k, v in s.items() if not k.startswith("_")}
        view["runningCount"] = counts.get(s["id"], none)["running"]
        view["pendingCount"] = counts.get(s["id"], none)["pending"]
        if "TAGS" in include:
            view["tags"] = tags.get(ctx, s["taskSetArn"])
        out.append(view)
    return out


def _service(ctx: Context, p: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    cluster = clusters.load(ctx, p.get("cluster"))
    doc, scheduler = service_model.load(ctx, cluster["clusterArn"], p["service"])
    if doc["status"] != "ACTIVE":
        raise AwsError("ServiceNotActiveException", "Service was not ACTIVE.")
    if not model.uses_task_sets(doc):
        # ecsd's own text: AWS refuses task-set calls on a service of the ECS deployment
        # controller with an InvalidParameterException whose words are not documented.
        raise AwsError(
            "InvalidParameterException",
            "Amazon ECS only supports task set management on services configured to use "
            "external deployment controllers.",
        )
    return doc, scheduler


@ecs.operation("CreateTaskSet", write=True)
def create_task_set(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    doc, scheduler = _service(ctx, p)
    sets = doc.setdefault("taskSets", [])
    token = p.get("clientToken")
    if token:
        for s in sets:
            if s.get("_clientToken") == token:
                return {"taskSet": views(ctx, doc, [s])[0]}
    if len(sets) >= model.MAX_TASK_SETS:
        raise AwsError(
            "InvalidParameterException",
            f"{len(sets)} deployments exist on the service. Unable to create new TaskSet "
            "since this exceeds the maximum limit.",
        )
    cluster = clusters.load(ctx, doc["clusterArn"])
    launch, providers = task_api.placement(p, cluster)
    if providers:
        # ecsd's own text: task sets here run on Fargate through a launch type.
        raise AwsError(
            "InvalidParameterException",
            "ecsd runs task sets with a launchType only: give launchType FARGATE.",
        )
    taskdef = service_api.check_taskdef(ctx, p["taskDefinition"], launch)
    network = task_api.check_network(ctx, taskdef, p)
    balancers = service_api.check_load_balancers(ctx, p.get("loadBalancers") or [], taskdef)
    scale = model.check_scale(p.get("scale"))
    created = model.new(
        ctx,
        doc,
        taskdef_arn=taskdef["taskDefinitionArn"],
        launch_type=launch or "FARGATE",
        network=network,
        load_balancers=balancers,
        scale=scale,
        external_id=p.get("externalId"),
        platform_version=p.get("platformVersion"),
    )
    if token:
        created["_clientToken"] = token
    sets.append(created)
    if created["status"] == "PRIMARY":
        model.make_primary(ctx, doc, created)
    service_model.save(ctx, doc, scheduler)
    tags.put(ctx, created["taskSetArn"], p.get("tags") or [])
    return {"taskSet": views(ctx, doc, [created])[0]}


@ecs.operation("DescribeTaskSets")
def describe_task_sets(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    doc, _ = _service(ctx, p)
    include = set(p.get("include") or [])
    refs = p.get("taskSets")
    if not refs:
        return {"taskSets": views(ctx, doc, doc.get("taskSets") or [], include), "failures": []}
    found, failures = [], []
    for ref in refs:
        try:
            found.append(model.find(doc, ref))
        except AwsError:
            failures.append({"arn": ref, "reason": "MISSING"})
    return {"taskSets": views(ctx, doc, found, include), "failures": failures}


def _live(
    ctx: Context, p: dict[str, Any], key: str, draining: str
) -> tuple[dict[str, Any], Any, dict[str, Any]]:
    """(service doc, scheduler state, the task set `p[key]` names); a task set being
    deleted is refused with `draining`."""
    doc, scheduler = _service(ctx, p)
    chosen = model.find(doc, p[key])
    if chosen["status"] == "DRAINING":
        raise AwsError("InvalidParameterException", draining)
    return doc, scheduler, chosen


@ecs.operation("UpdateTaskSet", write=True)
def update_task_set(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    scale = model.check_scale(p["scale"])
    # ecsd's own text.
    doc, scheduler, chosen = _live(ctx, p, "taskSet", "The task set is being deleted.")
    chosen.update(scale=scale, updatedAt=ctx.now)
    model.rescale(ctx, doc)
    service_model.save(ctx, doc, scheduler)
    return {"taskSet": views(ctx, doc, [chosen])[0]}


@ecs.operation("UpdateServicePrimaryTaskSet", write=True)
def update_service_primary_task_set(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    # ecsd's own text.
    draining = "A task set being deleted cannot be made primary."
    doc, scheduler, chosen = _live(ctx, p, "primaryTaskSet", draining)
    model.make_primary(ctx, doc, chosen)
    service_model.save(ctx, doc, scheduler)
    return {"taskSet": views(ctx, doc, [chosen])[0]}


@ecs.operation("DeleteTaskSet", write=True)
def delete_task_set(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    doc, scheduler = _service(ctx, p)
    chosen = model.find(doc, p["taskSet"])
    if chosen["status"] == "PRIMARY" and not p.get("force"):
        # AWS deletes the primary task set only with force (the Terraform provider's
        # `force_delete` exists for it); the text is ecsd's own.
        raise AwsError(
            "InvalidParameterException",
            "The primary task set cannot be deleted without force. Update the service's "
            "primary task set first, or use force.",
        )
    running = views(ctx, doc, [chosen])[0]
    if chosen["status"] != "DRAINING" and chosen["scale"]["value"] > 0 and not p.get("force"):
        # ecsd's own text, after AWS's rule: a task set that has not been scaled down to
        # zero is deleted only with force.
        raise AwsError(
            "InvalidParameterException",
            "The task set cannot be deleted while it is scaled above 0. Use force to delete it.",
        )
    model.drain(ctx, doc, chosen)
    service_model.save(ctx, doc, scheduler)
    running.update(status="DRAINING", computedDesiredCount=0, updatedAt=ctx.now)
    return {"taskSet": running}


@tags.resource_type("task-set")
def _task_set_exists(ctx: Context, arn: str) -> bool:
    prefix, _, rest = arn.partition(":task-set/")
    parts = rest.split("/")
    if len(parts) < 3:
        return False
    service_arn = arns.service_arn(f"{prefix}:cluster/{parts[0]}", parts[1])
    found = service_model.find(ctx, service_arn)
    if found is None:
        return False
    return any(s["taskSetArn"] == arn for s in found[0].get("taskSets") or [])
