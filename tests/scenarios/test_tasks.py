"""Tasks as real containers: the tutorials' first half, against a real Docker engine.

Each test drives a real `ecsd serve` with boto3 and checks what a user of ECS would:
statuses, stop codes and reasons, exit codes, logs in CloudWatch Logs, and the container
itself (reachable over HTTP, gone after STOPPED).
"""

from __future__ import annotations

import json
import re
import subprocess
import time
import urllib.request

import pytest
from botocore.exceptions import ClientError

from .taskutil import ORDER, awslogs, describe, register, run, wait_for, wait_log

pytestmark = pytest.mark.usefixtures("docker_engine")


@pytest.fixture
def cluster(ecs):
    ecs.create_cluster(clusterName="default")
    return "default"


def _containers_of(arn: str) -> list[str]:
    out = subprocess.run(
        ["docker", "ps", "-aq", "--filter", f"label=com.amazonaws.ecs.task-arn={arn}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()


def test_hello_task_output_lands_in_its_log_stream(ecs, client, cluster):
    taskdef = register(
        ecs,
        "hello",
        [
            {
                "name": "app",
                "command": ["sh", "-c", "echo hello from ecsd"],
                "logConfiguration": awslogs("/ecs/hello", "hello"),
            }
        ],
    )
    arn = run(ecs, taskdef)
    task_id = arn.rsplit("/", 1)[1]
    assert re.fullmatch(r"[0-9a-f]{32}", task_id)
    assert arn == f"arn:aws:ecs:us-east-1:000000000000:task/default/{task_id}"
    task = wait_for(ecs, arn, "STOPPED")
    assert task["stopCode"] == "EssentialContainerExited"
    assert task["stoppedReason"] == "Essential container in task exited"
    assert task["containers"][0]["exitCode"] == 0
    messages = wait_log(client("logs"), "/ecs/hello", f"hello/app/{task_id}", "hello from ecsd")
    assert messages == ["hello from ecsd"]


def test_web_task_is_reachable_then_stops_cleanly(ecs, cluster):
    taskdef = register(
        ecs,
        "web",
        [
            {
                "name": "web",
                "command": ["httpd", "-f", "-p", "8080", "-h", "/www"],
                "portMappings": [{"containerPort": 8080}],
            }
        ],
    )
    arn = run(ecs, taskdef, startedBy="tutorial")
    first = describe(ecs, arn)
    assert first["lastStatus"] == "PROVISIONING" or first["lastStatus"] in ORDER
    assert first["desiredStatus"] == "RUNNING"
    assert first["group"] == "family:web" and first["startedBy"] == "tutorial"
    seen: list[str] = []
    task = wait_for(ecs, arn, "RUNNING", seen=seen)
    assert seen == [s for s in ORDER if s in seen], seen  # never backwards
    assert task["lastStatus"] == "RUNNING"
    assert task["connectivity"] == "CONNECTED"
    for stamp in ("createdAt", "pullStartedAt", "pullStoppedAt", "startedAt", "connectivityAt"):
        assert stamp in task, stamp
    assert task["version"] >= 4
    eni = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", eni["privateIPv4Address"])
    container = task["containers"][0]
    assert container["lastStatus"] == "RUNNING" and container["runtimeId"]
    assert container["networkInterfaces"][0]["privateIpv4Address"] == eni["privateIPv4Address"]
    binding = container["networkBindings"][0]
    assert binding["containerPort"] == 8080 and binding["bindIP"] == "127.0.0.1"
    with urllib.request.urlopen(f"http://127.0.0.1:{binding['hostPort']}/", timeout=5) as r:
        assert r.status == 200

    stopping = ecs.stop_task(cluster="default", task=arn, reason="tutorial done")["task"]
    assert stopping["desiredStatus"] == "STOPPED"
    assert stopping["stopCode"] == "UserInitiated"
    assert stopping["stoppedReason"] == "tutorial done"
    assert "stoppingAt" in stopping
    seen = []
    task = wait_for(ecs, arn, "STOPPED", seen=seen)
    assert set(seen) <= {"RUNNING", "DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"}
    assert task["stoppedReason"] == "tutorial done"
    assert task["containers"][0]["lastStatus"] == "STOPPED"
    assert "exitCode" in task["containers"][0]
    assert task["stoppedAt"] >= task["executionStoppedAt"] >= task["stoppingAt"]
    assert _containers_of(arn) == []
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{binding['hostPort']}/", timeout=2)


def test_stop_without_reason_says_stopped_by_user(ecs, cluster):
    taskdef = register(
        ecs, "sleeper", [{"name": "app", "command": ["sleep", "300"], "stopTimeout": 2}]
    )
    arn = run(ecs, taskdef)
    wait_for(ecs, arn, "RUNNING")
    counts = ecs.describe_clusters(clusters=["default"])["clusters"][0]
    assert counts["runningTasksCount"] == 1
    with pytest.raises(ClientError) as err:
        ecs.delete_cluster(cluster="default")
    assert err.value.response["Error"]["Code"] == "ClusterContainsTasksException"
    ecs.stop_task(cluster="default", task=arn)
    task = wait_for(ecs, arn, "STOPPED")
    assert (task["stopCode"], task["stoppedReason"]) == ("UserInitiated", "Task stopped by user")
    # `sleep` as PID 1 ignores SIGTERM, so SIGKILL comes after the 2 s stopTimeout.
    assert task["containers"][0]["exitCode"] == 137
    waited = task["executionStoppedAt"] - task["stoppingAt"]
    assert 2.0 <= waited.total_seconds() < 10


def test_command_typo_stops_with_the_exit_code(ecs, cluster):
    taskdef = register(ecs, "typo", [{"name": "app", "command": ["sh", "-c", "ech hello"]}])
    task = wait_for(ecs, run(ecs, taskdef), "STOPPED")
    assert task["stopCode"] == "EssentialContainerExited"
    assert task["stoppedReason"] == "Essential container in task exited"
    assert task["containers"][0]["exitCode"] == 127


def test_image_tag_typo_is_cannot_pull(ecs, cluster):
    image = "127.0.0.1:9/nope/app:1"
    taskdef = register(ecs, "badimage", [{"name": "app", "image": image}])
    task = wait_for(ecs, run(ecs, taskdef), "STOPPED")
    assert task["stopCode"] == "TaskFailedToStart"
    assert task["stoppedReason"].startswith("CannotPullContainerError: ")
    assert image in task["stoppedReason"]
    assert task["containers"][0]["reason"].startswith("CannotPullContainerError: ")
    assert "startedAt" not in task


def test_non_essential_exit_keeps_the_task_running(ecs, cluster):
    taskdef = register(
        ecs,
        "sidecar",
        [
            {"name": "main", "command": ["sleep", "300"], "stopTimeout": 2},
            {"name": "side", "essential": False, "command": ["sh", "-c", "exit 3"]},
        ],
    )
    arn = run(ecs, taskdef)
    wait_for(ecs, arn, "RUNNING")
    for _ in range(100):
        task = describe(ecs, arn)
        side = next(c for c in task["containers"] if c["name"] == "side")
        if side["lastStatus"] == "STOPPED":
            break
        time.sleep(0.1)
    assert side["exitCode"] == 3
    assert task["lastStatus"] == "RUNNING" and task["desiredStatus"] == "RUNNING"
    ecs.stop_task(cluster="default", task=arn)
    wait_for(ecs, arn, "STOPPED")


def test_depends_on_healthy_then_reaches_it_on_localhost(ecs, client, cluster):
    taskdef = register(
        ecs,
        "pair",
        [
            {
                "name": "web",
                "command": ["httpd", "-f", "-p", "8080", "-h", "/www"],
                "stopTimeout": 2,
                "healthCheck": {
                    "command": ["CMD-SHELL", "wget -q -O /dev/null http://localhost:8080/"],
                    "interval": 5,
                    "timeout": 2,
                    "retries": 3,
                },
            },
            {
                "name": "client",
                "dependsOn": [{"containerName": "web", "condition": "HEALTHY"}],
                "stopTimeout": 2,
                "command": ["sh", "-c", "wget -q -O- http://localhost:8080/ && sleep 300"],
                "logConfiguration": awslogs("/ecs/pair", "pair"),
            },
        ],
    )
    arn = run(ecs, taskdef)
    task = wait_for(ecs, arn, "RUNNING", timeout=60)
    web = next(c for c in task["containers"] if c["name"] == "web")
    assert web["healthStatus"] == "HEALTHY"
    assert task["healthStatus"] == "HEALTHY"
    task_id = arn.rsplit("/", 1)[1]
    messages = wait_log(
        client("logs"), "/ecs/pair", f"pair/client/{task_id}", "hello from ecsd-test/busybox"
    )
    assert any("hello from ecsd-test/busybox" in m for m in messages)
    ecs.stop_task(cluster="default", task=arn)
    wait_for(ecs, arn, "STOPPED")


def test_secrets_from_ssm_and_secrets_manager(ecs, client, cluster):
    client("ssm").put_parameter(
        Name="/tutorial/db_password", Value="pw-from-ssm", Type="SecureString"
    )
    secret_arn = client("secretsmanager").create_secret(
        Name="tutorial/api", SecretString=json.dumps({"token": "tok-from-asm"})
    )["ARN"]
    taskdef = register(
        ecs,
        "secrets",
        [
            {
                "name": "app",
                "command": ["sh", "-c", 'echo "db=$DB_PASSWORD api=$API_TOKEN"'],
                "secrets": [
                    {"name": "DB_PASSWORD", "valueFrom": "/tutorial/db_password"},
                    {"name": "API_TOKEN", "valueFrom": f"{secret_arn}:token::"},
                ],
                "logConfiguration": awslogs("/ecs/secrets", "s"),
            }
        ],
        executionRoleArn="arn:aws:iam::000000000000:role/exec",
    )
    arn = run(ecs, taskdef)
    task = wait_for(ecs, arn, "STOPPED")
    assert task["containers"][0]["exitCode"] == 0, task
    task_id = arn.rsplit("/", 1)[1]
    wait_log(client("logs"), "/ecs/secrets", f"s/app/{task_id}", "db=pw-from-ssm api=tok-from-asm")
    shown = json.dumps(ecs.describe_tasks(cluster="default", tasks=[arn]), default=str)
    assert "pw-from-ssm" not in shown and "tok-from-asm" not in shown


def test_unresolvable_secret_is_resource_initialization_error(ecs, cluster):
    taskdef = register(
        ecs,
        "nosecret",
        [
            {
                "name": "app",
                "command": ["true"],
                "secrets": [{"name": "X", "valueFrom": "/does/not/exist"}],
            }
        ],
        executionRoleArn="arn:aws:iam::000000000000:role/exec",
    )
    task = wait_for(ecs, run(ecs, taskdef), "STOPPED")
    assert task["stopCode"] == "TaskFailedToStart"
    assert task["stoppedReason"].startswith("ResourceInitializationError: ")


def test_missing_log_group_without_create_fails_the_task(ecs, cluster):
    taskdef = register(
        ecs,
        "nolog",
        [
            {
                "name": "app",
                "command": ["true"],
                "logConfiguration": awslogs("/ecs/absent", create=False),
            }
        ],
    )
    task = wait_for(ecs, run(ecs, taskdef), "STOPPED")
    assert task["stopCode"] == "TaskFailedToStart"
    assert task["stoppedReason"].startswith("ResourceInitializationError: ")
    assert "The specified log group does not exist" in task["stoppedReason"]


def test_oom_kill_is_reported(ecs, cluster):
    taskdef = register(
        ecs,
        "oom",
        [{"name": "app", "memory": 8, "command": ["sh", "-c", "x=$(yes | head -c 100000000)"]}],
    )
    task = wait_for(ecs, run(ecs, taskdef), "STOPPED")
    container = task["containers"][0]
    assert container["exitCode"] == 137
    assert container["reason"] == "OutOfMemoryError: Container killed due to memory usage"


def test_dependency_not_met_in_time_stops_the_task(ecs, cluster):
    taskdef = register(
        ecs,
        "slowdep",
        [
            {
                "name": "db",
                "command": ["sleep", "300"],
                "stopTimeout": 1,
                "healthCheck": {"command": ["CMD-SHELL", "exit 1"], "interval": 5, "retries": 10},
            },
            {
                "name": "app",
                "command": ["sleep", "300"],
                "startTimeout": 2,
                "dependsOn": [{"containerName": "db", "condition": "HEALTHY"}],
            },
        ],
    )
    arn = run(ecs, taskdef)
    task = wait_for(ecs, arn, "STOPPED", timeout=30)
    assert task["stopCode"] == "TaskFailedToStart"
    assert "app" in task["stoppedReason"] and "db HEALTHY" in task["stoppedReason"]
    app = next(c for c in task["containers"] if c["name"] == "app")
    assert "exitCode" not in app and "runtimeId" not in app  # never started


def test_task_volume_shared_between_containers_and_limits_applied(ecs, client, cluster):
    taskdef = register(
        ecs,
        "shared",
        [
            {
                "name": "writer",
                "essential": False,
                "memory": 64,
                "command": ["sh", "-c", "echo from-writer > /data/note"],
                "mountPoints": [{"sourceVolume": "scratch", "containerPath": "/data"}],
            },
            {
                "name": "reader",
                "stopTimeout": 1,
                "dependsOn": [{"containerName": "writer", "condition": "SUCCESS"}],
                "volumesFrom": [{"sourceContainer": "writer", "readOnly": True}],
                "command": ["sh", "-c", "cat /data/note; sleep 300"],
                "logConfiguration": awslogs("/ecs/shared", "s"),
            },
        ],
        volumes=[{"name": "scratch"}],
    )
    arn = run(ecs, taskdef)
    task = wait_for(ecs, arn, "RUNNING")
    writer = next(c for c in task["containers"] if c["name"] == "writer")
    assert writer["lastStatus"] == "STOPPED" and writer["exitCode"] == 0
    wait_log(client("logs"), "/ecs/shared", f"s/reader/{arn.rsplit('/', 1)[1]}", "from-writer")
    reader = next(c for c in task["containers"] if c["name"] == "reader")
    limits = subprocess.run(
        [
            "docker",
            "inspect",
            "-f",
            "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}",
            reader["runtimeId"],
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    # No container memory of its own: the task's 512 MiB; 256 cpu units = 0.25 CPU.
    assert limits.stdout.split() == [str(512 * 1024 * 1024), "250000000"]
    ecs.stop_task(cluster="default", task=arn)
    wait_for(ecs, arn, "STOPPED")
    volumes = subprocess.run(
        ["docker", "volume", "ls", "-q", "--filter", f"name=ecsd-{arn.rsplit('/', 1)[1]}"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert volumes.stdout.strip() == ""
