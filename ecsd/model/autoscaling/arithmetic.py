"""The arithmetic of one scaling decision, pure: what a policy asks for given the current
capacity and the metric, and whether the target's bounds, cooldowns and suspensions let
it happen. No store and no clock: the caller passes times in, so fake-time unit tests
cover every rule.

The rules follow AWS's guide for Application Auto Scaling and ecs-behaviour.md §6:
- target tracking asks for ceil(current × metric / target); it scales out on the high
  alarm and in on the low alarm only (DisableScaleIn: never in);
- step scaling picks the step whose interval (relative to the alarm's threshold) holds
  the breach, and applies ChangeInCapacity, PercentChangeInCapacity (rounded away from
  zero for less than one, towards zero otherwise, at least MinAdjustmentMagnitude) or
  ExactCapacity;
- the result is clamped to [MinCapacity, MaxCapacity];
- a scale-out waits out the scale-out cooldown of the policy's last scale-out (a scale-in
  never delays it); a scale-in waits out the scale-in cooldown of its last scale-in and
  the scale-out cooldown of its last scale-out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

DEFAULT_COOLDOWN = 300  # seconds, AWS's default ScaleOutCooldown / ScaleInCooldown
LOW_FACTOR = 0.9  # target tracking's AlarmLow threshold: 90 % of the target


def clamp(capacity: int, minimum: int, maximum: int) -> int:
    return max(minimum, min(maximum, capacity))


def target_tracking(current: int, metric: float, target: float) -> int:
    """The capacity that brings `metric` (an average over `current` tasks) to `target`.
    With no task running the metric means nothing per task: one task is asked for when
    the metric is above zero (ecsd's rule; AWS scales a zero-capacity ECS service out
    to the minimum of one the same way)."""
    if current <= 0:
        return 1 if metric > 0 else 0
    return math.ceil(round(current * metric / target, 9))


def step(
    current: int,
    breach: float,
    steps: Sequence[dict[str, Any]],
    adjustment_type: str,
    min_magnitude: int | None = None,
) -> int | None:
    """The capacity a step policy asks for when the metric is `breach` above (negative:
    below) the alarm's threshold; None when no step's interval holds it."""
    chosen = None
    for s in steps:
        lo = s.get("MetricIntervalLowerBound")
        hi = s.get("MetricIntervalUpperBound")
        if (lo is None or breach >= lo) and (hi is None or breach < hi):
            chosen = s
            break
    if chosen is None:
        return None
    adj = int(chosen["ScalingAdjustment"])
    if adjustment_type == "ExactCapacity":
        return adj
    if adjustment_type == "PercentChangeInCapacity":
        change = current * adj / 100.0
        if 0 < abs(change) < 1:
            delta = 1 if change > 0 else -1
        else:
            delta = int(change)  # towards zero
        if min_magnitude and abs(delta) < min_magnitude and delta != 0:
            delta = min_magnitude if delta > 0 else -min_magnitude
        return current + delta
    return current + adj  # ChangeInCapacity


@dataclass(frozen=True)
class Cooldowns:
    scale_out: float = DEFAULT_COOLDOWN
    scale_in: float = DEFAULT_COOLDOWN


def allowed(
    current: int,
    wanted: int,
    now: float,
    last_out: float | None,
    last_in: float | None,
    cooldowns: Cooldowns,
) -> bool:
    """Whether a change from `current` to `wanted` may happen now, given when the policy
    last scaled out and in."""
    if wanted > current:
        return last_out is None or now >= last_out + cooldowns.scale_out
    if wanted < current:
        # A scale-in neither repeats within its own cooldown nor undoes a scale-out
        # within the scale-out's (ecs-behaviour.md §6: blocked in its cooldown).
        if last_in is not None and now < last_in + cooldowns.scale_in:
            return False
        return last_out is None or now >= last_out + cooldowns.scale_out
    return False
