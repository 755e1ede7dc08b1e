"""Carrying out a scaling decision on an ECS service, in one unit of work: an alarm
invoking a policy, a scheduled action, or new bounds on a target.

The service's desiredCount changes through the same model path as UpdateService
(model/ecs/services: set the count, `rescale`, `save`), so the scheduler starts or stops
real tasks and writes its service events, and an activity is recorded with AWS's texts.

Rules (ecs-behaviour.md §6, AWS's guide): scaling counts from the running count; the
result is clamped to the target's bounds; cooldowns per arithmetic.py; no scale-in while
a deployment is in progress, nor with DisableScaleIn; a suspended kind of scaling does
nothing. The metric value a policy acts on is the alarm's newest datapoint in the metric
store; an alarm put into ALARM by SetAlarmState over no data has none, and then (ecsd's
own rule) target tracking moves by one task and step scaling reads the breach as zero.
"""

from __future__ import annotations

import math
from typing import Any

from ...core.unit import Unit
from ..cloudwatch import alarms as cw_alarms
from ..cloudwatch import metrics as cw_metrics
from ..ecs import services as ecs_services
from . import activities, arithmetic, policies, scheduled, targets
from .targets import Key


def _key(doc: dict[str, Any]) -> Key:
    return Key(doc["ServiceNamespace"], doc["ResourceId"], doc["ScalableDimension"])


def running_count(unit: Unit, service: dict[str, Any]) -> int:
    counts = ecs_services.task_counts(unit, [service])
    return sum(c["running"] for c in counts.values())


def deploying(service: dict[str, Any]) -> bool:
    deps = service.get("deployments") or []
    return len(deps) > 1 or any(d.get("rolloutState") == "IN_PROGRESS" for d in deps)


def metric_value(unit: Unit, alarm: dict[str, Any]) -> float | None:
    """The alarm's newest datapoint (its statistic over its period), if any."""
    # On the compressed metric clock a Period of 60 is one --metric-period, as the alarm
    # evaluator reads it (model/cloudwatch/evaluate.py): the same datapoints, not a
    # minute's worth of them.
    scale = float(getattr(unit.settings, "metric_period", 60.0) or 60.0) / 60.0
    period = float(alarm.get("Period") or 60) * scale
    stat = alarm.get("Statistic") or alarm.get("ExtendedStatistic")
    if not stat or not alarm.get("MetricName"):
        return None
    points = cw_metrics.statistics(
        unit,
        alarm["Namespace"],
        alarm["MetricName"],
        alarm.get("Dimensions") or [],
        unit.now - period * int(alarm.get("EvaluationPeriods") or 1) - period,
        unit.now + 1,
        period,
        stat,
        alarm.get("Unit"),
    )
    return points[-1][1] if points else None


def set_desired(unit: Unit, key: Key, service: Any, count: int, cause: str) -> dict[str, Any]:
    """Change the service's desired count as UpdateService does, and say so."""
    doc, scheduler = service
    doc["desiredCount"] = count
    ecs_services.rescale(unit, doc, scheduler)
    ecs_services.save(unit, doc, scheduler)
    return activities.desired_count(unit, key, count, cause)


def _service(unit: Unit, key: Key) -> Any:
    found = ecs_services.find(unit, targets.service_arn(unit, key.resource_id))
    if found is None or found[0]["status"] != "ACTIVE":
        return None
    return found


def run_policy(unit: Unit, policy_arn: str, alarm_name: str) -> dict[str, Any] | None:
    """The policy acts on its alarm being in ALARM: the activity it recorded, or None
    when it changed nothing (bounds, cooldown, suspension, a deployment, nothing to do)."""
    policy = policies.by_arn(unit, policy_arn)
    alarm = cw_alarms.get(unit, alarm_name)
    if policy is None or alarm is None or alarm["StateValue"] != cw_alarms.ALARM:
        return None
    # The alarm's history says its action ran, as CloudWatch's does for every invocation.
    cw_alarms.history(
        unit,
        alarm_name,
        "Action",
        f"Successfully executed action {policy_arn}",
        {"actionState": "Succeeded", "notificationResource": policy_arn},
    )
    key = _key(policy)
    target = targets.get(unit, key)
    service = _service(unit, key)
    if target is None or service is None:
        return None
    current = running_count(unit, service[0])
    value = metric_value(unit, alarm)
    wanted, cooldowns = _wanted(policy, alarm, current, value)
    if wanted is None:
        return None
    wanted = arithmetic.clamp(wanted, target["MinCapacity"], target["MaxCapacity"])
    desired = service[0]["desiredCount"]
    suspended = target.get("SuspendedState") or {}
    if wanted > current:
        if suspended.get("DynamicScalingOutSuspended") or wanted <= desired:
            return None  # already asked for (tasks on their way up)
    elif wanted < current:
        if suspended.get("DynamicScalingInSuspended") or deploying(service[0]):
            return None
        if wanted >= desired:
            return None
    else:
        return None
    if not arithmetic.allowed(
        current, wanted, unit.now, policy.get("_LastOut"), policy.get("_LastIn"), cooldowns
    ):
        return None
    policy["_LastOut" if wanted > current else "_LastIn"] = unit.now
    policies.save(unit, policy)
    cause = (
        f"monitor alarm {alarm_name} in state {cw_alarms.ALARM} triggered policy "
        f"{policy['PolicyName']}"
    )
    return set_desired(unit, key, service, wanted, cause)


