"""lb/balancing.py: weighted forward, round robin, least outstanding requests, fail-open,
stickiness tokens and slow start."""

from __future__ import annotations

import random
from collections import Counter

from ecsd.lb.balancing import ForwardChooser, Pool, token
from ecsd.lb.table import Forward, Stickiness, Target, TargetGroup, WeightedGroup


def targets(n: int) -> tuple[Target, ...]:
    return tuple(Target(f"10.0.0.{i}", 80, "127.0.0.1", 9000 + i, 9000 + i) for i in range(n))


def pool(
    states: dict[str, str],
    n: int = 3,
    in_flight: dict[str, int] | None = None,
    now: list[float] | None = None,
    since: dict[str, float] | None = None,
    **group: object,
) -> Pool:
    g = TargetGroup("arn:tg", "tg", targets=targets(n), **group)  # type: ignore[arg-type]
    clock = now or [0.0]
    return Pool(g, lambda k: states.get(k, "initial"), in_flight or {}, lambda: clock[0], since)


def test_round_robin_over_healthy_targets_only():
    ts = targets(3)
    p = pool({ts[0].key: "healthy", ts[1].key: "unhealthy", ts[2].key: "healthy"})
    picks = [p.choose() for _ in range(6)]
    assert picks == [ts[0], ts[2]] * 3


def test_unavailable_targets_are_routed():
    ts = targets(2)
    p = pool({ts[0].key: "unavailable", ts[1].key: "unavailable"}, n=2)
    assert {p.choose(), p.choose()} == set(ts)


def test_fail_open_when_every_target_is_unhealthy():
    ts = targets(3)
    p = pool({t.key: "unhealthy" for t in ts})
    assert p.fail_open
    assert {p.choose() for _ in range(3)} == set(ts)


def test_targets_all_in_their_first_check_get_nothing_yet():
    p = pool({})
    assert p.choose() is None and not p.fail_open


def test_no_registered_target_means_none():
    p = pool({}, n=0)
    assert p.choose() is None


def test_refresh_follows_health_changes():
    ts = targets(2)
    states = {ts[0].key: "healthy"}
    p = pool(states, n=2)
    assert {p.choose() for _ in range(4)} == {ts[0]}
    states[ts[1].key] = "healthy"
    p.refresh()
    assert {p.choose() for _ in range(4)} == set(ts)


def test_least_outstanding_requests_picks_the_least_busy_and_rotates_ties():
    ts = targets(3)
    busy = {ts[0].key: 5, ts[1].key: 1, ts[2].key: 3}
    p = pool({t.key: "healthy" for t in ts}, in_flight=busy, algorithm="least_outstanding_requests")
    assert p.choose() == ts[1]
    busy[ts[1].key] = 9
    assert p.choose() == ts[2]
    idle = {t.key: 0 for t in ts}
    q = pool({t.key: "healthy" for t in ts}, in_flight=idle, algorithm="least_outstanding_requests")
    assert {q.choose() for _ in range(3)} == set(ts)


def test_weighted_forward_follows_the_weights():
    f = Forward((WeightedGroup("a", 80), WeightedGroup("b", 20), WeightedGroup("c", 0)))
    c = ForwardChooser(f)
    rng = random.Random(7)
    counts = Counter(c.choose(None, rng).arn for _ in range(5000))
    assert counts["c"] == 0
    assert 0.75 < counts["a"] / 5000 < 0.85


def test_group_stickiness_keeps_the_group_named_by_the_cookie():
    f = Forward((WeightedGroup("a", 1), WeightedGroup("b", 1)), stickiness_enabled=True)
    c = ForwardChooser(f)
    first = c.choose(None, random.Random(1))
    assert first.cookie == token("tg", first.arn)
    for seed in range(20):
        assert c.choose(first.cookie, random.Random(seed)).arn == first.arn
    # an unknown cookie is ignored
    assert c.choose("bogus", random.Random(1)).arn in ("a", "b")


def test_target_stickiness_token_names_a_routable_target():
    ts = targets(2)
    states = {t.key: "healthy" for t in ts}
    p = pool(states, n=2, stickiness=Stickiness(enabled=True))
    assert p.sticky(p.target_token(ts[1])) == ts[1]
    states[ts[1].key] = "unhealthy"
    p.refresh()
    assert p.sticky(p.target_token(ts[1])) is None
    assert p.sticky(None) is None


def test_slow_start_ramps_a_new_target_up():
    ts = targets(2)
    now = [100.0]
    since = {ts[1].key: 100.0}  # ts[1] just turned healthy
    p = pool({t.key: "healthy" for t in ts}, n=2, now=now, since=since, slow_start_seconds=100)
    rng = random.Random(3)
    early = Counter(p.choose(rng) for _ in range(1000))
    assert early[ts[1]] < 50
    now[0] = 150.0
    mid = Counter(p.choose(rng) for _ in range(1000))
    assert 150 < mid[ts[1]] < 350  # half its share of a round robin's 500
    now[0] = 300.0
    late = Counter(p.choose(rng) for _ in range(1000))
    assert late[ts[1]] == 500
