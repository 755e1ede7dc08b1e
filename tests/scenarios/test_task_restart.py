"""kill -9 of ecsd with tasks running, and a start with no container engine at all."""

from __future__ import annotations

import subprocess
import time
import urllib.request

import pytest
from conftest import client_for

from .taskutil import awslogs, describe, log_messages, register, run, wait_for


def _containers(arn: str) -> list[str]:
    out = subprocess.run(
        ["docker", "ps", "-aq", "--filter", f"label=com.amazonaws.ecs.task-arn={arn}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()


@pytest.mark.usefixtures("docker_engine")
def test_kill9_keeps_running_tasks_and_notices_exits(ecsd_factory, tmp_path):
    server = ecsd_factory()
    ecs, logs = client_for(server, "ecs"), client_for(server, "logs")
    ecs.create_cluster()
    web = run(
        ecs,
        register(
            ecs,
            "web",
            [
                {
                    "name": "web",
                    "command": ["httpd", "-f", "-p", "8080", "-h", "/www"],
                    "portMappings": [{"containerPort": 8080}],
                }
            ],
        ),
    )
    ticker = run(
        ecs,
        register(
            ecs,
            "ticker",
            [
                {
                    "name": "app",
                    "command": [
                        "sh",
                        "-c",
                        "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done",
                    ],
                    "logConfiguration": awslogs("/ecs/ticker", "t"),
                }
            ],
        ),
    )
    short = run(
        ecs, register(ecs, "short", [{"name": "app", "command": ["sh", "-c", "sleep 3; exit 5"]}])
    )
    for arn in (web, ticker, short):
        wait_for(ecs, arn, "RUNNING")
    port = describe(ecs, web)["containers"][0]["networkBindings"][0]["hostPort"]
    stream = f"t/app/{ticker.rsplit('/', 1)[1]}"
    deadline = time.monotonic() + 10
    while not log_messages(logs, "/ecs/ticker", stream) and time.monotonic() < deadline:
        time.sleep(0.1)
    before = len(log_messages(logs, "/ecs/ticker", stream))
    assert before > 0

    server.kill9()
    time.sleep(4)  # `short` exits while ecsd is down
    server.start()

    assert describe(ecs, web)["lastStatus"] == "RUNNING"
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
        assert r.status == 200
    task = wait_for(ecs, short, "STOPPED", timeout=30)
    assert task["stopCode"] == "EssentialContainerExited"
    assert task["containers"][0]["exitCode"] == 5
    # Logs keep flowing, with nothing lost or repeated around the restart.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        messages = log_messages(logs, "/ecs/ticker", stream)
        if len(messages) > before + 10:
            break
        time.sleep(0.2)
    numbers = [int(m.split()[1]) for m in messages]
    assert len(numbers) > before + 10
    assert numbers == sorted(set(numbers)), "no line twice, none out of order"
    # No container was started twice: one-container tasks have exactly one (no holder).
    assert len(_containers(web)) == 1
    assert len(_containers(ticker)) == 1
    for arn in (web, ticker):
        ecs.stop_task(cluster="default", task=arn)
    for arn in (web, ticker):
        wait_for(ecs, arn, "STOPPED")
        assert _containers(arn) == []


def test_no_engine_reachable_stops_tasks_with_a_clear_reason(ecsd_factory, tmp_path):
    server = ecsd_factory("--docker-host", f"unix://{tmp_path}/no-docker.sock")
    assert "no container runtime reachable" in server.log()
    ecs = client_for(server, "ecs")
    ecs.create_cluster()
    arn = run(ecs, register(ecs, "web", [{"name": "web", "command": ["true"]}]))
    task = wait_for(ecs, arn, "STOPPED", timeout=30)
    assert task["stopCode"] == "TaskFailedToStart"
    assert task["stoppedReason"].startswith("ResourceInitializationError: ")
    assert "no-docker.sock" in task["stoppedReason"]
