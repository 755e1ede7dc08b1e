"""Tasks: RunTask, StopTask, DescribeTasks, ListTasks.

These handlers only validate and write desired state through model/ecs/tasks.py: RunTask
stores PROVISIONING tasks, StopTask sets desiredStatus STOPPED. The task controller
(controllers/tasks/) makes containers match and writes every later status.
"""

from __future__ import annotations

import re
from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.ec2 import task_network
from ...model.ecs import capacity
from ...model.ecs import tasks as model
from .. import pagination
from . import clusters, fargate, tags, task_definitions
from .api import ecs

_STARTED_BY = re.compile(r"^[A-Za-z0-9_/-]{1,36}$")


def check_network(
    ctx: Context, taskdef: dict[str, Any], p: dict[str, Any]
) -> dict[str, Any] | None:
    """The awsvpc configuration a task needs, with its subnets and groups checked
    against EC2's records (model/ec2/task_network.py says when)."""
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
        task_network.check(ctx, vpc["subnets"], vpc.get("securityGroups") or [])
    return network


def placement(
    p: dict[str, Any], cluster: dict[str, Any]
) -> tuple[str | None, list[dict[str, Any]]]:
    """(launch type, capacity provider strategy) of a RunTask or CreateService: the
    launch type given, or the strategy given, or the cluster's default strategy, or else
    EC2 (model/ecs/capacity.py)."""
    if p.get("launchType") and p.get("capacityProviderStrategy"):
        raise AwsError(
            "InvalidParameterException",
            "Specifying both a launch type and capacity provider strategy is not "
            "supported. Remove one and try again.",
        )
    check_strategy(p.get("capacityProviderStrategy"), cluster)
    return capacity.strategy_for(p.get("capacityProviderStrategy"), p.get("launchType"), cluster)


def check_strategy(strategy: list[dict[str, Any]] | None, cluster: dict[str, Any]) -> None:
    """A strategy names providers that exist and that the cluster has (as ECS requires:
    PutClusterCapacityProviders or CreateCluster associates them)."""
    for item in strategy or []:
        if item["capacityProvider"] not in capacity.FARGATE_PROVIDERS:
            raise AwsError(
                "InvalidParameterException",
                f"The specified capacity provider {item['capacityProvider']} was not found.",
            )
        if item["capacityProvider"] not in (cluster.get("capacityProviders") or []):
            raise AwsError(
                "InvalidParameterException",
                "The specified capacity provider strategy cannot contain a capacity "
                "provider that is not associated with the cluster. Associate the "
                "capacity provider with the cluster or specify a valid capacity "
                "provider and try again.",
            )


def check_launchable(taskdef: dict[str, Any], launch: str | None) -> None:
    """The task definition must be compatible with where it goes; the EC2 and EXTERNAL
    launch types then find no container instance, as on a cluster with none registered
    (ECS answers RunTask so, rather than with failures[])."""
    fargate.launchable(taskdef, launch or "FARGATE")
    if launch in ("EC2", "EXTERNAL"):
        raise AwsError("InvalidParameterException", capacity.NO_INSTANCES)


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
    launch, strategy = placement(p, cluster)
    check_launchable(taskdef, launch)
    network = check_network(ctx, taskdef, p)
    providers: list[str | None] = (
        list(capacity.spread(strategy, count)) if strategy else [None] * count
    )
    task_tags = list(p.get("tags") or [])
    if p.get("propagateTags") == "TASK_DEFINITION":
        given = {t["key"] for t in task_tags}
        task_tags += [
            t for t in tags.get(ctx, taskdef["taskDefinitionArn"]) if t["key"] not in given
        ]
    group = p.get("group") or f"family:{taskdef['family']}"
    made = [
        model.new_task(
            ctx,
            cluster_arn=cluster["clusterArn"],
            taskdef=taskdef,
            p=p,
            group=group,
            started_by=started_by,
            network=network,
            launch_type="FARGATE",
            capacity_provider=provider,
            task_tags=task_tags,
        )
        for provider in providers
    ]
    return {
        "tasks": [_view(ctx, d, {"TAGS"} if task_tags else set()) for d in made],
        "failures": [],
    }


def _view(ctx: Context, doc: dict[str, Any], include: set[str]) -> dict[str, Any]:
    if "TAGS" in include:
        return {**doc, "tags": tags.get(ctx, doc["taskArn"])}
    return doc


@ecs.operation("StopTask", write=True)
def stop_task(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    cluster = clusters.load(ctx, p.get("cluster"))
    doc = model.load(ctx, cluster["clusterArn"], p["task"])
    model.request_stop(
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
        arn = model.resolve(ctx, cluster["clusterArn"], ref)
        doc = model.find(ctx, cluster["clusterArn"], arn)
        if doc is None:
            failures.append({"arn": arn, "reason": "MISSING"})
        else:
            found.append(_view(ctx, doc, include))
    return {"tasks": found, "failures": failures}


@ecs.operation("ListTasks")
def list_tasks(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    cluster = clusters.load(ctx, p.get("cluster"))
    desired = p.get("desiredStatus") or "RUNNING"
    if desired == "PENDING":
        desired = "RUNNING"  # ECS lists tasks ECS intends to run; PENDING ones are among them
    if p.get("launchType") not in (None, "FARGATE"):
        return {"taskArns": []}
    q, key = model.listing(
        ctx,
        cluster["clusterArn"],
        desired_status=desired,
        family=p.get("family"),
        started_by=p.get("startedBy"),
        service_name=p.get("serviceName"),
    )
    rows, token = pagination.keyset_page(ctx.conn, q, key, p)
    return pagination.result("taskArns", [r.arn for r in rows], token)


@tags.resource_type("task")
def _task_exists(ctx: Context, arn: str) -> bool:
    return model.exists(ctx, arn)