def _wanted(
    policy: dict[str, Any], alarm: dict[str, Any], current: int, value: float | None
) -> tuple[int | None, arithmetic.Cooldowns]:
    if policy["PolicyType"] == policies.TARGET_TRACKING:
        c = policy["TargetTrackingScalingPolicyConfiguration"]
        cooldowns = arithmetic.Cooldowns(
            c.get("ScaleOutCooldown", arithmetic.DEFAULT_COOLDOWN),
            c.get("ScaleInCooldown", arithmetic.DEFAULT_COOLDOWN),
        )
        high = "-AlarmHigh-" in alarm["AlarmName"]
        if not high and c.get("DisableScaleIn"):
            return None, cooldowns
        if value is None:
            wanted = current + 1 if high else current - 1
        else:
            wanted = arithmetic.target_tracking(current, value, float(c["TargetValue"]))
        if (high and wanted <= current) or (not high and wanted >= current):
            return None, cooldowns
        return wanted, cooldowns
    c = policy["StepScalingPolicyConfiguration"]
    cooldown = c.get("Cooldown", arithmetic.DEFAULT_COOLDOWN)
    breach = 0.0 if value is None else value - float(alarm.get("Threshold") or 0.0)
    if value is None and str(alarm.get("ComparisonOperator", "")).startswith("Less"):
        breach = -math.ulp(0.0)  # "below the threshold", however little
    stepped = arithmetic.step(
        current,
        breach,
        c["StepAdjustments"],
        c["AdjustmentType"],
        c.get("MinAdjustmentMagnitude"),
    )
    return stepped, arithmetic.Cooldowns(cooldown, cooldown)


def apply_bounds(unit: Unit, target: dict[str, Any], cause: str) -> dict[str, Any] | None:
    """New bounds on a target move a desired count outside them inside (AWS does so on
    RegisterScalableTarget and scheduled actions): the activity, or None."""
    key = _key(target)
    service = _service(unit, key)
    if service is None:
        return None
    desired = service[0]["desiredCount"]
    bounded = arithmetic.clamp(desired, target["MinCapacity"], target["MaxCapacity"])
    if bounded == desired:
        return None
    return set_desired(unit, key, service, bounded, cause)


def run_scheduled(unit: Unit, action: dict[str, Any]) -> None:
    """A scheduled action's time has come: new bounds for its target (unless scheduled
    scaling is suspended), an activity, and its next run."""
    key = _key(action)
    target = targets.get(unit, key)
    scheduled.advance(unit, action)
    if target is None or (target.get("SuspendedState") or {}).get("ScheduledScalingSuspended"):
        return
    act = action.get("ScalableTargetAction") or {}
    lo = act.get("MinCapacity", target["MinCapacity"])
    hi = act.get("MaxCapacity", target["MaxCapacity"])
    target.update(MinCapacity=lo, MaxCapacity=max(hi, lo))
    targets.save(unit, target)
    name = action["ScheduledActionName"]
    # Texts as AWS's console shows them for a scheduled action (believed; not documented).
    cause = f"scheduled action name {name} was triggered"
    parts = []
    if "MinCapacity" in act:
        parts.append(f"min capacity to {act['MinCapacity']}")
    if "MaxCapacity" in act:
        parts.append(f"max capacity to {act['MaxCapacity']}")
    activities.record(
        unit,
        key,
        "Setting " + " and ".join(parts),
        cause,
        "Successfully set " + " and ".join(parts) + ".",
    )
    apply_bounds(unit, target, cause)


def run_due(unit: Unit) -> int:
    """Run every scheduled action of the unit's region whose time has come."""
    due = scheduled.due(unit)
    for action in due:
        run_scheduled(unit, action)
    return len(due)


def alarm_policies(unit: Unit, alarm_name: str) -> list[str]:
    """The scaling policies an alarm's actions name (when its actions are enabled)."""
    alarm = cw_alarms.get(unit, alarm_name)
    if alarm is None or not alarm.get("ActionsEnabled", True):
        return []
    return [a for a in alarm.get("AlarmActions", []) if ":scalingPolicy:" in a]
