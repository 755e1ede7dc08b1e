"""Task scale-in protection honoured by the scheduler on real containers (issue #12 item
2), driven as a user drives it: the aws CLI protects a running service task, boto3 scales
the service in, and the protected task keeps running — the unprotected one is stopped,
and scale-in past it waits with ECS's event until the protection is taken off.

(The scheduler's arithmetic is unit-tested in fake time in
tests/unit/controllers/test_task_protection.py; this checks the wiring end to end.)
"""

from __future__ import annotations

import pytest

from .taskutil import NETWORK, SERVE, register, service, until

pytestmark = pytest.mark.usefixtures("docker_engine")


def _running(ecs) -> list[str]:
    return sorted(ecs.list_tasks(serviceName="guarded", desiredStatus="RUNNING")["taskArns"])


def _last_status(ecs, arn: str) -> str:
    return str(ecs.describe_tasks(tasks=[arn])["tasks"][0]["lastStatus"])


def test_a_protected_service_task_outlives_scale_in(ecs, aws):
    ecs.create_cluster(clusterName="default")
    taskdef = register(ecs, "guarded", [{"name": "app", "command": SERVE}])
    ecs.create_service(
        serviceName="guarded",
        taskDefinition=taskdef,
        desiredCount=2,
        launchType="FARGATE",
        networkConfiguration=NETWORK,
    )
    both = until(lambda: (lambda r: r if len(r) == 2 else None)(_running(ecs)), timeout=60)
    until(lambda: all(_last_status(ecs, a) == "RUNNING" for a in both), timeout=60)
    kept, other = both

    out = aws.json(
        "ecs",
        "update-task-protection",
        "--cluster",
        "default",
        "--tasks",
        kept,
        "--protection-enabled",
        "--expires-in-minutes",
        "10",
    )
    assert out["failures"] == []
    [protected] = out["protectedTasks"]
    assert protected["taskArn"] == kept and protected["protectionEnabled"] is True
    assert "expirationDate" in protected
    got = ecs.get_task_protection(cluster="default", tasks=[kept, other])["protectedTasks"]
    assert {t["taskArn"]: t["protectionEnabled"] for t in got} == {kept: True, other: False}

    # Scaling in by one stops the unprotected task, never the protected one.
    ecs.update_service(service="guarded", desiredCount=1)
    until(lambda: _running(ecs) == [kept], timeout=60)
    until(lambda: _last_status(ecs, other) == "STOPPED", timeout=60)
    assert _last_status(ecs, kept) == "RUNNING"

    # Scaling in to zero waits on the protection, in ECS's words.
    ecs.update_service(service="guarded", desiredCount=0)
    until(
        lambda: any(
            "was unable to scale in due to (reason 1 tasks under protection)" in e["message"]
            for e in service(ecs, "guarded")["events"]
        ),
        timeout=60,
    )
    assert _running(ecs) == [kept] and _last_status(ecs, kept) == "RUNNING"

    # Taking the protection off lets the scheduler finish the scale-in.
    aws.json(
        "ecs",
        "update-task-protection",
        "--cluster",
        "default",
        "--tasks",
        kept,
        "--no-protection-enabled",
    )
    until(lambda: _last_status(ecs, kept) == "STOPPED", timeout=60)
    assert service(ecs, "guarded")["runningCount"] == 0


def test_a_deployment_waits_for_a_protected_task(ecs, aws):
    """A rolling deployment starts the new task but leaves a protected old one running
    until its protection is taken off (ECS's documented rule), then completes."""
    ecs.create_cluster(clusterName="default")
    taskdef = register(ecs, "guarded", [{"name": "app", "command": SERVE}])
    ecs.create_service(
        serviceName="guarded",
        taskDefinition=taskdef,
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=NETWORK,
    )
    [old] = until(lambda: (lambda r: r if len(r) == 1 else None)(_running(ecs)), timeout=60)
    until(lambda: _last_status(ecs, old) == "RUNNING", timeout=60)
    ecs.update_task_protection(cluster="default", tasks=[old], protectionEnabled=True)

    ecs.update_service(service="guarded", forceNewDeployment=True)
    new = until(
        lambda: [a for a in _running(ecs) if a != old and _last_status(ecs, a) == "RUNNING"],
        timeout=60,
    )
    until(
        lambda: any(
            "was unable to scale in due to (reason 1 tasks under protection)" in e["message"]
            for e in service(ecs, "guarded")["events"]
        ),
        timeout=60,
    )
    assert _last_status(ecs, old) == "RUNNING"
    assert service(ecs, "guarded")["deployments"][0]["rolloutState"] == "IN_PROGRESS"

    aws.json(
        "ecs",
        "update-task-protection",
        "--cluster",
        "default",
        "--tasks",
        old,
        "--no-protection-enabled",
    )
    until(lambda: _last_status(ecs, old) == "STOPPED", timeout=60)
    until(
        lambda: service(ecs, "guarded")["deployments"][0]["rolloutState"] == "COMPLETED",
        timeout=60,
    )
    assert _running(ecs) == new
    ecs.update_service(service="guarded", desiredCount=0)
