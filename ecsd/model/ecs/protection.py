"""Task scale-in protection: UpdateTaskProtection's promise, kept for the scheduler.

A protected service task is never chosen when the service scales in, and a deployment
does not stop it until its protection ends (the developer guide's "Protect your Amazon
ECS tasks from being terminated by scale-in events"). Protection lasts `expiresInMinutes`
(1-2880, default 120) and then ends by itself, so it is kept as an expiry time: the
moment it passes, the task is unprotected without anyone writing anything.

It is stored in the task's `runtime` record (never shown by DescribeTasks, which has no
such field); the task controller rewrites that record only from a fresh read inside its
own write, so the expiry is never lost.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ...core.unit import Unit
from ...store.schema.ecs_tasks import tasks
from . import tasks as task_model

DEFAULT_MINUTES = 120
MAX_MINUTES = 2880


def until(runtime: dict[str, Any]) -> float:
    """When the task's protection ends (epoch seconds); 0 when it has none."""
    return float((runtime.get("protection") or {}).get("until") or 0)


def view(arn: str, runtime: dict[str, Any], now: float) -> dict[str, Any]:
    """A ProtectedTask as Get/UpdateTaskProtection show it."""
    end = until(runtime)
    if end > now:
        return {"taskArn": arn, "protectionEnabled": True, "expirationDate": end}
    return {"taskArn": arn, "protectionEnabled": False}


def load(unit: Unit, arn: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(doc, runtime) of a task, or None."""
    row = unit.conn.execute(select(tasks.c.doc, tasks.c.runtime).where(tasks.c.arn == arn)).first()
    return None if row is None else (dict(row.doc), dict(row.runtime))


def update(unit: Unit, doc: dict[str, Any], runtime: dict[str, Any], end: float | None) -> None:
    """Protect the task until `end`, or (None) end its protection now. The task document
    itself does not change, but the scheduler of its service must look again: the
    protection may be what held a scale-in or a deployment."""
    runtime = dict(runtime)
    if end is None:
        runtime.pop("protection", None)
    else:
        runtime["protection"] = {"until": end}
    unit.conn.execute(tasks.update().where(tasks.c.arn == doc["taskArn"]).values(runtime=runtime))
    task_model.changed(unit, doc)
