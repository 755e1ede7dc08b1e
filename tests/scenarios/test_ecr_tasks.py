"""Tasks run what was pushed to ecsd's registry: named by the repositoryUri or by the
AWS form `<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>` copied from real task
definitions (pulled from ecsd's registry with credentials, whatever the engine's own
logins); a tag that does not exist stops the task with ECS's CannotPullContainerError."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from .taskutil import register, run, wait_for

sys.path.insert(0, str(Path(__file__).parent.parent / "registry"))
from regutil import Registry, build_image  # noqa: E402

pytestmark = pytest.mark.usefixtures("docker_engine")
AWS_HOST = "000000000000.dkr.ecr.us-east-1.amazonaws.com"


def test_tasks_run_pushed_images_by_uri_and_aws_form(ecsd, ecs, tmp_path):
    ecs.create_cluster(clusterName="default")
    reg = Registry(ecsd, tmp_path / "docker-config")
    uri = reg.create("svc")["repositoryUri"]
    local = f"{uri}:v1"
    aws_form = f"{AWS_HOST}/svc:v1"
    build_image(tmp_path / "ctx", local)
    try:
        reg.login()
        reg.docker("push", local)
        # The engine must pull it: neither name is local any more.
        subprocess.run(["docker", "rmi", local], check=True, capture_output=True)
        for image in (local, aws_form):
            family = f"ecr-{uuid.uuid4().hex[:6]}"
            taskdef = register(ecs, family, [{"name": "app", "image": image}])
            task = wait_for(ecs, run(ecs, taskdef), "RUNNING")
            assert task["lastStatus"] == "RUNNING", task.get("stoppedReason")
            assert task["containers"][0]["imageDigest"].startswith("sha256:")
        missing = f"{AWS_HOST}/svc:nope"
        taskdef = register(ecs, "ecr-missing", [{"name": "app", "image": missing}])
        task = wait_for(ecs, run(ecs, taskdef), "STOPPED")
        assert task["stopCode"] == "TaskFailedToStart"
        assert task["stoppedReason"] == (
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): "
            f"failed to resolve ref {missing}: {missing}: not found"
        )
    finally:
        ecsd.reset()  # the tasks' containers go before their images
        subprocess.run(["docker", "rmi", local, aws_form], capture_output=True)
