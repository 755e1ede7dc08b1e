"""ECS services behind an Application Load Balancer, end to end: a real `ecsd serve`,
boto3 and curl, real busybox httpd containers, real health checks.

- seed 004: a target group of type ip, an HTTP listener, a service using both; curl the
  DNSName and reach every container, round robin;
- seed 001: the targets swap during update-service; a revision with no server
  (`sleep`) turns unhealthy, its tasks stop with "Task failed ELB health checks" and the
  circuit breaker rolls back;
- healthCheckGracePeriodSeconds holds off ELB health failures;
- zero failed requests (issue #10 item 6) under a steady 200 requests/s through a rolling
  deployment (default 100/200) and a scale-in from 3 to 1.
"""

from __future__ import annotations

import subprocess
import time
from typing import Any

import pytest
from conftest import client_for

from .albutil import (
    SLEEP,
    SteadyClient,
    balanced,
    get,
    health,
    make_alb,
    web_taskdef,
)
from .taskutil import NETWORK, service, service_tasks, until, wait_stable

pytestmark = pytest.mark.usefixtures("docker_engine")


def _ips(ecs: Any, name: str, deployment: str | None = None) -> set[str]:
    """Private IPs of the service's RUNNING tasks (of one deployment, if given)."""
    out = set()
    for t in service_tasks(ecs, name):
        if t["lastStatus"] != "RUNNING" or t["desiredStatus"] != "RUNNING":
            continue
        if deployment and t["startedBy"] != deployment:
            continue
        for d in t["attachments"][0]["details"]:
            if d["name"] == "privateIPv4Address":
                out.add(d["value"])
    return out


def _events(ecs: Any, name: str) -> list[str]:
    return [e["message"] for e in service(ecs, name)["events"]]


def _healthy(elbv2: Any, alb: Any, ips: set[str]) -> bool:
    return health(elbv2, alb) == sorted((ip, "healthy") for ip in ips)


