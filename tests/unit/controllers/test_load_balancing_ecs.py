"""ECS services behind target groups, against a real (in-memory) store, the real API
handlers and the real scheduler pass, with task states and target health set by hand:
CreateService's loadBalancers checks, registration on RUNNING (service tasks only),
deregistration and draining on DEACTIVATING, a deployment waiting for target health, and
an ELB-unhealthy task replaced after the grace period with ECS's reason and events."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from ecsd.aws.errors import AwsError
from ecsd.controllers.load_balancing import LoadBalancingController
from ecsd.lb.table import HealthReport, Target
from ecsd.model.ecs import service_targets
from ecsd.model.ecs import tasks as task_model
from ecsd.model.ecs.lifecycle import TaskStatus as S
from ecsd.model.elbv2 import target_groups
from ecsd.model.elbv2 import targets as elb_targets
from ecsd.services.ecs import services, task_definitions
from ecsd.store.schema.ecs_tasks import tasks as task_rows

from .test_service_tick import T0, World

TG = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/0123456789abcdef"
LB = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/web/0123456789abcdef"
LISTENER = LB.replace(":loadbalancer/", ":listener/") + "/fedcba9876543210"


def _group(ctx: Any, arn: str, *, kind: str = "ip", used: bool = True) -> None:
    name = arn.split("/")[-2]
    target_groups.create(
        ctx,
        {
            "TargetGroupArn": arn,
            "TargetGroupName": name,
            "Protocol": "HTTP",
            "Port": 80,
            "TargetType": kind,
            "HealthCheckEnabled": True,
        },
        {"deregistration_delay.timeout_seconds": "300"},
    )
    if used:
        target_groups.set_uses(ctx, LISTENER + name, LB, {arn})


class LbWorld(World):
    """World's service (desired 0), then a target group used by a load balancer, and the
    service updated to sit behind it with the desired count given."""

    def __init__(self, desired: int = 1, **update: Any) -> None:
        super().__init__(desiredCount=0)
        with self.ctx() as ctx:
            _group(ctx, TG)
            task_definitions.register_task_definition(
                ctx,
                {
                    "family": "web",
                    "requiresCompatibilities": ["FARGATE"],
                    "networkMode": "awsvpc",
                    "cpu": "256",
                    "memory": "512",
                    "containerDefinitions": [
                        {"name": "app", "image": "busybox", "portMappings": [{"containerPort": 80}]}
                    ],
                },
            )
        self.update(
            taskDefinition="web:2",
            desiredCount=desired,
            loadBalancers=[{"targetGroupArn": TG, "containerName": "app", "containerPort": 80}],
            **update,
        )
        self.ips: dict[str, str] = {}

    def running(self, arn: str) -> None:
        """The task controller's move to RUNNING, with its status hook."""
        ip = self.ips.setdefault(arn, f"172.17.0.{len(self.ips) + 2}")
        with self.ctx() as ctx:
            row = ctx.conn.execute(
                select(task_rows.c.doc, task_rows.c.runtime).where(task_rows.c.arn == arn)
            ).one()
            doc, rt = dict(row.doc), dict(row.runtime)
            rt["ip"] = ip
            doc.update(lastStatus="RUNNING", startedAt=self.now)
            LoadBalancingController.on_status(ctx, doc, rt, S.RUNNING)
            task_model.save(ctx, doc, runtime=rt)

    def deactivating(self, arn: str) -> None:
        with self.ctx() as ctx:
            row = ctx.conn.execute(
                select(task_rows.c.doc, task_rows.c.runtime).where(task_rows.c.arn == arn)
            ).one()
            doc, rt = dict(row.doc), dict(row.runtime)
            doc.update(lastStatus="DEACTIVATING")
            LoadBalancingController.on_status(ctx, doc, rt, S.DEACTIVATING)
            task_model.save(ctx, doc, runtime=rt)

    def health(self, arn: str, state: str, reason: str | None = None, text: str | None = None):
        ip = self.ips[arn]
        target = Target(id=ip, port_id=80, host="127.0.0.1", port=30000, check_port=30000)
        with self.ctx() as ctx:
            elb_targets.record_health(ctx, HealthReport(TG, target, state, reason, text))

    def target(self, arn: str) -> tuple[str, str | None, str | None]:
        with self.ctx() as ctx:
            return elb_targets.health(ctx, TG, self.ips[arn], 80)

    def draining(self, arn: str) -> bool:
        with self.ctx() as ctx:
            return service_targets.task_draining(ctx, arn)


def _create(w: World, lb: dict[str, Any], **extra: Any) -> None:
    with w.ctx() as ctx:
        services.create_service(
            ctx,
            {
                "serviceName": "other",
                "taskDefinition": "web",
                "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"]}},
                "loadBalancers": [lb],
                **extra,
            },
        )


