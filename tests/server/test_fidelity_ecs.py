"""ECS answers as AWS gives them (issue #12, item 2): capacity providers, the EC2 launch
type on a cluster with no container instance, container instances, task protection.

The server runs with no reachable container engine (tasks are recorded, then stop with
TaskFailedToStart): what is checked here is the API, through boto3 and the aws CLI.
"""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError
from conftest import AwsCli, aws_error, register_web

NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}
NO_INSTANCES = "No Container Instances were found in your cluster."


@pytest.fixture
def ecs(no_engine_ecs):
    register_web(no_engine_ecs)
    return no_engine_ecs


@pytest.fixture
def cli(no_engine, ecs) -> AwsCli:
    return AwsCli(no_engine)


def test_tasks_placed_through_a_strategy_carry_their_capacity_provider(ecs):
    with pytest.raises(ClientError) as err:  # the cluster must have the providers first
        ecs.run_task(
            taskDefinition="web",
            capacityProviderStrategy=[{"capacityProvider": "FARGATE"}],
            networkConfiguration=NETWORK,
        )
    assert aws_error(err)[1].startswith(
        "The specified capacity provider strategy cannot contain a capacity provider that "
        "is not associated with the cluster."
    )
    ecs.put_cluster_capacity_providers(
        cluster="default",
        capacityProviders=["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy=[],
    )
    strategy = [
        {"capacityProvider": "FARGATE", "base": 1, "weight": 1},
        {"capacityProvider": "FARGATE_SPOT", "weight": 1},
    ]
    tasks = ecs.run_task(
        taskDefinition="web",
        count=5,
        capacityProviderStrategy=strategy,
        networkConfiguration=NETWORK,
    )["tasks"]
    names = [t["capacityProviderName"] for t in tasks]
    assert names[0] == "FARGATE"  # the base first
    assert sorted(names) == ["FARGATE"] * 3 + ["FARGATE_SPOT"] * 2
    assert all(t["launchType"] == "FARGATE" for t in tasks)
    described = ecs.describe_tasks(tasks=[tasks[1]["taskArn"]])["tasks"][0]
    assert described["capacityProviderName"] == names[1]
    # A launch type given: no capacity provider.
    plain = ecs.run_task(taskDefinition="web", launchType="FARGATE", networkConfiguration=NETWORK)
    assert "capacityProviderName" not in plain["tasks"][0]


def test_the_clusters_default_strategy_places_tasks_and_services(ecs):
    ecs.create_cluster(
        clusterName="spot",
        capacityProviders=["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
    )
    task = ecs.run_task(cluster="spot", taskDefinition="web", networkConfiguration=NETWORK)
    assert task["tasks"][0]["capacityProviderName"] == "FARGATE_SPOT"
    service = ecs.create_service(
        cluster="spot", serviceName="s", taskDefinition="web", networkConfiguration=NETWORK
    )["service"]
    assert service["capacityProviderStrategy"] == [
        {"capacityProvider": "FARGATE_SPOT", "weight": 1}
    ]
    assert "launchType" not in service


def test_no_launch_type_and_no_strategy_is_the_ec2_launch_type(ecs):
    with pytest.raises(ClientError) as err:
        ecs.run_task(taskDefinition="web", networkConfiguration=NETWORK)
    assert aws_error(err) == ("InvalidParameterException", NO_INSTANCES)
    with pytest.raises(ClientError) as err:
        ecs.run_task(taskDefinition="web", launchType="EC2", networkConfiguration=NETWORK)
    assert aws_error(err) == ("InvalidParameterException", NO_INSTANCES)
    assert ecs.list_tasks()["taskArns"] == []  # refused: nothing made


def test_an_ec2_service_says_it_finds_no_container_instance(ecs, no_engine):
    service = ecs.create_service(
        serviceName="ec2", taskDefinition="web", desiredCount=1, networkConfiguration=NETWORK
    )["service"]
    assert service["launchType"] == "EC2"
    expected = (
        "(service ec2) was unable to place a task because no container instance met all of "
        "its requirements. Reason: No Container Instances were found in your cluster. For "
        "more information, see the Troubleshooting section of the Amazon ECS Developer Guide."
    )
    events: list[str] = []
    for _ in range(100):
        events = [
            e["message"] for e in ecs.describe_services(services=["ec2"])["services"][0]["events"]
        ]
        if expected in events:
            break
        time.sleep(0.1)
    assert expected in events
    assert ecs.list_tasks()["taskArns"] == []


def test_describe_capacity_providers_lists_the_built_in_ones(ecs, cli):
    out = ecs.describe_capacity_providers()
    assert [p["name"] for p in out["capacityProviders"]] == ["FARGATE", "FARGATE_SPOT"]
    assert out["capacityProviders"][0] == {
        "capacityProviderArn": "arn:aws:ecs:us-east-1:000000000000:capacity-provider/FARGATE",
        "name": "FARGATE",
        "status": "ACTIVE",
    }
    some = ecs.describe_capacity_providers(capacityProviders=["FARGATE_SPOT", "mine"])
    assert [p["name"] for p in some["capacityProviders"]] == ["FARGATE_SPOT"]
    assert some["failures"] == [
        {
            "arn": "arn:aws:ecs:us-east-1:000000000000:capacity-provider/mine",
            "reason": "MISSING",
        }
    ]
    via_cli = cli.json("ecs", "describe-capacity-providers", "--capacity-providers", "FARGATE")
    assert [p["name"] for p in via_cli["capacityProviders"]] == ["FARGATE"]


def test_container_instances_of_a_fargate_cluster(ecs, cli):
    assert ecs.list_container_instances()["containerInstanceArns"] == []
    out = ecs.describe_container_instances(containerInstances=["abc"])
    assert out["containerInstances"] == []
    assert out["failures"] == [
        {
            "arn": "arn:aws:ecs:us-east-1:000000000000:container-instance/default/abc",
            "reason": "MISSING",
        }
    ]
    with pytest.raises(ClientError) as err:
        ecs.list_container_instances(cluster="nope")
    assert aws_error(err) == ("ClusterNotFoundException", "Cluster not found.")
    assert cli.json("ecs", "list-container-instances") == {"containerInstanceArns": []}
    proc = cli.run("ecs", "run-task", "--task-definition", "web", check=False)
    assert proc.returncode != 0 and NO_INSTANCES in proc.stderr


def test_task_protection_answers_failures_for_what_it_cannot_protect(ecs, cli):
    lone = ecs.run_task(taskDefinition="web", launchType="FARGATE", networkConfiguration=NETWORK)
    arn = lone["tasks"][0]["taskArn"]
    missing = "arn:aws:ecs:us-east-1:000000000000:task/default/" + "0" * 32
    out = ecs.update_task_protection(
        cluster="default", tasks=[arn, "0" * 32], protectionEnabled=True
    )
    assert out["protectedTasks"] == []
    assert [(f["arn"], f["reason"]) for f in out["failures"]] == [
        (arn, "TASK_NOT_VALID"),
        (missing, "MISSING"),
    ]
    with pytest.raises(ClientError) as err:
        ecs.update_task_protection(
            cluster="default", tasks=[arn], protectionEnabled=True, expiresInMinutes=0
        )
    assert aws_error(err)[0] == "InvalidParameterException"
    got = cli.json("ecs", "get-task-protection", "--cluster", "default", "--tasks", "0" * 32)
    assert got == {"protectedTasks": [], "failures": [{"arn": missing, "reason": "MISSING"}]}
    proc = cli.run(
        "ecs",
        "update-task-protection",
        "--cluster",
        "default",
        "--tasks",
        arn,
        "--protection-enabled",
        check=False,
    )
    assert proc.returncode == 0 and "TASK_NOT_VALID" in proc.stdout


def test_the_service_deployments_api_through_boto3_and_the_cli(ecs, cli):
    ecs.create_service(
        serviceName="api",
        taskDefinition="web",
        desiredCount=0,
        launchType="FARGATE",
        networkConfiguration=NETWORK,
    )
    ecs.update_service(service="api", forceNewDeployment=True)
    listed = ecs.list_service_deployments(service="api")["serviceDeployments"]
    assert len(listed) == 2
    newest = listed[0]
    assert newest["clusterArn"] == "arn:aws:ecs:us-east-1:000000000000:cluster/default"
    described = ecs.describe_service_deployments(
        serviceDeploymentArns=[newest["serviceDeploymentArn"]]
    )["serviceDeployments"][0]
    assert described["sourceServiceRevisions"][0]["arn"] == listed[1]["targetServiceRevisionArn"]
    assert described["deploymentConfiguration"]["maximumPercent"] == 200
    revision = ecs.describe_service_revisions(
        serviceRevisionArns=[newest["targetServiceRevisionArn"]]
    )["serviceRevisions"][0]
    assert revision["taskDefinition"].endswith(":task-definition/web:1")
    via_cli = cli.json("ecs", "list-service-deployments", "--service", "api", "--status", "STOPPED")
    assert [d["serviceDeploymentArn"] for d in via_cli["serviceDeployments"]] == [
        d["serviceDeploymentArn"] for d in listed if d["status"] == "STOPPED"
    ]
    with pytest.raises(ClientError) as err:
        ecs.stop_service_deployment(serviceDeploymentArn=newest["serviceDeploymentArn"] + "0")
    assert aws_error(err)[0] == "ServiceDeploymentNotFoundException"
    with pytest.raises(ClientError) as err:
        ecs.list_service_deployments(service="nope")
    assert aws_error(err) == ("ServiceNotFoundException", "Service not found.")


def test_identifiers_that_cannot_be_a_tasks_are_refused_in_ecs_words(ecs, cli):
    for ref, message in (
        ("None", "taskId length should be one of [32,36]"),
        ("", "taskId length should be one of [32,36]"),
        ("a/b", "Invalid identifier: Unexpected number of separators"),
        (
            "arn:aws:ecs:us-east-1:000000000000:task/default/x/" + "0" * 32,
            "Invalid identifier: Unexpected number of separators",
        ),
    ):
        with pytest.raises(ClientError) as err:
            ecs.describe_tasks(tasks=[ref])
        assert aws_error(err) == ("InvalidParameterException", message), ref
    proc = cli.run("ecs", "stop-task", "--task", "None", check=False)
    assert proc.returncode != 0 and "taskId length should be one of [32,36]" in proc.stderr
    nested = "arn:aws:ecs:us-east-1:000000000000:cluster/arn:aws:ecs:us-east-1:0:cluster/x"
    with pytest.raises(ClientError) as err:
        ecs.describe_clusters(clusters=[nested])
    assert aws_error(err) == (
        "InvalidParameterException",
        "Invalid identifier: Unexpected number of separators",
    )


def test_a_wrong_include_is_refused_in_ecs_words(ecs, cli):
    """ECS checks `include` itself: "include should be one of [...]", the model's values
    joined by commas, not the front end's enum text."""
    with pytest.raises(ClientError) as err:
        ecs.describe_clusters(clusters=["default"], include=["SETTINGS", "BOGUS"])
    assert aws_error(err) == (
        "InvalidParameterException",
        "include should be one of [ATTACHMENTS,CONFIGURATIONS,SETTINGS,STATISTICS,TAGS]",
    )
    for call in (
        lambda: ecs.describe_services(services=["x"], include=["BOGUS"]),
        lambda: ecs.describe_tasks(tasks=["0" * 32], include=["BOGUS"]),
        lambda: ecs.describe_task_definition(taskDefinition="web", include=["BOGUS"]),
    ):
        with pytest.raises(ClientError) as err:
            call()
        assert aws_error(err) == ("InvalidParameterException", "include should be one of [TAGS]")
    proc = cli.run("ecs", "describe-services", "--services", "x", "--include", "TAG", check=False)
    assert proc.returncode != 0 and "include should be one of [TAGS]" in proc.stderr


def test_a_services_tasks_are_spread_by_its_strategy(ecs):
    ecs.create_cluster(
        clusterName="mix",
        capacityProviders=["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy=[
            {"capacityProvider": "FARGATE", "base": 1, "weight": 1},
            {"capacityProvider": "FARGATE_SPOT", "weight": 1},
        ],
    )
    ecs.create_service(
        cluster="mix",
        serviceName="s",
        taskDefinition="web",
        desiredCount=3,
        networkConfiguration=NETWORK,
    )
    arns: list[str] = []
    for _ in range(100):  # the scheduler starts them (and, with no engine, they then stop)
        arns = ecs.list_tasks(cluster="mix")["taskArns"]
        arns += ecs.list_tasks(cluster="mix", desiredStatus="STOPPED")["taskArns"]
        if len(arns) >= 3:
            break
        time.sleep(0.1)
    tasks = ecs.describe_tasks(cluster="mix", tasks=arns[:100])["tasks"]
    first = sorted(tasks, key=lambda t: t["createdAt"])[:3]  # the first pass's three
    names = sorted(t["capacityProviderName"] for t in first)
    assert names == ["FARGATE", "FARGATE", "FARGATE_SPOT"]


def test_stop_service_deployment_rolls_back(ecs, cli):
    ecs.create_service(
        serviceName="roll",
        taskDefinition="web",
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=NETWORK,
    )
    ecs.update_service(service="roll", forceNewDeployment=True)
    newest = ecs.list_service_deployments(service="roll")["serviceDeployments"][0]
    assert newest["status"] == "IN_PROGRESS"  # with no engine its tasks never run
    out = cli.json(
        "ecs",
        "stop-service-deployment",
        "--service-deployment-arn",
        newest["serviceDeploymentArn"],
        "--stop-type",
        "ROLLBACK",
    )
    assert out == {"serviceDeploymentArn": newest["serviceDeploymentArn"]}
    [doc] = ecs.describe_service_deployments(
        serviceDeploymentArns=[newest["serviceDeploymentArn"]]
    )["serviceDeployments"]
    assert doc["status"] == "ROLLBACK_IN_PROGRESS"
    assert doc["rollback"]["serviceRevisionArn"] == doc["sourceServiceRevisions"][0]["arn"]
    service = ecs.describe_services(services=["roll"])["services"][0]
    assert len(ecs.list_service_deployments(service="roll")["serviceDeployments"]) == 2
    assert service["deployments"][0]["status"] == "PRIMARY"
    with pytest.raises(ClientError) as err:
        ecs.stop_service_deployment(serviceDeploymentArn=newest["serviceDeploymentArn"])
    assert aws_error(err)[0] == "ConflictException"
