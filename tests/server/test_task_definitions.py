"""Task definitions through the aws CLI and boto3 against a real server: ECS's validation
(with its words), the defaults it fills in, revisions, the three identifier forms,
listing, pagination, deregistration, deletion and tags."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error

DATA = Path(__file__).parent.parent / "data"
TUTORIAL = DATA / "fargate-jikkuri.json"
SIDECARS = DATA / "web-with-sidecars.json"
ARN = "arn:aws:ecs:us-east-1:000000000000:task-definition/"
EXEC_ROLE = "arn:aws:iam::000000000000:role/ecsTaskExecutionRole"
API = "com.amazonaws.ecs.capability.docker-remote-api."


def fargate(**changes: Any) -> dict[str, Any]:
    td = {
        "family": "web",
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [
            {"name": "app", "image": "nginx", "portMappings": [{"containerPort": 80}]}
        ],
    }
    td.update(changes)
    return td


def with_container(**changes: Any) -> dict[str, Any]:
    td = fargate()
    td["containerDefinitions"][0].update(changes)
    return td


def with_containers(*containers: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return fargate(containerDefinitions=list(containers), **changes)


def ec2(**changes: Any) -> dict[str, Any]:
    td = {
        "family": "web",
        "containerDefinitions": [{"name": "app", "image": "nginx", "memory": 128}],
    }
    td.update(changes)
    return td


def awslogs(**options: str) -> dict[str, Any]:
    base = {
        "awslogs-group": "/ecs/web",
        "awslogs-region": "us-east-1",
        "awslogs-stream-prefix": "web",
    }
    base.update(options)
    return {"logDriver": "awslogs", "options": {k: v for k, v in base.items() if v}}


# --- the tutorial, through the CLI -----------------------------------------------------


def test_tutorial_definition_through_the_cli(aws):
    out = aws.json("ecs", "register-task-definition", "--cli-input-json", f"file://{TUTORIAL}")
    td = out["taskDefinition"]
    assert "tags" not in out
    assert list(td)[:3] == ["taskDefinitionArn", "containerDefinitions", "family"]
    assert td["taskDefinitionArn"] == ARN + "fargate-jikkuri:1"
    assert (td["family"], td["revision"], td["status"]) == ("fargate-jikkuri", 1, "ACTIVE")
    assert (td["cpu"], td["memory"], td["networkMode"]) == ("256", "512", "awsvpc")
    assert td["executionRoleArn"] == "arn:aws:iam::123456789012:role/task_execution_role"
    assert td["compatibilities"] == ["EC2", "FARGATE"]
    assert "requiresCompatibilities" not in td  # not given, not invented
    assert td["requiresAttributes"] == [
        {"name": "com.amazonaws.ecs.capability.logging-driver.awslogs"},
        {"name": "ecs.capability.execution-role-awslogs"},
        {"name": API + "1.19"},
        {"name": API + "1.18"},
        {"name": "ecs.capability.task-eni"},
    ]
    assert (td["volumes"], td["placementConstraints"]) == ([], [])
    assert td["registeredBy"] == "arn:aws:iam::000000000000:root"
    assert isinstance(td["registeredAt"], float)
    assert td["containerDefinitions"] == [
        {
            "name": "app",
            "image": "ruby:3.2-slim",
            "cpu": 0,
            "portMappings": [{"containerPort": 3000, "hostPort": 3000, "protocol": "tcp"}],
            "essential": True,
            "command": ["bash", "-c", "gem install webrick && ruby -run -e httpd /home -p 3000"],
            "environment": [],
            "mountPoints": [],
            "volumesFrom": [],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": "/ecs/fargate-skeleton_jikkuri-main",
                    "awslogs-region": "ap-northeast-1",
                    "awslogs-stream-prefix": "logs",
                },
            },
            "systemControls": [],
        }
    ]

    for ref in ("fargate-jikkuri", "fargate-jikkuri:1", ARN + "fargate-jikkuri:1"):
        described = aws.json("ecs", "describe-task-definition", "--task-definition", ref)
        assert described == {"taskDefinition": td}
    listed = aws.json("ecs", "list-task-definitions")
    assert listed["taskDefinitionArns"] == [ARN + "fargate-jikkuri:1"]
    families = aws.json("ecs", "list-task-definition-families")
    assert families["families"] == ["fargate-jikkuri"]
    again = aws.json("ecs", "register-task-definition", "--cli-input-json", f"file://{TUTORIAL}")
    assert again["taskDefinition"]["revision"] == 2


def test_a_richer_definition_through_the_cli(aws):
    td = aws.json("ecs", "register-task-definition", "--cli-input-json", f"file://{SIDECARS}")[
        "taskDefinition"
    ]
    assert (td["cpu"], td["memory"]) == ("512", "1024")
    assert td["compatibilities"] == ["EC2", "FARGATE"]
    assert [a["name"] for a in td["requiresAttributes"]] == [
        "com.amazonaws.ecs.capability.logging-driver.awslogs",
        "ecs.capability.execution-role-awslogs",
        "com.amazonaws.ecs.capability.ecr-auth",
        API + "1.19",
        "ecs.capability.secrets.asm.environment-variables",
        "com.amazonaws.ecs.capability.task-iam-role",
        "ecs.capability.container-health-check",
        "ecs.capability.execution-role-ecr-pull",
        "ecs.capability.secrets.ssm.environment-variables",
        "ecs.capability.container-ordering",
        API + "1.18",
        "ecs.capability.task-eni",
        API + "1.29",
    ]
    migrate, web = td["containerDefinitions"]
    assert migrate["essential"] is False and web["essential"] is True
    assert web["portMappings"] == [
        {
            "containerPort": 8080,
            "hostPort": 8080,
            "protocol": "tcp",
            "name": "http",
            "appProtocol": "http",
        }
    ]
    assert web["healthCheck"] == {
        "command": ["CMD-SHELL", "wget -q -O /dev/null localhost:8080/up"],
        "interval": 30,
        "timeout": 5,
        "retries": 3,
        "startPeriod": 20,
    }
    # Only what ECS fills in is added; the log configuration comes back as given.
    assert (
        web["logConfiguration"]
        == json.loads(SIDECARS.read_text())["containerDefinitions"][1]["logConfiguration"]
    )


# --- refusals ----------------------------------------------------------------------------


def _two(dep_condition: str, *, essential: bool = True, health: bool = False) -> dict[str, Any]:
    db: dict[str, Any] = {"name": "db", "image": "postgres", "essential": essential}
    if health:
        db["healthCheck"] = {"command": ["CMD-SHELL", "pg_isready"]}
    return with_containers(
        db,
        {
            "name": "app",
            "image": "nginx",
            "dependsOn": [{"containerName": "db", "condition": dep_condition}],
        },
    )


NO_CONFIG = (
    "No Fargate configuration exists for given values: {} CPU, {} memory. "
    "See the Amazon ECS documentation for the valid values."
)
ASM = "arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf"

REFUSED: list[tuple[str, dict[str, Any], str]] = [
    # family
    ("family-chars", fargate(family="bad name!"), "Family contains invalid characters."),
    ("family-blank", fargate(family=""), "Family can not be blank."),
    (
        "family-long",
        fargate(family="f" * 256),
        "Family name can not be longer than 255 characters.",
    ),
    # task size
    ("cpu-not-fargate", fargate(cpu="300"), "Invalid 'cpu' setting for task."),
    ("cpu-garbage", fargate(cpu="lots"), "Invalid 'cpu' setting for task."),
    ("cpu-garbage-ec2", ec2(cpu="0.3 vCPU"), "Invalid 'cpu' setting for task."),
    ("cpu-tiny-ec2", ec2(cpu="64"), "Invalid 'cpu' setting for task."),
    ("cpu-huge-ec2", ec2(cpu="200 vCPU"), "Invalid 'cpu' setting for task."),
    ("memory-garbage", fargate(memory="2 TB"), "Invalid 'memory' setting for task."),
    ("pair", fargate(memory="4096"), NO_CONFIG.format(256, 4096)),
    # what Fargate does not allow: nothing of the host, no extra privilege
    (
        "fargate-host-path",
        fargate(volumes=[{"name": "root", "host": {"sourcePath": "/"}}]),
        "Fargate compatible task definitions do not support sourcePath",
    ),
    (
        "fargate-privileged",
        with_container(privileged=True),
        "Fargate compatible task definitions do not support privileged (container 'app').",
    ),
    (
        "fargate-capabilities",
        with_container(linuxParameters={"capabilities": {"add": ["SYS_ADMIN"]}}),
        "Fargate compatible task definitions only support adding the SYS_PTRACE kernel "
        "capability (container 'app').",
    ),
    (
        "fargate-devices",
        with_container(linuxParameters={"devices": [{"hostPath": "/dev/sda"}]}),
        "Fargate compatible task definitions do not support linuxParameters.devices "
        "(container 'app').",
    ),
    ("pair-spelt", fargate(cpu="2 vCPU", memory="1GB"), NO_CONFIG.format(2048, 1024)),
    ("pair-step", fargate(cpu="8192", memory="17408"), NO_CONFIG.format(8192, 17408)),
    (
        "no-cpu",
        {k: v for k, v in fargate().items() if k != "cpu"},
        "Fargate requires that 'cpu' be defined at the task level.",
    ),
    (
        "no-memory",
        {k: v for k, v in fargate().items() if k != "memory"},
        "Fargate requires that 'memory' be defined at the task level.",
    ),
    # Fargate task
    ("bridge", fargate(networkMode="bridge"), "Fargate only supports network mode ‘awsvpc’."),
    (
        "no-mode",
        {k: v for k, v in fargate().items() if k != "networkMode"},
        "Fargate only supports network mode ‘awsvpc’.",
    ),
    ("ipc", fargate(ipcMode="host"), "Tasks using the Fargate launch type do not support ipcMode."),
    (
        "pid",
        fargate(pidMode="host"),
        (
            "Tasks using the Fargate launch type do not support "
            "pidMode 'host'. The supported value for pidMode is 'task'."
        ),
    ),
    # container list and names
    ("no-containers", fargate(containerDefinitions=[]), "Container list cannot be empty."),
    (
        "eleven",
        with_containers(*[{"name": f"c{i}", "image": "x"} for i in range(11)]),
        "Too many containers.",
    ),
    ("no-name", with_containers({"image": "nginx"}), "Container.name should not be null or empty."),
    ("bad-name", with_container(name="my app"), "Container.name contains invalid characters."),
    (
        "same-name",
        with_containers({"name": "a", "image": "x"}, {"name": "a", "image": "y"}),
        "Container names must be unique within a Task Definition.",
    ),
    ("no-image", with_containers({"name": "a"}), "Container.image should not be null or empty."),
    (
        "none-essential",
        with_container(essential=False),
        "Task definition doesn't have any essential container.",
    ),
    # ports
    (
        "host-port",
        with_container(portMappings=[{"containerPort": 80, "hostPort": 8080}]),
        "When networkMode=awsvpc, the host ports and container ports in port mappings must match.",
    ),
    (
        "host-mode",
        ec2(
            networkMode="host",
            containerDefinitions=[
                {
                    "name": "app",
                    "image": "x",
                    "memory": 64,
                    "portMappings": [{"containerPort": 80, "hostPort": 81}],
                }
            ],
        ),
        "When networkMode=host, the host ports and container ports in port mappings must match.",
    ),
    (
        "port-twice",
        with_container(
            portMappings=[
                {"containerPort": 53, "protocol": "tcp"},
                {"containerPort": 53, "protocol": "udp"},
            ]
        ),
        "Invalid port mapping for container 'app'. Container port 53 is mapped more than once.",
    ),
    (
        "port-range-overlap",
        with_container(portMappings=[{"containerPort": 8005}, {"containerPortRange": "8000-8010"}]),
        (
            "Invalid port mapping for container 'app'. Container port 8000-8010 is mapped more than "
            "once."
        ),
    ),
    (
        "port-range-bad",
        with_container(portMappings=[{"containerPortRange": "9000-8000"}]),
        (
            "Invalid containerPortRange '9000-8000' for container 'app'. Use the form 'start-end' "
            "with 1 <= start < end <= 65535."
        ),
    ),
    (
        "port-range-host",
        with_container(portMappings=[{"containerPortRange": "8000-8010", "hostPort": 8000}]),
        (
            "Invalid port mapping for container 'app'. hostPort cannot be specified with "
            "containerPortRange."
        ),
    ),
    (
        "port-both",
        with_container(portMappings=[{"containerPort": 80, "containerPortRange": "8000-8010"}]),
        (
            "Invalid port mapping for container 'app'. Specify either containerPort or "
            "containerPortRange, not both."
        ),
    ),
    (
        "port-none",
        with_container(portMappings=[{"protocol": "tcp"}]),
        (
            "Invalid port mapping for container 'app'. containerPort or containerPortRange must be "
            "specified."
        ),
    ),
    (
        "port-out-of-range",
        with_container(portMappings=[{"containerPort": 70000}]),
        "Invalid port mapping for container 'app'. containerPort must be between 1 and 65535.",
    ),
    (
        "port-name-dash",
        with_container(portMappings=[{"containerPort": 80, "name": "-web"}]),
        (
            "Invalid port mapping name '-web' in container 'app'. Up to 64 lowercase letters, "
            "numbers, underscores and hyphens are allowed, and it cannot start with a hyphen."
        ),
    ),
    (
        "port-name-upper",
        with_container(portMappings=[{"containerPort": 80, "name": "Web"}]),
        (
            "Invalid port mapping name 'Web' in container 'app'. Up to 64 lowercase letters, "
            "numbers, underscores and hyphens are allowed, and it cannot start with a hyphen."
        ),
    ),
    (
        "port-name-long",
        with_container(portMappings=[{"containerPort": 80, "name": "p" * 65}]),
        (
            f"Invalid port mapping name '{'p' * 65}' in container 'app'. Up to 64 lowercase letters, "
            "numbers, underscores and hyphens are allowed, and it cannot start with a hyphen."
        ),
    ),
    (
        "port-name-twice",
        with_containers(
            {"name": "a", "image": "x", "portMappings": [{"containerPort": 80, "name": "http"}]},
            {"name": "b", "image": "x", "portMappings": [{"containerPort": 81, "name": "http"}]},
        ),
        "Port mapping names must be unique within a task definition: 'http'.",
    ),
    (
        "app-protocol",
        with_container(portMappings=[{"containerPort": 80, "appProtocol": "http"}]),
        (
            "Invalid port mapping for container 'app'. appProtocol requires the port mapping to have "
            "a name."
        ),
    ),
    (
        "hostname",
        with_container(hostname="web"),
        "hostname is not supported on container when networkMode=awsvpc.",
    ),
    # memory and cpu
    (
        "reservation",
        with_container(memory=256, memoryReservation=512),
        (
            "Invalid setting for container 'app'. The 'memory' value must be greater than or equal "
            "to the 'memoryReservation' value."
        ),
    ),
    (
        "tiny",
        with_container(memory=4),
        "Invalid 'memory' setting for container 'app'. The minimum is 6 MiB.",
    ),
    (
        "over-task",
        with_container(memory=1024),
        "The 'memory' setting for container 'app' is greater than for the task.",
    ),
    (
        "reserved-sum",
        with_containers(
            {"name": "a", "image": "x", "memoryReservation": 300},
            {"name": "b", "image": "x", "memory": 300},
        ),
        (
            "The sum of all container 'memoryReservation' values cannot be greater than the value "
            "of the task 'memory'."
        ),
    ),
    (
        "cpu-sum",
        with_containers(
            {"name": "a", "image": "x", "cpu": 200}, {"name": "b", "image": "x", "cpu": 100}
        ),
        (
            "The sum of all container 'cpu' values cannot be greater than the value of the task "
            "'cpu'."
        ),
    ),
    (
        "ec2-no-memory",
        ec2(containerDefinitions=[{"name": "app", "image": "x"}]),
        (
            "Invalid setting for container 'app'. At least one of 'memory' or 'memoryReservation' "
            "must be specified."
        ),
    ),
    (
        "stop-timeout",
        with_container(stopTimeout=121),
        (
            "Invalid 'stopTimeout' setting for container 'app'. The maximum on Fargate is 120 "
            "seconds."
        ),
    ),
    # health checks
    (
        "health-command",
        with_container(healthCheck={"command": ["curl", "-f", "x"]}),
        (
            "Invalid 'healthCheck' setting for container 'app'. The command must start with CMD or "
            "CMD-SHELL, followed by what to run."
        ),
    ),
    *[
        (
            f"health-{key}-{value}",
            with_container(healthCheck={"command": ["CMD", "true"], key: value}),
            (
                f"Invalid 'healthCheck' setting for container 'app'. '{key}' must be between {low} and "
                f"{high}."
            ),
        )
        for key, value, low, high in [
            ("interval", 4, 5, 300),
            ("interval", 301, 5, 300),
            ("timeout", 1, 2, 60),
            ("timeout", 61, 2, 60),
            ("retries", 0, 1, 10),
            ("retries", 11, 1, 10),
            ("startPeriod", 301, 0, 300),
        ]
    ],
    # dependencies
    (
        "depends-ghost",
        with_container(dependsOn=[{"containerName": "ghost", "condition": "START"}]),
        "Cannot depend on container + 'ghost' because it does not exist",
    ),
    (
        "depends-complete",
        _two("COMPLETE"),
        (
            "A dependency container with SUCCESS or COMPLETE condition cannot be an essential "
            "container"
        ),
    ),
    (
        "depends-success",
        _two("SUCCESS"),
        (
            "A dependency container with SUCCESS or COMPLETE condition cannot be an essential "
            "container"
        ),
    ),
    (
        "depends-healthy",
        _two("HEALTHY"),
        (
            "A dependency container with HEALTHY condition must have a health check: container "
            "'db' has none"
        ),
    ),
    (
        "depends-cycle",
        with_containers(
            {
                "name": "a",
                "image": "x",
                "dependsOn": [{"containerName": "b", "condition": "START"}],
            },
            {
                "name": "b",
                "image": "x",
                "dependsOn": [{"containerName": "a", "condition": "START"}],
            },
        ),
        "Container dependencies cannot form a cycle: a -> b -> a",
    ),
    # secrets
    *[
        (
            f"secret-{i}",
            with_container(secrets=[{"name": "X", "valueFrom": v}]),
            (
                f"Invalid 'valueFrom' for secret 'X' in container 'app': {v}. Use a Systems Manager "
                "parameter name or ARN, or a Secrets Manager secret ARN."
            ),
        )
        for i, v in enumerate(
            [
                "arn:aws:s3:::bucket/key",
                ASM + ":password:AWSCURRENT",
                "has space",
                "arn:aws:ssm:us-east-1:000000000000:document/x",
            ]
        )
    ],
    # logs
    (
        "awslogs-options",
        with_container(logConfiguration={"logDriver": "awslogs"}),
        "Log driver awslogs requires options: awslogs-region, awslogs-group",
    ),
    (
        "awslogs-group",
        with_container(logConfiguration=awslogs(**{"awslogs-group": ""})),
        "Log driver awslogs requires options: awslogs-group",
    ),
    (
        "awslogs-stream",
        with_container(logConfiguration=awslogs(**{"awslogs-stream": "mine"})),
        "Log driver awslogs disallows options: awslogs-stream",
    ),
    (
        "awslogs-role",
        with_container(logConfiguration=awslogs()),
        (
            "Fargate requires task definition to have execution role ARN to support log driver "
            "awslogs."
        ),
    ),
    (
        "awslogs-prefix",
        fargate(
            executionRoleArn=EXEC_ROLE,
            containerDefinitions=[
                {
                    "name": "app",
                    "image": "x",
                    "logConfiguration": awslogs(**{"awslogs-stream-prefix": ""}),
                }
            ],
        ),
        (
            "Fargate requires log configuration options to include awslogs-stream-prefix to support "
            "log driver awslogs."
        ),
    ),
    (
        "fargate-driver",
        with_container(logConfiguration={"logDriver": "json-file"}),
        "Log driver json-file is not supported on Fargate. Use awslogs, splunk or awsfirelens.",
    ),
    (
        "ecr-role",
        with_container(image="000000000000.dkr.ecr.us-east-1.amazonaws.com/web:1"),
        "Fargate requires task definition to have execution role ARN to support ECR images.",
    ),
    # volumes
    (
        "mount-unknown",
        with_container(mountPoints=[{"sourceVolume": "nope", "containerPath": "/x"}]),
        "Invalid 'mountPoints' setting for container 'app'. Unknown volume 'nope'.",
    ),
    (
        "mount-path",
        fargate(
            volumes=[{"name": "data"}],
            containerDefinitions=[
                {"name": "app", "image": "x", "mountPoints": [{"sourceVolume": "data"}]}
            ],
        ),
        (
            "Invalid 'mountPoints' setting for container 'app'. containerPath should not be null or "
            "empty."
        ),
    ),
    (
        "volumes-from",
        with_container(volumesFrom=[{"sourceContainer": "ghost"}]),
        "Invalid 'volumesFrom' setting for container 'app'. Unknown container 'ghost'.",
    ),
    (
        "volume-twice",
        fargate(volumes=[{"name": "data"}, {"name": "data"}]),
        "Volume names must be unique within a Task Definition.",
    ),
]


@pytest.mark.parametrize(
    "definition, message", [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
def test_refusals_use_ecs_words_and_consume_no_revision(ecs, definition, message):
    ecs.register_task_definition(**fargate())
    with pytest.raises(ClientError) as err:
        ecs.register_task_definition(**definition)
    assert aws_error(err) == ("ClientException", message)
    # The refusal left nothing behind: the next good registration is revision 2.
    assert ecs.register_task_definition(**fargate())["taskDefinition"]["revision"] == 2
    assert ecs.list_task_definitions()["taskDefinitionArns"] == [ARN + "web:1", ARN + "web:2"]


def test_a_refusal_after_the_revision_was_taken_rolls_it_back(ecs):
    """Tags are checked after the row is written: the whole registration still goes."""
    with pytest.raises(ClientError) as err:
        ecs.register_task_definition(**fargate(), tags=[{"key": "aws:owner", "value": "me"}])
    assert aws_error(err) == (
        "InvalidParameterException",
        "Tag keys beginning with 'aws:' are reserved for AWS use.",
    )
    assert ecs.list_task_definition_families()["families"] == []
    assert ecs.register_task_definition(**fargate())["taskDefinition"]["revision"] == 1


def test_model_level_errors_are_invalid_parameter(ecs):
    with pytest.raises(ClientError) as err:
        ecs.register_task_definition(**fargate(networkMode="bridgey"))
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"
    with pytest.raises(ClientError) as err:
        ecs.register_task_definition(**_two("LATER"))
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"


# --- what is accepted, and what ECS fills in --------------------------------------------

ACCEPTED: list[tuple[str, dict[str, Any]]] = [
    ("complete-non-essential", _two("COMPLETE", essential=False)),
    ("success-non-essential", _two("SUCCESS", essential=False)),
    ("healthy-with-check", _two("HEALTHY", health=True)),
    ("start", _two("START")),
    ("memory-equals-reservation", with_container(memory=256, memoryReservation=256)),
    ("stop-timeout-120", with_container(stopTimeout=120)),
    (
        "ec2-big-stop-timeout",
        ec2(containerDefinitions=[{"name": "app", "image": "x", "memory": 64, "stopTimeout": 600}]),
    ),
    (
        "ec2-task-memory-only",
        ec2(memory="512", containerDefinitions=[{"name": "app", "image": "x"}]),
    ),
    (
        "ec2-reservation-only",
        ec2(containerDefinitions=[{"name": "app", "image": "x", "memoryReservation": 64}]),
    ),
    (
        "bridge-any-host-port",
        ec2(
            networkMode="bridge",
            containerDefinitions=[
                {
                    "name": "app",
                    "image": "x",
                    "memory": 64,
                    "portMappings": [{"containerPort": 80, "hostPort": 8080}],
                }
            ],
        ),
    ),
    (
        "ports",
        with_container(
            portMappings=[
                {"containerPort": 80, "hostPort": 80, "name": "web-80_tcp", "appProtocol": "http2"},
                {"containerPort": 53, "protocol": "udp"},
                {"containerPortRange": "8000-8010"},
            ]
        ),
    ),
    (
        "secrets",
        with_container(
            secrets=[
                {"name": "A", "valueFrom": "plain-name"},
                {"name": "B", "valueFrom": "/a/b.c-d_e"},
                {"name": "C", "valueFrom": "arn:aws:ssm:us-east-1:000000000000:parameter/a/b"},
                {"name": "D", "valueFrom": ASM},
                {"name": "E", "valueFrom": ASM + ":password::"},
                {"name": "F", "valueFrom": ASM + "::AWSPREVIOUS:"},
                {"name": "G", "valueFrom": ASM + ":k:AWSCURRENT:0123-abcd"},
            ]
        ),
    ),
    (
        "fargate-awslogs",
        fargate(
            executionRoleArn=EXEC_ROLE,
            containerDefinitions=[
                {
                    "name": "app",
                    "image": "x",
                    "logConfiguration": awslogs(
                        **{
                            "awslogs-create-group": "true",
                            "mode": "non-blocking",
                            "max-buffer-size": "25m",
                        }
                    ),
                }
            ],
        ),
    ),
    (
        "ec2-awslogs-no-prefix",
        ec2(
            containerDefinitions=[
                {
                    "name": "app",
                    "image": "x",
                    "memory": 64,
                    "logConfiguration": awslogs(**{"awslogs-stream-prefix": ""}),
                }
            ]
        ),
    ),
    (
        "shared-volume",
        fargate(
            volumes=[{"name": "data"}],
            containerDefinitions=[
                {
                    "name": "app",
                    "image": "x",
                    "mountPoints": [{"sourceVolume": "data", "containerPath": "/data"}],
                },
                {
                    "name": "side",
                    "image": "x",
                    "essential": False,
                    "volumesFrom": [{"sourceContainer": "app"}],
                },
            ],
        ),
    ),
    ("ten-containers", with_containers(*[{"name": f"c{i}", "image": "x"} for i in range(10)])),
    ("family-255", fargate(family="f" * 255)),
]


@pytest.mark.parametrize("definition", [a[1] for a in ACCEPTED], ids=[a[0] for a in ACCEPTED])
def test_valid_definitions_are_registered(ecs, definition):
    td = ecs.register_task_definition(**definition)["taskDefinition"]
    assert (td["revision"], td["status"]) == (1, "ACTIVE")


def test_container_defaults_are_filled_and_the_input_is_kept(ecs):
    given = with_container(
        environment=[{"name": "A", "value": "1"}],
        healthCheck={"command": ["CMD-SHELL", "curl -f localhost"]},
        logConfiguration={"logDriver": "splunk", "options": {"splunk-url": "https://s"}},
    )
    before = copy.deepcopy(given)
    app = ecs.register_task_definition(**given)["taskDefinition"]["containerDefinitions"][0]
    assert given == before
    assert app["environment"] == [{"name": "A", "value": "1"}]
    assert (
        app["cpu"],
        app["essential"],
        app["mountPoints"],
        app["volumesFrom"],
        app["systemControls"],
    ) == (0, True, [], [], [])
    assert app["portMappings"] == [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}]
    assert app["healthCheck"] == {
        "command": ["CMD-SHELL", "curl -f localhost"],
        "interval": 30,
        "timeout": 5,
        "retries": 3,
    }
    assert app["logConfiguration"] == {
        "logDriver": "splunk",
        "options": {"splunk-url": "https://s"},
    }


def test_port_defaults_follow_the_network_mode(ecs):
    bridge = ecs.register_task_definition(
        **ec2(
            containerDefinitions=[
                {"name": "app", "image": "x", "memory": 64, "portMappings": [{"containerPort": 80}]}
            ]
        )
    )["taskDefinition"]
    # Bridge mode leaves the host port to Docker; host mode pins it to the container port.
    assert bridge["containerDefinitions"][0]["portMappings"] == [
        {"containerPort": 80, "protocol": "tcp"}
    ]
    host = ecs.register_task_definition(
        **ec2(
            networkMode="host",
            containerDefinitions=[
                {
                    "name": "app",
                    "image": "x",
                    "memory": 64,
                    "portMappings": [{"containerPort": 80, "protocol": "udp"}],
                }
            ],
        )
    )["taskDefinition"]
    assert host["containerDefinitions"][0]["portMappings"] == [
        {"containerPort": 80, "hostPort": 80, "protocol": "udp"}
    ]
    bare = ecs.register_task_definition(**ec2())["taskDefinition"]
    assert bare["containerDefinitions"][0]["portMappings"] == []


@pytest.mark.parametrize(
    "cpu, memory, stored",
    [
        ("1 vCPU", "2GB", ("1024", "2048")),
        ("0.25 vcpu", "1 GB", ("256", "1024")),
        ("1 VCPU", "2 gb", ("1024", "2048")),
        (".5 vCPU", "4GB", ("512", "4096")),
        ("4 vCPU", "30 GB", ("4096", "30720")),
        ("16 vCPU", "120GB", ("16384", "122880")),
        ("8192", "61440", ("8192", "61440")),
    ],
)
def test_size_spellings_are_normalised(ecs, cpu, memory, stored):
    td = ecs.register_task_definition(**fargate(cpu=cpu, memory=memory))["taskDefinition"]
    assert (td["cpu"], td["memory"]) == stored
    assert ecs.describe_task_definition(taskDefinition="web")["taskDefinition"]["cpu"] == stored[0]


def test_ec2_sizes_are_normalised_without_the_fargate_table(ecs):
    td = ecs.register_task_definition(**ec2(cpu="1.5 vCPU", memory="0.5GB"))["taskDefinition"]
    assert (td["cpu"], td["memory"]) == ("1536", "512")


def test_compatibilities_say_where_a_definition_fits(ecs):
    def compat(**changes: Any) -> list[str]:
        return ecs.register_task_definition(**changes)["taskDefinition"]["compatibilities"]

    assert compat(**fargate()) == ["EC2", "FARGATE"]
    assert compat(**fargate(requiresCompatibilities=["EC2", "FARGATE"])) == ["EC2", "FARGATE"]
    assert compat(**ec2()) == ["EXTERNAL", "EC2"]
    assert compat(**ec2(networkMode="bridge")) == ["EXTERNAL", "EC2"]
    assert compat(**ec2(networkMode="awsvpc")) == ["EC2"]  # no task size
    assert compat(**ec2(networkMode="awsvpc", cpu="256", memory="600")) == ["EC2"]
    assert compat(**ec2(networkMode="awsvpc", cpu="256", memory="512")) == ["EC2", "FARGATE"]


# --- identifiers, deregistration, deletion ----------------------------------------------


def test_three_identifier_forms_and_inactive_revisions(ecs):
    for _ in range(3):
        ecs.register_task_definition(**fargate())
    for ref in ("web", "web:3", ARN + "web:3"):
        assert ecs.describe_task_definition(taskDefinition=ref)["taskDefinition"]["revision"] == 3
    out = ecs.deregister_task_definition(taskDefinition="web:3")["taskDefinition"]
    assert out["status"] == "INACTIVE"
    assert out["deregisteredAt"] >= out["registeredAt"]
    # The family alone now means the latest ACTIVE revision; INACTIVE stays describable.
    assert ecs.describe_task_definition(taskDefinition="web")["taskDefinition"]["revision"] == 2
    for ref in ("web:3", ARN + "web:3"):
        assert ecs.describe_task_definition(taskDefinition=ref)["taskDefinition"] == out
    # Deregistering again changes nothing.
    assert ecs.deregister_task_definition(taskDefinition=ARN + "web:3")["taskDefinition"] == out
    ecs.deregister_task_definition(taskDefinition="web:1")
    ecs.deregister_task_definition(taskDefinition="web:2")
    for ref in (
        "web",
        "web:9",
        "nope",
        "web:abc",
        ("arn:aws:ecs:eu-west-1:000000000000:task-definition/web:1"),
        "arn:aws:ecs:us-east-1:000000000000:cluster/web",
        "bad name",
    ):
        with pytest.raises(ClientError) as err:
            ecs.describe_task_definition(taskDefinition=ref)
        assert aws_error(err) == ("ClientException", "Unable to describe task definition."), ref


def test_deregister_needs_a_revision(ecs):
    ecs.register_task_definition(**fargate())
    for ref, message in [
        ("web", "Revision is missing."),
        (ARN + "web", "Revision is missing."),
        ("web:latest", "Invalid revision number. Number: latest"),
        ("web:7", "Unable to describe task definition."),
    ]:
        with pytest.raises(ClientError) as err:
            ecs.deregister_task_definition(taskDefinition=ref)
        assert aws_error(err) == ("ClientException", message), ref
    assert (
        ecs.describe_task_definition(taskDefinition="web:1")["taskDefinition"]["status"] == "ACTIVE"
    )


def test_delete_needs_inactive_and_revisions_continue_after(ecs, aws):
    ecs.register_task_definition(**fargate())
    ecs.register_task_definition(**fargate())
    out = ecs.delete_task_definitions(taskDefinitions=["web:1", "web:9", "web", "web:latest"])
    assert out["taskDefinitions"] == []
    assert out["failures"] == [
        {
            "arn": ARN + "web:1",
            "reason": "The specified task definition is still in ACTIVE "
            "status. Please deregister the target and try again.",
        },
        {
            "arn": "web:9",
            "reason": "The specified task definition does not exist. Specify a valid "
            "account, family, revision and try again.",
        },
        {
            "arn": "web",
            "reason": "The specified task definition identifier is invalid. Specify a valid "
            "name or ARN and try again.",
        },
        {
            "arn": "web:latest",
            "reason": "The specified task definition identifier is invalid. Specify a valid "
            "name or ARN and try again.",
        },
    ]

    ecs.deregister_task_definition(taskDefinition="web:1")
    ecs.deregister_task_definition(taskDefinition="web:2")
    out = aws.json("ecs", "delete-task-definitions", "--task-definitions", "web:1", ARN + "web:2")
    assert [(d["revision"], d["status"]) for d in out["taskDefinitions"]] == [
        (1, "DELETE_IN_PROGRESS"),
        (2, "DELETE_IN_PROGRESS"),
    ]
    assert all("deleteRequestedAt" in d for d in out["taskDefinitions"])
    assert out["failures"] == []
    described = ecs.describe_task_definition(taskDefinition="web:1")["taskDefinition"]
    assert described["status"] == "DELETE_IN_PROGRESS"
    listed = ecs.list_task_definitions(status="DELETE_IN_PROGRESS")["taskDefinitionArns"]
    assert listed == [ARN + "web:1", ARN + "web:2"]
    assert ecs.list_task_definitions(status="INACTIVE")["taskDefinitionArns"] == []
    assert ecs.list_task_definition_families(status="INACTIVE")["families"] == ["web"]
    # Revisions are never reused, and the family comes back to life.
    assert ecs.register_task_definition(**fargate())["taskDefinition"]["revision"] == 3
    assert ecs.list_task_definition_families(status="ACTIVE")["families"] == ["web"]

    with pytest.raises(ClientError) as err:
        ecs.delete_task_definitions(taskDefinitions=[f"web:{i}" for i in range(11)])
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"


def test_family_status_follows_its_revisions(ecs):
    ecs.register_task_definition(**fargate(family="api"))
    ecs.register_task_definition(**fargate(family="web"))
    ecs.register_task_definition(**fargate(family="web"))
    ecs.deregister_task_definition(taskDefinition="api:1")
    ecs.deregister_task_definition(taskDefinition="web:1")
    assert ecs.list_task_definition_families(status="ACTIVE")["families"] == ["web"]
    assert ecs.list_task_definition_families(status="INACTIVE")["families"] == ["api"]
    assert ecs.list_task_definition_families()["families"] == ["api", "web"]
    assert ecs.list_task_definition_families(status="ALL")["families"] == ["api", "web"]
    ecs.deregister_task_definition(taskDefinition="web:2")
    assert ecs.list_task_definition_families(status="INACTIVE")["families"] == ["api", "web"]
    assert ecs.list_task_definition_families(status="ACTIVE")["families"] == []


# --- listing and pagination --------------------------------------------------------------


def _register_many(ecs, families=("api", "web", "webapp", "worker"), revisions=3) -> None:
    for family in families:
        for _ in range(revisions):
            ecs.register_task_definition(**fargate(family=family))


def test_list_filters_and_sort(ecs):
    _register_many(ecs)
    everything = ecs.list_task_definitions()["taskDefinitionArns"]
    assert everything == [
        ARN + f"{f}:{r}" for f in ("api", "web", "webapp", "worker") for r in (1, 2, 3)
    ]
    # familyPrefix names one whole family in ListTaskDefinitions, as in ECS.
    assert ecs.list_task_definitions(familyPrefix="web")["taskDefinitionArns"] == [
        ARN + "web:1",
        ARN + "web:2",
        ARN + "web:3",
    ]
    assert ecs.list_task_definitions(familyPrefix="w")["taskDefinitionArns"] == []
    desc = ecs.list_task_definitions(sort="DESC")["taskDefinitionArns"]
    assert desc == list(reversed(everything))
    ecs.deregister_task_definition(taskDefinition="web:2")
    assert ecs.list_task_definitions(familyPrefix="web")["taskDefinitionArns"] == [
        ARN + "web:1",
        ARN + "web:3",
    ]
    assert ecs.list_task_definitions(status="INACTIVE")["taskDefinitionArns"] == [ARN + "web:2"]
    # ListTaskDefinitionFamilies does take a prefix.
    assert ecs.list_task_definition_families(familyPrefix="w")["families"] == [
        "web",
        "webapp",
        "worker",
    ]
    assert ecs.list_task_definition_families(familyPrefix="web")["families"] == ["web", "webapp"]
    for bad in (0, 101):
        with pytest.raises(ClientError) as err:
            ecs.list_task_definitions(maxResults=bad)
        assert err.value.response["Error"]["Code"] == "InvalidParameterException"


def test_pages_through_paginators_and_tokens(ecs):
    _register_many(ecs)
    pages = list(
        ecs.get_paginator("list_task_definitions").paginate(PaginationConfig={"PageSize": 5})
    )
    assert [len(p["taskDefinitionArns"]) for p in pages] == [5, 5, 2]
    assert [a for p in pages for a in p["taskDefinitionArns"]] == ecs.list_task_definitions()[
        "taskDefinitionArns"
    ]
    pages = list(
        ecs.get_paginator("list_task_definitions").paginate(
            familyPrefix="webapp", sort="DESC", PaginationConfig={"PageSize": 2}
        )
    )
    assert [p["taskDefinitionArns"] for p in pages] == [
        [ARN + "webapp:3", ARN + "webapp:2"],
        [ARN + "webapp:1"],
    ]
    first = ecs.list_task_definitions(sort="DESC", maxResults=2)
    assert first["taskDefinitionArns"] == [ARN + "worker:3", ARN + "worker:2"]
    rest = ecs.list_task_definitions(sort="DESC", nextToken=first["nextToken"])
    assert rest["taskDefinitionArns"][0] == ARN + "worker:1" and "nextToken" not in rest
    families = ecs.get_paginator("list_task_definition_families").paginate(
        PaginationConfig={"PageSize": 3}
    )
    assert [p["families"] for p in families] == [["api", "web", "webapp"], ["worker"]]
    with pytest.raises(ClientError) as err:
        ecs.list_task_definitions(nextToken="not-a-token")
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"


def test_pages_through_the_cli(ecs, aws):
    _register_many(ecs)
    # The CLI pages by itself with --page-size and still prints everything.
    out = aws.json("ecs", "list-task-definitions", "--page-size", "2")
    assert out["taskDefinitionArns"] == ecs.list_task_definitions()["taskDefinitionArns"]
    out = aws.json("ecs", "list-task-definitions", "--max-items", "4", "--page-size", "3")
    assert len(out["taskDefinitionArns"]) == 4 and out["NextToken"]
    rest = aws.json("ecs", "list-task-definitions", "--starting-token", out["NextToken"])
    assert len(rest["taskDefinitionArns"]) == 8
    out = aws.json(
        "ecs", "list-task-definition-families", "--family-prefix", "w", "--page-size", "1"
    )
    assert out["families"] == ["web", "webapp", "worker"]


# --- tags --------------------------------------------------------------------------------


def test_tags_on_task_definitions(ecs, aws):
    out = ecs.register_task_definition(**fargate(), tags=[{"key": "team", "value": "a"}])
    arn = out["taskDefinition"]["taskDefinitionArn"]
    assert out["tags"] == [{"key": "team", "value": "a"}]
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "dev"}])
    ecs.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "env", "value": "dev"}]
    described = ecs.describe_task_definition(taskDefinition="web", include=["TAGS"])
    assert described["tags"] == [{"key": "env", "value": "dev"}]
    assert "tags" not in ecs.describe_task_definition(taskDefinition="web")
    cli = aws.json(
        "ecs", "describe-task-definition", "--task-definition", "web:1", "--include", "TAGS"
    )
    assert cli["tags"] == [{"key": "env", "value": "dev"}]
    # Tags belong to one revision.
    second = ecs.register_task_definition(**fargate())["taskDefinition"]["taskDefinitionArn"]
    assert ecs.list_tags_for_resource(resourceArn=second)["tags"] == []
    with pytest.raises(ClientError) as err:
        ecs.tag_resource(resourceArn=ARN + "web:99", tags=[{"key": "a", "value": "b"}])
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_definition_over_64_kib_is_refused_and_consumes_no_revision(ecs):
    env = [{"name": f"VAR_{i}", "value": "x" * 100} for i in range(700)]  # ~80 KB
    with pytest.raises(ClientError) as err:
        ecs.register_task_definition(**with_container(environment=env))
    code, message = aws_error(err)
    assert code == "ClientException"
    assert message.startswith("Actual length: '") and message.endswith(
        "'. Max allowed length is '65536' bytes."
    )
    assert ecs.list_task_definition_families()["families"] == []
    near = env[:500]  # ~57 KB: under the limit
    assert (
        ecs.register_task_definition(**with_container(environment=near))["taskDefinition"][
            "revision"
        ]
        == 1
    )


def test_what_fargate_can_not_run_is_never_launched(ecs):
    """An EC2-only definition that mounts the host's root is registered (as on ECS), but
    ecsd launches everything the Fargate way: RunTask and CreateService refuse it, so no
    container ever bind-mounts `/`."""
    host = ec2(
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        volumes=[{"name": "root", "host": {"sourcePath": "/"}}],
        containerDefinitions=[
            {
                "name": "app",
                "image": "nginx",
                "privileged": True,
                "mountPoints": [{"sourceVolume": "root", "containerPath": "/host"}],
            }
        ],
    )
    td = ecs.register_task_definition(**host)["taskDefinition"]
    assert td["compatibilities"] == ["EC2"]
    ecs.create_cluster()
    network = {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}
    expected = (
        "InvalidParameterException",
        "Task definition does not support launch_type FARGATE.",
    )
    with pytest.raises(ClientError) as err:
        ecs.run_task(launchType="FARGATE", taskDefinition="web", networkConfiguration=network)
    assert aws_error(err) == expected
    with pytest.raises(ClientError) as err:
        ecs.create_service(
            launchType="FARGATE",
            serviceName="s",
            taskDefinition="web",
            networkConfiguration=network,
        )
    assert aws_error(err) == expected
    assert ecs.list_tasks()["taskArns"] == [] and ecs.list_services()["serviceArns"] == []
    ecs.register_task_definition(**fargate())
    ecs.create_service(
        launchType="FARGATE", serviceName="s", taskDefinition="web:2", networkConfiguration=network
    )
    with pytest.raises(ClientError) as err:
        ecs.update_service(service="s", taskDefinition="web:1")
    assert aws_error(err) == expected
