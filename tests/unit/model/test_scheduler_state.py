"""The scheduler's state: a typed object stored as JSON, readable from what older data
dirs hold, changed by the API only through its named transitions."""

from __future__ import annotations

from ecsd.model.ecs.scheduler_state import SchedulerState


def test_round_trip() -> None:
    state = SchedulerState(
        seen_until=5.0,
        accounted=["a"],
        failures=3,
        failed_at=4.0,
        retry_at=9.0,
        steady=2.0,
        health_failures={"ecs-svc/1": 2},
        retired=[{"id": "ecs-svc/0", "status": "INACTIVE"}],
    )
    assert SchedulerState.from_json(state.to_json()) == state


def test_an_older_or_empty_stored_state_reads_with_defaults() -> None:
    assert SchedulerState.from_json({}) == SchedulerState()
    assert SchedulerState.from_json(None) == SchedulerState()
    old = SchedulerState.from_json({"seen_until": 7, "failures": 2})  # keys popped, as once
    assert (old.seen_until, old.failures, old.retry_at, old.steady) == (7.0, 2, 0.0, None)


def test_a_new_deployment_starts_with_a_clean_slate_but_keeps_history() -> None:
    state = SchedulerState(failures=4, retry_at=100.0, steady=50.0, accounted=["x"], seen_until=3.0)
    state.new_deployment()
    assert (state.failures, state.retry_at, state.steady) == (0, 0.0, None)
    assert (state.accounted, state.seen_until) == (["x"], 3.0)


def test_a_new_count_ends_the_steady_state_only() -> None:
    state = SchedulerState(failures=4, steady=50.0)
    state.rescaled()
    assert (state.failures, state.steady) == (4, None)
