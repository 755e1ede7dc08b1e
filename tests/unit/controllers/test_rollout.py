"""The rolling-update arithmetic against the examples ECS documents."""

from __future__ import annotations

import pytest

from ecsd.controllers.rollout import Counts, breaker_threshold, done, max_tasks, min_healthy, step


@pytest.mark.parametrize(
    "desired, percent, expected",
    [(4, 200, 8), (3, 125, 3), (10, 150, 15), (1, 100, 1), (0, 200, 0)],
)
def test_max_tasks_rounds_down(desired, percent, expected):
    assert max_tasks(desired, percent) == expected


@pytest.mark.parametrize(
    "desired, percent, expected", [(4, 50, 2), (2, 75, 2), (3, 50, 2), (10, 100, 10), (0, 100, 0)]
)
def test_min_healthy_rounds_up(desired, percent, expected):
    assert min_healthy(desired, percent) == expected


@pytest.mark.parametrize("desired, expected", [(1, 3), (4, 3), (7, 4), (10, 5), (1000, 200)])
def test_breaker_threshold(desired, expected):
    assert breaker_threshold(desired) == expected


def old_only(n: int) -> Counts:
    return Counts(new_active=0, new_healthy=0, old_active=n, old_healthy=n)


def test_desired_4_min_50_max_100_stops_two_old_first():
    s = step(4, old_only(4), maximum_percent=100, minimum_healthy_percent=50)
    assert (s.start, s.stop_old) == (0, 2)


def test_desired_2_min_75_stops_nothing_old_first():
    s = step(2, old_only(2), maximum_percent=200, minimum_healthy_percent=75)
    assert (s.start, s.stop_old) == (2, 0)


def test_desired_4_max_200_starts_four_new_before_stopping_old():
    s = step(4, old_only(4))
    assert (s.start, s.stop_old) == (4, 0)


def test_desired_3_max_125_min_100_is_stuck():
    s = step(3, old_only(3), maximum_percent=125, minimum_healthy_percent=100)
    assert (s.start, s.stop_old, s.stop_new) == (0, 0, 0)


def test_old_stop_once_new_are_healthy():
    s = step(4, Counts(new_active=4, new_healthy=4, old_active=4, old_healthy=4))
    assert (s.start, s.stop_old) == (0, 4)
    s = step(4, Counts(new_active=4, new_healthy=2, old_active=4, old_healthy=4))
    assert (s.start, s.stop_old) == (0, 2)


def test_unhealthy_old_tasks_never_hold_up_a_deployment():
    s = step(
        2,
        Counts(new_active=0, new_healthy=0, old_active=2, old_healthy=0),
        maximum_percent=100,
        minimum_healthy_percent=100,
    )
    assert s.stop_old == 2


def test_steady_service_replaces_and_scales():
    assert step(3, Counts(2, 2, 0, 0)).start == 1  # a task stopped: replace it
    assert step(1, Counts(3, 3, 0, 0)).stop_new == 2  # scaled in
    assert step(0, Counts(2, 2, 0, 0)).stop_new == 2  # to zero
    assert done(2, Counts(2, 2, 0, 0)) and not done(2, Counts(2, 1, 0, 0))
