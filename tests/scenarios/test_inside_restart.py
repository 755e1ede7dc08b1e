"""restartPolicy at registration and with real containers. Each restart costs at least
restartAttemptPeriod (AWS's floor is 60 s), so three restarts of a crashing container are
tested in fake time (tests/unit/controllers/test_restart_policy.py); here one real
restart in place, an ignored exit code beside it, and an exit before the period."""

from __future__ import annotations

import json
import subprocess

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error

from .taskutil import awslogs, describe, log_messages, register, run, until, wait_for


def test_restart_policy_is_checked_at_registration(no_engine_ecs):
    ecs = no_engine_ecs
    for policy, text in (
        ({"enabled": True, "restartAttemptPeriod": 59}, "between 60 and 1800"),
        ({"enabled": True, "restartAttemptPeriod": 1801}, "between 60 and 1800"),
        ({"enabled": True, "ignoredExitCodes": list(range(51))}, "at most 50"),
    ):
        with pytest.raises(ClientError) as err:
            register(ecs, "rp", [{"name": "app", "restartPolicy": policy}])
        code, message = aws_error(err)
        assert code == "ClientException" and text in message
    with pytest.raises(ClientError):
        ecs.describe_task_definition(taskDefinition="rp")  # nothing was registered
    arn = register(
        ecs,
        "rp",
        [{"name": "app", "restartPolicy": {"enabled": True, "ignoredExitCodes": [0]}}],
    )
    shown = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
    assert shown["containerDefinitions"][0]["restartPolicy"] == {
        "enabled": True,
        "ignoredExitCodes": [0],
    }


def _runs(client, stream: str) -> int:
    """How many times the container ran: each run logs one "run" line."""
    return len([m for m in log_messages(client("logs"), "/ecs/rp", stream) if m == "run"])


def _task(ecs, family: str, script: str, policy: dict) -> str:
    container = {
        "name": "app",
        "command": ["sh", "-c", script],
        "restartPolicy": policy,
        "logConfiguration": awslogs("/ecs/rp", family),
    }
    return run(ecs, register(ecs, family, [container]))


def _stream(family: str, arn: str) -> str:
    return f"{family}/app/{arn.rsplit('/', 1)[1]}"


@pytest.mark.usefixtures("docker_engine")
def test_an_exit_before_the_attempt_period_is_not_restarted(ecs, client):
    ecs.create_cluster(clusterName="default")
    arn = _task(ecs, "rp-early", "echo run; exit 1", {"enabled": True})
    task = wait_for(ecs, arn, "STOPPED")
    assert task["stopCode"] == "EssentialContainerExited"
    assert task["containers"][0]["exitCode"] == 1
    assert until(lambda: _runs(client, _stream("rp-early", arn)), timeout=20) == 1


@pytest.mark.usefixtures("docker_engine")
def test_past_the_period_a_crash_restarts_in_place_and_an_ignored_code_does_not(ecs, client):
    """One real restart (AWS's 60 s floor makes each one cost a minute; three are tested
    in fake time): the same container runs again, the task stays RUNNING, its log goes
    on and the metadata endpoint counts it. Beside it, the same run ending with an
    ignored exit code stops its task."""
    ecs.create_cluster(clusterName="default")
    policy = {"enabled": True, "restartAttemptPeriod": 60, "ignoredExitCodes": [3]}
    run_for = "trap 'exit 0' TERM; echo run; sleep 61 & wait; exit {}"
    crash = _task(ecs, "rp-crash", run_for.format(1), policy)
    ignored = _task(ecs, "rp-ignored", run_for.format(3), policy)
    cid = wait_for(ecs, crash, "RUNNING")["containers"][0]["runtimeId"]
    until(lambda: _runs(client, _stream("rp-crash", crash)) == 2, timeout=90, every=1)
    task = describe(ecs, crash)
    assert task["lastStatus"] == "RUNNING" and task["desiredStatus"] == "RUNNING"
    assert task["containers"][0]["runtimeId"] == cid  # in place, not a new container
    meta = subprocess.run(
        ["docker", "exec", cid, "sh", "-c", 'wget -qO- "$ECS_CONTAINER_METADATA_URI_V4"'],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(meta)["RestartCount"] == 1
    stopped = wait_for(ecs, ignored, "STOPPED", timeout=30)
    assert stopped["stopCode"] == "EssentialContainerExited"
    assert stopped["containers"][0]["exitCode"] == 3
    assert _runs(client, _stream("rp-ignored", ignored)) == 1
    ecs.stop_task(cluster="default", task=crash)
    assert wait_for(ecs, crash, "STOPPED")["stopCode"] == "UserInitiated"
