"""What the runtime's view of a task's containers means in ECS terms: a container's
lastStatus, exitCode and reason, its health, the task's health, and whether a container's
dependsOn conditions hold. Pure functions, shared by every step of the task controller."""

from __future__ import annotations

from typing import Any

from ..runtime.base import ContainerState

OOM_REASON = "OutOfMemoryError: Container killed due to memory usage"


def container(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in doc["containers"] if c["name"] == name)


def unmet(definition: dict[str, Any], states: dict[str, ContainerState]) -> str | None:
    """None when every dependsOn condition holds; else what is awaited, or a reason that
    can never change (prefixed with '!')."""
    for dep in definition.get("dependsOn") or []:
        name, cond = dep["containerName"], dep["condition"]
        s = states.get(name)
        started = s is not None and bool(s.started_at)
        exited = started and s is not None and not s.running
        if cond == "START" and not started:
            return f"{name} START"
        if cond == "COMPLETE" and not exited:
            return f"{name} COMPLETE"
        if cond == "SUCCESS":
            if exited and s is not None and s.exit_code != 0:
                return (
                    f"!Task failed to start: dependency {name} of container "
                    f"{definition['name']} exited with code {s.exit_code}, "
                    "not the SUCCESS it needed."
                )
            if not exited:
                return f"{name} SUCCESS"
        if cond == "HEALTHY":
            if exited:
                return (
                    f"!Task failed to start: dependency {name} of container "
                    f"{definition['name']} exited before it became HEALTHY."
                )
            if s is None or s.health != "healthy":
                return f"{name} HEALTHY"
    return None


_HEALTH = {"healthy": "HEALTHY", "unhealthy": "UNHEALTHY"}


def observe(
    doc: dict[str, Any],
    rt: dict[str, Any],
    states: dict[str, ContainerState],
    *,
    final: bool = False,
) -> None:
    """Copy what the runtime shows onto the task's containers, and derive the task's
    health from its essential containers that have health checks."""
    for c, d in zip(doc["containers"], rt["containers"], strict=True):
        s = states.get(c["name"])
        if s is None:
            if final:
                c["lastStatus"] = "STOPPED"
            continue
        c["runtimeId"] = s.id
        if s.running:
            c["lastStatus"] = "RUNNING"
        elif s.started_at:
            c["lastStatus"] = "STOPPED"
            c["exitCode"] = s.exit_code
            if s.oom_killed:
                c["reason"] = OOM_REASON
        elif final:
            c["lastStatus"] = "STOPPED"
        if d.get("healthCheck") and (s.running or not c.get("healthStatus")):
            # Only a running container's health is news: once it has stopped (a sibling
            # failed and the task is coming down) the engine's health of the exited
            # container says nothing, and the last one seen while running stands.
            c["healthStatus"] = _HEALTH.get(s.health or "", "UNKNOWN")
    checked = [
        c
        for c, d in zip(doc["containers"], rt["containers"], strict=True)
        if d.get("essential", True) and d.get("healthCheck")
    ]
    if any(c["healthStatus"] == "UNHEALTHY" for c in checked):
        doc["healthStatus"] = "UNHEALTHY"
    elif any(c["healthStatus"] == "UNKNOWN" for c in checked) or not checked:
        doc["healthStatus"] = "UNKNOWN"
    else:
        doc["healthStatus"] = "HEALTHY"
