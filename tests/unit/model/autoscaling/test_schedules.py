"""Scheduled actions' expressions (model/autoscaling/schedules.py): at, rate and cron in
a time zone, start and end times, and the expressions refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ecsd.model.autoscaling import schedules as s


def ts(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def nxt(expr: str, after: str, tz: str | None = None, **kw) -> str | None:
    t = s.next_time(s.parse(expr), s.zone(tz), ts(after), base=kw.pop("base", ts(after)), **kw)
    return None if t is None else datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M")


def test_at_fires_once():
    assert nxt("at(2026-12-01T08:30:00)", "2026-11-28T16:00") == "2026-12-01T08:30"
    assert nxt("at(2026-12-01T08:30:00)", "2026-12-01T08:30") is None
    # In Tokyo's time: 09:00 JST is 00:00 UTC.
    assert nxt("at(2026-12-01T09:00:00)", "2026-11-28T16:00", "Asia/Tokyo") == "2026-12-01T00:00"


def test_rate_counts_from_its_base():
    assert nxt("rate(5 minutes)", "2026-11-28T16:07", base=ts("2026-11-28T16:00")) == (
        "2026-11-28T16:10"
    )
    assert nxt("rate(1 day)", "2026-11-28T16:00") == "2026-11-29T16:00"


def test_cron_fields():
    assert nxt("cron(0 18 * * ? *)", "2026-11-28T18:00") == "2026-11-29T18:00"
    assert nxt("cron(*/15 * * * ? *)", "2026-11-28T16:01") == "2026-11-28T16:15"
    # 2026-11-28 is a Saturday; MON-FRI (1 = SUN) skips to Monday.
    assert nxt("cron(0 9 ? * MON-FRI *)", "2026-11-28T16:00") == "2026-11-30T09:00"
    assert nxt("cron(0 9 ? * 2 *)", "2026-11-28T16:00") == "2026-11-30T09:00"
    assert nxt("cron(30 0 1 JAN ? 2027)", "2026-11-28T16:00") == "2027-01-01T00:30"
    assert nxt("cron(0 9 * * ? *)", "2026-11-28T16:00", "Asia/Tokyo") == "2026-11-29T00:00"
    assert nxt("cron(0 0 1 1 ? 2025)", "2026-11-28T16:00") is None


def test_start_and_end_bound_the_runs():
    kw = {"start": ts("2026-12-05T00:00"), "end": ts("2026-12-06T12:00")}
    assert nxt("cron(0 18 * * ? *)", "2026-11-28T16:00", **kw) == "2026-12-05T18:00"
    assert nxt("cron(0 18 * * ? *)", "2026-12-06T18:00", **kw) is None


@pytest.mark.parametrize(
    "bad",
    [
        "cron(0 18 * * *)",
        "cron(0 18 * * * *)",  # neither day field is ?
        "cron(0 25 * * ? *)",
        "cron(0 18 L * ? *)",
        "rate(0 minutes)",
        "rate(1 minutes)",
        "rate(5 minute)",
        "at(2026-13-01T00:00:00)",
        "every(5)",
    ],
)
def test_refused(bad):
    with pytest.raises(s.ScheduleError):
        s.parse(bad)


def test_unknown_zone_is_refused():
    with pytest.raises(s.ScheduleError):
        s.zone("Mars/Olympus")
