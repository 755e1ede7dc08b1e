"""Task scale-in protection: GetTaskProtection, UpdateTaskProtection.

Only a service's tasks can be protected (a standalone task answers the `TASK_NOT_VALID`
failure, as the API reference says); an unknown task answers `MISSING`. The scheduler
reads the protection (model/ecs/protection.py) when it picks tasks to stop.
"""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.ecs import protection
from ...model.ecs import tasks as task_model
from . import clusters
from .api import ecs

# ECS API reference: "A list of up to 10 task IDs or full ARN entries."
MAX_TASKS = 10


def _each(
    ctx: Context, p: dict[str, Any]
) -> tuple[list[tuple[dict[str, Any], dict[str, Any]]], list[dict[str, Any]]]:
    """The (doc, runtime) of every task the request names, and the failures."""
    cluster = clusters.load(ctx, p.get("cluster"))
    refs = p.get("tasks") or []
    if len(refs) > MAX_TASKS:
        raise AwsError("InvalidParameterException", f"tasks can have at most {MAX_TASKS} items.")
    found, failures = [], []
    for ref in refs:
        arn = task_model.resolve(ctx, cluster["clusterArn"], ref)
        loaded = protection.load(ctx, arn)
        if loaded is None or loaded[0]["clusterArn"] != cluster["clusterArn"]:
            failures.append({"arn": arn, "reason": "MISSING"})
        elif not str(loaded[0].get("group", "")).startswith("service:"):
            # The detail is ecsd's own words; the reason is the API reference's.
            failures.append(
                {
                    "arn": arn,
                    "reason": "TASK_NOT_VALID",
                    "detail": "The task is not part of a service.",
                }
            )
        elif loaded[0]["lastStatus"] == "STOPPED" or loaded[0]["desiredStatus"] == "STOPPED":
            failures.append(
                {"arn": arn, "reason": "TASK_NOT_VALID", "detail": "The task is stopping."}
            )
        else:
            found.append(loaded)
    return found, failures


@ecs.operation("GetTaskProtection")
def get_task_protection(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    found, failures = _each(ctx, p)
    return {
        "protectedTasks": [protection.view(d["taskArn"], rt, ctx.now) for d, rt in found],
        "failures": failures,
    }


@ecs.operation("UpdateTaskProtection", write=True)
def update_task_protection(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    minutes = p.get("expiresInMinutes")
    if minutes is not None and not 1 <= minutes <= protection.MAX_MINUTES:
        # ecsd's own words: AWS documents the range, not its message.
        raise AwsError(
            "InvalidParameterException",
            f"expiresInMinutes must be between 1 and {protection.MAX_MINUTES}.",
        )
    found, failures = _each(ctx, p)
    end = None
    if p["protectionEnabled"]:
        end = ctx.now + 60.0 * (minutes or protection.DEFAULT_MINUTES)
    out = []
    for doc, runtime in found:
        protection.update(ctx, doc, runtime, end)
        runtime = {**runtime, "protection": {"until": end}} if end else {}
        out.append(protection.view(doc["taskArn"], runtime, ctx.now))
    return {"protectedTasks": out, "failures": failures}
