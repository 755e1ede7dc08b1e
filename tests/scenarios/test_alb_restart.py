"""kill -9 of ecsd with a service behind a load balancer, and a restart (issue #10 item 7):
the listener comes back on its port, the targets and their health come back from the
store, the running containers are adopted (the same tasks, nothing registered twice), and
requests succeed again within a few seconds."""

from __future__ import annotations

import time

import pytest
from conftest import client_for

from .albutil import balanced, get, health, make_alb, web_taskdef
from .taskutil import NETWORK, service, service_tasks, until, wait_stable

pytestmark = pytest.mark.usefixtures("docker_engine")


def _answers(alb) -> bool:
    try:
        return get(alb, timeout=1)[0] == 200
    except OSError:
        return False


def test_kill9_and_restart_brings_the_load_balancer_back(ecsd_factory):
    server = ecsd_factory()
    ecs, elbv2 = client_for(server, "ecs"), client_for(server, "elbv2")
    ecs.create_cluster()
    alb = make_alb(elbv2, "crash")
    ecs.create_service(
        launchType="FARGATE",
        serviceName="web",
        taskDefinition=web_taskdef(ecs, "crash", "1"),
        desiredCount=2,
        networkConfiguration=NETWORK,
        loadBalancers=balanced(alb),
    )
    wait_stable(ecs, "web")
    until(lambda: [s for _ip, s in health(elbv2, alb)] == ["healthy", "healthy"], timeout=30)
    before = health(elbv2, alb)
    tasks_before = sorted(t["taskArn"] for t in service_tasks(ecs, "web"))
    assert get(alb)[0] == 200

    server.kill9()
    assert not _answers(alb)  # the listener went with the process
    restarted = time.monotonic()
    server.start()
    until(lambda: _answers(alb), timeout=10, every=0.05)
    back_after = time.monotonic() - restarted
    print(f"load balancer answering {back_after:.2f} s after the restart began")
    assert back_after < 5.0
    # Every request from now on succeeds: the targets kept their health.
    assert all(get(alb)[0] == 200 for _ in range(20))
    assert health(elbv2, alb) == before  # the same targets, healthy, none twice
    assert sorted(t["taskArn"] for t in service_tasks(ecs, "web")) == tasks_before
    time.sleep(2)  # a pass or two of every controller after the restart
    assert health(elbv2, alb) == before
    events = [e["message"] for e in service(ecs, "web")["events"]]
    assert sum("registered 1 targets" in e and "deregistered" not in e for e in events) == 2
    # Said at each start (the log is one file across both runs).
    assert server.log().count(f"listening on {alb.url} (port {alb.port})") == 2
    ecs.update_service(service="web", desiredCount=0)
    until(lambda: health(elbv2, alb) == [], timeout=30)
