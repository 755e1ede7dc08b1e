"""lb/health.py: the target health state machine and the checker, in fake time."""

from __future__ import annotations

import asyncio

from ecsd.core.clock import FakeClock
from ecsd.lb.health import (
    FAILED,
    PASS,
    TIMEOUT,
    Checker,
    HealthMachine,
    Outcome,
    mismatch,
    parse_matcher,
)
from ecsd.lb.table import HealthCheck, Target

CHECK = HealthCheck(
    interval_seconds=10, timeout_seconds=5, healthy_threshold=3, unhealthy_threshold=2
)
TARGET = Target("10.0.0.1", 80, "127.0.0.1", 9001, 9001)


def test_matcher_forms():
    m = parse_matcher("200")
    assert m(200) and not m(201)
    m = parse_matcher("200,202")
    assert m(202) and not m(201)
    m = parse_matcher("200-299")
    assert m(200) and m(299) and not m(300)
    m = parse_matcher("200-204, 302")
    assert m(302) and m(203) and not m(301)


def test_a_new_target_is_healthy_after_one_passing_check():
    m = HealthMachine(CHECK)
    assert m.status == (
        "initial",
        "Elb.RegistrationInProgress",
        "Target registration is in progress",
    )
    assert m.checking() == (
        "initial",
        "Elb.InitialHealthChecking",
        "Initial health checks in progress",
    )
    assert m.observe(PASS) == ("healthy", None, None)


def test_a_new_target_is_unhealthy_after_the_unhealthy_threshold():
    m = HealthMachine(CHECK)
    m.checking()
    assert m.observe(mismatch(502)) is None
    assert m.observe(mismatch(502)) == (
        "unhealthy",
        "Target.ResponseCodeMismatch",
        "Health checks failed with these codes: [502]",
    )


def test_healthy_to_unhealthy_and_back_takes_the_thresholds():
    m = HealthMachine(CHECK, known_healthy=True)
    assert m.state == "healthy"
    assert m.observe(TIMEOUT) is None
    assert m.observe(PASS) is None  # a pass resets the failure count
    assert m.observe(TIMEOUT) is None
    assert m.observe(TIMEOUT) == ("unhealthy", "Target.Timeout", "Request timed out")
    # the latest reason shows while unhealthy
    assert m.observe(FAILED) == ("unhealthy", "Target.FailedHealthChecks", "Health checks failed")
    assert m.observe(PASS) is None
    assert m.observe(PASS) is None
    assert m.observe(PASS) == ("healthy", None, None)


def test_a_disabled_check_makes_the_target_unavailable():
    m = HealthMachine(HealthCheck(enabled=False))
    assert m.status == ("unavailable", "Target.HealthCheckDisabled", "Health checks are disabled")


class ScriptedProbe:
    """Answers from a script; `None` never answers (a timeout)."""

    def __init__(self, script: list[Outcome | None]) -> None:
        self.script = script
        self.calls = 0

    async def __call__(self, target: Target, check: HealthCheck) -> Outcome:
        self.calls += 1
        outcome = self.script.pop(0) if self.script else PASS
        if outcome is None:
            await asyncio.Event().wait()
        assert outcome is not None
        return outcome


def test_the_checker_runs_at_the_interval_with_the_timeout_in_fake_time():
    async def scenario() -> tuple[list[tuple[float, str, str | None]], int]:
        clock = FakeClock()
        seen: list[tuple[float, str, str | None]] = []
        probe = ScriptedProbe([PASS, None, None, PASS, PASS, PASS])
        checker = Checker(
            TARGET,
            CHECK,
            clock=clock,
            probe=probe,
            on_change=lambda s: seen.append((clock.monotonic(), s[0], s[1])),
        )
        checker.start()
        await clock.advance(0)
        await clock.advance(10)  # check 2 starts, times out at 15
        await clock.advance(10)  # 20: check 3 starts, times out at 25 → unhealthy
        await clock.advance(10)  # 30: check 4 passes (after the timeout's 5 s + interval)
        await clock.advance(100)
        await checker.stop()
        return seen, probe.calls

    seen, calls = asyncio.run(scenario())
    assert [s[1:] for s in seen] == [
        ("initial", "Elb.RegistrationInProgress"),
        ("initial", "Elb.InitialHealthChecking"),
        ("healthy", None),
        ("unhealthy", "Target.Timeout"),
        ("healthy", None),
    ]
    # unhealthy at the second timeout: check at 10 (out at 15), next at 25 (out at 30)
    assert seen[3][0] == 30.0
    # healthy again after three passes, 10 s apart from 40
    assert seen[4][0] == 60.0
    assert calls >= 6


