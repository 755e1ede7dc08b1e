"""Small helpers for scenario tests: register a Fargate task definition of the test
image, run it, and follow DescribeTasks until a status."""

from __future__ import annotations

import time
from typing import Any

IMAGE = "ecsd-test/busybox:latest"
NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-0123456789abcdef0"],
                                   "assignPublicIp": "ENABLED"}}
ORDER = ["PROVISIONING", "PENDING", "ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING",
         "DEPROVISIONING", "STOPPED"]


def awslogs(group: str, prefix: str = "ecs", create: bool = True) -> dict[str, Any]:
    options = {"awslogs-group": group, "awslogs-region": "us-east-1",
               "awslogs-stream-prefix": prefix}
    if create:
        options["awslogs-create-group"] = "true"
    return {"logDriver": "awslogs", "options": options}


def register(ecs: Any, family: str, containers: list[dict[str, Any]], **extra: Any) -> str:
    for c in containers:
        c.setdefault("image", IMAGE)
    extra.setdefault("executionRoleArn", "arn:aws:iam::000000000000:role/ecsTaskExecutionRole")
    return ecs.register_task_definition(
        family=family, requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
        cpu=extra.pop("cpu", "256"), memory=extra.pop("memory", "512"),
        containerDefinitions=containers, **extra)["taskDefinition"]["taskDefinitionArn"]


def run(ecs: Any, taskdef: str, cluster: str = "default", **extra: Any) -> str:
    out = ecs.run_task(cluster=cluster, taskDefinition=taskdef, launchType="FARGATE",
                       networkConfiguration=NETWORK, **extra)
    assert out["failures"] == []
    return out["tasks"][0]["taskArn"]


def describe(ecs: Any, arn: str, cluster: str = "default") -> dict[str, Any]:
    return ecs.describe_tasks(cluster=cluster, tasks=[arn])["tasks"][0]


def wait_for(ecs: Any, arn: str, status: str, *, timeout: float = 60.0,
             cluster: str = "default", seen: list[str] | None = None) -> dict[str, Any]:
    """Poll until lastStatus is `status` (or past it); record every status seen."""
    deadline = time.monotonic() + timeout
    while True:
        task = describe(ecs, arn, cluster)
        if seen is not None and (not seen or seen[-1] != task["lastStatus"]):
            seen.append(task["lastStatus"])
        if ORDER.index(task["lastStatus"]) >= ORDER.index(status):
            return task
        if time.monotonic() > deadline:
            raise AssertionError(f"task never reached {status}: {task}")
        time.sleep(0.05)


def log_messages(logs: Any, group: str, stream: str) -> list[str]:
    try:
        events = logs.get_log_events(logGroupName=group, logStreamName=stream,
                                     startFromHead=True)["events"]
    except logs.exceptions.ResourceNotFoundException:
        return []
    return [e["message"] for e in events]


def wait_log(logs: Any, group: str, stream: str, text: str, timeout: float = 20.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        messages = log_messages(logs, group, stream)
        if any(text in m for m in messages):
            return messages
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} never appeared in {group}/{stream}: {messages}")
        time.sleep(0.1)
