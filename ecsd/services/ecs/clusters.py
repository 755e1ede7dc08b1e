"""Clusters: CreateCluster, DescribeClusters, ListClusters, UpdateCluster,
UpdateClusterSettings, PutClusterCapacityProviders, DeleteCluster (the rows and the
counts are model/ecs/clusters.py's).
"""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.ecs import arns, capacity
from ...model.ecs import clusters as model
from .. import pagination
from . import tags
from .api import ecs

FARGATE_PROVIDERS = capacity.FARGATE_PROVIDERS
INSIGHTS_VALUES = ("enabled", "disabled", "enhanced")


load = model.load


def _settings(given: list[dict[str, str]] | None) -> list[dict[str, str]]:
    settings = {"containerInsights": "disabled"}
    for s in given or []:
        # Both members are optional in the model: a setting without one is refused here.
        name, value = s.get("name"), s.get("value")
        if name is None or value not in INSIGHTS_VALUES:
            raise AwsError(
                "InvalidParameterException",
                f"Invalid value for containerInsights: {value}. Valid values "
                f"are: {', '.join(INSIGHTS_VALUES)}.",
            )
        settings[name] = value
    return [{"name": k, "value": v} for k, v in settings.items()]


def _check_capacity(providers: list[str], strategy: list[dict[str, Any]]) -> None:
    for name in providers:
        if name not in FARGATE_PROVIDERS:
            raise AwsError(
                "InvalidParameterException",
                f"The specified capacity provider '{name}' does not exist. "
                "Specify a valid capacity provider and try again.",
            )
    with_base = [s for s in strategy if s.get("base", 0) > 0]
    if len(with_base) > 1:
        raise AwsError(
            "InvalidParameterException",
            "You can only specify a base for one capacity provider in a "
            "capacity provider strategy.",
        )
    for s in strategy:
        if s["capacityProvider"] not in providers:
            raise AwsError(
                "InvalidParameterException",
                "The specified capacity provider strategy cannot contain a capacity "
                "provider that is not associated with the cluster. Associate the "
                "capacity provider with the cluster or specify a valid capacity "
                "provider and try again.",
            )
        if not 0 <= s.get("weight", 0) <= 1000 or not 0 <= s.get("base", 0) <= 100000:
            raise AwsError(
                "InvalidParameterException",
                "Capacity provider strategy weight must be between 0 and 1000 and "
                "base between 0 and 100000.",
            )


def _view(ctx: Context, doc: dict[str, Any], include: set[str]) -> dict[str, Any]:
    out = {k: v for k, v in doc.items() if k not in ("settings", "configuration")}
    counts = model.counts(ctx, doc["clusterArn"])
    out.update(
        registeredContainerInstancesCount=0,
        runningTasksCount=counts["running"],
        pendingTasksCount=counts["pending"],
        activeServicesCount=counts["active_services"],
    )
    if "SETTINGS" in include:
        out["settings"] = doc["settings"]
    if "CONFIGURATIONS" in include and doc.get("configuration"):
        out["configuration"] = doc["configuration"]
    if "TAGS" in include:
        out["tags"] = tags.get(ctx, doc["clusterArn"])
    if "STATISTICS" in include:
        out["statistics"] = [
            {"name": "runningEC2TasksCount", "value": "0"},
            {"name": "runningFargateTasksCount", "value": str(counts["running"])},
            {"name": "pendingEC2TasksCount", "value": "0"},
            {"name": "pendingFargateTasksCount", "value": str(counts["pending"])},
            {"name": "activeEC2ServiceCount", "value": "0"},
            {"name": "activeFargateServiceCount", "value": str(counts["active_services"])},
            {"name": "drainingEC2ServiceCount", "value": "0"},
            {"name": "drainingFargateServiceCount", "value": str(counts["draining_services"])},
        ]
    return out


