"""Service events: the texts ECS writes into a service's events[], and how they are kept.

Every message starts with `(service <name>)`, says "tasks" even for one, and names tasks
by their bare id (reference §3.6). The 100 newest are kept, newest first. As ECS
documents, "duplicate event messages are omitted until either the cause is resolved or six
hours passes": a message already written within six hours, with no steady state reached
since (the cause resolved), is not written again.
"""

from __future__ import annotations

import uuid
from typing import Any

KEEP = 100
REPEAT_AFTER = 6 * 3600.0


def task_ids(arns: list[str]) -> str:
    return " ".join(f"(task {a.rsplit('/', 1)[-1]})" for a in arns)


def started(service: str, arns: list[str], replacing: int = 0) -> str:
    out = f"(service {service}) has started {len(arns)} tasks: {task_ids(arns)}."
    if replacing:
        out += f" Amazon ECS replaced {replacing} tasks due to an unhealthy status."
    return out


def stopped(service: str, arns: list[str]) -> str:
    return f"(service {service}) has stopped {len(arns)} running tasks: {task_ids(arns)}."


def steady(service: str) -> str:
    return f"(service {service}) has reached a steady state."


def deployment_completed(service: str, deployment_id: str) -> str:
    return f"(service {service}) (deployment {deployment_id}) deployment completed."


def deployment_failed(service: str, deployment_id: str, reason: str) -> str:
    return f"(service {service}) (deployment {deployment_id}) deployment failed: {reason}"


def rolling_back(service: str, to_id: str) -> str:
    return f"(service {service}) rolling back to deployment {to_id}."


def stuck(service: str) -> str:
    return (
        f"(service {service}) was unable to stop or start tasks during a deployment "
        "because of the service deployment configuration. Update the "
        "minimumHealthyPercent or maximumPercent value and try again."
    )


def unable_to_place(service: str, reason: str) -> str:
    return f"(service {service}) was unable to place a task. Reason: {reason}."


def no_container_instance(service: str) -> str:
    """A service whose launch type is EC2 on a cluster with no container instance."""
    return (
        f"(service {service}) was unable to place a task because no container instance met "
        "all of its requirements. Reason: No Container Instances were found in your cluster. "
        "For more information, see the Troubleshooting section of the Amazon ECS Developer "
        "Guide."
    )


def protected_from_scale_in(service: str, deployment: str, n: int) -> str:
    """Scale-in (or a deployment) held by task scale-in protection; the words are ECS's
    as reported from its events tab (the task set of an ECS-controlled service is its
    deployment)."""
    return (
        f"(service {service}, taskSet {deployment}) was unable to scale in due to "
        f"(reason {n} tasks under protection)"
    )


def inconsistent_starts(service: str) -> str:
    return f"(service {service}) is unable to consistently start tasks successfully."


def failed_health_checks(service: str, task_arn: str) -> str:
    return (
        f"(service {service}) (task {task_arn.rsplit('/', 1)[-1]}) failed container health checks."
    )


def registered_targets(service: str, target_group_arn: str, n: int) -> str:
    return f"(service {service}) registered {n} targets in (target-group {target_group_arn})"


def deregistered_targets(service: str, target_group_arn: str, n: int) -> str:
    return f"(service {service}) deregistered {n} targets in (target-group {target_group_arn})"


def draining(service: str, n: int, task_set: str | None = None) -> str:
    # A task set's tasks name their set, as ECS words it (reference §3.6).
    who = f"(service {service}, taskSet {task_set})" if task_set else f"(service {service})"
    return f"{who} has begun draining connections on {n} tasks."


def unhealthy_target(
    service: str, task_arn: str, port: int, target_group_arn: str, reason: str
) -> str:
    return (
        f"(service {service}) (task {task_arn.rsplit('/', 1)[-1]}) (port {port}) is unhealthy "
        f"in (target-group {target_group_arn}) due to (reason {reason})."
    )


def add(doc: dict[str, Any], message: str, now: float, *, dedupe: bool = True) -> bool:
    """Put `message` on top of the service's events; False when it was a duplicate to
    omit. The steady-state message itself is the scheduler's to pace (`dedupe=False`)."""
    events = doc.setdefault("events", [])
    if dedupe:
        resolved = steady(doc["serviceName"])
        for e in events:
            if e["message"] == resolved or now - float(e["createdAt"]) >= REPEAT_AFTER:
                break
            if e["message"] == message:
                return False
    events.insert(0, {"id": str(uuid.uuid4()), "createdAt": now, "message": message})
    del events[KEEP:]
    return True
