"""Health checks: one checker per (target group, target), and the state machine it drives.

States and reasons are ELBv2's (reference §4.3, §4.8):

- a new target is `initial` — `Elb.RegistrationInProgress` until its first check runs,
  then `Elb.InitialHealthChecking` — and turns `healthy` after ONE passing check (ECS
  relies on this), or `unhealthy` after `unhealthy_threshold` consecutive failures;
- a healthy target turns `unhealthy` after `unhealthy_threshold` consecutive failures; an
  unhealthy one recovers after `healthy_threshold` consecutive passes;
- failures carry the reason of the last check: `Target.ResponseCodeMismatch` ("Health
  checks failed with these codes: [502]"), `Target.Timeout` ("Request timed out"),
  `Target.FailedHealthChecks` (connection refused or reset, malformed answer: "Health
  checks failed");
- a group whose health check is disabled shows its targets `unavailable`
  (`Target.HealthCheckDisabled`), and they are routed.

The descriptions are those DescribeTargetHealth shows on AWS as far as ecsd knows them;
"Health checks failed" for Target.FailedHealthChecks and the initial descriptions are the
wording seen in AWS's console and CLI output (not in the API reference, which gives codes
only).

The machine is pure (`HealthMachine.observe`), so its rules are unit-tested without time;
the checker waits on the injected clock, so a scenario runs in fake time, and its probe
is injectable (the real one is an HTTP GET with aiohttp).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp

from ecsd.core.clock import Clock
from ecsd.lb.table import HealthCheck, Target

REGISTRATION = ("initial", "Elb.RegistrationInProgress", "Target registration is in progress")
INITIAL_CHECKING = ("initial", "Elb.InitialHealthChecking", "Initial health checks in progress")
HEALTHY = ("healthy", None, None)
DRAINING = ("draining", "Target.DeregistrationInProgress", "Target deregistration is in progress")
DISABLED = ("unavailable", "Target.HealthCheckDisabled", "Health checks are disabled")

Status = tuple[str, str | None, str | None]


@dataclass(frozen=True)
class Outcome:
    """One check's result: passed, or the unhealthy reason and description it gives."""

    passed: bool
    reason: str | None = None
    description: str | None = None


PASS = Outcome(True)
TIMEOUT = Outcome(False, "Target.Timeout", "Request timed out")
FAILED = Outcome(False, "Target.FailedHealthChecks", "Health checks failed")


def mismatch(code: int) -> Outcome:
    return Outcome(
        False, "Target.ResponseCodeMismatch", f"Health checks failed with these codes: [{code}]"
    )


def parse_matcher(matcher: str) -> Callable[[int], bool]:
    """ELBv2's HttpCode: "200", "200,202", "200-299" (and mixes of them)."""
    singles: set[int] = set()
    ranges: list[tuple[int, int]] = []
    for part in matcher.replace(" ", "").split(","):
        if not part:
            continue
        lo, sep, hi = part.partition("-")
        try:
            if sep:
                ranges.append((int(lo), int(hi)))
            else:
                singles.add(int(lo))
        except ValueError:
            continue
    return lambda code: code in singles or any(lo <= code <= hi for lo, hi in ranges)


class HealthMachine:
    """A target's health state, moved by check outcomes."""

    def __init__(self, check: HealthCheck, *, known_healthy: bool = False) -> None:
        self.check = check
        self.status: Status = HEALTHY if known_healthy else REGISTRATION
        if not check.enabled:
            self.status = DISABLED
        self._passes = 0
        self._failures = 0

    @property
    def state(self) -> str:
        return self.status[0]

    def checking(self) -> Status | None:
        """The first check starts: `initial` moves from registration to initial checking."""
        if self.status == REGISTRATION:
            self.status = INITIAL_CHECKING
            return self.status
        return None

    def observe(self, outcome: Outcome) -> Status | None:
        """Take one check's outcome; the new status if it changed, else None."""
        before = self.status
        state = before[0]
        if outcome.passed:
            self._passes += 1
            self._failures = 0
            if state in ("initial",) or (
                state == "unhealthy" and self._passes >= self.check.healthy_threshold
            ):
                self.status = HEALTHY
        else:
            self._failures += 1
            self._passes = 0
            failed: Status = ("unhealthy", outcome.reason, outcome.description)
            if state == "unhealthy":
                self.status = failed  # the latest reason shows
            elif self._failures >= self.check.unhealthy_threshold:
                self.status = failed
        return self.status if self.status != before else None


Probe = Callable[[Target, HealthCheck], Awaitable[Outcome]]


class HttpProbe:
    """The real check: GET http://host:check_port/path; any status the matcher accepts
    passes. Connections are not reused, so a target that stopped accepting is noticed."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(force_close=True, limit=0),
                auto_decompress=False,
                headers={"User-Agent": "ELB-HealthChecker/2.0"},
            )
        return self._session

    async def __call__(self, target: Target, check: HealthCheck) -> Outcome:
        path = check.path if check.path.startswith("/") else "/" + check.path
        url = f"http://{target.host}:{target.check_port}{path}"
        try:
            async with self._get_session().get(url, allow_redirects=False) as resp:
                code = resp.status
        except (aiohttp.ClientError, OSError, ValueError):
            return FAILED
        return PASS if parse_matcher(check.matcher)(code) else mismatch(code)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


class Checker:
    """Runs one target's checks every interval until stopped, reporting each change."""

    def __init__(
        self,
        target: Target,
        check: HealthCheck,
        *,
        clock: Clock,
        probe: Probe,
        on_change: Callable[[Status], None],
        known_healthy: bool = False,
    ) -> None:
        self.target = target
        self.machine = HealthMachine(check, known_healthy=known_healthy)
        self._clock = clock
        self._probe = probe
        self._on_change = on_change
        self._task: asyncio.Task[None] | None = None

    @property
    def check(self) -> HealthCheck:
        return self.machine.check

    def start(self) -> None:
        self._on_change(self.machine.status)
        if self.machine.check.enabled:
            self._task = asyncio.get_running_loop().create_task(self._run())

    def update(self, check: HealthCheck) -> None:
        """The group's health check settings changed: the next check uses them."""
        self.machine.check = check

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            check = self.machine.check
            changed = self.machine.checking()
            if changed:
                self._on_change(changed)
            outcome = await self._one(check)
            changed = self.machine.observe(outcome)
            if changed:
                self._on_change(changed)
            await self._clock.sleep(check.interval_seconds)

    async def _one(self, check: HealthCheck) -> Outcome:
        """One probe, raced against the timeout on the injected clock."""
        probe = asyncio.ensure_future(self._probe(self.target, check))
        timer = asyncio.ensure_future(self._clock.sleep(check.timeout_seconds))
        try:
            done, _ = await asyncio.wait({probe, timer}, return_when=asyncio.FIRST_COMPLETED)
            if probe in done:
                try:
                    return probe.result()
                except Exception:  # a probe that broke is the target's failure to answer
                    return FAILED
            return TIMEOUT
        finally:
            probe.cancel()
            timer.cancel()