@ecs.operation("CreateCluster", write=True)
def create_cluster(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    name = p.get("clusterName") or "default"
    if not arns.NAME.match(name):
        raise AwsError(
            "InvalidParameterException",
            "Cluster name must be between 1 and 255 characters and may contain "
            "letters, numbers, hyphens, and underscores.",
        )
    providers = p.get("capacityProviders") or []
    strategy = p.get("defaultCapacityProviderStrategy") or []
    _check_capacity(providers, strategy)
    arn = arns.cluster_arn(ctx, name)
    existing = model.find(ctx, arn)
    if existing is not None and existing["status"] == "ACTIVE":
        # ECS answers a repeated create with the cluster as it is.
        return {"cluster": _view(ctx, existing, {"SETTINGS", "CONFIGURATIONS", "TAGS"})}
    doc: dict[str, Any] = {
        "clusterArn": arn,
        "clusterName": name,
        "status": "ACTIVE",
        "settings": _settings(p.get("settings")),
        "capacityProviders": providers,
        "defaultCapacityProviderStrategy": strategy,
    }
    if p.get("configuration"):
        doc["configuration"] = p["configuration"]
    if p.get("serviceConnectDefaults"):
        doc["serviceConnectDefaults"] = {"namespace": p["serviceConnectDefaults"]["namespace"]}
    model.save(ctx, doc, insert=existing is None)
    if p.get("tags"):
        tags.put(ctx, arn, p["tags"])
    return {"cluster": _view(ctx, doc, {"SETTINGS", "CONFIGURATIONS", "TAGS"})}


@ecs.operation("DescribeClusters")
def describe_clusters(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    include = set(p.get("include") or [])
    found, failures = [], []
    for ref in p.get("clusters") or ["default"]:
        arn = arns.cluster_arn(ctx, ref)
        doc = model.find(ctx, arn)
        if doc is None:
            failures.append({"arn": arn, "reason": "MISSING"})
        else:
            found.append(_view(ctx, doc, include))
    return {"clusters": found, "failures": failures}


@ecs.operation("ListClusters")
def list_clusters(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    q, key = model.listing(ctx)
    rows, token = pagination.keyset_page(ctx.conn, q, key, p)
    return pagination.result("clusterArns", [r.arn for r in rows], token)


@ecs.operation("UpdateCluster", write=True)
def update_cluster(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    doc = load(ctx, p["cluster"])
    if p.get("settings"):
        current = {s["name"]: s["value"] for s in doc["settings"]}
        current.update(
            {
                s["name"]: s["value"]
                for s in _settings(p["settings"])
                if any(g.get("name") == s["name"] for g in p["settings"])
            }
        )
        doc["settings"] = [{"name": k, "value": v} for k, v in current.items()]
    if p.get("configuration"):
        doc["configuration"] = p["configuration"]
    if p.get("serviceConnectDefaults"):
        doc["serviceConnectDefaults"] = {"namespace": p["serviceConnectDefaults"]["namespace"]}
    model.save(ctx, doc)
    return {"cluster": _view(ctx, doc, {"SETTINGS", "CONFIGURATIONS"})}


@ecs.operation("UpdateClusterSettings", write=True)
def update_cluster_settings(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return update_cluster(ctx, {"cluster": p["cluster"], "settings": p["settings"]})


@ecs.operation("PutClusterCapacityProviders", write=True)
def put_cluster_capacity_providers(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    doc = load(ctx, p["cluster"])
    _check_capacity(p["capacityProviders"], p["defaultCapacityProviderStrategy"])
    doc["capacityProviders"] = p["capacityProviders"]
    doc["defaultCapacityProviderStrategy"] = p["defaultCapacityProviderStrategy"]
    model.save(ctx, doc)
    return {"cluster": _view(ctx, doc, {"SETTINGS", "CONFIGURATIONS"})}


@ecs.operation("DeleteCluster", write=True)
def delete_cluster(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    doc = load(ctx, p["cluster"])
    counts = model.counts(ctx, doc["clusterArn"])
    if counts["active_services"] or counts["draining_services"]:
        raise AwsError(
            "ClusterContainsServicesException",
            "The Cluster cannot be deleted while Services are active.",
        )
    if counts["active_tasks"]:
        raise AwsError(
            "ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active."
        )
    doc["status"] = "INACTIVE"
    model.save(ctx, doc)
    return {"cluster": _view(ctx, doc, {"SETTINGS", "CONFIGURATIONS"})}


@tags.resource_type("cluster")
def _cluster_exists(ctx: Context, arn: str) -> bool:
    return model.exists(ctx, arn)
