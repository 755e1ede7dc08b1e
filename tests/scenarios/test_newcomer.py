"""What a newcomer meets first (issue #12, item 7), against a real Docker engine and a
real `ecsd serve`, kept lean (one short container at a time): a failed pull leaves no log
stream and records its pull times, a stopped task keeps its ENI, a service created
without a grace period reads 0, and the terminal of `ecsd serve` says what happened."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest

from .taskutil import IMAGE, SERVE, awslogs, register, run, until, wait_for

pytestmark = pytest.mark.usefixtures("docker_engine")


@pytest.fixture
def cluster(ecs):
    ecs.create_cluster(clusterName="default")
    return "default"


def test_a_failed_pull_leaves_no_log_stream(ecs, client, cluster):
    image = "127.0.0.1:9/nope/newcomer:1"
    taskdef = register(
        ecs, "nopull", [{"name": "app", "image": image, "logConfiguration": awslogs("/ecs/nopull")}]
    )
    task = wait_for(ecs, run(ecs, taskdef), "STOPPED")
    assert task["stoppedReason"].startswith("CannotPullContainerError: ")
    assert task["pullStartedAt"] <= task["pullStoppedAt"]
    groups = client("logs").describe_log_groups(logGroupNamePrefix="/ecs/nopull")["logGroups"]
    assert groups == []


def test_a_stopped_task_keeps_its_eni(ecs, cluster, aws, ecsd):
    taskdef = register(ecs, "eni", [{"name": "app", "command": ["sh", "-c", "sleep 1"]}])
    arn = run(ecs, taskdef)
    wait_for(ecs, arn, "STOPPED")
    # As a user reads it: the private IP of a task that has stopped.
    described = aws.json(
        "ecs",
        "describe-tasks",
        "--tasks",
        arn,
        "--query",
        "tasks[0].attachments[0]",
    )
    assert described["status"] == "DELETED"
    details = {d["name"]: d["value"] for d in described["details"]}
    assert details["privateIPv4Address"].count(".") == 3
    # The terminal of `ecsd serve` told the story in DescribeTasks' words.
    task_id = arn.rsplit("/", 1)[1]
    said = [line for line in ecsd.log().splitlines() if task_id in line]
    assert any(line.endswith("(family:eni): RUNNING") for line in said), said
    assert any(
        "STOPPED, EssentialContainerExited: Essential container in task exited" in line
        for line in said
    ), said


def test_service_grace_period_reads_zero(ecs, cluster, ecsd):
    taskdef = register(ecs, "grace", [{"name": "app", "command": ["sleep", "30"]}])
    made = ecs.create_service(
        serviceName="grace",
        taskDefinition=taskdef,
        desiredCount=0,
        networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-1"]}},
        launchType="FARGATE",
    )["service"]
    assert made["healthCheckGracePeriodSeconds"] == 0
    described = ecs.describe_services(services=["grace"])["services"][0]
    assert described["healthCheckGracePeriodSeconds"] == 0
    # Each service event is also a line on the terminal of `ecsd serve`, in the same words.
    steady = "(service grace) has reached a steady state."
    until(
        lambda: (
            steady
            in [
                e["message"]
                for e in ecs.describe_services(services=["grace"])["services"][0]["events"]
            ]
        )
    )
    until(lambda: steady in ecsd.log())
    ecs.delete_service(service="grace")


def test_the_readme_url_query_gives_a_url_that_answers(ecs, cluster, aws):
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    # The --query of the README's walk-through, as written there.
    found = re.search(r'"(tasks\[0\]\.containers\[0\]\.networkBindings\[0\]\.join\(.*\))"', readme)
    assert found, "the README gives a task's URL with a describe-tasks --query"
    query = found.group(1)
    taskdef = register(
        ecs,
        "readme-web",
        [
            {
                "name": "web",
                "command": ["httpd", "-f", "-p", "8080", "-h", "/www"],
                "portMappings": [{"containerPort": 8080}],
            }
        ],
    )
    arn = run(ecs, taskdef)
    try:
        wait_for(ecs, arn, "RUNNING")
        out = aws.run("ecs", "describe-tasks", "--tasks", arn, "--output", "text", "--query", query)
        url = out.stdout.strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/"), url
        with urllib.request.urlopen(url, timeout=10) as answer:
            assert answer.status == 200
    finally:
        ecs.stop_task(task=arn)


def test_a_service_tasks_pull_names_its_image_as_the_task_definition_does(ecs, cluster, ecsd):
    """A deployment's later tasks run the image its first task resolved (a digest, or a
    local image's ID); the terminal still names the image as the task definition does."""
    taskdef = register(ecs, "pinned", [{"name": "app", "command": SERVE}])
    ecs.create_service(
        serviceName="pinned",
        taskDefinition=taskdef,
        desiredCount=1,
        networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-1"]}},
        launchType="FARGATE",
    )
    until(lambda: ecs.describe_services(services=["pinned"])["services"][0]["runningCount"] == 1)
    ecs.update_service(service="pinned", desiredCount=2)
    until(lambda: ecs.describe_services(services=["pinned"])["services"][0]["runningCount"] == 2)
    pulls = [line for line in ecsd.log().splitlines() if ": pulling " in line]
    assert any(
        re.search(rf"pulling {re.escape(IMAGE)} \(sha256:[0-9a-f]{{64}}\)$", line) for line in pulls
    ), pulls
    assert not any(re.search(r"pulling sha256:", line) for line in pulls), pulls
    ecs.update_service(service="pinned", desiredCount=0)
    ecs.delete_service(service="pinned")


def test_a_healthy_sibling_is_not_called_unhealthy_when_another_fails(ecs, cluster, aws):
    """Two health-checked containers; one exits and stops the task. The other one stays
    HEALTHY in DescribeTasks, as last seen running (it did not fail)."""
    check = {"command": ["CMD-SHELL", "true"], "interval": 5, "timeout": 2, "retries": 1}
    taskdef = register(
        ecs,
        "siblings",
        [
            {"name": "good", "command": SERVE, "healthCheck": check},
            {"name": "bad", "command": ["sh", "-c", "sleep 8; exit 1"], "healthCheck": check},
        ],
    )
    arn = run(ecs, taskdef)
    until(
        lambda: all(
            c.get("healthStatus") == "HEALTHY"
            for c in ecs.describe_tasks(tasks=[arn])["tasks"][0]["containers"]
        ),
        timeout=30,
    )
    wait_for(ecs, arn, "STOPPED", timeout=60)
    containers = aws.json("ecs", "describe-tasks", "--tasks", arn, "--query", "tasks[0].containers")
    by_name = {c["name"]: c for c in containers}
    assert by_name["bad"]["exitCode"] == 1
    assert by_name["good"]["healthStatus"] == "HEALTHY"