@pytest.mark.parametrize(
    ("lb", "message"),
    [
        (
            {"targetGroupArn": TG + "x", "containerName": "app", "containerPort": 80},
            "target group not found",
        ),
        (
            {
                "targetGroupArn": TG.replace("/web/", "/lonely/"),
                "containerName": "app",
                "containerPort": 80,
            },
            "does not have an associated load balancer.",
        ),
        (
            {
                "targetGroupArn": TG.replace("/web/", "/inst/"),
                "containerName": "app",
                "containerPort": 80,
            },
            "has target type instance, which is incompatible with the awsvpc network mode "
            "specified in the task definition.",
        ),
        (
            {"targetGroupArn": TG, "containerName": "nope", "containerPort": 80},
            "The container nope does not exist in the task definition.",
        ),
        (
            {"targetGroupArn": TG, "containerName": "app", "containerPort": 8080},
            "The container app did not have a container port 8080 defined.",
        ),
    ],
)
def test_create_service_checks_load_balancers_as_ecs_does(lb: dict[str, Any], message: str):
    w = LbWorld(desired=0)
    with w.ctx() as ctx:
        _group(ctx, TG.replace("/web/", "/lonely/"), used=False)
        _group(ctx, TG.replace("/web/", "/inst/"), kind="instance")
    with pytest.raises(AwsError) as err:
        _create(w, lb, taskDefinition="web:2")
    assert err.value.code == "InvalidParameterException"
    assert message in err.value.message
    with w.ctx() as ctx:  # refused: nothing written
        assert not services.model.exists(ctx, w.arn.replace("/web", "/other"))


def test_a_service_task_is_registered_on_running_and_drains_on_deactivating():
    w = LbWorld(desired=1)
    w.tick()
    [task] = w.live()
    arn = task["taskArn"]
    w.running(arn)
    assert w.target(arn) == (
        "initial",
        "Elb.RegistrationInProgress",
        "Target registration is in progress",
    )
    messages = [e["message"] for e in w.doc()["events"]]
    assert f"(service web) registered 1 targets in (target-group {TG})" in messages
    w.running(arn)  # a repeated write (after a crash) registers nothing twice
    with w.ctx() as ctx:
        assert len(elb_targets.rows(ctx, TG)) == 1
    assert not w.draining(arn)
    w.deactivating(arn)
    assert w.target(arn)[0] == "draining"
    assert w.draining(arn)
    messages = [e["message"] for e in w.doc()["events"]]
    assert messages[:2] == [
        "(service web) has begun draining connections on 1 tasks.",
        f"(service web) deregistered 1 targets in (target-group {TG})",
    ]
    with w.ctx() as ctx:
        elb_targets.drained(ctx, TG, w.ips[arn], 80)  # the plane: nothing in flight
    assert not w.draining(arn)


def test_a_run_task_task_is_never_registered():
    w = LbWorld(desired=0)
    with w.ctx() as ctx:
        from ecsd.services.ecs import tasks as run_api

        arn = run_api.run_task(
            ctx,
            {
                "taskDefinition": "web:2",
                "launchType": "FARGATE",
                "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"]}},
                "group": "service:web",  # even in the service's group
            },
        )["tasks"][0]["taskArn"]
    w.running(arn)
    with w.ctx() as ctx:
        assert elb_targets.rows(ctx, TG) == []


def test_a_deployment_counts_a_new_task_only_once_its_target_is_healthy():
    w = LbWorld(desired=1)
    w.tick()
    [old] = w.live()
    w.running(old["taskArn"])
    w.health(old["taskArn"], "healthy")
    w.now += 100
    w.tick()
    assert w.doc()["deployments"][0]["rolloutState"] == "COMPLETED"
    w.update(forceNewDeployment=True)
    w.tick()
    new = [t for t in w.live() if t["taskArn"] != old["taskArn"]]
    assert len(new) == 1
    w.running(new[0]["taskArn"])
    w.now += 100  # long past any settling time: target health is what counts
    w.tick()
    assert len(w.live()) == 2  # the old task stays while the new target is initial
    w.health(new[0]["taskArn"], "healthy")
    w.tick()
    assert [t["taskArn"] for t in w.live()] == [new[0]["taskArn"]]


