"""Metric alarms: PutMetricAlarm, DescribeAlarms, DescribeAlarmsForMetric, DeleteAlarms,
SetAlarmState, Enable/DisableAlarmActions.

The documents, state and history live in model/cloudwatch/alarms.py (which records
AlarmStateChanged for the bus); evaluation is controllers/alarms.py's.
"""

from __future__ import annotations

import json
from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.cloudwatch import alarms, metrics
from .api import cloudwatch

CONFIG = (
    "AlarmName",
    "AlarmDescription",
    "ActionsEnabled",
    "OKActions",
    "AlarmActions",
    "InsufficientDataActions",
    "MetricName",
    "Namespace",
    "Statistic",
    "ExtendedStatistic",
    "Dimensions",
    "Period",
    "Unit",
    "EvaluationPeriods",
    "DatapointsToAlarm",
    "Threshold",
    "ComparisonOperator",
    "TreatMissingData",
    "EvaluateLowSampleCountPercentile",
)
TREAT_MISSING = ("breaching", "notBreaching", "ignore", "missing")


def _invalid(text: str) -> AwsError:
    return AwsError("ValidationError", text)


@cloudwatch.operation("PutMetricAlarm", write=True)
def put_metric_alarm(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    if p.get("Metrics"):
        # ecsd's own text: alarms on metric math are not evaluated here.
        raise _invalid("ecsd evaluates alarms on a single metric only; Metrics is not supported.")
    for key in ("MetricName", "Namespace", "Period"):
        if p.get(key) is None:
            raise _invalid(f"{key} must not be null.")  # ecsd's own text
    if (p.get("Statistic") is None) == (p.get("ExtendedStatistic") is None):
        raise _invalid("Exactly one of Statistic and ExtendedStatistic must be specified.")
    ext = p.get("ExtendedStatistic")
    if ext is not None and metrics.percentile_of(ext) is None:
        raise _invalid(f"The value {ext} for parameter ExtendedStatistic is not supported.")
    period = p["Period"]
    if period not in (10, 20, 30) and period % 60:
        raise _invalid("Period must be 10, 20, 30 or a multiple of 60.")  # ecsd's own text
    if p.get("Threshold") is None:
        raise _invalid("Threshold must not be null.")  # ecsd's own text
    dta = p.get("DatapointsToAlarm")
    if dta is not None and dta > p["EvaluationPeriods"]:
        raise _invalid("DatapointsToAlarm must be less than or equal to EvaluationPeriods.")
    tmd = p.get("TreatMissingData")
    if tmd is not None and tmd not in TREAT_MISSING:
        raise _invalid(
            f"Invalid value {tmd} for TreatMissingData. "
            "Valid values are breaching, notBreaching, ignore, missing."
        )
    if period * p["EvaluationPeriods"] > 7 * 86400:
        raise _invalid(
            "The evaluation period multiplied by the number of periods must not exceed "
            "one week (604800 seconds)."
        )
    doc = {k: p[k] for k in CONFIG if p.get(k) is not None}
    if p.get("Tags") is not None:
        doc["_Tags"] = p["Tags"]
    alarms.put_alarm(ctx, doc)
    return {}


def _page_size(p: dict[str, Any]) -> int:
    return int(p.get("MaxRecords") or 50)


@cloudwatch.operation("DescribeAlarms")
def describe_alarms(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    if p.get("AlarmNames") and p.get("AlarmNamePrefix"):
        raise _invalid("AlarmNames and AlarmNamePrefix cannot be specified together.")
    types = p.get("AlarmTypes") or ["MetricAlarm"]
    found = alarms.all_alarms(ctx) if "MetricAlarm" in types else []
    names = set(p.get("AlarmNames") or [])
    prefix = p.get("AlarmNamePrefix")
    state = p.get("StateValue")
    action = p.get("ActionPrefix")
    token = p.get("NextToken")
    out = []
    for doc in found:  # by name, as all_alarms orders them
        name = doc["AlarmName"]
        if names and name not in names:
            continue
        if prefix and not name.startswith(prefix):
            continue
        if state and doc["StateValue"] != state:
            continue
        if action and not any(
            a.startswith(action)
            for k in ("OKActions", "AlarmActions", "InsufficientDataActions")
            for a in doc.get(k, [])
        ):
            continue
        if token is not None and name <= token:
            continue
        out.append(alarms.public(doc))
    size = _page_size(p)
    result: dict[str, Any] = {"MetricAlarms": out[:size], "CompositeAlarms": []}
    if len(out) > size:
        result["NextToken"] = out[size - 1]["AlarmName"]
    return result


@cloudwatch.operation("DescribeAlarmsForMetric")
def describe_alarms_for_metric(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    want = metrics.dims_key(p.get("Dimensions") or [])
    out = []
    for doc in alarms.all_alarms(ctx):
        if (doc.get("Namespace"), doc.get("MetricName")) != (p["Namespace"], p["MetricName"]):
            continue
        if p.get("Dimensions") is not None and metrics.dims_key(doc["Dimensions"]) != want:
            continue
        for key in ("Statistic", "ExtendedStatistic", "Period", "Unit"):
            if p.get(key) is not None and doc.get(key) != p[key]:
                break
        else:
            out.append(alarms.public(doc))
    return {"MetricAlarms": out}


@cloudwatch.operation("DeleteAlarms", write=True)
def delete_alarms(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    names = p["AlarmNames"]
    missing = [n for n in names if alarms.get(ctx, n) is None]
    if missing:
        raise AwsError("ResourceNotFound", f"{', '.join(missing)} does not exist.", status=404)
    alarms.delete_alarms(ctx, names)
    return {}


@cloudwatch.operation("SetAlarmState", write=True)
def set_alarm_state(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    if alarms.get(ctx, p["AlarmName"]) is None:
        raise AwsError("ResourceNotFound", f"Alarm {p['AlarmName']} not found", status=404)
    data = p.get("StateReasonData")
    if data is not None:
        try:
            json.loads(data)
        except ValueError:
            raise AwsError("InvalidFormat", "Unable to parse StateReasonData.") from None
    alarms.set_state(ctx, p["AlarmName"], p["StateValue"], p["StateReason"], data)
    return {}


def _switch_actions(ctx: Context, names: list[str], enabled: bool) -> None:
    for name in names:
        doc = alarms.get(ctx, name)
        if doc is not None:
            doc["ActionsEnabled"] = enabled
            alarms.replace(ctx, doc)


@cloudwatch.operation("EnableAlarmActions", write=True)
def enable_alarm_actions(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    _switch_actions(ctx, p["AlarmNames"], True)
    return {}


@cloudwatch.operation("DisableAlarmActions", write=True)
def disable_alarm_actions(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    _switch_actions(ctx, p["AlarmNames"], False)
    return {}
