"""Small helpers for scenario tests: register a Fargate task definition of the test
image, run it, and follow DescribeTasks until a status."""

from __future__ import annotations

import threading
import time
from typing import Any

IMAGE = "ecsd-test/busybox:latest"
NETWORK = {
    "awsvpcConfiguration": {"subnets": ["subnet-0123456789abcdef0"], "assignPublicIp": "ENABLED"}
}
ORDER = [
    "PROVISIONING",
    "PENDING",
    "ACTIVATING",
    "RUNNING",
    "DEACTIVATING",
    "STOPPING",
    "DEPROVISIONING",
    "STOPPED",
]


def awslogs(group: str, prefix: str = "ecs", create: bool = True) -> dict[str, Any]:
    options = {
        "awslogs-group": group,
        "awslogs-region": "us-east-1",
        "awslogs-stream-prefix": prefix,
    }
    if create:
        options["awslogs-create-group"] = "true"
    return {"logDriver": "awslogs", "options": options}


def register(ecs: Any, family: str, containers: list[dict[str, Any]], **extra: Any) -> str:
    for c in containers:
        c.setdefault("image", IMAGE)
    extra.setdefault("executionRoleArn", "arn:aws:iam::000000000000:role/ecsTaskExecutionRole")
    return ecs.register_task_definition(
        family=family,
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu=extra.pop("cpu", "256"),
        memory=extra.pop("memory", "512"),
        containerDefinitions=containers,
        **extra,
    )["taskDefinition"]["taskDefinitionArn"]


def run(ecs: Any, taskdef: str, cluster: str = "default", **extra: Any) -> str:
    out = ecs.run_task(
        cluster=cluster,
        taskDefinition=taskdef,
        launchType="FARGATE",
        networkConfiguration=NETWORK,
        **extra,
    )
    assert out["failures"] == []
    return out["tasks"][0]["taskArn"]


def describe(ecs: Any, arn: str, cluster: str = "default") -> dict[str, Any]:
    return ecs.describe_tasks(cluster=cluster, tasks=[arn])["tasks"][0]


def wait_for(
    ecs: Any,
    arn: str,
    status: str,
    *,
    timeout: float = 60.0,
    cluster: str = "default",
    seen: list[str] | None = None,
) -> dict[str, Any]:
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
        events = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)[
            "events"
        ]
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


# A command that runs until told to stop and stops at once on SIGTERM (busybox `sleep` as
# PID 1 would ignore it and make every stop wait out stopTimeout).
SERVE = ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]


def service(ecs: Any, name: str, cluster: str = "default") -> dict[str, Any]:
    return ecs.describe_services(cluster=cluster, services=[name])["services"][0]


def service_tasks(ecs: Any, name: str, cluster: str = "default") -> list[dict[str, Any]]:
    """Every task of the service still describable, running or stopped, oldest first."""
    arns = [
        a
        for status in ("RUNNING", "STOPPED")
        for a in ecs.list_tasks(cluster=cluster, serviceName=name, desiredStatus=status)["taskArns"]
    ]
    found = []
    for i in range(0, len(arns), 100):
        found += ecs.describe_tasks(cluster=cluster, tasks=arns[i : i + 100])["tasks"]
    return sorted(found, key=lambda t: t["createdAt"])


def wait_stable(
    ecs: Any, name: str, *, cluster: str = "default", timeout: float = 60.0
) -> dict[str, Any]:
    """boto3's own services-stable waiter (polling every second), then until the
    deployment is COMPLETED: stable — one deployment, all running — can come a moment
    before the new tasks have run long enough to count as healthy."""
    ecs.get_waiter("services_stable").wait(
        cluster=cluster, services=[name], WaiterConfig={"Delay": 1, "MaxAttempts": int(timeout)}
    )
    return until(
        lambda: (lambda s: s if s["deployments"][0]["rolloutState"] == "COMPLETED" else None)(
            service(ecs, name, cluster)
        ),
        timeout=timeout,
    )


def until(check: Any, *, timeout: float = 60.0, every: float = 0.1) -> Any:
    """Poll `check()` until it returns something true; that is the result."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition never held within {timeout} s")
        time.sleep(every)


class Poller:
    """Calls `poll()` in a background thread, every `every` seconds, for as long as the
    with-block lasts: for watching what a server does while a test drives it."""

    every = 0.05

    def __init__(self) -> None:
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Any:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._done.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._done.is_set():
            self.poll()
            time.sleep(self.every)

    def poll(self) -> None:
        raise NotImplementedError
