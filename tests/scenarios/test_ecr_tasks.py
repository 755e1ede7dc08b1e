"""Tasks run what was pushed to ecsd's registry: named by the repositoryUri or by the
AWS form `<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>` copied from real task
definitions (pulled from ecsd's registry with credentials, whatever the engine's own
logins), and as a service behind a load balancer that answers through it (seed 004); a tag
that does not exist stops the task with ECS's CannotPullContainerError."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from conftest import client_for

from .albutil import HTTPD, balanced, get, make_alb
from .taskutil import NETWORK, register, run, service_tasks, until, wait_for, wait_stable

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
        pushed = reg.docker("push", local).stdout
        digest = pushed.split("digest: ", 1)[1].split()[0]
        # The engine must pull it: neither name is local any more.
        subprocess.run(["docker", "rmi", local], check=True, capture_output=True)
        for image in (local, aws_form, f"{AWS_HOST}/svc@{digest}"):
            family = f"ecr-{uuid.uuid4().hex[:6]}"
            taskdef = register(ecs, family, [{"name": "app", "image": image}])
            task = wait_for(ecs, run(ecs, taskdef), "RUNNING")
            assert task["lastStatus"] == "RUNNING", task.get("stoppedReason")
            assert task["containers"][0]["imageDigest"].startswith("sha256:")
        # Seed 004: the pushed image, by its repositoryUri, run as a service behind a
        # load balancer, and reached through it.
        alb = make_alb(client_for(ecsd, "elbv2"), "pushed")
        container = {
            "name": "web",
            "image": local,
            "command": HTTPD,
            "portMappings": [{"containerPort": 80}],
            "environment": [{"name": "REV", "value": "pushed"}],
        }
        ecs.create_service(
            serviceName="pushed",
            taskDefinition=register(ecs, "ecr-service", [container]),
            desiredCount=1,
            launchType="FARGATE",
            networkConfiguration=NETWORK,
            loadBalancers=balanced(alb),
        )
        assert wait_stable(ecs, "pushed")["runningCount"] == 1
        assert [t["lastStatus"] for t in service_tasks(ecs, "pushed")] == ["RUNNING"]
        status, body = until(lambda: (got := get(alb))[0] == 200 and got, timeout=30)
        assert body.startswith("rev=pushed task=")
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
