"""CreateService / UpdateService / DeleteService / DescribeServices / ListServices as an
API: validation, errors, the shape of a service and its deployments, status changes.

The server here has no reachable container engine, so a service's tasks all fail to start
— which is itself worth testing: the scheduler backs off with a growing delay and says
so. What happens to real containers is tests/scenarios/test_services.py's business.
"""

from __future__ import annotations

import re
import time

import pytest
from botocore.exceptions import ClientError
from conftest import AwsCli, aws_error, register_web

NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-1"], "assignPublicIp": "ENABLED"}}
CLUSTER_ARN = "arn:aws:ecs:us-east-1:000000000000:cluster/default"


@pytest.fixture
def ecs(no_engine_ecs):
    for _ in range(2):
        register_web(no_engine_ecs)
    return no_engine_ecs


def create(ecs, name="web", **extra):
    extra.setdefault("desiredCount", 0)
    extra.setdefault("networkConfiguration", NETWORK)
    if "capacityProviderStrategy" not in extra:
        extra.setdefault("launchType", "FARGATE")
    return ecs.create_service(
        serviceName=name, taskDefinition=extra.pop("taskDefinition", "web:1"), **extra
    )["service"]


def describe(ecs, name="web"):
    return ecs.describe_services(services=[name])["services"][0]


def test_a_new_service_looks_as_ecs_shows_it(ecs):
    s = create(ecs, tags=[{"key": "team", "value": "a"}])
    assert s["serviceArn"] == "arn:aws:ecs:us-east-1:000000000000:service/default/web"
    assert s["serviceName"] == "web" and s["clusterArn"] == CLUSTER_ARN
    assert s["status"] == "ACTIVE"
    assert (s["desiredCount"], s["runningCount"], s["pendingCount"]) == (0, 0, 0)
    assert s["launchType"] == "FARGATE" and s["platformVersion"] == "LATEST"
    assert s["platformFamily"] == "Linux"
    assert s["schedulingStrategy"] == "REPLICA"
    assert s["deploymentController"] == {"type": "ECS"}
    assert s["propagateTags"] == "NONE" and s["enableECSManagedTags"] is False
    assert s["deploymentConfiguration"] == {
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
    }
    assert s["networkConfiguration"] == NETWORK
    assert s["taskDefinition"].endswith(":task-definition/web:1")
    assert s["createdBy"] == "arn:aws:iam::000000000000:root"
    [d] = s["deployments"]
    assert re.fullmatch(r"ecs-svc/\d{19}", d["id"])
    assert d["status"] == "PRIMARY" and d["rolloutState"] == "IN_PROGRESS"
    assert d["rolloutStateReason"] == f"ECS deployment {d['id']} in progress."
    assert d["taskDefinition"] == s["taskDefinition"] and d["failedTasks"] == 0
    assert d["launchType"] == "FARGATE" and d["networkConfiguration"] == NETWORK
    assert d["platformVersion"] == "1.4.0"  # what LATEST means today
    pinned = create(ecs, name="pinned", platformVersion="1.3.0")  # the Terraform tutorial's
    assert pinned["platformVersion"] == "1.3.0"
    assert pinned["deployments"][0]["platformVersion"] == "1.3.0"
    described = ecs.describe_services(services=["web"], include=["TAGS"])["services"][0]
    assert described["tags"] == [{"key": "team", "value": "a"}]
    assert ecs.list_tags_for_resource(resourceArn=s["serviceArn"])["tags"] == described["tags"]


def test_an_empty_service_reaches_a_steady_state_and_completes(ecs):
    create(ecs)
    deadline = time.monotonic() + 10
    while describe(ecs)["deployments"][0]["rolloutState"] != "COMPLETED":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    s = describe(ecs)
    dep = s["deployments"][0]
    assert dep["rolloutStateReason"] == f"ECS deployment {dep['id']} completed."
    messages = [e["message"] for e in s["events"]]
    assert messages == [
        "(service web) has reached a steady state.",
        f"(service web) (deployment {dep['id']}) deployment completed.",
    ]


