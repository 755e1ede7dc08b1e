"""Capacity providers: the two built-in Fargate ones, and how a strategy spreads tasks.

ECS places a task through a capacity provider strategy (the request's, else the
cluster's default) or a launch type; with neither, the launch type is EC2 — which on
ecsd, as on a cluster with no instances registered, finds no container instance. A task
placed through a strategy carries `capacityProviderName`. The spread follows the
developer guide: the providers' `base` tasks first, then the rest in proportion to
`weight`.
"""

from __future__ import annotations

from typing import Any

from ...core.unit import Unit

FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")

# The words ECS answers when the EC2 launch type finds no instance (RunTask's
# InvalidParameterException, and the reason in a service's "unable to place" event).
NO_INSTANCES = "No Container Instances were found in your cluster."


def describe(unit: Unit, name: str) -> dict[str, Any]:
    """A built-in provider as DescribeCapacityProviders shows it: no auto scaling group,
    ACTIVE, no tags."""
    return {
        "capacityProviderArn": unit.arn("ecs", f"capacity-provider/{name}"),
        "name": name,
        "status": "ACTIVE",
        "tags": [],
    }


def strategy_for(
    given: list[dict[str, Any]] | None, launch_type: str | None, cluster: dict[str, Any]
) -> tuple[str | None, list[dict[str, Any]]]:
    """(launch type, strategy) a RunTask or CreateService means: a launch type given, or
    a strategy given, or the cluster's default strategy, or else EC2."""
    if launch_type:
        return launch_type, []
    if given:
        return None, given
    default = cluster.get("defaultCapacityProviderStrategy") or []
    if default:
        return None, [dict(s) for s in default]
    return "EC2", []


def pick(strategy: list[dict[str, Any]], placed: dict[str, int]) -> str:
    """The provider the next task goes to, given how many each already has: a provider
    short of its `base` first, then the one furthest below its share by `weight`."""
    for s in strategy:
        if placed.get(s["capacityProvider"], 0) < int(s.get("base") or 0):
            return str(s["capacityProvider"])
    weighted = [s for s in strategy if int(s.get("weight") or 0) > 0] or strategy[:1]
    best = min(
        weighted,
        key=lambda s: (
            (placed.get(s["capacityProvider"], 0) - int(s.get("base") or 0) + 1)
            / max(1, int(s.get("weight") or 0))
        ),
    )
    return str(best["capacityProvider"])


def spread(
    strategy: list[dict[str, Any]], n: int, placed: dict[str, int] | None = None
) -> list[str]:
    """The providers of `n` new tasks, in order (none without a strategy)."""
    if not strategy:
        return []
    counts = dict(placed or {})
    out = []
    for _ in range(n):
        name = pick(strategy, counts)
        counts[name] = counts.get(name, 0) + 1
        out.append(name)
    return out
