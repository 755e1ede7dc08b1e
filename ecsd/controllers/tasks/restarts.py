"""Container restart policies: which exited container ECS restarts in place, inside its
task, instead of stopping the task.

ECS's agent (its RestartTracker) restarts a container when its definition has
`restartPolicy.enabled`, the task is still meant to run, the exit code is known and not
one of `ignoredExitCodes`, and the container ran at least `restartAttemptPeriod` seconds
(default 300) since it last (re)started. Docker sets a container's StartedAt anew at each
start, so that start time is the engine's own; the count of restarts is kept in the task's
runtime record (the metadata endpoint shows it as RestartCount; DescribeTasks has no
such field).
"""

from __future__ import annotations

from typing import Any

from ...runtime.base import ContainerState

DEFAULT_PERIOD = 300


def policy(definition: dict[str, Any]) -> dict[str, Any] | None:
    p = definition.get("restartPolicy")
    return p if p and p.get("enabled") else None


def should_restart(
    definition: dict[str, Any], state: ContainerState | None, *, now: float, desired: str
) -> bool:
    p = policy(definition)
    if p is None or desired != "RUNNING" or state is None:
        return False
    if state.running or not state.started_at or state.exit_code is None:
        return False
    if state.exit_code in (p.get("ignoredExitCodes") or []):
        return False
    period = p.get("restartAttemptPeriod") or DEFAULT_PERIOD
    return now - state.started_at >= period


def counts(rt: dict[str, Any]) -> dict[str, int]:
    return dict(rt.get("restartCounts") or {})