@pytest.mark.parametrize(
    "extra, code, message",
    [
        (
            {"networkConfiguration": None},
            "InvalidParameterException",
            "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
        ),
        ({"desiredCount": -1}, "InvalidParameterException", "Desired count must be >= 0."),
        ({"taskDefinition": "nope:1"}, "ClientException", "Unable to describe task definition."),
        (
            {
                "launchType": "FARGATE",
                "capacityProviderStrategy": [{"capacityProvider": "FARGATE"}],
            },
            "InvalidParameterException",
            "Specifying both a launch type and capacity provider strategy is not supported. "
            "Remove one and try again.",
        ),
        (
            {"deploymentConfiguration": {"maximumPercent": 50}},
            "InvalidParameterException",
            "Maximum percent must be greater than or equal to 100.",
        ),
        (
            {"schedulingStrategy": "DAEMON"},
            "InvalidParameterException",
            "The daemon scheduling strategy is not supported with the FARGATE launch type.",
        ),
    ],
)
def test_bad_creates_are_refused_and_change_nothing(ecs, extra, code, message):
    if extra.get("networkConfiguration", 0) is None:
        extra = {k: v for k, v in extra.items() if k != "networkConfiguration"}
        with pytest.raises(ClientError) as err:
            ecs.create_service(
                serviceName="web", taskDefinition="web:1", desiredCount=0, launchType="FARGATE"
            )
    else:
        with pytest.raises(ClientError) as err:
            create(ecs, **extra)
    assert aws_error(err) == (code, message)
    assert ecs.list_services()["serviceArns"] == []
    assert ecs.describe_services(services=["web"])["failures"] == [
        {"arn": "arn:aws:ecs:us-east-1:000000000000:service/default/web", "reason": "MISSING"}
    ]


def test_bad_names_and_inactive_task_definitions(ecs):
    with pytest.raises(ClientError) as err:
        create(ecs, name="no spaces")
    assert aws_error(err)[0] == "InvalidParameterException"
    ecs.deregister_task_definition(taskDefinition="web:2")
    with pytest.raises(ClientError) as err:
        create(ecs, taskDefinition="web:2")
    assert aws_error(err) == ("ClientException", "TaskDefinition is inactive")
    with pytest.raises(ClientError) as err:
        create(ecs, cluster="nowhere")
    assert aws_error(err) == ("ClusterNotFoundException", "Cluster not found.")


def test_a_second_create_is_not_idempotent(ecs):
    create(ecs)
    with pytest.raises(ClientError) as err:
        create(ecs, desiredCount=0)
    assert aws_error(err) == (
        "InvalidParameterException",
        "Creation of service was not idempotent.",
    )


def test_only_a_new_task_definition_or_force_starts_a_deployment(ecs):
    first = create(ecs)["deployments"][0]["id"]
    s = ecs.update_service(service="web", desiredCount=0, healthCheckGracePeriodSeconds=30)[
        "service"
    ]
    assert [d["id"] for d in s["deployments"]] == [first]
    assert s["healthCheckGracePeriodSeconds"] == 30
    s = ecs.update_service(service="web", taskDefinition="web:2")["service"]
    assert [d["status"] for d in s["deployments"]] == ["PRIMARY", "ACTIVE"]
    assert s["deployments"][1]["id"] == first
    assert s["taskDefinition"].endswith("web:2")
    assert s["deployments"][0]["taskDefinition"].endswith("web:2")
    s = ecs.update_service(service="web", forceNewDeployment=True)["service"]
    assert s["deployments"][0]["taskDefinition"].endswith("web:2")
    assert len({d["id"] for d in s["deployments"]}) == len(s["deployments"])
    # With no tasks anywhere, the scheduler retires the older deployments at once.
    deadline = time.monotonic() + 10
    while len(describe(ecs)["deployments"]) != 1:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_update_and_delete_errors(ecs):
    with pytest.raises(ClientError) as err:
        ecs.update_service(service="ghost", desiredCount=1)
    assert aws_error(err) == ("ServiceNotFoundException", "Service not found.")
    with pytest.raises(ClientError) as err:
        ecs.delete_service(service="ghost")
    assert aws_error(err) == ("ServiceNotFoundException", "Service not found.")
    create(ecs, desiredCount=1, tags=[{"key": "old", "value": "1"}])
    with pytest.raises(ClientError) as err:
        ecs.delete_service(service="web")
    assert aws_error(err) == (
        "InvalidParameterException",
        "The service cannot be stopped while it is scaled above 0.",
    )
    assert describe(ecs)["status"] == "ACTIVE"
    with pytest.raises(ClientError) as err:
        ecs.delete_cluster(cluster="default")
    assert aws_error(err)[0] == "ClusterContainsServicesException"
    s = ecs.delete_service(service="web", force=True)["service"]
    assert s["status"] == "DRAINING" and s["desiredCount"] == 0
    assert ecs.list_services()["serviceArns"] == []
    with pytest.raises(ClientError) as err:
        ecs.update_service(service="web", desiredCount=1)
    assert aws_error(err) == ("ServiceNotActiveException", "Service was not ACTIVE.")
    deadline = time.monotonic() + 15
    while describe(ecs)["status"] != "INACTIVE":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    # An INACTIVE name can be used again: a new service, with nothing of the old one.
    again = create(ecs)
    assert again["status"] == "ACTIVE" and again["events"] == []
    assert (
        ecs.describe_services(services=["web"], include=["TAGS"])["services"][0].get("tags", [])
        == []
    )


