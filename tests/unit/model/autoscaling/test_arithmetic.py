"""The arithmetic of a scaling decision (model/autoscaling/arithmetic.py): target
tracking's proportional capacity, step scaling's adjustments, bounds and cooldowns."""

from __future__ import annotations

import pytest

from ecsd.model.autoscaling import arithmetic as a

STEPS = [
    {"MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 10, "ScalingAdjustment": 1},
    {"MetricIntervalLowerBound": 10, "ScalingAdjustment": 3},
    {"MetricIntervalUpperBound": 0, "ScalingAdjustment": -1},
]


@pytest.mark.parametrize(
    ("current", "metric", "target", "want"),
    [
        (1, 90.0, 30.0, 3),
        (2, 75.0, 50.0, 3),  # 3.0 exactly, no rounding up past it
        (4, 10.0, 50.0, 1),
        (3, 31.0, 30.0, 4),  # any excess rounds up: capacity is kept, not shaved
        (0, 5.0, 50.0, 1),
        (0, 0.0, 50.0, 0),
        (10, 44.99, 50.0, 9),
    ],
)
def test_target_tracking_is_proportional(current, metric, target, want):
    assert a.target_tracking(current, metric, target) == want


def test_step_picks_the_interval_holding_the_breach():
    assert a.step(2, 5.0, STEPS, "ChangeInCapacity") == 3
    assert a.step(2, 10.0, STEPS, "ChangeInCapacity") == 5  # lower bound inclusive
    assert a.step(2, 0.0, STEPS, "ChangeInCapacity") == 3
    assert a.step(2, -0.5, STEPS, "ChangeInCapacity") == 1
    assert a.step(2, 5.0, STEPS[:1][:0], "ChangeInCapacity") is None
    assert a.step(2, 20.0, STEPS, "ExactCapacity") == 3


def test_percent_change_rounds_as_aws_documents():
    pct = [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 25}]
    assert a.step(10, 1.0, pct, "PercentChangeInCapacity") == 12  # 2.5 → 2
    assert a.step(2, 1.0, pct, "PercentChangeInCapacity") == 3  # 0.5 → 1
    assert a.step(10, 1.0, pct, "PercentChangeInCapacity", min_magnitude=4) == 14
    down = [{"MetricIntervalUpperBound": 0, "ScalingAdjustment": -50}]
    assert a.step(5, -1.0, down, "PercentChangeInCapacity") == 3  # -2.5 → -2


def test_clamp():
    assert a.clamp(7, 1, 5) == 5 and a.clamp(0, 1, 5) == 1 and a.clamp(3, 0, 0) == 0


def test_cooldowns():
    c = a.Cooldowns(scale_out=60, scale_in=300)
    assert a.allowed(1, 2, 1000.0, None, None, c)
    assert not a.allowed(2, 3, 1059.0, 1000.0, None, c)
    assert a.allowed(2, 3, 1060.0, 1000.0, None, c)
    # A scale-in waits out its own cooldown …
    assert not a.allowed(3, 2, 1299.0, None, 1000.0, c)
    assert a.allowed(3, 2, 1300.0, None, 1000.0, c)
    # … and the last scale-out's, but a scale-out is never held by a scale-in.
    assert not a.allowed(3, 2, 1030.0, 1000.0, None, c)
    assert a.allowed(2, 3, 1001.0, None, 1000.0, c)
    assert not a.allowed(2, 2, 5000.0, None, None, c)
