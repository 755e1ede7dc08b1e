"""What the service scheduler remembers about a service between passes.

It is stored beside the service (the `scheduler` JSON column), written in the same
transaction as the pass that changed it, so that a restart resumes where the last pass
ended. Only the scheduler (controllers/service_tick.py) reads and moves it; the API
changes it only through the named transitions here (a new deployment, a new count).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class SchedulerState:
    # Tasks that stopped before this moment were looked at by an earlier pass.
    seen_until: float = 0.0
    # Stopped tasks whose stop is counted already (each is counted once).
    accounted: list[str] = field(default_factory=list)
    # Consecutive start failures (the backoff's), when the last one was seen, and the
    # moment before which no task may be started.
    failures: int = 0
    failed_at: float = 0.0
    retry_at: float = 0.0
    # When the service last said "has reached a steady state" (None: not steady).
    steady: float | None = None
    # Per deployment id, how many of its failed tasks failed health checks (the breaker
    # says why it tripped by the larger share).
    health_failures: dict[str, int] = field(default_factory=dict)
    # The last few deployments that left deployments[], newest first: a rollback may go
    # back to one of them.
    retired: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> SchedulerState:
        """Read the stored form; keys missing from an older data dir take the defaults."""
        data = data or {}
        steady = data.get("steady")
        return cls(
            seen_until=float(data.get("seen_until") or 0),
            accounted=list(data.get("accounted") or []),
            failures=int(data.get("failures") or 0),
            failed_at=float(data.get("failed_at") or 0),
            retry_at=float(data.get("retry_at") or 0),
            steady=None if steady is None else float(steady),
            health_failures=dict(data.get("health_failures") or {}),
            retired=[dict(d) for d in data.get("retired") or []],
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def new_deployment(self) -> None:
        """A new deployment starts with a clean slate: no backoff and no run of failures
        carried over from the last one, and not steady until it says so again."""
        self.failures = 0
        self.retry_at = 0.0
        self.steady = None

    def rescaled(self) -> None:
        """The desired count changed: the service is not steady until it says so again."""
        self.steady = None
