"""Regression tests for unbounded work one request could ask of ecsd (issue #8): a
service's desiredCount past ECS's quota, and a service at the quota whose scheduler must
not hold the store's single writer for long."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error, client_for, register_web
from server_process import EcsdProcess

NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}
# No engine answers here: tasks stop at once, and no container is ever started.
NO_ENGINE = ("--docker-host", "tcp://127.0.0.1:9")


def _setup(ecs: Any) -> None:
    ecs.create_cluster()
    register_web(ecs, "127.0.0.1:9/nope/app:1")


@pytest.mark.parametrize(
    "count, code",
    [
        (5001, "InvalidParameterException"),
        (1_000_000, "InvalidParameterException"),
        # Past the model's 32-bit Integer: the wire refuses it before ECS's rule is asked.
        (2**53, "SerializationException"),
    ],
)
def test_desired_count_past_the_quota_is_refused_and_changes_nothing(no_engine_ecs, count, code):
    ecs = no_engine_ecs
    _setup(ecs)
    with pytest.raises(ClientError) as err:
        ecs.create_service(
            launchType="FARGATE",
            serviceName=f"big{count}",
            taskDefinition="web",
            desiredCount=count,
            networkConfiguration=NETWORK,
        )
    assert aws_error(err)[0] == code
    if code == "InvalidParameterException":
        assert aws_error(err)[1] == "Desired count exceeds limit."
    assert not any(a.endswith(f"/big{count}") for a in ecs.list_services()["serviceArns"])
    ecs.create_service(
        launchType="FARGATE",
        serviceName=f"small{count}",
        taskDefinition="web",
        networkConfiguration=NETWORK,
    )
    with pytest.raises(ClientError) as err:
        ecs.update_service(service=f"small{count}", desiredCount=count)
    assert aws_error(err)[0] == code
    [svc] = ecs.describe_services(services=[f"small{count}"])["services"]
    assert svc["desiredCount"] == 0


def test_a_service_at_the_quota_never_wedges_other_writes_nor_shutdown(
    ecsd_factory: Callable[..., EcsdProcess],
):
    # Before the scheduler worked in batches, this service's first pass made 5,000 tasks
    # in one transaction: a CreateCluster waited ~30 s behind it and SIGTERM ~11 s.
    server = ecsd_factory(*NO_ENGINE)
    ecs = client_for(server, "ecs")
    _setup(ecs)
    ecs.create_service(
        launchType="FARGATE",
        serviceName="big",
        taskDefinition="web",
        desiredCount=5000,
        networkConfiguration=NETWORK,
    )
    worst, n = 0.0, 0
    until = time.monotonic() + 6
    while time.monotonic() < until:
        began = time.monotonic()
        ecs.create_cluster(clusterName=f"c{n}")
        worst = max(worst, time.monotonic() - began)
        n += 1
    assert worst < 5, f"a write waited {worst:.1f} s behind the scheduler"
    assert server.proc is not None
    began = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    server.proc.wait(30)
    assert time.monotonic() - began < 5