def test_seed004_a_service_behind_the_load_balancer_answers_round_robin(ecsd):
    ecs, elbv2 = client_for(ecsd, "ecs"), client_for(ecsd, "elbv2")
    ecs.create_cluster()
    alb = make_alb(elbv2, "seed4")
    taskdef = web_taskdef(ecs, "seed4", "1")
    ecs.create_service(
        launchType="FARGATE",
        serviceName="web",
        taskDefinition=taskdef,
        desiredCount=2,
        networkConfiguration=NETWORK,
        loadBalancers=balanced(alb),
    )
    wait_stable(ecs, "web")
    ips = _ips(ecs, "web")
    assert len(ips) == 2
    until(lambda: _healthy(elbv2, alb, ips), timeout=30)
    # The real curl, by the load balancer's DNS name: `*.localhost` is loopback in curl.
    seen = set()
    for _ in range(6):
        out = subprocess.run(
            ["curl", "-sS", "--max-time", "5", "-w", " %{http_code}", alb.url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert out.endswith(" 200"), out
        assert out.startswith("rev=1 task=")
        seen.add(out.split()[1])
    assert len(seen) == 2, f"round robin reaches both tasks: {seen}"
    events = _events(ecs, "web")
    assert sum(f"registered 1 targets in (target-group {alb.tg_arn})" in e for e in events) == 2
    assert f"listening on {alb.url} (port {alb.port})" in ecsd.log()
    # Scaled to 0: both targets deregister, drain and go; the load balancer says 503.
    ecs.update_service(service="web", desiredCount=0)
    until(lambda: health(elbv2, alb) == [], timeout=30)
    assert get(alb)[0] == 503
    events = _events(ecs, "web")
    assert any("has begun draining connections on 1 tasks." in e for e in events)
    assert any(f"deregistered 1 targets in (target-group {alb.tg_arn})" in e for e in events)


def test_seed001_targets_swap_then_an_unhealthy_revision_rolls_back(ecsd):
    ecs, elbv2 = client_for(ecsd, "ecs"), client_for(ecsd, "elbv2")
    ecs.create_cluster()
    alb = make_alb(elbv2, "seed1")
    v1 = web_taskdef(ecs, "seed1", "1")
    v2 = web_taskdef(ecs, "seed1", "2")
    broken = web_taskdef(ecs, "seed1", "3", command=SLEEP)
    ecs.create_service(
        launchType="FARGATE",
        serviceName="web",
        taskDefinition=v1,
        desiredCount=1,
        networkConfiguration=NETWORK,
        loadBalancers=balanced(alb),
        deploymentConfiguration={
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
        },
    )
    wait_stable(ecs, "web")
    old_ips = _ips(ecs, "web")
    until(lambda: _healthy(elbv2, alb, old_ips), timeout=30)
    assert get(alb)[1].startswith("rev=1")

    # The targets swap: the new task's target joins, then the old one drains and goes.
    ecs.update_service(service="web", taskDefinition=v2)
    states: list[list[tuple[str, str]]] = []

    def swapped() -> bool:
        now = health(elbv2, alb)
        if not states or states[-1] != now:
            states.append(now)
        return len(now) == 1 and now[0][0] not in old_ips and now[0][1] == "healthy"

    until(swapped, timeout=60, every=0.05)
    wait_stable(ecs, "web")
    # In ECS's order (reference §3.6): the new target registered, then the old task
    # stopped, deregistered and drained.
    order = list(reversed(_events(ecs, "web")))
    since = max(i for i, e in enumerate(order) if "has started 1 tasks" in e)
    tail = [e.split(") ", 1)[1] for e in order[since + 1 :]]
    assert [e.split(" ")[0] for e in tail[:4]] == ["registered", "has", "deregistered", "has"], tail
    assert tail[1].startswith("has stopped 1 running tasks")
    assert tail[3] == "has begun draining connections on 1 tasks."
    assert "deployment completed." in tail[4], tail  # once the old task has drained
    assert get(alb)[1].startswith("rev=2")

    # A revision with no server: its target turns unhealthy, the task is stopped for it,
    # and after 3 failures the circuit breaker rolls back to revision 2.
    ecs.update_service(service="web", taskDefinition=broken)
    until(
        lambda: (
            service(ecs, "web")["deployments"][0]["taskDefinition"] == v2
            and service(ecs, "web")["deployments"][0]["rolloutState"] != "FAILED"
        ),
        timeout=150,
        every=1.0,
    )
    stopped = [t for t in service_tasks(ecs, "web") if t["taskDefinitionArn"] == broken]
    assert stopped, "tasks of the broken revision ran"
    assert any(
        t.get("stoppedReason") == f"Task failed ELB health checks in (target-group {alb.tg_arn})"
        and t["stopCode"] == "ServiceSchedulerInitiated"
        for t in stopped
    ), [t.get("stoppedReason") for t in stopped]
    events = _events(ecs, "web")
    assert any(
        f"is unhealthy in (target-group {alb.tg_arn}) due to (reason " in e for e in events
    ), events[:10]
    assert any("rolling back to deployment" in e for e in events), events[:10]
    # Throughout, the load balancer kept answering from revision 2.
    assert get(alb)[1].startswith("rev=2")
    s = wait_stable(ecs, "web", timeout=60)
    assert s["deployments"][0]["taskDefinition"] == v2


def test_the_grace_period_holds_off_elb_health_failures(ecsd):
    ecs, elbv2 = client_for(ecsd, "ecs"), client_for(ecsd, "elbv2")
    ecs.create_cluster()
    alb = make_alb(elbv2, "grace")
    broken = web_taskdef(ecs, "grace", "1", command=SLEEP)
    grace = 20
    ecs.create_service(
        launchType="FARGATE",
        serviceName="web",
        taskDefinition=broken,
        desiredCount=1,
        networkConfiguration=NETWORK,
        loadBalancers=balanced(alb),
        healthCheckGracePeriodSeconds=grace,
    )
    first = until(lambda: [t for t in service_tasks(ecs, "web") if t.get("startedAt")], timeout=30)[
        0
    ]
    started = first["startedAt"].timestamp()
    until(lambda: [s for _ip, s in health(elbv2, alb)] == ["unhealthy"], timeout=30)
    unhealthy_at = time.time()
    assert unhealthy_at < started + grace, "the target turned unhealthy within the grace"
    time.sleep(max(0.0, started + grace - 3 - time.time()))
    t = next(t for t in service_tasks(ecs, "web") if t["taskArn"] == first["taskArn"])
    assert t["desiredStatus"] == "RUNNING", "not stopped during the grace period"
    stopped = until(
        lambda: (lambda t: t if t["desiredStatus"] == "STOPPED" else None)(
            next(t for t in service_tasks(ecs, "web") if t["taskArn"] == first["taskArn"])
        ),
        timeout=30,
    )
    assert stopped["stoppedReason"] == (
        f"Task failed ELB health checks in (target-group {alb.tg_arn})"
    )
    assert stopped["stoppingAt"].timestamp() >= started + grace - 0.5
    ecs.update_service(service="web", desiredCount=0)


def test_zero_failed_requests_through_a_rolling_deployment_and_a_scale_in(ecsd):
    ecs, elbv2 = client_for(ecsd, "ecs"), client_for(ecsd, "elbv2")
    ecs.create_cluster()
    alb = make_alb(elbv2, "zero", delay=10)
    v1 = web_taskdef(ecs, "zero", "1")
    v2 = web_taskdef(ecs, "zero", "2")
    ecs.create_service(
        launchType="FARGATE",
        serviceName="web",
        taskDefinition=v1,
        desiredCount=3,
        networkConfiguration=NETWORK,
        loadBalancers=balanced(alb),
    )
    wait_stable(ecs, "web")
    ips = _ips(ecs, "web")
    until(lambda: _healthy(elbv2, alb, ips), timeout=30)

    with SteadyClient(alb, rate=200) as client:
        time.sleep(2)
        ecs.update_service(service="web", taskDefinition=v2)  # 100 / 200 by default
        until(
            lambda: (
                lambda s: (
                    len(s["deployments"]) == 1
                    and s["deployments"][0]["rolloutState"] == "COMPLETED"
                    and s["runningCount"] == 3
                )
            )(service(ecs, "web")),
            timeout=90,
            every=0.5,
        )
        until(lambda: len(health(elbv2, alb)) == 3, timeout=30)
        time.sleep(2)
        ecs.update_service(service="web", desiredCount=1)
        until(lambda: len(health(elbv2, alb)) == 1, timeout=60, every=0.5)
        until(
            lambda: service(ecs, "web")["runningCount"] == 1 and len(_ips(ecs, "web")) == 1,
            timeout=60,
        )
        time.sleep(2)
    tally = client.tally
    total = tally.ok + tally.failed
    print(
        f"zero-failed: {total} requests in {client.seconds:.1f} s, {tally.ok} ok, "
        f"statuses {tally.statuses}, errors {len(tally.errors)} {tally.errors[:3]}"
    )
    # (the floor allows for a loaded machine: the point is that none failed)
    assert total >= 0.75 * 200 * client.seconds, "the client kept its rate"
    assert tally.failed == 0, (tally.statuses, tally.errors[:5])
    assert set(tally.statuses) == {200}
    assert tally.bodies == {"rev=1", "rev=2"}  # both revisions answered, in turn
    stopped = [t for t in service_tasks(ecs, "web") if t["desiredStatus"] == "STOPPED"]
    assert len(stopped) == 5  # 3 of revision 1 rolled, 2 of revision 2 scaled in
