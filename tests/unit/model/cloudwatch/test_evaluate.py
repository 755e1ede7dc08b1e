"""Alarm decisions in isolation: DatapointsToAlarm, operators, TreatMissingData, texts."""

from __future__ import annotations

from ecsd.model.cloudwatch.evaluate import decide

DOC = {
    "EvaluationPeriods": 3,
    "DatapointsToAlarm": 2,
    "Threshold": 70.0,
    "ComparisonOperator": "GreaterThanThreshold",
    "Period": 60,
    "Statistic": "Average",
}
NOW = 1_795_881_700.0  # 28/11/26 ... ; the three complete periods end at 1_795_881_660
ENDS = 1_795_881_660.0


def _points(*values):
    return [(ENDS - 60 * (len(values) - i), v) for i, v in enumerate(values)]


def test_two_of_three_breaching_alarms_with_the_aws_text():
    state, reason, data = decide(DOC, _points(75.0, 50.0, 80.0), NOW, 60)
    assert state == "ALARM"
    assert reason.startswith("Threshold Crossed: 2 out of the last 3 datapoints [80.0 (")
    assert reason.endswith(
        "were greater than the threshold (70.0) (minimum 2 datapoints for OK -> ALARM transition)."
    )
    assert data["recentDatapoints"] == [75.0, 50.0, 80.0] and data["threshold"] == 70.0


def test_one_breaching_of_three_is_ok():
    state, reason, _ = decide(DOC, _points(75.0, 50.0, 60.0), NOW, 60)
    assert state == "OK" and "were not greater than" in reason


def test_missing_data_treatments():
    assert decide(DOC, [], NOW, 60)[0] == "INSUFFICIENT_DATA"
    assert decide({**DOC, "TreatMissingData": "ignore"}, [], NOW, 60) is None
    assert decide({**DOC, "TreatMissingData": "breaching"}, [], NOW, 60)[0] == "ALARM"
    assert decide({**DOC, "TreatMissingData": "notBreaching"}, [], NOW, 60)[0] == "OK"
    # One breaching point and two missing: not enough known to say OK, not enough to alarm.
    assert decide(DOC, _points(75.0)[-1:], NOW, 60) is None


def test_operators():
    low = {**DOC, "ComparisonOperator": "LessThanOrEqualToThreshold", "DatapointsToAlarm": 1}
    assert decide(low, _points(80.0, 80.0, 70.0), NOW, 60)[0] == "ALARM"
    assert decide(low, _points(80.0, 80.0, 71.0), NOW, 60)[0] == "OK"