def test_an_elb_unhealthy_task_is_replaced_after_the_grace_period():
    w = LbWorld(desired=1, healthCheckGracePeriodSeconds=30)
    w.tick()
    [first] = w.live()
    arn = first["taskArn"]
    w.running(arn)
    w.now += 5
    why = "Health checks failed with these codes: [502]"
    w.health(arn, "unhealthy", "Target.ResponseCodeMismatch", why)
    tick = w.tick()
    assert [t["taskArn"] for t in w.live()] == [arn]  # within the grace period
    assert min(tick.wake_at) == pytest.approx(T0 + 30)
    w.now = T0 + 31
    w.tick()
    live = w.live()
    assert len(live) == 2  # a replacement first (start-first), the sick one still up
    w.running(live[1]["taskArn"])
    w.health(live[1]["taskArn"], "healthy")
    w.tick()
    stopped = next(t for t in w.tasks() if t["taskArn"] == arn)
    assert (stopped["stopCode"], stopped["stoppedReason"]) == (
        "ServiceSchedulerInitiated",
        f"Task failed ELB health checks in (target-group {TG})",
    )
    task_id = arn.rsplit("/", 1)[1]
    messages = [e["message"] for e in w.doc()["events"]]
    assert (
        f"(service web) (task {task_id}) (port 80) is unhealthy in (target-group {TG}) "
        f"due to (reason {why})."
    ) in messages
    assert w.doc()["deployments"][0]["failedTasks"] == 1


def test_a_task_whose_target_group_is_gone_counts_as_one_without_a_load_balancer():
    w = LbWorld(desired=1)
    with w.ctx() as ctx:
        target_groups.delete_group(ctx, TG)  # deleted after CreateService
    w.tick()
    [task] = w.live()
    w.running(task["taskArn"])  # nothing to register in
    w.now += 5
    w.tick()
    assert w.doc()["deployments"][0]["rolloutState"] == "COMPLETED"


def test_a_target_health_change_wakes_only_the_services_using_its_group():
    from ecsd.config import Settings
    from ecsd.controllers.services import ServiceController
    from ecsd.core.bus import Bus, TargetHealthChanged
    from ecsd.core.clock import FakeClock
    from ecsd.core.unit import Units

    bus = Bus()
    units = Units(None, settings=Settings(), clock=FakeClock(), publish=bus.publish)  # type: ignore[arg-type]
    scheduler = ServiceController(units, Settings())
    scheduler.subscribe(bus)
    pokes: list[str | None] = []
    scheduler.workers.poke = pokes.append  # type: ignore[method-assign]
    w = LbWorld(desired=0)
    with w.ctx() as ctx:  # a pass records which groups the service uses
        scheduler._tick(ctx, w.arn)
    bus.publish([TargetHealthChanged(TG + "x", "172.17.0.2", 80)])
    assert pokes == []
    bus.publish([TargetHealthChanged(TG, "172.17.0.2", 80)])
    assert pokes == [w.arn]


def test_update_service_checks_load_balancers_and_a_refusal_changes_nothing():
    w = LbWorld(desired=1)
    before = w.doc()
    with w.ctx() as ctx:  # a revision without the port the load balancer sends to
        task_definitions.register_task_definition(
            ctx,
            {
                "family": "web",
                "requiresCompatibilities": ["FARGATE"],
                "networkMode": "awsvpc",
                "cpu": "256",
                "memory": "512",
                "containerDefinitions": [{"name": "app", "image": "busybox"}],
            },
        )
    for p, message in [
        ({"taskDefinition": "web:3"}, "The container app did not have a container port 80"),
        (
            {"loadBalancers": [{"targetGroupArn": TG, "containerName": "x", "containerPort": 80}]},
            "The container x does not exist in the task definition.",
        ),
    ]:
        with pytest.raises(AwsError) as err:
            w.update(desiredCount=3, **p)
        assert message in err.value.message
    after = w.doc()
    assert (after["desiredCount"], after["taskDefinition"], after["loadBalancers"]) == (
        before["desiredCount"],
        before["taskDefinition"],
        before["loadBalancers"],
    )
    assert len(after["deployments"]) == len(before["deployments"])


def test_a_task_in_two_target_groups_counts_once_healthy_in_both():
    blue, green = TG, TG.replace("/web/", "/green/")
    w = LbWorld(desired=1)
    with w.ctx() as ctx:
        _group(ctx, green)
    w.update(
        loadBalancers=[
            {"targetGroupArn": blue, "containerName": "app", "containerPort": 80},
            {"targetGroupArn": green, "containerName": "app", "containerPort": 80},
        ]
    )
    w.tick()
    [task] = w.live()
    arn = task["taskArn"]
    w.running(arn)
    with w.ctx() as ctx:
        assert [len(elb_targets.rows(ctx, g)) for g in (blue, green)] == [1, 1]
    w.health(arn, "healthy")  # blue only
    w.now += 100
    w.tick()
    assert w.doc()["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    target = Target(id=w.ips[arn], port_id=80, host="127.0.0.1", port=30000, check_port=30000)
    with w.ctx() as ctx:
        elb_targets.record_health(ctx, HealthReport(green, target, "healthy"))
    w.tick()
    assert w.doc()["deployments"][0]["rolloutState"] == "COMPLETED"
    w.deactivating(arn)
    messages = [e["message"] for e in w.doc()["events"]]
    assert f"(service web) deregistered 1 targets in (target-group {blue})" in messages
    assert f"(service web) deregistered 1 targets in (target-group {green})" in messages
