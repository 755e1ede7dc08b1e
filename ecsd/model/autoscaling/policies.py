"""Scaling policies, and the CloudWatch alarms target tracking creates and owns.

A target-tracking policy gets two alarms, named and shaped as AWS names and shapes them:
`TargetTracking-<resource id>-AlarmHigh-<uuid>` (3 datapoints of one minute above the
target) and `…-AlarmLow-<uuid>` (15 datapoints below 90 % of it; none with
DisableScaleIn), each with the policy's ARN as its only alarm action. They are written
through the CloudWatch alarm model, so DescribeAlarms shows them and their state changes
reach the scaling controller like any other alarm's; they go with the policy. A
step-scaling policy owns no alarm: the user's alarms name its ARN in their actions.

The policy document keeps, privately, when the policy last scaled out and in (`_LastOut`,
`_LastIn`), which its cooldowns are counted from.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select, update

from ...aws.errors import AwsError
from ...core.unit import Unit
from ...store.schema.autoscaling import aas_policies
from ..cloudwatch import alarms as cw_alarms
from ..elbv2 import load_balancers as elbv2_load_balancers
from ..elbv2 import target_groups as elbv2_target_groups
from ..keyset import Keyset
from . import arithmetic
from .targets import Key, named_listing, service_parts

TARGET_TRACKING, STEP = "TargetTrackingScaling", "StepScaling"
PRIVATE = ("_LastOut", "_LastIn", "_OwnedAlarms")
PERIOD = 60  # seconds: target tracking's alarms watch one-minute datapoints
HIGH_PERIODS, LOW_PERIODS = 3, 15
ECS_METRICS = {
    "ECSServiceAverageCPUUtilization": "CPUUtilization",
    "ECSServiceAverageMemoryUtilization": "MemoryUtilization",
}


def public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in PRIVATE}


def _where(unit: Unit, key: Key) -> list[Any]:
    return key.rows_of(aas_policies, unit.region)


def get(unit: Unit, key: Key, name: str) -> dict[str, Any] | None:
    row = unit.conn.execute(
        select(aas_policies.c.doc).where(*_where(unit, key), aas_policies.c.name == name)
    ).first()
    return dict(row.doc) if row is not None else None


def by_arn(unit: Unit, arn: str) -> dict[str, Any] | None:
    row = unit.conn.execute(select(aas_policies.c.doc).where(aas_policies.c.arn == arn)).first()
    return dict(row.doc) if row is not None else None


def of_target(unit: Unit, key: Key) -> list[dict[str, Any]]:
    rows = unit.conn.execute(
        select(aas_policies.c.doc).where(*_where(unit, key)).order_by(aas_policies.c.name)
    )
    return [dict(r.doc) for r in rows]


def listing(unit: Unit, namespace: str, key_parts: dict[str, Any]) -> Keyset:
    return named_listing(unit, aas_policies, namespace, key_parts, "PolicyNames")


def alarms_of(unit: Unit, doc: dict[str, Any]) -> list[dict[str, str]]:
    """The alarms that invoke the policy: its own (target tracking) or those whose
    actions name it (step scaling), as {AlarmName, AlarmARN}."""
    if doc["PolicyType"] == TARGET_TRACKING:
        names = doc.get("_OwnedAlarms", [])
        return [{"AlarmName": n, "AlarmARN": cw_alarms.arn(unit, n)} for n in names]
    return [
        {"AlarmName": a["AlarmName"], "AlarmARN": a["AlarmArn"]}
        for a in cw_alarms.all_alarms(unit)
        if doc["PolicyARN"] in a.get("AlarmActions", [])
    ]


def put(unit: Unit, key: Key, name: str, p: dict[str, Any]) -> dict[str, Any]:
    """Create or replace the policy `p` (PutScalingPolicy's input) describes; the stored
    document. The target must have been checked to exist."""
    kind = p.get("PolicyType") or STEP
    old = get(unit, key, name)
    if kind == TARGET_TRACKING:
        config = _target_tracking(unit, key, p.get("TargetTrackingScalingPolicyConfiguration"))
    elif kind == STEP:
        config = _step(p.get("StepScalingPolicyConfiguration"))
    else:
        # ecsd's own text.
        raise AwsError("ValidationException", f"Policy type {kind} is not supported by ecsd.")
    arn = (old or {}).get("PolicyARN") or unit.arn(
        "autoscaling",
        f"scalingPolicy:{uuid.uuid4()}:resource/{key.namespace}/{key.resource_id}"
        f":policyName/{name}",
    )
    doc: dict[str, Any] = {
        "PolicyARN": arn,
        "PolicyName": name,
        "ServiceNamespace": key.namespace,
        "ResourceId": key.resource_id,
        "ScalableDimension": key.dimension,
        "PolicyType": kind,
        "CreationTime": (old or {}).get("CreationTime", unit.now),
    }
    doc[
        "TargetTrackingScalingPolicyConfiguration"
        if kind == TARGET_TRACKING
        else "StepScalingPolicyConfiguration"
    ] = config
    for k in ("_LastOut", "_LastIn"):
        if old and k in old:
            doc[k] = old[k]
    owned = list((old or {}).get("_OwnedAlarms", []))
    if kind == TARGET_TRACKING:
        owned = _own_alarms(unit, key, doc, config, owned)
    elif owned:
        cw_alarms.delete_alarms(unit, owned)
        owned = []
    doc["_OwnedAlarms"] = owned
    if old is None:
        unit.conn.execute(
            key.insert_into(
                aas_policies,
                unit.region,
                name=name,
                arn=arn,
                doc=doc,
            )
        )
    else:
        save(unit, doc)
    return doc


def save(unit: Unit, doc: dict[str, Any]) -> None:
    unit.conn.execute(
        update(aas_policies).where(aas_policies.c.arn == doc["PolicyARN"]).values(doc=doc)
    )


def remove(unit: Unit, doc: dict[str, Any]) -> None:
    """Delete the policy and the alarms it owns."""
    if doc.get("_OwnedAlarms"):
        cw_alarms.delete_alarms(unit, doc["_OwnedAlarms"])
    unit.conn.execute(delete(aas_policies).where(aas_policies.c.arn == doc["PolicyARN"]))


def _required(config: dict[str, Any] | None, what: str) -> dict[str, Any]:
    if not config:
        # ecsd's own text.
        raise AwsError("ValidationException", f"{what} is required for this policy type.")
    return dict(config)


def _target_tracking(unit: Unit, key: Key, config: dict[str, Any] | None) -> dict[str, Any]:
    c = _required(config, "TargetTrackingScalingPolicyConfiguration")
    if not c.get("TargetValue") or c["TargetValue"] <= 0:
        raise AwsError("ValidationException", "TargetValue must be greater than 0.")  # ecsd's
    predefined = c.get("PredefinedMetricSpecification")
    custom = c.get("CustomizedMetricSpecification")
    if bool(predefined) == bool(custom):
        # ecsd's own text.
        raise AwsError(
            "ValidationException",
            "Exactly one of PredefinedMetricSpecification and CustomizedMetricSpecification "
            "must be specified.",
        )
    metric_spec(unit, key, c)  # refuses what cannot be watched
    for k in ("ScaleOutCooldown", "ScaleInCooldown"):
        if c.get(k) is not None and c[k] < 0:
            raise AwsError("ValidationException", f"{k} must be at least 0.")  # ecsd's
    return c


def metric_spec(unit: Unit, key: Key, config: dict[str, Any]) -> dict[str, Any]:
    """The metric a target-tracking configuration watches, as alarm members (Namespace,
    MetricName, Dimensions, Statistic, optional Unit)."""
    predefined = config.get("PredefinedMetricSpecification")
    if predefined:
        kind = predefined["PredefinedMetricType"]
        if kind in ECS_METRICS:
            cluster, service = service_parts(key.resource_id)
            return {
                "Namespace": "AWS/ECS",
                "MetricName": ECS_METRICS[kind],
                "Dimensions": [
                    {"Name": "ClusterName", "Value": cluster},
                    {"Name": "ServiceName", "Value": service},
                ],
                "Statistic": "Average",
                "Unit": "Percent",
            }
        if kind == "ALBRequestCountPerTarget":
            label = predefined.get("ResourceLabel") or ""
            parts = label.split("/")
            if len(parts) != 6 or parts[0] != "app" or parts[3] != "targetgroup":
                # ecsd's own text.
                raise AwsError(
                    "ValidationException",
                    "ResourceLabel must be app/<load-balancer-name>/<load-balancer-id>/"
                    f"targetgroup/<target-group-name>/<target-group-id>: {label!r}",
                )
            _check_label(unit, parts)
            return {
                "Namespace": "AWS/ApplicationELB",
                "MetricName": "RequestCountPerTarget",
                "Dimensions": [{"Name": "TargetGroup", "Value": "/".join(parts[3:])}],
                "Statistic": "Sum",
            }
        # ecsd's own text.
        raise AwsError(
            "ValidationException",
            f"Unsupported predefined metric type {kind} for service namespace ecs.",
        )
    custom = config["CustomizedMetricSpecification"]
    if custom.get("Metrics") or not (custom.get("MetricName") and custom.get("Namespace")):
        # ecsd's own text: metric math is not evaluated here.
        raise AwsError(
            "ValidationException",
            "CustomizedMetricSpecification needs MetricName, Namespace and Statistic "
            "(metric math is not supported by ecsd).",
        )
    out = {
        "Namespace": custom["Namespace"],
        "MetricName": custom["MetricName"],
        "Dimensions": list(custom.get("Dimensions") or []),
        "Statistic": custom.get("Statistic") or "Average",
    }
    if custom.get("Unit"):
        out["Unit"] = custom["Unit"]
    return out


def _check_label(unit: Unit, parts: list[str]) -> None:
    """The load balancer and the target group a ResourceLabel names must exist (read
    through ELBv2's named model functions). The texts are ecsd's own."""
    lb = unit.arn("elasticloadbalancing", "loadbalancer/" + "/".join(parts[:3]))
    tg = unit.arn("elasticloadbalancing", "/".join(parts[3:]))
    if elbv2_load_balancers.get(unit, lb) is None:
        raise AwsError("ValidationException", f"Load balancer not found: {lb}")
    if elbv2_target_groups.get(unit, tg) is None:
        raise AwsError("ValidationException", f"Target group not found: {tg}")


def _step(config: dict[str, Any] | None) -> dict[str, Any]:
    c = _required(config, "StepScalingPolicyConfiguration")
    steps = c.get("StepAdjustments") or []
    if not c.get("AdjustmentType") or not steps:
        # ecsd's own text.
        raise AwsError("ValidationException", "AdjustmentType and StepAdjustments are required.")
    unbounded_low = [s for s in steps if s.get("MetricIntervalLowerBound") is None]
    unbounded_high = [s for s in steps if s.get("MetricIntervalUpperBound") is None]
    if len(unbounded_low) > 1 or len(unbounded_high) > 1:
        # ecsd's own text.
        raise AwsError(
            "ValidationException",
            "Only one step adjustment may have a null lower bound, and one a null upper bound.",
        )
    for s in steps:
        lo, hi = s.get("MetricIntervalLowerBound"), s.get("MetricIntervalUpperBound")
        if lo is not None and hi is not None and lo >= hi:
            raise AwsError(
                "ValidationException",
                "MetricIntervalLowerBound must be less than MetricIntervalUpperBound.",
            )
    return c


def _own_alarms(
    unit: Unit, key: Key, doc: dict[str, Any], config: dict[str, Any], owned: list[str]
) -> list[str]:
    """Create (or update, keeping their names) the policy's high and low alarms."""
    metric = metric_spec(unit, key, config)
    high = next((n for n in owned if "-AlarmHigh-" in n), None)
    low = next((n for n in owned if "-AlarmLow-" in n), None)
    prefix = f"TargetTracking-{key.resource_id}"
    high = high or f"{prefix}-AlarmHigh-{uuid.uuid4()}"
    target = float(config["TargetValue"])
    base = {
        "AlarmDescription": (
            f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {doc['PolicyARN']}."
        ),
        "ActionsEnabled": True,
        "AlarmActions": [doc["PolicyARN"]],
        "OKActions": [],
        "InsufficientDataActions": [],
        "Period": PERIOD,
        **metric,
    }
    cw_alarms.put_alarm(
        unit,
        {
            **base,
            "AlarmName": high,
            "EvaluationPeriods": HIGH_PERIODS,
            "DatapointsToAlarm": HIGH_PERIODS,
            "Threshold": target,
            "ComparisonOperator": "GreaterThanThreshold",
        },
    )
    out = [high]
    if config.get("DisableScaleIn"):
        if low:
            cw_alarms.delete_alarms(unit, [low])
        return out
    low = low or f"{prefix}-AlarmLow-{uuid.uuid4()}"
    cw_alarms.put_alarm(
        unit,
        {
            **base,
            "AlarmName": low,
            "EvaluationPeriods": LOW_PERIODS,
            "DatapointsToAlarm": LOW_PERIODS,
            "Threshold": round(target * arithmetic.LOW_FACTOR, 9),
            "ComparisonOperator": "LessThanThreshold",
        },
    )
    return out + [low]
