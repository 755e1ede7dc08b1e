"""Alarm evaluation: one metric alarm against its metric's recent periods.

The rules of AWS's "Evaluating an alarm": the last EvaluationPeriods periods are read;
the alarm goes to ALARM when at least DatapointsToAlarm of them breach, to OK when the
others do not; missing periods count as TreatMissingData says (missing: the alarm
keeps its state unless every period is missing, then INSUFFICIENT_DATA). `scale` is
seconds of real time per alarm-Period second (--metric-period / 60): a Period of 60 is
one metric period.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from ...core.unit import Unit
from . import alarms, metrics

OPERATORS = {
    "GreaterThanOrEqualToThreshold": (lambda v, t: v >= t, "greater than or equal to"),
    "GreaterThanThreshold": (lambda v, t: v > t, "greater than"),
    "LessThanThreshold": (lambda v, t: v < t, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, t: v <= t, "less than or equal to"),
}


def _stamp(ts: float) -> str:
    # AWS's StateReason form: dd/mm/yy HH:MM:SS.
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%d/%m/%y %H:%M:%S")


def _value(v: float) -> str:
    return repr(float(v))


def decide(
    doc: dict[str, Any], points: list[tuple[float, float]], now: float, period: float
) -> tuple[str, str, dict[str, Any]] | None:
    """The state the alarm should be in, its StateReason and StateReasonData; None:
    keep the state (TreatMissingData ignore/missing with too little data)."""
    n = int(doc["EvaluationPeriods"])
    m = int(doc.get("DatapointsToAlarm") or n)
    threshold = float(doc["Threshold"])
    test, words = OPERATORS.get(doc["ComparisonOperator"], OPERATORS["GreaterThanThreshold"])
    newest_end = math.floor(now / period) * period  # only complete periods are judged
    starts = [newest_end - (i + 1) * period for i in range(n)]
    by_start = dict(points)
    present = [(s, by_start[s]) for s in starts if s in by_start]
    treat = doc.get("TreatMissingData", "missing")
    breaching = [(s, v) for s, v in present if test(v, threshold)]
    missing = n - len(present)
    if treat == "breaching":
        bad = len(breaching) + missing
    else:
        bad = len(breaching)
    data: dict[str, Any] = {
        "version": "1.0",
        "queryDate": dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        "startDate": dt.datetime.fromtimestamp(starts[0], dt.UTC).strftime(
            "%Y-%m-%dT%H:%M:%S.000+0000"
        ),
        "statistic": doc.get("Statistic") or doc.get("ExtendedStatistic"),
        "period": int(doc["Period"]),
        "recentDatapoints": [v for _, v in reversed(present)],  # oldest first
        "threshold": threshold,
        "evaluatedDatapoints": [
            {"timestamp": dt.datetime.fromtimestamp(s, dt.UTC).isoformat(), "value": v}
            for s, v in present
        ],
    }
    if not present and treat in ("missing", "ignore"):
        if treat == "ignore":
            return None
        return (
            alarms.INSUFFICIENT_DATA,
            f"Insufficient Data: {n} datapoint{'s' if n != 1 else ''} were unknown.",
            data,
        )
    # The reason lists the evaluated datapoints newest first. AWS's M-of-N alarms say
    # "M out of the last N datapoints"; the exact M-of-N wording is as recalled from
    # AWS's alarm reasons (not checked against a document).
    listed = ", ".join(f"{_value(v)} ({_stamp(s)})" for s, v in present)
    count = len(present)
    noun = "datapoint" if count == 1 else "datapoints"
    verb = "was" if count == 1 else "were"
    if bad >= m:
        head = f"{bad} out of the last {n} datapoints" if m < n else f"{count} {noun}"
        return (
            alarms.ALARM,
            f"Threshold Crossed: {head} [{listed}] {verb if m == n else 'were'} {words} the threshold "
            f"({_value(threshold)}) (minimum {m} datapoint{'s' if m != 1 else ''} for "
            "OK -> ALARM transition).",
            data,
        )
    if missing and treat in ("missing", "ignore") and bad + missing >= m:
        return None  # not enough known periods to say OK
    return (
        alarms.OK,
        f"Threshold Crossed: {count} {noun} [{listed}] {verb} not {words} the threshold "
        f"({_value(threshold)}) (minimum 1 datapoint for ALARM -> OK transition).",
        data,
    )


def evaluate_all(unit: Unit, scale: float) -> int:
    """Evaluate every alarm of the unit's region; how many changed state."""
    changed = 0
    for doc in alarms.all_alarms(unit):
        period = float(doc["Period"]) * scale
        n = int(doc["EvaluationPeriods"])
        end = math.floor(unit.now / period) * period
        start = end - n * period
        stat = doc.get("Statistic") or doc.get("ExtendedStatistic") or "Average"
        points = metrics.statistics(
            unit,
            doc["Namespace"],
            doc["MetricName"],
            doc.get("Dimensions", []),
            start,
            end,
            period,
            stat,
            doc.get("Unit"),
        )
        decision = decide(doc, points, unit.now, period)
        if decision is None:
            continue
        state, reason, data = decision
        if state == doc["StateValue"]:
            continue
        if alarms.set_state(unit, doc["AlarmName"], state, reason, data):
            changed += 1
    return changed
