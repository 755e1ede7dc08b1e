"""RunTask / StopTask / DescribeTasks / ListTasks as an API: validation, errors, filters.

What happens to the containers is the scenario tests' business; here the server runs
with no reachable container engine, so every task is recorded and then stops with
TaskFailedToStart — which is itself the behaviour users get without Docker.
"""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error, register_web

NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}


@pytest.fixture
def ecs(no_engine_ecs):
    register_web(no_engine_ecs)
    return no_engine_ecs


def test_awsvpc_needs_network_configuration(ecs):
    with pytest.raises(ClientError) as err:
        ecs.run_task(launchType="FARGATE", taskDefinition="web")
    assert aws_error(err) == (
        "InvalidParameterException",
        "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
    )
    assert ecs.list_tasks()["taskArns"] == []


def test_unknown_cluster_and_task_definition(ecs):
    with pytest.raises(ClientError) as err:
        ecs.run_task(
            launchType="FARGATE", cluster="nope", taskDefinition="web", networkConfiguration=NETWORK
        )
    assert aws_error(err) == ("ClusterNotFoundException", "Cluster not found.")
    with pytest.raises(ClientError) as err:
        ecs.run_task(launchType="FARGATE", taskDefinition="nope", networkConfiguration=NETWORK)
    assert aws_error(err)[0] == "ClientException"


def test_inactive_task_definition_cannot_run(ecs):
    ecs.deregister_task_definition(taskDefinition="web:1")
    with pytest.raises(ClientError) as err:
        ecs.run_task(launchType="FARGATE", taskDefinition="web:1", networkConfiguration=NETWORK)
    assert aws_error(err) == ("ClientException", "TaskDefinition is inactive")


def test_count_bounds(ecs):
    with pytest.raises(ClientError) as err:
        ecs.run_task(
            launchType="FARGATE", taskDefinition="web", count=11, networkConfiguration=NETWORK
        )
    assert aws_error(err)[0] == "InvalidParameterException"
    assert ecs.list_tasks()["taskArns"] == []


def test_run_records_a_provisioning_task_as_ecs_shows_it(ecs):
    out = ecs.run_task(
        launchType="FARGATE",
        taskDefinition="web",
        count=2,
        networkConfiguration=NETWORK,
        startedBy="ci-job",
        tags=[{"key": "k", "value": "v"}],
        overrides={"containerOverrides": [{"name": "app", "command": ["echo", "hi"]}]},
    )
    assert out["failures"] == [] and len(out["tasks"]) == 2
    task = out["tasks"][0]
    assert task["lastStatus"] == "PROVISIONING" and task["desiredStatus"] == "RUNNING"
    assert task["taskDefinitionArn"].endswith(":task-definition/web:1")
    assert task["group"] == "family:web" and task["startedBy"] == "ci-job"
    assert task["launchType"] == "FARGATE" and task["platformVersion"] == "1.4.0"
    assert task["cpu"] == "256" and task["memory"] == "512" and task["version"] == 1
    assert task["overrides"]["containerOverrides"] == [{"name": "app", "command": ["echo", "hi"]}]
    assert task["attachments"][0]["type"] == "ElasticNetworkInterface"
    assert task["containers"][0]["lastStatus"] == "PENDING"
    assert task["tags"] == [{"key": "k", "value": "v"}]


def test_describe_reports_missing_and_list_filters(ecs):
    a = ecs.run_task(
        launchType="FARGATE", taskDefinition="web", networkConfiguration=NETWORK, startedBy="one"
    )["tasks"][0]["taskArn"]
    ecs.run_task(
        launchType="FARGATE", taskDefinition="web", networkConfiguration=NETWORK, startedBy="two"
    )
    missing = "arn:aws:ecs:us-east-1:000000000000:task/default/" + "0" * 32
    out = ecs.describe_tasks(tasks=[a, "0" * 32])
    assert [t["taskArn"] for t in out["tasks"]] == [a]
    assert out["failures"] == [{"arn": missing, "reason": "MISSING"}]
    # With no engine both tasks stop at once; listing STOPPED ones is then deterministic.
    for arn in ecs.list_tasks(desiredStatus="RUNNING")["taskArns"] + [a]:
        _wait_stopped(ecs, arn)
    stopped = {"desiredStatus": "STOPPED"}
    assert ecs.list_tasks(startedBy="one", **stopped)["taskArns"] == [a]
    assert len(ecs.list_tasks(family="web", **stopped)["taskArns"]) == 2
    assert ecs.list_tasks(family="other", **stopped)["taskArns"] == []
    assert ecs.list_tasks()["taskArns"] == []
    pages = list(
        ecs.get_paginator("list_tasks").paginate(
            desiredStatus="STOPPED", PaginationConfig={"PageSize": 1}
        )
    )
    assert [len(p["taskArns"]) for p in pages] == [1, 1]


def _wait_stopped(ecs, arn: str) -> dict:
    deadline = time.monotonic() + 20
    while True:
        task = ecs.describe_tasks(tasks=[arn])["tasks"][0]
        if task["lastStatus"] == "STOPPED" or time.monotonic() > deadline:
            return task
        time.sleep(0.05)


def test_without_an_engine_tasks_stop_with_a_clear_reason_and_stop_task_works(ecs):
    arn = ecs.run_task(launchType="FARGATE", taskDefinition="web", networkConfiguration=NETWORK)[
        "tasks"
    ][0]["taskArn"]
    task = _wait_stopped(ecs, arn)
    assert task["lastStatus"] == "STOPPED"
    assert task["stopCode"] == "TaskFailedToStart"
    assert "no-engine.sock" in task["stoppedReason"]
    assert ecs.list_tasks(desiredStatus="STOPPED")["taskArns"] == [arn]
    assert ecs.list_tasks()["taskArns"] == []
    # Stopping a stopped task keeps the first reason, as ECS does.
    again = ecs.stop_task(task=arn, reason="late")["task"]
    assert again["stopCode"] == "TaskFailedToStart"
    with pytest.raises(ClientError) as err:
        ecs.stop_task(task="f" * 32)
    assert aws_error(err)[0] == "InvalidParameterException"
