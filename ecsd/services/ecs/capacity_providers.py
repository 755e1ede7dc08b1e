"""Capacity providers and container instances, as a Fargate-only cluster has them.

DescribeCapacityProviders lists the two built-in providers (FARGATE, FARGATE_SPOT);
ecsd has no Auto Scaling group providers to create. ListContainerInstances and
DescribeContainerInstances answer as they do for a cluster with no EC2 instance
registered: nothing listed, and every instance asked for a `MISSING` failure.
"""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.ecs import arns, capacity
from . import clusters
from .api import ecs


@ecs.operation("DescribeCapacityProviders")
def describe_capacity_providers(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    wanted = p.get("capacityProviders")
    found, failures = [], []
    if wanted is None:
        found = [capacity.describe(ctx, name) for name in capacity.FARGATE_PROVIDERS]
    else:
        for ref in wanted:
            name = ref.rsplit("/", 1)[-1] if ref.startswith("arn:") else ref
            if name in capacity.FARGATE_PROVIDERS:
                found.append(capacity.describe(ctx, name))
            else:
                arn = ref if ref.startswith("arn:") else ctx.arn("ecs", f"capacity-provider/{ref}")
                failures.append({"arn": arn, "reason": "MISSING"})
    if "TAGS" not in (p.get("include") or []):
        found = [{k: v for k, v in d.items() if k != "tags"} for d in found]
    # Two providers: one page always holds them (maxResults/nextToken change nothing).
    return {"capacityProviders": found, "failures": failures}


@ecs.operation("ListContainerInstances")
def list_container_instances(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    clusters.load(ctx, p.get("cluster"))
    return {"containerInstanceArns": []}


@ecs.operation("DescribeContainerInstances")
def describe_container_instances(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    cluster = clusters.load(ctx, p.get("cluster"))
    refs = p["containerInstances"]
    if not refs:
        # ECS's words for an empty list (as for DescribeTasks' "Tasks cannot be empty.").
        raise AwsError("InvalidParameterException", "ContainerInstances cannot be empty.")
    if len(refs) > 100:
        raise AwsError(
            "InvalidParameterException", "containerInstances can have at most 100 items."
        )
    name = arns.cluster_name(cluster["clusterArn"])
    failures = [
        {
            "arn": ref
            if ref.startswith("arn:")
            else ctx.arn("ecs", f"container-instance/{name}/{ref}"),
            "reason": "MISSING",
        }
        for ref in refs
    ]
    return {"containerInstances": [], "failures": failures}
