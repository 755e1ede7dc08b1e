"""kill -9 of ecsd in the middle of a rolling deployment, at several moments, and a
restart: the deployment finishes, no more tasks than maximumPercent allows were ever meant
to run, no task was started twice, and no container is left behind."""

from __future__ import annotations

import subprocess
import time
from typing import Any

import pytest
from conftest import client_for

from .taskutil import NETWORK, SERVE, Poller, register, service, service_tasks, until, wait_stable

DESIRED = 4
MAXIMUM = 8  # floor(4 × 200%)


def _instance_containers(server: Any) -> dict[str, list[str]]:
    """Every container of this ecsd (running or not), by the task it belongs to: one
    listing with the labels in it, so that no removal can race a second look."""
    instance = (server.data_dir / "instance-id").read_text().strip()
    lines = subprocess.run(
        [
            "docker",
            "ps",
            "-a",
            "--filter",
            f"label=ecsd.instance={instance}",
            "--format",
            '{{.ID}} {{.Label "com.amazonaws.ecs.task-arn"}}',
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    out: dict[str, list[str]] = {}
    for line in lines:
        cid, _, arn = line.partition(" ")
        if arn:
            out.setdefault(arn, []).append(cid)
    return out


class LiveCount(Poller):
    """The most service tasks ECS meant to run at once (desiredStatus RUNNING), polled
    while the server answers."""

    every = 0.02

    def __init__(self, ecs: Any) -> None:
        super().__init__()
        self.ecs = ecs
        self.most = 0

    def poll(self) -> None:
        try:
            live = self.ecs.list_tasks(serviceName="roll", desiredStatus="RUNNING")
            self.most = max(self.most, len(live["taskArns"]))
        except Exception:
            pass  # the server is down for a moment: that is the point


def _tasks_of(ecs: Any, deployment: str) -> list[dict[str, Any]]:
    return [t for t in service_tasks(ecs, "roll") if t["startedBy"] == deployment]


KILL_POINTS = {
    # right after the UpdateService answer: the scheduler may be mid-pass
    "at-update": lambda ecs, new, old: True,
    # new tasks on their way up, none running yet
    "new-starting": lambda ecs, new, old: any(
        t["lastStatus"] != "RUNNING" for t in _tasks_of(ecs, new)
    ),
    # the first old tasks stopping
    "old-stopping": lambda ecs, new, old: any(
        t["desiredStatus"] == "STOPPED" for t in _tasks_of(ecs, old)
    ),
}


@pytest.mark.usefixtures("docker_engine")
@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_kill9_mid_rollout_and_the_deployment_finishes(ecsd_factory, point):
    server = ecsd_factory()
    ecs = client_for(server, "ecs")
    ecs.create_cluster()
    old_def = register(ecs, "roll", [{"name": "app", "command": SERVE}])
    new_def = register(
        ecs,
        "roll",
        [{"name": "app", "command": SERVE, "environment": [{"name": "V", "value": "2"}]}],
    )
    ecs.create_service(
        launchType="FARGATE",
        serviceName="roll",
        taskDefinition=old_def,
        desiredCount=DESIRED,
        networkConfiguration=NETWORK,
    )
    old = wait_stable(ecs, "roll")["deployments"][0]["id"]

    with LiveCount(ecs) as live:
        new = ecs.update_service(service="roll", taskDefinition=new_def)["service"]["deployments"][
            0
        ]["id"]
        until(lambda: KILL_POINTS[point](ecs, new, old), timeout=30, every=0.01)
        server.kill9()
        time.sleep(1.0)
        server.start()
        s = wait_stable(ecs, "roll", timeout=90)
    assert [d["id"] for d in s["deployments"]] == [new]
    assert s["runningCount"] == DESIRED
    assert live.most <= MAXIMUM

    new_tasks, old_tasks = _tasks_of(ecs, new), _tasks_of(ecs, old)
    assert len(new_tasks) == DESIRED, "a task of the new deployment was started twice"
    assert all(
        t["lastStatus"] == "RUNNING" and t["taskDefinitionArn"] == new_def for t in new_tasks
    )
    assert len(old_tasks) == DESIRED
    until(lambda: all(t["lastStatus"] == "STOPPED" for t in _tasks_of(ecs, old)), timeout=30)
    # One container per running task, and nothing else of this ecsd's left on the engine.
    containers = until(
        lambda: (lambda c: c if set(c) == {t["taskArn"] for t in new_tasks} else None)(
            _instance_containers(server)
        ),
        timeout=30,
    )
    assert all(len(ids) == 1 for ids in containers.values())
    assert service(ecs, "roll")["deployments"][0]["rolloutState"] == "COMPLETED"
    ecs.update_service(service="roll", desiredCount=0)
    until(lambda: _instance_containers(server) == {}, timeout=30)
