"""A task's lifecycle as ECS shows it in `lastStatus`, and the one table of legal moves.

The task controller walks each task through these states one store write at a time; every
such write goes through `advance`, so a step that would move a task somewhere ECS never
goes (back from STOPPING to RUNNING, say, after a crash and a stale read) is refused
loudly instead of being shown to users.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class TaskStatus(StrEnum):
    PROVISIONING = "PROVISIONING"
    PENDING = "PENDING"
    ACTIVATING = "ACTIVATING"
    RUNNING = "RUNNING"
    DEACTIVATING = "DEACTIVATING"
    STOPPING = "STOPPING"
    DEPROVISIONING = "DEPROVISIONING"
    STOPPED = "STOPPED"


S = TaskStatus

# from → {to: why the move exists}. Nothing else is legal.
TRANSITIONS: dict[TaskStatus, dict[TaskStatus, str]] = {
    S.PROVISIONING: {
        S.PENDING: "the task's network namespace (sandbox) exists",
        S.STOPPING: "stopped (or failed) before anything started: nothing to deactivate",
    },
    S.PENDING: {
        S.ACTIVATING: "log streams checked and every image is local",
        S.STOPPING: "stopped, or an image could not be pulled (CannotPullContainerError)",
    },
    S.ACTIVATING: {
        S.RUNNING: "every container started and its dependsOn conditions held",
        S.STOPPING: "stopped, or a container could not start or a dependency failed",
    },
    S.RUNNING: {
        S.DEACTIVATING: "a stop was requested (user, service or an essential exit): "
        "first let load balancers drain the task",
    },
    S.DEACTIVATING: {
        S.STOPPING: "drained (or the drain timed out): containers may be signalled",
    },
    S.STOPPING: {
        S.DEPROVISIONING: "every container has exited (SIGKILL after its stopTimeout)",
    },
    S.DEPROVISIONING: {
        S.STOPPED: "containers, sandbox and task volumes removed",
    },
    S.STOPPED: {},  # final: a stopped task is never started again
}

# Before RUNNING: where a failure means the task "failed to start".
STARTING = frozenset({S.PROVISIONING, S.PENDING, S.ACTIVATING})


class IllegalTransition(Exception):
    """A move the table does not allow; the document is left unchanged."""


def status(doc: dict[str, Any]) -> TaskStatus:
    return TaskStatus(doc["lastStatus"])


def allowed(frm: TaskStatus | str, to: TaskStatus | str) -> bool:
    return TaskStatus(to) in TRANSITIONS[TaskStatus(frm)]


def advance(doc: dict[str, Any], to: TaskStatus | str) -> TaskStatus:
    """Move the task document to `to` (its lastStatus), or raise IllegalTransition."""
    frm, target = status(doc), TaskStatus(to)
    if target not in TRANSITIONS[frm]:
        raise IllegalTransition(f"task {doc.get('taskArn')}: {frm} → {target} is not a move")
    doc["lastStatus"] = target.value
    return target
