"""Task definitions through the aws CLI and boto3: ECS's validation, defaults, revisions,
identifiers, listing and pagination."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

TUTORIAL = Path(__file__).parent.parent / "data" / "fargate-jikkuri.json"
ARN = "arn:aws:ecs:us-east-1:000000000000:task-definition/"
EXEC_ROLE = "arn:aws:iam::000000000000:role/ecsTaskExecutionRole"


def fargate(**changes):
    td = {"family": "web", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc",
          "cpu": "256", "memory": "512",
          "containerDefinitions": [{"name": "app", "image": "nginx",
                                    "portMappings": [{"containerPort": 80}]}]}
    td.update(changes)
    return td


def with_container(**changes):
    td = fargate()
    td["containerDefinitions"][0].update(changes)
    return td


def test_tutorial_definition_through_the_cli(aws):
    out = aws.json("ecs", "register-task-definition", "--cli-input-json", f"file://{TUTORIAL}")
    td = out["taskDefinition"]
    assert td["taskDefinitionArn"] == ARN + "fargate-jikkuri:1"
    assert (td["family"], td["revision"], td["status"]) == ("fargate-jikkuri", 1, "ACTIVE")
    assert (td["cpu"], td["memory"], td["networkMode"]) == ("256", "512", "awsvpc")
    assert td["compatibilities"] == ["EC2", "FARGATE"]
    assert td["registeredBy"] == "arn:aws:iam::000000000000:root"
    assert {"name": "ecs.capability.task-eni"} in td["requiresAttributes"]
    app = td["containerDefinitions"][0]
    assert app["portMappings"] == [{"containerPort": 3000, "hostPort": 3000, "protocol": "tcp"}]
    assert (app["essential"], app["cpu"], app["environment"], app["mountPoints"]) == (
        True, 0, [], [])
    listed = aws.json("ecs", "list-task-definitions")
    assert listed["taskDefinitionArns"] == [ARN + "fargate-jikkuri:1"]
    described = aws.json("ecs", "describe-task-definition", "--task-definition", "fargate-jikkuri")
    assert described["taskDefinition"] == td


BAD = [
    (fargate(family="bad name!"), "Family contains invalid characters"),
    (fargate(cpu="300"), "Invalid 'cpu' setting for task."),
    (fargate(memory="4096"), "Invalid 'memory' setting for task."),
    (fargate(cpu="2 vCPU", memory="1GB"), "Invalid 'memory' setting for task."),
    ({k: v for k, v in fargate().items() if k != "cpu"},
     "Fargate requires that 'cpu' be defined at the task level."),
    (fargate(networkMode="bridge"), "Fargate only supports network mode 'awsvpc'."),
    (with_container(essential=False), "at least one essential container"),
    (with_container(portMappings=[{"containerPort": 80, "hostPort": 8080}]),
     "the host ports and container ports in port mappings must match"),
    (with_container(portMappings=[{"containerPort": 80, "name": "-web"}]),
     "Invalid port mapping name"),
    (with_container(memory=256, memoryReservation=512), "must be greater than"),
    (with_container(memory=1024), "more than the task memory"),
    (with_container(stopTimeout=121), "Invalid 'stopTimeout'"),
    (with_container(healthCheck={"command": ["curl", "x"]}), "must start with CMD or CMD-SHELL"),
    (with_container(healthCheck={"command": ["CMD", "true"], "interval": 4}),
     "interval must be between 5 and 300"),
    (with_container(healthCheck={"command": ["CMD", "true"], "retries": 11}),
     "retries must be between 1 and 10"),
    (with_container(dependsOn=[{"containerName": "ghost", "condition": "START"}]),
     "that is not in the task definition"),
    (with_container(secrets=[{"name": "X", "valueFrom": "arn:aws:s3:::bucket/key"}]),
     "Invalid 'valueFrom'"),
    (with_container(logConfiguration={"logDriver": "awslogs",
                                      "options": {"awslogs-group": "g", "awslogs-region": "r"}}),
     "Log driver awslogs option 'awslogs-stream-prefix' should not be null or empty."),
    (with_container(logConfiguration={"logDriver": "awslogs", "options": {
        "awslogs-group": "g", "awslogs-region": "r", "awslogs-stream-prefix": "p"}}),
     "Fargate requires task definition to have execution role ARN to support log driver "
     "awslogs."),
    (with_container(mountPoints=[{"sourceVolume": "nope", "containerPath": "/x"}]),
     "unknown volume 'nope'"),
]


def _two_containers(dep_condition: str, *, essential: bool = True, health: bool = False):
    td = fargate()
    db = {"name": "db", "image": "postgres", "essential": essential}
    if health:
        db["healthCheck"] = {"command": ["CMD-SHELL", "true"]}
    td["containerDefinitions"] = [
        db, {"name": "app", "image": "nginx",
             "dependsOn": [{"containerName": "db", "condition": dep_condition}]}]
    return td


BAD += [
    (_two_containers("COMPLETE"), "cannot depend on the essential container 'db'"),
    (_two_containers("SUCCESS"), "cannot depend on the essential container 'db'"),
    (_two_containers("HEALTHY"), "has no healthCheck"),
]


@pytest.mark.parametrize("definition, message", BAD)
def test_refusals_use_ecs_words_and_consume_no_revision(ecs, definition, message):
    ecs.register_task_definition(**fargate())
    with pytest.raises(ClientError) as err:
        ecs.register_task_definition(**definition)
    error = err.value.response["Error"]
    assert error["Code"] == "ClientException"
    assert message in error["Message"]
    # The refusal left nothing behind: the next good registration is revision 2.
    assert ecs.register_task_definition(**fargate())["taskDefinition"]["revision"] == 2


def test_dependencies_that_are_allowed(ecs):
    assert ecs.register_task_definition(**_two_containers("COMPLETE", essential=False))
    assert ecs.register_task_definition(**_two_containers("HEALTHY", health=True))


def test_size_spellings_are_normalised(ecs):
    td = ecs.register_task_definition(**fargate(cpu="1 vCPU", memory="2GB"))["taskDefinition"]
    assert (td["cpu"], td["memory"]) == ("1024", "2048")
    td = ecs.register_task_definition(**fargate(cpu="0.25 vcpu", memory="1 GB"))["taskDefinition"]
    assert (td["cpu"], td["memory"]) == ("256", "1024")


def test_health_check_defaults_are_filled(ecs):
    td = ecs.register_task_definition(**with_container(
        healthCheck={"command": ["CMD-SHELL", "curl -f localhost"]}))["taskDefinition"]
    assert td["containerDefinitions"][0]["healthCheck"] == {
        "command": ["CMD-SHELL", "curl -f localhost"], "interval": 30, "timeout": 5,
        "retries": 3}


def test_model_level_errors_are_invalid_parameter(ecs):
    with pytest.raises(ClientError) as err:
        ecs.register_task_definition(**fargate(networkMode="bridgey"))
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"


def test_three_identifier_forms_and_inactive_revisions(ecs):
    for _ in range(3):
        ecs.register_task_definition(**fargate())
    for ref in ("web", "web:3", ARN + "web:3"):
        assert ecs.describe_task_definition(taskDefinition=ref)["taskDefinition"]["revision"] == 3
    ecs.deregister_task_definition(taskDefinition="web:3")
    # The family alone now means the latest ACTIVE revision; INACTIVE stays describable.
    assert ecs.describe_task_definition(taskDefinition="web")["taskDefinition"]["revision"] == 2
    inactive = ecs.describe_task_definition(taskDefinition="web:3")["taskDefinition"]
    assert inactive["status"] == "INACTIVE" and "deregisteredAt" in inactive
    with pytest.raises(ClientError) as err:
        ecs.describe_task_definition(taskDefinition="web:9")
    assert err.value.response["Error"] == {"Code": "ClientException",
                                           "Message": "Unable to describe task definition."}
    with pytest.raises(ClientError) as err:
        ecs.deregister_task_definition(taskDefinition="web")
    assert err.value.response["Error"]["Code"] == "ClientException"


def test_delete_needs_inactive_and_revisions_continue_after(ecs):
    ecs.register_task_definition(**fargate())
    ecs.register_task_definition(**fargate())
    out = ecs.delete_task_definitions(taskDefinitions=["web:1"])
    assert out["taskDefinitions"] == [] and "ACTIVE" in out["failures"][0]["reason"]
    ecs.deregister_task_definition(taskDefinition="web:1")
    ecs.deregister_task_definition(taskDefinition="web:2")
    out = ecs.delete_task_definitions(taskDefinitions=["web:1", ARN + "web:2"])
    assert [d["status"] for d in out["taskDefinitions"]] == ["DELETE_IN_PROGRESS"] * 2
    listed = ecs.list_task_definitions(status="DELETE_IN_PROGRESS")["taskDefinitionArns"]
    assert listed == [ARN + "web:1", ARN + "web:2"]
    assert ecs.list_task_definition_families(status="INACTIVE")["families"] == ["web"]
    assert ecs.register_task_definition(**fargate())["taskDefinition"]["revision"] == 3


def test_list_filters_sort_and_paginators(ecs, aws):
    for family in ("api", "web", "worker"):
        for _ in range(3):
            ecs.register_task_definition(**fargate(family=family))
    pages = list(ecs.get_paginator("list_task_definitions").paginate(
        familyPrefix="w", PaginationConfig={"PageSize": 4}))
    arns = [a for p in pages for a in p["taskDefinitionArns"]]
    assert [len(p["taskDefinitionArns"]) for p in pages] == [4, 2]
    assert arns == [ARN + f"{f}:{r}" for f in ("web", "worker") for r in (1, 2, 3)]
    desc = ecs.list_task_definitions(sort="DESC", maxResults=2)
    assert desc["taskDefinitionArns"] == [ARN + "worker:3", ARN + "worker:2"]
    rest = ecs.list_task_definitions(sort="DESC", nextToken=desc["nextToken"])
    assert rest["taskDefinitionArns"][0] == ARN + "worker:1"
    families = ecs.get_paginator("list_task_definition_families").paginate(
        PaginationConfig={"PageSize": 2})
    assert [f for p in families for f in p["families"]] == ["api", "web", "worker"]
    # The CLI pages by itself with --page-size and still prints everything.
    cli = aws.json("ecs", "list-task-definitions", "--page-size", "2")
    assert len(cli["taskDefinitionArns"]) == 9


def test_tags_on_task_definitions(ecs):
    out = ecs.register_task_definition(**fargate(), tags=[{"key": "team", "value": "a"}])
    arn = out["taskDefinition"]["taskDefinitionArn"]
    assert out["tags"] == [{"key": "team", "value": "a"}]
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "dev"}])
    ecs.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "env", "value": "dev"}]
    described = ecs.describe_task_definition(taskDefinition="web", include=["TAGS"])
    assert described["tags"] == [{"key": "env", "value": "dev"}]
    with pytest.raises(ClientError) as err:
        ecs.tag_resource(resourceArn=ARN + "web:99", tags=[{"key": "a", "value": "b"}])
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_registration_input_is_returned_unchanged_apart_from_defaults(ecs):
    given = fargate()
    given["containerDefinitions"][0]["environment"] = [{"name": "A", "value": "1"}]
    before = copy.deepcopy(given)
    td = ecs.register_task_definition(**given)["taskDefinition"]
    assert given == before
    assert td["containerDefinitions"][0]["environment"] == [{"name": "A", "value": "1"}]
    assert json.dumps(td, default=str)