def test_a_disabled_check_reports_unavailable_and_never_probes():
    async def scenario() -> tuple[list[str], int]:
        clock = FakeClock()
        seen: list[str] = []
        probe = ScriptedProbe([])
        checker = Checker(
            TARGET,
            HealthCheck(enabled=False),
            clock=clock,
            probe=probe,
            on_change=lambda s: seen.append(s[0]),
        )
        checker.start()
        await clock.advance(100)
        await checker.stop()
        return seen, probe.calls

    assert asyncio.run(scenario()) == (["unavailable"], 0)


def test_the_plane_restarts_a_checker_when_its_check_is_disabled_or_enabled():
    from ecsd.lb.plane import Plane
    from ecsd.lb.table import Table, TargetGroup

    async def scenario() -> list[str]:
        clock = FakeClock()
        seen: list[str] = []
        plane = Plane(
            report=lambda r: seen.append(getattr(r, "state", "drained")),
            clock=clock,
            probe=ScriptedProbe([]),
        )
        group = TargetGroup("tg", "tg", health_check=CHECK, targets=(TARGET,))
        await plane.apply(Table((), (group,)))
        await clock.advance(1)
        off = TargetGroup("tg", "tg", health_check=HealthCheck(enabled=False), targets=(TARGET,))
        await plane.apply(Table((), (off,)))
        await clock.advance(1)
        await plane.apply(Table((), (group,)))
        await clock.advance(1)
        await plane.close()
        return seen

    assert asyncio.run(scenario()) == [
        "initial",
        "initial",
        "healthy",
        "unavailable",
        "initial",
        "initial",
        "healthy",
    ]


def test_the_plane_keeps_a_targets_checks_when_only_known_healthy_changes():
    """The controller rebuilds the table with the health the store recorded: a target the
    plane already checks keeps its checker (its state and thresholds); `known_healthy`
    only seeds a new one. A changed address does restart the checks."""
    from dataclasses import replace

    from ecsd.lb.plane import Plane
    from ecsd.lb.table import Table, TargetGroup

    async def scenario() -> tuple[list[str], list[str], list[str]]:
        clock = FakeClock()
        seen: list[str] = []
        probe = ScriptedProbe([PASS] * 20)
        plane = Plane(report=lambda r: seen.append(r.state), clock=clock, probe=probe)
        group = TargetGroup("tg", "tg", health_check=CHECK, targets=(TARGET,))
        await plane.apply(Table((), (group,)))
        await clock.advance(0)
        await clock.advance(10)
        await clock.advance(10)  # three passes: healthy
        first = list(seen)
        known = replace(group, targets=(replace(TARGET, known_healthy=True),))
        await plane.apply(Table((), (known,)))  # the store's health comes back in the table
        await clock.advance(10)
        await plane.apply(Table((), (group,)))  # and goes (the flag is not identity)
        await clock.advance(10)
        after_flag = seen[len(first) :]
        moved = replace(group, targets=(replace(TARGET, port=9002, known_healthy=True),))
        await plane.apply(Table((), (moved,)))  # a new address: checks start again
        await clock.advance(0)
        await plane.close()
        return first, after_flag, seen[len(first) :]

    first, after_flag, after_move = asyncio.run(scenario())
    assert first == ["initial", "initial", "healthy"]
    assert after_flag == []  # no restart: no `initial`, no repeated `healthy`
    assert after_move == ["healthy"]  # a new checker, seeded by known_healthy