def test_describe_limits_and_missing(ecs):
    with pytest.raises(ClientError) as err:
        ecs.describe_services(services=[f"s{i}" for i in range(11)])
    assert aws_error(err) == (
        "InvalidParameterException",
        "service names can have at most 10 items.",
    )
    create(ecs)
    out = ecs.describe_services(
        services=["web", "arn:aws:ecs:us-east-1:000000000000:service/default/web", "ghost"]
    )
    assert [s["serviceName"] for s in out["services"]] == ["web", "web"]
    assert out["failures"] == [
        {"arn": "arn:aws:ecs:us-east-1:000000000000:service/default/ghost", "reason": "MISSING"}
    ]


def test_list_pages_and_filters(ecs):
    for i in range(13):
        create(ecs, name=f"svc-{i:02d}")
    pages = list(ecs.get_paginator("list_services").paginate(PaginationConfig={"PageSize": 5}))
    assert [len(p["serviceArns"]) for p in pages] == [5, 5, 3]
    arns = [a for p in pages for a in p["serviceArns"]]
    assert arns == sorted(arns) and len(set(arns)) == 13
    assert len(ecs.list_services()["serviceArns"]) == 10  # ECS's default page
    assert len(ecs.list_services(launchType="FARGATE", maxResults=100)["serviceArns"]) == 13
    assert ecs.list_services(launchType="EC2")["serviceArns"] == []
    assert ecs.list_services(schedulingStrategy="DAEMON")["serviceArns"] == []
    stats = ecs.describe_clusters(include=["STATISTICS"])["clusters"][0]
    assert stats["activeServicesCount"] == 13


def test_tasks_that_never_start_make_the_scheduler_back_off(ecs):
    """No engine: every task fails to start. The first failures are replaced at once,
    then the scheduler waits, longer each time, and says it cannot start tasks."""
    create(ecs, desiredCount=1)
    started: list[float] = []
    seen: set[str] = set()
    deadline = time.monotonic() + 40
    while len(started) < 5:
        assert time.monotonic() < deadline, started
        for arn in (
            ecs.list_tasks(serviceName="web", desiredStatus="STOPPED")["taskArns"]
            + ecs.list_tasks(serviceName="web")["taskArns"]
        ):
            if arn not in seen:
                seen.add(arn)
                started.append(time.monotonic())
        time.sleep(0.05)
    gaps = [b - a for a, b in zip(started, started[1:], strict=False)]
    assert gaps[0] < 2.5 and gaps[1] < 2.5, gaps  # failures 1 and 2: replaced at once
    assert 4.0 < gaps[2] < 9.0, gaps  # after the third: about 5 s
    assert gaps[3] > gaps[2] * 1.5, gaps  # then longer
    s = describe(ecs)
    assert "(service web) is unable to consistently start tasks successfully." in [
        e["message"] for e in s["events"]
    ]
    stopped = ecs.describe_tasks(tasks=list(seen)[:5])["tasks"]
    assert all(t["group"] == "service:web" for t in stopped)
    assert {t["startedBy"] for t in stopped} == {s["deployments"][0]["id"]}
    # The circuit breaker is off: the deployment keeps trying, and counts its failures.
    assert s["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    assert s["deployments"][0]["failedTasks"] >= 4
    # A new deployment resets the delay: its first task starts at once.
    ecs.update_service(service="web", forceNewDeployment=True)
    new = ecs.describe_services(services=["web"])["services"][0]["deployments"][0]["id"]
    deadline = time.monotonic() + 4.0

    def tasks_of_new() -> int:
        return sum(
            len(ecs.list_tasks(serviceName="web", startedBy=new, desiredStatus=status)["taskArns"])
            for status in ("RUNNING", "STOPPED")
        )

    while tasks_of_new() < 2:  # its first failure is replaced at once, as at the start
        assert time.monotonic() < deadline, "the new deployment waited out the old backoff"
        time.sleep(0.05)


def test_the_aws_cli_creates_waits_and_deletes(no_engine, ecs):
    aws = AwsCli(no_engine)
    out = aws.json(
        "ecs",
        "create-service",
        "--service-name",
        "cli",
        "--task-definition",
        "web",
        "--desired-count",
        "0",
        "--network-configuration",
        "awsvpcConfiguration={subnets=[subnet-1],assignPublicIp=ENABLED}",
    )
    assert out["service"]["serviceName"] == "cli"
    aws.run("ecs", "wait", "services-stable", "--services", "cli")
    listed = aws.json("ecs", "list-services")["serviceArns"]
    assert listed == ["arn:aws:ecs:us-east-1:000000000000:service/default/cli"]
    out = aws.json("ecs", "delete-service", "--service", "cli")
    assert out["service"]["status"] == "DRAINING"
    aws.run("ecs", "wait", "services-inactive", "--services", "cli")
