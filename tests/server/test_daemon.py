"""The composition root and the in-process daemon: HTTP surfaces in their places, the
gateway's in-process `call()`, and the typed events API writes publish on the bus."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest
from conftest import aws_error, client_for

from ecsd.aws.errors import AwsError
from ecsd.core.bus import Event, ServiceChanged, TaskChanged

TASKDEF = {
    "family": "web",
    "requiresCompatibilities": ["FARGATE"],
    "networkMode": "awsvpc",
    "cpu": "256",
    "memory": "512",
    "containerDefinitions": [{"name": "app", "image": "busybox"}],
}
NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}


@pytest.fixture
def server(in_process, tmp_path):
    return in_process(docker_host=f"unix://{tmp_path}/no-engine.sock")


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_call_runs_the_same_path_as_http(server):
    made = server.call("ecs", "CreateCluster", {"clusterName": "inproc"})
    assert made["cluster"]["clusterArn"].endswith(":cluster/inproc")
    # What call() wrote, a boto3 client over HTTP sees.
    ecs = client_for(server, "ecs")
    assert ecs.describe_clusters(clusters=["inproc"])["clusters"][0]["status"] == "ACTIVE"


def test_call_works_in_the_region_it_is_given(server):
    made = server.call("ecs", "CreateCluster", {"clusterName": "eu"}, region="eu-west-1")
    arn = made["cluster"]["clusterArn"]
    assert arn.startswith("arn:aws:ecs:eu-west-1:")
    # The default region's clients do not see it; eu-west-1's do.
    assert client_for(server, "ecs").list_clusters()["clusterArns"] == []
    assert client_for(server, "ecs", region="eu-west-1").list_clusters()["clusterArns"] == [arn]


def test_call_validates_by_the_model_and_refuses_as_aws_does(server):
    with pytest.raises(AwsError) as err:
        server.call("ecs", "CreateService", {"cluster": "default"})  # serviceName missing
    assert err.value.code == "InvalidParameterException"
    assert "serviceName" in err.value.message
    with pytest.raises(AwsError) as err:
        server.call("ecs", "NoSuchOperation", {})
    assert err.value.code == "UnknownOperationException"
    with pytest.raises(AwsError) as err:
        server.call("ecs", "DescribeClusters", {"clusters": "not-a-list"})
    assert err.value.code == "SerializationException"  # as a JSON client is answered


def test_surfaces_are_mounted_in_their_own_places(server):
    status, body = _get(f"{server.url}/_ecsd/health")
    assert status == 200 and json.loads(body)["status"] == "ok"
    # The registry answers /v2/ itself (it asks docker for its credentials) ...
    for path in ("/v2/", "/v2/app/manifests/latest"):
        status, body = _get(f"{server.url}{path}")
        assert status == 401, path
        assert json.loads(body)["errors"][0]["code"] == "UNAUTHORIZED"
    # ... the console serves its page and files, and nothing else under its prefix is
    # read as an AWS call ...
    status, body = _get(f"{server.url}/_console/")
    assert status == 200 and b'src="/_console/static/js/app.js"' in body
    status, body = _get(f"{server.url}/_console/static/js/api.js")
    assert status == 200 and b"X-Amz-Target" in body
    status, body = _get(f"{server.url}/_console/index.html")
    assert status == 404
    assert json.loads(body) == {"message": "Not served by this ecsd."}
    # Everything else is the AWS gateway.
    assert client_for(server, "sts").get_caller_identity()["Account"] == "000000000000"
    assert [c.name for c in server.daemon.components] == [
        "store",
        "runtime",
        "log sink",
        "task side",
        "registry",
        "load balancers",
        "task controller",
        "service controller",
        "ecr lifecycle",
        "task metrics",
        "alarms",
        "acm validation",
        "scaling",
    ]


def test_writes_publish_typed_events_once_committed(server):
    seen: list[Event] = []
    server.daemon.bus.subscribe(TaskChanged, seen.append)
    server.daemon.bus.subscribe(ServiceChanged, seen.append)
    ecs = client_for(server, "ecs")
    ecs.create_cluster()
    ecs.register_task_definition(**TASKDEF)
    assert seen == []  # clusters and task definitions wake nobody

    task = ecs.run_task(launchType="FARGATE", taskDefinition="web", networkConfiguration=NETWORK)[
        "tasks"
    ][0]
    assert TaskChanged(task["taskArn"], None) in seen

    seen.clear()
    with pytest.raises(Exception) as err:
        ecs.run_task(
            launchType="FARGATE", taskDefinition="web", count=11, networkConfiguration=NETWORK
        )
    assert aws_error(err)[0] == "InvalidParameterException"
    # A refused request changes nothing and tells nobody (the first task's own steps,
    # written by the task controller meanwhile, are all that may be heard).
    assert [e for e in seen if getattr(e, "arn", None) != task["taskArn"]] == []

    arn = ecs.create_service(
        launchType="FARGATE",
        serviceName="api",
        taskDefinition="web",
        desiredCount=0,
        networkConfiguration=NETWORK,
    )["service"]["serviceArn"]
    assert ServiceChanged(arn) in seen


def test_reset_empties_the_store_and_the_daemon_keeps_serving(server):
    ecs = client_for(server, "ecs")
    ecs.create_cluster(clusterName="gone")
    server.reset()
    assert ecs.list_clusters()["clusterArns"] == []
    ecs.create_cluster(clusterName="back")
    assert len(ecs.list_clusters()["clusterArns"]) == 1


def test_a_service_tasks_changes_name_their_service(server):
    seen: list[TaskChanged] = []
    server.daemon.bus.subscribe(TaskChanged, seen.append)
    ecs = client_for(server, "ecs")
    ecs.create_cluster()
    ecs.register_task_definition(**TASKDEF)
    arn = ecs.create_service(
        launchType="FARGATE",
        serviceName="api",
        taskDefinition="web",
        desiredCount=1,
        networkConfiguration=NETWORK,
    )["service"]["serviceArn"]
    # The scheduler starts a task (no engine here, so the task controller then fails it);
    # every one of those writes says which service's worker it concerns.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not seen:
        time.sleep(0.05)
    assert seen, "the scheduler's new task was never published"
    [task] = ecs.describe_tasks(tasks=[seen[0].arn])["tasks"]
    assert task["group"] == "service:api"
    assert {e.service_arn for e in list(seen)} == {arn}

    # A task of no service names none, also when the API stops it.
    seen.clear()
    lone = ecs.run_task(launchType="FARGATE", taskDefinition="web", networkConfiguration=NETWORK)[
        "tasks"
    ][0]
    ecs.stop_task(task=lone["taskArn"], reason="done")
    assert TaskChanged(lone["taskArn"], None) in seen
    assert all(e.service_arn is None for e in list(seen) if e.arn == lone["taskArn"])
