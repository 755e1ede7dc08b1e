"""restartPolicy with real containers and at registration. Three restarts of a crashing
container take 3 × restartAttemptPeriod (at least 60 s each, AWS's floor): they are
tested in fake time (tests/unit/controllers/test_restart_policy.py); here the fast cases
run for real — an ignored exit code and an exit before the attempt period both stop the
task as they would without a policy, and nothing is restarted."""

from __future__ import annotations

import subprocess

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error

from .taskutil import register, run, wait_for


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


def _starts(arn: str) -> int:
    out = subprocess.run(
        [
            "docker",
            "events",
            "--since",
            "10m",
            "--until",
            "0s",
            "--filter",
            f"label=com.amazonaws.ecs.task-arn={arn}",
            "--filter",
            "event=start",
            "--format",
            "{{.ID}}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return len(out.stdout.split())


@pytest.mark.usefixtures("docker_engine")
def test_ignored_code_and_early_exit_are_not_restarted(ecs):
    ecs.create_cluster(clusterName="default")
    policy = {"enabled": True, "restartAttemptPeriod": 60, "ignoredExitCodes": [3]}
    ignored = register(
        ecs,
        "rp-ignored",
        [{"name": "app", "command": ["sh", "-c", "exit 3"], "restartPolicy": policy}],
    )
    early = register(
        ecs,
        "rp-early",
        [{"name": "app", "command": ["sh", "-c", "exit 1"], "restartPolicy": policy}],
    )
    arns = [run(ecs, ignored), run(ecs, early)]
    for arn, code in zip(arns, (3, 1), strict=True):
        task = wait_for(ecs, arn, "STOPPED")
        assert task["stopCode"] == "EssentialContainerExited"
        assert task["containers"][0]["exitCode"] == code
        assert _starts(arn) == 1  # started once, never again
