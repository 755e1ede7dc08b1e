"""Services on real containers: the second half of every tutorial.

Create a service, scale it, stop a task and watch it come back, roll a new revision and
watch old and new tasks swap step by step, break a deployment and watch the circuit
breaker roll it back, replace an unhealthy task, scale to zero and delete — each checked
the way a user of ECS checks it: DescribeServices counts, deployments[] and events,
DescribeTasks, and the containers themselves.
"""

from __future__ import annotations

import subprocess
import time
from typing import Any

import pytest

from .taskutil import NETWORK, SERVE, Poller, register, service, service_tasks, until, wait_stable

pytestmark = pytest.mark.usefixtures("docker_engine")


@pytest.fixture
def cluster(ecs):
    ecs.create_cluster(clusterName="default")
    return "default"


def create(ecs, name: str, taskdef: str, desired: int, **extra: Any) -> dict[str, Any]:
    return ecs.create_service(
        serviceName=name,
        taskDefinition=taskdef,
        desiredCount=desired,
        launchType="FARGATE",
        networkConfiguration=NETWORK,
        **extra,
    )["service"]


def messages(ecs, name: str) -> list[str]:
    return [e["message"] for e in service(ecs, name)["events"]]


def containers_of_service(ecs: Any, name: str) -> list[str]:
    """The task ARNs on running containers of the service's tasks, one per container,
    found by label as ecsd finds them (other servers may share the engine)."""
    mine = {t["taskArn"] for t in service_tasks(ecs, name)}
    # One listing with the label in it: a separate inspect could race a removal.
    arns = subprocess.run(
        [
            "docker",
            "ps",
            "--filter",
            "label=com.amazonaws.ecs.container-name=app",
            "--format",
            '{{.Label "com.amazonaws.ecs.task-arn"}}',
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [a for a in arns if a in mine]


class Timeline(Poller):
    """Polls the service's tasks in the background and records, per task, when it was
    first seen RUNNING and when it was first seen on its way down, and the most tasks
    ECS meant to run (desiredStatus RUNNING) at once."""

    def __init__(self, ecs: Any, name: str) -> None:
        super().__init__()
        self.ecs, self.name = ecs, name
        self.running: dict[str, float] = {}
        self.stopping: dict[str, float] = {}
        self.deployment: dict[str, str] = {}
        self.most_live = 0

    def poll(self) -> None:
        now = time.monotonic()
        tasks = service_tasks(self.ecs, self.name)
        live = [t for t in tasks if t["desiredStatus"] == "RUNNING"]
        self.most_live = max(self.most_live, len(live))
        for t in tasks:
            arn = t["taskArn"]
            self.deployment[arn] = t["startedBy"]
            if t["lastStatus"] == "RUNNING" and t["desiredStatus"] == "RUNNING":
                self.running.setdefault(arn, now)
            if t["desiredStatus"] == "STOPPED":
                self.stopping.setdefault(arn, now)

    def of(self, deployment: str) -> list[str]:
        return [a for a, d in self.deployment.items() if d == deployment]


def test_tutorial_service_scale_replace_scale_to_zero_and_delete(ecs, aws, cluster):
    taskdef = register(ecs, "web", [{"name": "app", "command": SERVE}])
    created = create(ecs, "web", taskdef, 1)
    deployment = created["deployments"][0]["id"]
    s = wait_stable(ecs, "web")
    assert (s["runningCount"], s["pendingCount"], s["desiredCount"]) == (1, 0, 1)
    [task] = service_tasks(ecs, "web")
    assert task["lastStatus"] == "RUNNING"
    assert task["group"] == "service:web" and task["startedBy"] == deployment
    aws.run("ecs", "wait", "tasks-running", "--tasks", task["taskArn"])
    task_id = task["taskArn"].rsplit("/", 1)[1]
    assert until(lambda: "(service web) has reached a steady state." in messages(ecs, "web"))
    assert messages(ecs, "web")[-1] == f"(service web) has started 1 tasks: (task {task_id})."

    # Scale to 2: no new deployment, one more task.
    s = ecs.update_service(service="web", desiredCount=2)["service"]
    assert [d["id"] for d in s["deployments"]] == [deployment]
    s = wait_stable(ecs, "web")
    assert s["runningCount"] == 2 and len(containers_of_service(ecs, "web")) == 2

    # Stop one: the scheduler replaces it, and the events say so.
    ecs.stop_task(task=task["taskArn"], reason="tutorial: watch it come back")
    aws.run("ecs", "wait", "tasks-stopped", "--tasks", task["taskArn"])
    until(
        lambda: len([t for t in service_tasks(ecs, "web") if t["lastStatus"] == "RUNNING"]) == 2,
        timeout=30,
    )
    tasks = service_tasks(ecs, "web")
    stopped = next(t for t in tasks if t["taskArn"] == task["taskArn"])
    assert stopped["stopCode"] == "UserInitiated"
    assert stopped["stoppedReason"] == "tutorial: watch it come back"
    [replacement] = [t for t in tasks if t["createdAt"] > stopped["stoppingAt"]]
    new_id = replacement["taskArn"].rsplit("/", 1)[1]
    assert f"(service web) has started 1 tasks: (task {new_id})." in messages(ecs, "web")
    assert wait_stable(ecs, "web")["runningCount"] == 2

    # Scale to zero: every task stops; then delete.
    ecs.update_service(service="web", desiredCount=0)
    s = wait_stable(ecs, "web")
    assert (s["runningCount"], s["pendingCount"]) == (0, 0)
    live = [t for t in service_tasks(ecs, "web") if t["desiredStatus"] == "RUNNING"]
    assert live == []
    stopped_msgs = [m for m in messages(ecs, "web") if "has stopped" in m]
    assert stopped_msgs and stopped_msgs[0].startswith(
        "(service web) has stopped 2 running tasks: (task "
    )
    for t in service_tasks(ecs, "web"):
        if t["stopCode"] == "ServiceSchedulerInitiated":
            assert t["stoppedReason"] == (
                f"Scaling activity initiated by (deployment {deployment})"
            )
    assert ecs.delete_service(service="web")["service"]["status"] == "DRAINING"
    until(lambda: service(ecs, "web")["status"] == "INACTIVE", timeout=30)
    assert ecs.list_services()["serviceArns"] == []
    until(lambda: containers_of_service(ecs, "web") == [], timeout=30)


def _roll(ecs, minimum: int, maximum: int) -> tuple[Timeline, str, str]:
    old_def = register(ecs, "roll", [{"name": "app", "command": SERVE}])
    new_def = register(
        ecs,
        "roll",
        [{"name": "app", "command": SERVE, "environment": [{"name": "V", "value": "2"}]}],
    )
    create(
        ecs,
        "roll",
        old_def,
        2,
        deploymentConfiguration={"minimumHealthyPercent": minimum, "maximumPercent": maximum},
    )
    old = wait_stable(ecs, "roll")["deployments"][0]["id"]
    with Timeline(ecs, "roll") as timeline:
        s = ecs.update_service(service="roll", taskDefinition=new_def)["service"]
        new = s["deployments"][0]["id"]
        assert [d["id"] for d in s["deployments"]] == [new, old]
        s = wait_stable(ecs, "roll")
        time.sleep(0.2)
    assert [d["taskDefinition"] for d in s["deployments"]] == [new_def]
    assert s["runningCount"] == 2
    assert f"(service roll) (deployment {new}) deployment completed." in messages(ecs, "roll")
    return timeline, old, new


def test_rolling_update_min_100_max_200_starts_new_before_stopping_old(ecs, cluster):
    timeline, old, new = _roll(ecs, 100, 200)
    new_tasks, old_tasks = timeline.of(new), timeline.of(old)
    assert len(new_tasks) == 2 and len(old_tasks) == 2
    # Both new tasks ran before the first old one was asked to stop, and no more than
    # floor(2 × 200%) = 4 tasks were ever meant to run at once.
    first_old_stop = min(timeline.stopping[a] for a in old_tasks)
    assert max(timeline.running[a] for a in new_tasks) < first_old_stop
    assert timeline.most_live <= 4


def test_rolling_update_min_50_max_100_stops_old_first(ecs, cluster):
    timeline, old, new = _roll(ecs, 50, 100)
    new_tasks, old_tasks = timeline.of(new), timeline.of(old)
    assert len(new_tasks) == 2 and len(old_tasks) == 2
    # One old task stops before any new one runs; never more than 2 at once; at least
    # ceil(2 × 50%) = 1 stays running throughout (the other old one, until a new one ran).
    first_old_stop = min(timeline.stopping[a] for a in old_tasks)
    assert first_old_stop < min(timeline.running[a] for a in new_tasks)
    assert max(timeline.stopping[a] for a in old_tasks) > min(
        timeline.running[a] for a in new_tasks
    )
    assert timeline.most_live <= 2


def test_no_room_to_move_says_so(ecs, cluster):
    first = register(ecs, "stuck", [{"name": "app", "command": SERVE}])
    second = register(
        ecs,
        "stuck",
        [{"name": "app", "command": SERVE, "environment": [{"name": "V", "value": "2"}]}],
    )
    create(
        ecs,
        "stuck",
        first,
        1,
        deploymentConfiguration={"minimumHealthyPercent": 100, "maximumPercent": 100},
    )
    wait_stable(ecs, "stuck")
    ecs.update_service(service="stuck", taskDefinition=second)
    expected = (
        "(service stuck) was unable to stop or start tasks during a deployment "
        "because of the service deployment configuration. Update the "
        "minimumHealthyPercent or maximumPercent value and try again."
    )
    until(lambda: expected in messages(ecs, "stuck"), timeout=15)
    assert messages(ecs, "stuck").count(expected) == 1
    # Loosening the configuration lets it finish.
    ecs.update_service(service="stuck", deploymentConfiguration={"minimumHealthyPercent": 0})
    s = wait_stable(ecs, "stuck")
    assert s["deployments"][0]["taskDefinition"] == second


def test_circuit_breaker_fails_the_deployment_and_rolls_back(ecs, cluster):
    good = register(ecs, "cb", [{"name": "app", "command": SERVE}])
    bad = register(ecs, "cb", [{"name": "app", "command": ["sh", "-c", "exit 1"]}])
    create(
        ecs,
        "cb",
        good,
        2,
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
    )
    first = wait_stable(ecs, "cb")["deployments"][0]["id"]
    failing = ecs.update_service(service="cb", taskDefinition=bad)["service"]["deployments"][0][
        "id"
    ]

    def failed() -> bool:
        return any(
            f"(deployment {failing}) deployment failed: tasks failed to start." in m
            for m in messages(ecs, "cb")
        )

    until(failed, timeout=60)
    s = service(ecs, "cb")
    by_id = {d["id"]: d for d in s["deployments"]}
    primary = s["deployments"][0]
    assert primary["taskDefinition"] == good and primary["id"] not in (first, failing)
    assert primary["rolloutStateReason"] == (
        f"ECS deployment circuit breaker: rolling back to deploymentId {first}."
    )
    assert s["taskDefinition"] == good
    if failing in by_id:  # still listed while its last task winds down
        assert by_id[failing]["rolloutState"] == "FAILED"
        assert by_id[failing]["rolloutStateReason"] == (
            "ECS deployment circuit breaker: tasks failed to start."
        )
        assert by_id[failing]["failedTasks"] >= 3
    bad_tasks = [t for t in service_tasks(ecs, "cb") if t["startedBy"] == failing]
    assert len(bad_tasks) >= 3
    assert all(t["taskDefinitionArn"] == bad for t in bad_tasks)
    s = wait_stable(ecs, "cb", timeout=60)
    assert s["runningCount"] == 2 and s["deployments"][0]["taskDefinition"] == good
    running = [t for t in service_tasks(ecs, "cb") if t["lastStatus"] == "RUNNING"]
    assert {t["taskDefinitionArn"] for t in running} == {good}
    # Good tasks ran all along: minimumHealthyPercent 100 kept two of them up.
    assert len(containers_of_service(ecs, "cb")) == 2


def test_an_unhealthy_task_is_replaced_start_first(ecs, cluster):
    # Healthy for its first seven seconds, then unhealthy for good.
    command = [
        "sh",
        "-c",
        "touch /tmp/ok; (sleep 7; rm /tmp/ok) & trap 'exit 0' TERM; sleep 3600 & wait",
    ]
    taskdef = register(
        ecs,
        "sick",
        [
            {
                "name": "app",
                "command": command,
                "healthCheck": {
                    "command": ["CMD-SHELL", "test -f /tmp/ok"],
                    "interval": 5,
                    "timeout": 2,
                    "retries": 1,
                },
            }
        ],
    )
    create(ecs, "sick", taskdef, 1)
    [first] = until(
        lambda: [t for t in service_tasks(ecs, "sick") if t["healthStatus"] == "HEALTHY"],
        timeout=30,
    )
    stopped = until(
        lambda: [
            t
            for t in service_tasks(ecs, "sick")
            if t["taskArn"] == first["taskArn"] and t["desiredStatus"] == "STOPPED"
        ],
        timeout=40,
    )[0]
    assert stopped["stopCode"] == "ServiceSchedulerInitiated"
    assert stopped["stoppedReason"] == "Task failed container health checks"
    first_id = first["taskArn"].rsplit("/", 1)[1]
    assert f"(service sick) (task {first_id}) failed container health checks." in messages(
        ecs, "sick"
    )
    # Its replacement had started before it was stopped, and was healthy by then.
    replacement = next(t for t in service_tasks(ecs, "sick") if t["taskArn"] != first["taskArn"])
    assert replacement["createdAt"] < stopped["stoppingAt"]
    assert replacement["startedAt"] < stopped["stoppingAt"]
