"""Service events: the texts ECS writes into a service's events[], and how they are kept.

Every message starts with `(service <name>)`, says "tasks" even for one, and names tasks
by their bare id (reference §3.6). The 100 newest are kept, newest first. A message that
would only repeat the newest one is not written again: ECS does not repeat "unable to
place a task" or "unable to stop or start tasks" on every scheduler pass, and a user
reading the list wants the changes, not the polling.
"""

from __future__ import annotations

import uuid
from typing import Any

KEEP = 100


def task_ids(arns: list[str]) -> str:
    return " ".join(f"(task {a.rsplit('/', 1)[-1]})" for a in arns)


def started(service: str, arns: list[str]) -> str:
    return f"(service {service}) has started {len(arns)} tasks: {task_ids(arns)}."


def stopped(service: str, arns: list[str]) -> str:
    return f"(service {service}) has stopped {len(arns)} running tasks: {task_ids(arns)}."


def steady(service: str) -> str:
    return f"(service {service}) has reached a steady state."


def deployment_completed(service: str, deployment_id: str) -> str:
    return f"(service {service}) (deployment {deployment_id}) deployment completed."


def deployment_failed(service: str, deployment_id: str, reason: str) -> str:
    return f"(service {service}) (deployment {deployment_id}) deployment failed: {reason}"


def rolling_back(service: str, to_id: str) -> str:
    return (f"(service {service}) rolling back to deployment {to_id}.")


def stuck(service: str) -> str:
    return (f"(service {service}) was unable to stop or start tasks during a deployment "
            "because of the service deployment configuration. Update the "
            "minimumHealthyPercent or maximumPercent value and try again.")


def unable_to_place(service: str, reason: str) -> str:
    return f"(service {service}) was unable to place a task. Reason: {reason}."


def inconsistent_starts(service: str) -> str:
    return f"(service {service}) is unable to consistently start tasks successfully."


def failed_health_checks(service: str, task_arn: str) -> str:
    return (f"(service {service}) (task {task_arn.rsplit('/', 1)[-1]}) failed container "
            "health checks.")


def add(doc: dict[str, Any], message: str, now: float) -> bool:
    """Put `message` on top of the service's events; False when it only repeated the
    newest one."""
    events = doc.setdefault("events", [])
    if events and events[0]["message"] == message:
        return False
    events.insert(0, {"id": str(uuid.uuid4()), "createdAt": now, "message": message})
    del events[KEEP:]
    return True
