"""The metric store and alarm records (model/cloudwatch): statistics over periods,
identity by dimension set, retention, and alarm state changes with their history."""

from __future__ import annotations

from typing import Any

from ecsd.core.bus import AlarmStateChanged
from ecsd.model.cloudwatch import alarms, metrics
from ecsd.model.cloudwatch.metrics import Point

from ..conftest import World

DIMS = [{"Name": "B", "Value": "2"}, {"Name": "A", "Value": "1"}]


def test_statistics_aggregate_points_by_period(world: World) -> None:
    def put(unit: Any) -> None:
        for i, v in enumerate([10.0, 20.0, 30.0, 40.0]):
            metrics.put(unit, "NS", "M", DIMS, v, 1000.0 + i * 30, "Percent")
        metrics.put_many(unit, [Point("NS", "M", DIMS, 1125.0, 4, 100.0, 5.0, 50.0, "Percent")])

    world.run(put)
    # The same dimensions in another order are the same metric.
    got = world.run(
        lambda u: {
            s: metrics.statistics(u, "NS", "M", list(reversed(DIMS)), 1000.0, 1180.0, 60, s)
            for s in metrics.BASIC_STATISTICS + ("p50",)
        }
    )
    assert got["SampleCount"] == [(1000.0, 2.0), (1060.0, 2.0), (1120.0, 4.0)]
    assert got["Sum"] == [(1000.0, 30.0), (1060.0, 70.0), (1120.0, 100.0)]
    assert got["Average"] == [(1000.0, 15.0), (1060.0, 35.0), (1120.0, 25.0)]
    assert got["Minimum"][2] == (1120.0, 5.0) and got["Maximum"][2] == (1120.0, 50.0)
    # A statistic set has no individual values: that period has no percentile.
    assert got["p50"] == [(1000.0, 10.0), (1060.0, 30.0)]
    # Another dimension set is another metric; a unit filter keeps only matching points.
    assert world.run(lambda u: metrics.statistics(u, "NS", "M", DIMS[:1], 0, 2e3, 60, "Sum")) == []
    assert (
        world.run(lambda u: metrics.statistics(u, "NS", "M", DIMS, 0, 2e3, 60, "Sum", "Bytes"))
        == []
    )


def test_sweep_deletes_points_past_retention(world: World) -> None:
    now = world.clock.time()
    world.run(lambda u: metrics.put(u, "NS", "Old", [], 1.0, now - metrics.RAW_RETENTION - 1))
    world.run(lambda u: metrics.put(u, "NS", "New", [], 1.0, now - 60))
    assert world.run(lambda u: metrics.sweep(u)) == 1
    assert world.run(lambda u: metrics.find(u, "NS", "Old", [])) is None
    assert world.run(lambda u: metrics.statistics(u, "NS", "New", [], 0, now, 3600, "Sum"))


def test_alarm_state_changes_record_history_and_an_event(world: World) -> None:
    doc = {
        "AlarmName": "a",
        "MetricName": "M",
        "Namespace": "NS",
        "Threshold": 1.0,
        "AlarmActions": ["arn:aws:autoscaling:x"],
    }
    stored = world.run(lambda u: alarms.put_alarm(u, doc))
    assert stored["StateValue"] == "INSUFFICIENT_DATA"
    assert stored["StateReason"] == "Unchecked: Initial alarm creation"
    assert world.run(lambda u: alarms.set_state(u, "a", "ALARM", "because")) is True
    assert world.run(lambda u: alarms.set_state(u, "a", "ALARM", "still")) is False
    assert world.events == [
        AlarmStateChanged("us-east-1", "a", "INSUFFICIENT_DATA", "ALARM", "because")
    ]
    # Updating the configuration keeps the state.
    world.run(lambda u: alarms.put_alarm(u, {**doc, "Threshold": 2.0}))
    got = world.run(lambda u: alarms.get(u, "a"))
    assert got is not None and got["StateValue"] == "ALARM" and got["Threshold"] == 2.0
    assert world.run(lambda u: alarms.delete(u, ["a", "nope"])) == ["a"]
    assert world.run(lambda u: alarms.get(u, "a")) is None
