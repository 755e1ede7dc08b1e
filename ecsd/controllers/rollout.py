"""The arithmetic of an ECS rolling update and circuit breaker, as pure functions.

The service scheduler (issue #4) asks, each tick: how many new tasks may start, and how
many old ones may stop, without breaking maximumPercent / minimumHealthyPercent?
ECS's documented rules:
  maxTasks   = floor(desired × maximumPercent / 100)  — cap on RUNNING + PENDING, all
               deployments together
  minHealthy = ceil(desired × minimumHealthyPercent / 100) — tasks that must stay healthy
e.g. desired 4, min 50% → 2 old may stop before new ones start; desired 2, min 75% →
ceil(1.5) = 2, nothing old stops first; desired 3, max 125% → floor(3.75) = 3, nothing
extra may start.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..model.ecs import service_deployments

DEFAULT_MAXIMUM_PERCENT = 200
DEFAULT_MINIMUM_HEALTHY_PERCENT = 100
BREAKER_MIN, BREAKER_MAX = service_deployments.BREAKER_MIN, service_deployments.BREAKER_MAX


def max_tasks(desired: int, maximum_percent: int = DEFAULT_MAXIMUM_PERCENT) -> int:
    return math.floor(desired * maximum_percent / 100)


def min_healthy(
    desired: int, minimum_healthy_percent: int = DEFAULT_MINIMUM_HEALTHY_PERCENT
) -> int:
    return math.ceil(desired * minimum_healthy_percent / 100)


# Failed tasks that trip the deployment circuit breaker (kept beside the service
# deployments that report it, so both say the same).
breaker_threshold = service_deployments.breaker_threshold


@dataclass(frozen=True)
class Counts:
    """A service's tasks, by deployment and state. `*_active` counts RUNNING + PENDING
    (every task not on its way down); `*_healthy` the ones that count as healthy."""

    new_active: int
    new_healthy: int
    old_active: int
    old_healthy: int


@dataclass(frozen=True)
class Step:
    start: int  # new tasks to start for the primary deployment
    stop_old: int  # tasks of older deployments to stop
    stop_new: int  # primary tasks to stop (scale-in)


def step(
    desired: int,
    counts: Counts,
    *,
    maximum_percent: int = DEFAULT_MAXIMUM_PERCENT,
    minimum_healthy_percent: int = DEFAULT_MINIMUM_HEALTHY_PERCENT,
) -> Step:
    """The next moves of a rolling update (or of a steady service keeping its count)."""
    cap = max_tasks(desired, maximum_percent)
    floor = min_healthy(desired, minimum_healthy_percent)
    active = counts.new_active + counts.old_active
    start = max(0, min(cap - active, desired - counts.new_active))
    healthy = counts.new_healthy + counts.old_healthy
    # Old tasks that are not healthy never count towards minimumHealthy: stop them freely.
    unhealthy_old = counts.old_active - counts.old_healthy
    stop_old = min(counts.old_active, unhealthy_old + max(0, healthy - floor))
    stop_new = max(0, counts.new_active - desired) if counts.old_active == 0 else 0
    return Step(start=start, stop_old=stop_old, stop_new=stop_new)


def done(desired: int, counts: Counts) -> bool:
    """A deployment is complete when the primary has `desired` healthy tasks and the
    older deployments none."""
    return counts.new_healthy == desired and counts.new_active == desired and counts.old_active == 0
