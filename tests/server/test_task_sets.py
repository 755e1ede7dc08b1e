"""Blue/green services and the task-set API against a served daemon (boto3 and the aws
CLI): CODE_DEPLOY and EXTERNAL services, CreateTaskSet / DescribeTaskSets /
UpdateTaskSet / UpdateServicePrimaryTaskSet / DeleteTaskSet, their refusals (each
changes nothing), and the scheduler starting and stopping each task set's tasks.

The daemon runs in-process on the real clock with the fake container runtime, so tasks
really go RUNNING and STOPPED through the task controller without Docker;
tests/scenarios/test_task_sets.py does the same shift with real containers.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError
from conftest import AwsCli, aws_error, client_for, register_web

from ecsd.core.clock import SystemClock
from ecsd.runtime.fake import FakeRuntime

NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-1"], "assignPublicIp": "ENABLED"}}
TASK_SET_ARN = re.compile(
    r"^arn:aws:ecs:us-east-1:000000000000:task-set/default/web/ecs-svc/\d{19}$"
)


@pytest.fixture
def server(in_process) -> Any:
    clock = SystemClock()
    return in_process(runtime=FakeRuntime(clock), clock=clock, task_healthy_after=0.0)


@pytest.fixture
def ecs(server) -> Any:
    client = client_for(server, "ecs")
    client.create_cluster()
    for _ in range(2):
        register_web(client)
    return client


def create(ecs, controller: str, **extra: Any) -> dict[str, Any]:
    extra.setdefault("desiredCount", 2)
    extra.setdefault("launchType", "FARGATE")
    if controller != "EXTERNAL":
        extra.setdefault("taskDefinition", "web:1")
        extra.setdefault("networkConfiguration", NETWORK)
    return ecs.create_service(
        serviceName="web", deploymentController={"type": controller}, **extra
    )["service"]


def new_set(ecs, **extra: Any) -> dict[str, Any]:
    """CreateTaskSet on service "web" with web:1 on Fargate in NETWORK unless `extra`
    says otherwise; the whole answer."""
    return ecs.create_task_set(
        **{
            "cluster": "default",
            "service": "web",
            "taskDefinition": "web:1",
            "networkConfiguration": NETWORK,
            "launchType": "FARGATE",
            **extra,
        }
    )


def task_set(ecs, ref: str | None = None) -> dict[str, Any]:
    sets = ecs.describe_task_sets(
        cluster="default", service="web", **({"taskSets": [ref]} if ref else {})
    )
    return sets["taskSets"][0]


def wait_for(what, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = what()
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what.__name__}")


def tasks_of(ecs, set_id: str, status: str = "RUNNING") -> list[dict[str, Any]]:
    arns = ecs.list_tasks(startedBy=set_id, desiredStatus=status)["taskArns"]
    return ecs.describe_tasks(tasks=arns)["tasks"] if arns else []


def test_a_code_deploy_service_runs_its_first_task_set(ecs) -> None:
    s = create(ecs, "CODE_DEPLOY")
    assert s["deploymentController"] == {"type": "CODE_DEPLOY"}
    assert s["deployments"] == []
    [first] = s["taskSets"]
    assert TASK_SET_ARN.match(first["taskSetArn"])
    assert first["status"] == "PRIMARY" and "externalId" not in first
    assert first["scale"] == {"value": 100.0, "unit": "PERCENT"}
    assert first["computedDesiredCount"] == 2
    assert first["taskDefinition"].endswith(":task-definition/web:1")
    assert first["networkConfiguration"] == NETWORK
    assert first["launchType"] == "FARGATE"

    def steady() -> dict[str, Any] | None:
        ts = task_set(ecs)
        return ts if ts["stabilityStatus"] == "STEADY_STATE" else None

    ts = wait_for(steady)
    assert (ts["runningCount"], ts["pendingCount"]) == (2, 0)
    assert ts["stabilityStatusAt"] >= ts["createdAt"]
    running = tasks_of(ecs, first["id"])
    assert len(running) == 2 and {t["group"] for t in running} == {"service:web"}
    svc = ecs.describe_services(services=["web"])["services"][0]
    assert svc["runningCount"] == 2
    ids = " ".join(f"(task {t['taskArn'].rsplit('/', 1)[-1]})" for t in running)
    assert any(
        e["message"].startswith("(service web) has started ") and "tasks:" in e["message"]
        for e in svc["events"]
    ), ids


def test_code_deploy_refusals_change_nothing(ecs) -> None:
    with pytest.raises(ClientError) as err:
        create(
            ecs,
            "CODE_DEPLOY",
            deploymentConfiguration={
                "deploymentCircuitBreaker": {"enable": True, "rollback": True}
            },
        )
    assert aws_error(err)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as err:
        ecs.create_service(
            serviceName="web", deploymentController={"type": "CODE_DEPLOY"}, launchType="FARGATE"
        )
    assert aws_error(err) == (
        "InvalidParameterException",
        "TaskDefinition must be specified for the CODE_DEPLOY deployment controller.",
    )
    assert ecs.list_services()["serviceArns"] == []
    create(ecs, "CODE_DEPLOY", desiredCount=1)
    with pytest.raises(ClientError) as err:
        ecs.update_service(service="web", taskDefinition="web:2")
    assert aws_error(err) == (
        "InvalidParameterException",
        "Unable to update task definition on services with a CODE_DEPLOY deployment "
        "controller. Use AWS CodeDeploy to trigger a new deployment.",
    )
    before = ecs.describe_services(services=["web"])["services"][0]
    assert before["taskDefinition"].endswith("web:1") and before["desiredCount"] == 1
    # What ECS lets such a service change: its desired count, which the sets follow.
    after = ecs.update_service(service="web", desiredCount=3)["service"]
    assert after["taskSets"][0]["computedDesiredCount"] == 3


def test_the_task_set_api_on_an_external_service(ecs) -> None:
    s = create(ecs, "EXTERNAL", desiredCount=4)
    assert s["taskSets"] == [] and s["deployments"] == []
    blue = new_set(
        ecs,
        externalId="blue",
        scale={"value": 100, "unit": "PERCENT"},
        tags=[{"key": "color", "value": "blue"}],
        clientToken="tok-blue",
    )["taskSet"]
    assert blue["status"] == "PRIMARY" and blue["externalId"] == "blue"
    assert blue["computedDesiredCount"] == 4 and TASK_SET_ARN.match(blue["taskSetArn"])
    again = new_set(ecs, clientToken="tok-blue")["taskSet"]
    assert again["id"] == blue["id"]
    green = new_set(
        ecs, externalId="green", taskDefinition="web:2", scale={"value": 25, "unit": "PERCENT"}
    )["taskSet"]
    assert green["status"] == "ACTIVE" and green["computedDesiredCount"] == 1
    listed = ecs.list_tags_for_resource(resourceArn=blue["taskSetArn"])["tags"]
    assert listed == [{"key": "color", "value": "blue"}]
    tagged = ecs.describe_task_sets(
        cluster="default", service="web", taskSets=[blue["taskSetArn"]], include=["TAGS"]
    )
    assert tagged["taskSets"][0]["tags"] == [{"key": "color", "value": "blue"}]
    missing = ecs.describe_task_sets(cluster="default", service="web", taskSets=["ecs-svc/1"])
    assert missing["taskSets"] == [] and missing["failures"][0]["reason"] == "MISSING"

    green = ecs.update_task_set(
        cluster="default",
        service="web",
        taskSet=green["id"],
        scale={"value": 50, "unit": "PERCENT"},
    )["taskSet"]
    assert green["computedDesiredCount"] == 2
    with pytest.raises(ClientError) as err:
        ecs.delete_task_set(cluster="default", service="web", taskSet=blue["id"])
    assert aws_error(err)[0] == "InvalidParameterException"  # the PRIMARY one
    primary = ecs.update_service_primary_task_set(
        cluster="default", service="web", primaryTaskSet=green["id"]
    )
    assert primary["taskSet"]["status"] == "PRIMARY"
    assert task_set(ecs, blue["id"])["status"] == "ACTIVE"
    svc = ecs.describe_services(services=["web"])["services"][0]
    assert svc["taskDefinition"].endswith("web:2")
    with pytest.raises(ClientError) as err:
        ecs.delete_task_set(
            cluster="default", service="web", taskSet=blue["id"]
        )  # scaled above 0, no force
    assert aws_error(err)[0] == "InvalidParameterException"
    assert task_set(ecs, blue["id"])["status"] == "ACTIVE"
    gone = ecs.delete_task_set(cluster="default", service="web", taskSet=blue["id"], force=True)[
        "taskSet"
    ]
    assert gone["status"] == "DRAINING" and gone["computedDesiredCount"] == 0

    def only_green() -> bool:
        sets = ecs.describe_task_sets(cluster="default", service="web")["taskSets"]
        return [x["id"] for x in sets] == [green["id"]] and not tasks_of(ecs, blue["id"])

    wait_for(only_green)
    wait_for(lambda: len(tasks_of(ecs, green["id"])) == 2)
    stopped = tasks_of(ecs, blue["id"], status="STOPPED")
    assert len(stopped) == 4 and {t["stopCode"] for t in stopped} == {"ServiceSchedulerInitiated"}


def test_task_set_refusals(ecs) -> None:
    ecs.create_service(
        serviceName="rolling",
        taskDefinition="web:1",
        desiredCount=0,
        launchType="FARGATE",
        networkConfiguration=NETWORK,
    )
    with pytest.raises(ClientError) as err:
        ecs.create_task_set(
            cluster="default",
            service="rolling",
            taskDefinition="web:1",
            networkConfiguration=NETWORK,
        )
    assert aws_error(err)[0] == "InvalidParameterException"
    create(ecs, "EXTERNAL")
    for bad in ({"value": 150, "unit": "PERCENT"}, {"value": -1, "unit": "PERCENT"}):
        with pytest.raises(ClientError) as err:
            new_set(ecs, scale=bad)
        assert aws_error(err)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as err:
        ecs.create_task_set(
            cluster="default", service="web", taskDefinition="web:1", launchType="FARGATE"
        )
    assert aws_error(err)[0] == "InvalidParameterException"  # awsvpc without a network
    assert ecs.describe_task_sets(cluster="default", service="web")["taskSets"] == []
    with pytest.raises(ClientError) as err:
        ecs.update_task_set(
            cluster="default",
            service="web",
            taskSet="ecs-svc/1",
            scale={"value": 1, "unit": "PERCENT"},
        )
    assert aws_error(err)[0] == "TaskSetNotFoundException"
    for i in range(5):
        new_set(ecs, scale={"value": 0, "unit": "PERCENT"}, externalId=str(i))
    with pytest.raises(ClientError) as err:
        new_set(ecs)
    assert aws_error(err) == (
        "InvalidParameterException",
        "5 deployments exist on the service. Unable to create new TaskSet since this "
        "exceeds the maximum limit.",
    )


def test_the_aws_cli_drives_task_sets(ecs, server) -> None:
    aws = AwsCli(server)
    on_web = ("--cluster", "default", "--service", "web")
    svc = aws.json(
        "ecs", "create-service", "--cluster", "default", "--service-name", "web",
        "--desired-count", "1", "--deployment-controller", "type=EXTERNAL",
    )["service"]  # fmt: skip
    assert svc["deploymentController"] == {"type": "EXTERNAL"} and svc["taskSets"] == []
    made = aws.json(
        "ecs", "create-task-set", *on_web, "--task-definition", "web:1",
        "--launch-type", "FARGATE", "--scale", "value=100,unit=PERCENT",
        "--network-configuration",
        "awsvpcConfiguration={subnets=[subnet-1],assignPublicIp=ENABLED}",
    )["taskSet"]  # fmt: skip
    assert made["status"] == "PRIMARY" and made["computedDesiredCount"] == 1
    shown = aws.json("ecs", "describe-task-sets", *on_web)["taskSets"]
    assert [x["taskSetArn"] for x in shown] == [made["taskSetArn"]]
    scaled = aws.json(
        "ecs", "update-task-set", *on_web, "--task-set", made["id"],
        "--scale", "value=0,unit=PERCENT",
    )["taskSet"]  # fmt: skip
    assert scaled["computedDesiredCount"] == 0
    # The PRIMARY task set is deleted only with force, even at scale 0.
    refused = aws.run("ecs", "delete-task-set", *on_web, "--task-set", made["id"], check=False)
    assert refused.returncode != 0 and "InvalidParameterException" in refused.stderr
    assert aws.json("ecs", "describe-task-sets", *on_web)["taskSets"][0]["status"] == "PRIMARY"
    gone = aws.json("ecs", "delete-task-set", *on_web, "--task-set", made["id"], "--force")
    assert gone["taskSet"]["status"] == "DRAINING"
    wait_for(lambda: aws.json("ecs", "describe-task-sets", *on_web)["taskSets"] == [])
